"""How the credit ledger writes its rows: the ledger's row type, and the one function that adds entries
(the row and its audit event), which the API, a passed training result and the credits import all
call. The demo loader writes its history with the same row type."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from credits.rules import school_year
from kernel.auth import Principal
from kernel.common.time import utcnow
from kernel.db import RowTable, insert_rows, reserve_ids
from registry.audit.services import event, record_many


class CreditEntryRecord(NamedTuple):
    id: int
    staff: int
    entry_date: date
    school_year: str
    category: str
    source: str
    hours: Decimal
    credits: Decimal
    reference: str
    reason: str
    recorded_by: str
    reverses: int | None
    created_at: datetime


CREDIT_ENTRIES = RowTable("credit_entry", CreditEntryRecord)


@dataclass(frozen=True, slots=True)
class NewEntry:
    """A ledger entry to write, checked by the ledger's rules (credits derived, reference unique)."""

    staff_id: int
    day: date
    category: str
    source: str
    hours: Decimal
    credits: Decimal
    reference: str
    reason: str
    reverses: int | None = None


def snapshot_of(row: CreditEntryRecord) -> dict[str, Any]:
    """The audit snapshot of an entry: ``EntryOut`` without its derived fields, as the API reads it."""
    return {
        "id": row.id,
        "staff_id": row.staff,
        "date": row.entry_date.isoformat(),
        "school_year": row.school_year,
        "category": row.category,
        "source": row.source,
        "hours": float(row.hours),
        "credits": float(row.credits),
        "reference": row.reference,
        "reason": row.reason,
        "recorded_by": row.recorded_by,
        "reverses": row.reverses,
    }


async def add_entries(
    who: Principal, entries: Sequence[NewEntry], *, on_batch: Callable[[int], None] | None = None
) -> list[int]:
    """Write ledger entries and an audit event each (``create``, or ``reverse`` for a reversal), inside
    the caller's write transaction. Returns the new ids, in order."""
    ids = await reserve_ids("credit_entry", len(entries))
    now = utcnow()
    rows = [
        CreditEntryRecord(
            eid, e.staff_id, e.day, school_year(e.day), e.category, e.source, e.hours, e.credits, e.reference,
            e.reason, who.username, e.reverses, now,
        )
        for eid, e in zip(ids, entries, strict=True)
    ]  # fmt: skip
    events = [
        event(who, now, "reverse" if r.reverses else "create", "credit_entry", r.id, None, snapshot_of(r)) for r in rows
    ]
    await insert_rows(CREDIT_ENTRIES, rows, on_batch)
    await record_many(events, on_batch)
    return ids
