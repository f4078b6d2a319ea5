"""How the staff register writes its rows: the staff and assignment tables' row types, and the one
function that adds people (the staff row, the first assignment, the audit event), which the API, the
staff import and the pool placement all call. The demo loader writes its history with the same row
types. A new column of a staff record is added here (and in ``tables.py``, ``schemas.py``,
``files.py`` and a migration), nowhere else."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from kernel.auth import Principal
from kernel.common.time import utcnow
from kernel.db import RowTable, insert_rows, reserve_ids
from registry.audit.services import event, record_many
from registry.staff.codes import StaffStatus
from registry.staff.rules import IdNumber
from registry.staff.schemas import StaffCreate


class StaffRecord(NamedTuple):
    """A row of the staff table, as written."""

    id: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    kindergarten: int
    post: str
    employment: str
    title: str
    honours: str  # JSON array of honour codes
    education: str | None
    hired_on: date | None
    status: str
    left_on: date | None
    created_at: datetime
    updated_at: datetime


class AssignmentRecord(NamedTuple):
    """A row of the staff assignment table (who worked where, from when to when)."""

    id: int
    staff: int
    kindergarten: int
    post: str
    starts_on: date
    ends_on: date | None
    reason: str


STAFF = RowTable("staff", StaffRecord)
ASSIGNMENTS = RowTable("staff_assignment", AssignmentRecord)


@dataclass(frozen=True, slots=True)
class NewStaff:
    """A new staff member, checked by the register's rules: the values of the staff row."""

    id_number: str
    name: str
    sex: str
    birth_date: date
    kindergarten_id: int
    post: str
    employment: str
    title: str = "none"
    honours: tuple[str, ...] = ()
    education: str | None = None
    hired_on: date | None = None
    status: str = StaffStatus.on_post.value
    left_on: date | None = None

    @classmethod
    def from_input(cls, data: StaffCreate, parsed: IdNumber, day: date) -> NewStaff:
        """The record a ``StaffCreate`` makes (someone entered as having left left today, unless a
        date is given)."""
        left_on = data.left_on
        if data.status == StaffStatus.left and left_on is None:
            left_on = day
        return cls(
            id_number=parsed.value,
            name=data.name,
            sex=parsed.sex.value,
            birth_date=parsed.birth_date,
            kindergarten_id=data.kindergarten_id,
            post=data.post.value,
            employment=data.employment.value,
            title=data.title.value,
            honours=tuple(h.value for h in data.honours),
            education=data.education.value if data.education else None,
            hired_on=data.hired_on,
            status=data.status.value,
            left_on=left_on,
        )

    def record(self, staff_id: int, now: datetime) -> StaffRecord:
        return StaffRecord(
            id=staff_id,
            id_number=self.id_number,
            name=self.name,
            sex=self.sex,
            birth_date=self.birth_date,
            kindergarten=self.kindergarten_id,
            post=self.post,
            employment=self.employment,
            title=self.title,
            honours=json.dumps(list(self.honours)),
            education=self.education,
            hired_on=self.hired_on,
            status=self.status,
            left_on=self.left_on,
            created_at=now,
            updated_at=now,
        )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def snapshot_of(row: StaffRecord) -> dict[str, Any]:
    """The audit snapshot of a new staff record: what ``services.snapshot`` gives for the record as
    read back (the same keys, in the same order: tests/registry/test_staff_writes.py), without
    building a ``StaffOut`` per row."""
    return {
        "id": row.id,
        "id_number": row.id_number,
        "name": row.name,
        "sex": row.sex,
        "birth_date": _iso(row.birth_date),
        "birth_year": row.birth_date.year,
        "kindergarten_id": row.kindergarten,
        "post": row.post,
        "employment": row.employment,
        "title": row.title,
        "honours": json.loads(row.honours),
        "education": row.education,
        "hired_on": _iso(row.hired_on),
        "status": row.status,
        "left_on": _iso(row.left_on),
    }


async def add_staff(
    who: Principal,
    people: Sequence[NewStaff],
    *,
    day: date,
    reason: str = "hired",
    audit_note: dict[str, Any] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> list[int]:
    """Write new staff members, each with the first assignment (from the hire date, else ``day``;
    closed on the leaving day of someone entered as having left) and a ``create`` audit event (the
    record's snapshot, plus ``audit_note``). Inside the caller's write transaction; the caller has
    applied the register's rules. Returns the new ids, in order."""
    ids = await reserve_ids("staff", len(people))
    assignment_ids = await reserve_ids("staff_assignment", len(people))
    now = utcnow()
    rows = [p.record(staff_id, now) for staff_id, p in zip(ids, people, strict=True)]
    assignments = [
        AssignmentRecord(aid, r.id, r.kindergarten, r.post, r.hired_on or day, r.left_on, reason)
        for aid, r in zip(assignment_ids, rows, strict=True)
    ]
    note = audit_note or {}
    events = [event(who, now, "create", "staff", r.id, None, {**snapshot_of(r), **note}) for r in rows]
    await insert_rows(STAFF, rows, on_batch)
    await insert_rows(ASSIGNMENTS, assignments, on_batch)
    await record_many(events, on_batch)
    return ids
