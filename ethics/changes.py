"""How ethics' writes are reviewed (issue 15): a kindergarten admin's evaluations go to district HR."""

from __future__ import annotations

from typing import Any

from ethics.codes import EthicsGrade
from ethics.schemas import EvaluationCreate
from ethics.services import add_evaluation
from kernel.auth import Principal
from kernel.codes import label
from kernel.i18n import _
from registry.changes.codes import ChangeKind
from registry.changes.services import Handler, Snapshot
from registry.staff.changes import kindergarten_of_staff


def handlers() -> list[Handler]:
    async def apply(who: Principal, target: int | None, data: EvaluationCreate) -> Any:
        assert target is not None
        return await add_evaluation(who, target, data)

    def summary(data: EvaluationCreate, _before: Snapshot | None) -> str:
        return _(
            "ethics evaluation {school_year}: {grade}",
            school_year=data.school_year,
            grade=label(EthicsGrade, data.grade),
        )

    return [Handler(ChangeKind.ethics_evaluation, EvaluationCreate, apply, kindergarten_of_staff, summary)]
