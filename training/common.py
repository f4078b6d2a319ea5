"""Shared by the training services: number normalising, the people scope, and results as rows.

Reads of people's enrolments and results are scoped like the staff register (a kindergarten admin
sees their own kindergarten's staff, a teacher their own record; anything else is 404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.scope import kindergarten_scope, staff_scope
from kernel.errors import NotFound
from kernel.i18n import _
from registry.staff.tables import Staff as S
from training.schemas import (
    ResultOut,
)
from training.tables import TrainingResult as R


def dec(value: Any) -> Decimal:
    """Numeric columns come back as Decimal (PostgreSQL) or float-ish values (SQLite): normalise."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- Scope -------------------------------------------------------------------------------------


def staff_filters(who: Principal, staff_column: Any, kindergarten_column: Any) -> list[Any]:
    """Row filters on a person (and their current kindergarten) for the caller's scope."""
    where: list[Any] = []
    kg = kindergarten_scope(who)
    if kg is not None and who.role != Role.teacher:
        where.append(kindergarten_column == kg)
    person = staff_scope(who)
    if person is not None:
        where.append(staff_column == person)
    return where


async def scoped_staff(who: Principal, staff_id: int) -> dict[str, Any]:
    """The person, if the caller may see them; otherwise 404, as for GET /staff/{id}."""
    row = (
        await S.select(S.id, S.name, S.kindergarten, S.status)
        .where(S.id == staff_id, *staff_filters(who, S.id, S.kindergarten))
        .first()
    )
    if row is None:
        raise NotFound(_("no staff member {staff_id}", staff_id=staff_id))
    return row


# --- Results as rows ---------------------------------------------------------------------------

RESULT_COLUMNS = (R.id, R.enrolment, R.hours, R.passed, R.score, R.completed_on, R.recorded_by, R.recorded_at)


def result_out(row: dict[str, Any]) -> ResultOut:
    return ResultOut(
        id=row["id"],
        enrolment_id=row["enrolment"],
        hours=float(dec(row["hours"])),
        passed=bool(row["passed"]),
        score=None if row["score"] is None else float(dec(row["score"])),
        completed_on=row["completed_on"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


async def results_of(enrolment_ids: list[int]) -> dict[int, ResultOut]:
    if not enrolment_ids:
        return {}
    rows = await R.select(*RESULT_COLUMNS).where(R.enrolment.is_in(enrolment_ids))
    return {r["enrolment"]: result_out(r) for r in rows}
