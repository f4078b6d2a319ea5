"""How training's writes are reviewed (issue 15): a kindergarten admin's results go to district HR."""

from __future__ import annotations

from typing import Any

from kernel.auth import Principal
from kernel.codes import Role
from kernel.errors import NotFound
from kernel.i18n import _
from registry.changes.codes import ChangeKind
from registry.changes.services import Handler, Snapshot
from training.results import record_result
from training.schemas import ResultCreate
from training.tables import Enrolment as E


async def enrolment_kindergarten(enrolment_id: int) -> int | None:
    row = await E.select(E.staff.kindergarten.as_alias("kindergarten")).where(E.id == enrolment_id).first()
    return None if row is None else int(row["kindergarten"])


async def record_scoped_result(who: Principal, data: ResultCreate) -> Any:
    """A result, by someone whose scope holds the person (an admin: their own kindergarten's staff)."""
    if who.role == Role.kindergarten_admin and await enrolment_kindergarten(data.enrolment_id) != who.kindergarten_id:
        raise NotFound(_("no enrolment {enrolment_id}", enrolment_id=data.enrolment_id))
    return await record_result(who, data)


def handlers() -> list[Handler]:
    async def apply(who: Principal, _target: int | None, data: ResultCreate) -> Any:
        return await record_scoped_result(who, data)

    async def kindergarten_of(_target: int | None, data: ResultCreate) -> int | None:
        return await enrolment_kindergarten(data.enrolment_id)

    def summary(data: ResultCreate, _before: Snapshot | None) -> str:
        verdict = _("passed") if data.passed else _("failed")
        return _(
            "result of enrolment {enrolment_id}: {hours} h, {verdict}",
            enrolment_id=data.enrolment_id,
            hours=data.hours,
            verdict=verdict,
        )

    return [Handler(ChangeKind.training_result, ResultCreate, apply, kindergarten_of, summary)]
