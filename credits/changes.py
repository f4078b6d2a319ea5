"""How credit entries are reviewed (issue 15): a kindergarten admin's entries go to district HR."""

from __future__ import annotations

from typing import Any

from credits.ledger import create_entry
from credits.schemas import EntryCreate
from kernel.auth import Principal
from kernel.i18n import _
from registry.changes.codes import ChangeKind
from registry.changes.services import Handler, Snapshot
from registry.staff.changes import kindergarten_of_staff


def handlers() -> list[Handler]:
    async def apply(who: Principal, _target: int | None, data: EntryCreate) -> Any:
        return await create_entry(who, data)

    async def kindergarten_of(_target: int | None, data: EntryCreate) -> int | None:
        return await kindergarten_of_staff(data.staff_id)

    def summary(data: EntryCreate, _before: Snapshot | None) -> str:
        return _("credit entry of {day}: {hours} h", day=data.date.isoformat(), hours=data.hours)

    return [Handler(ChangeKind.credit_entry, EntryCreate, apply, kindergarten_of, summary)]
