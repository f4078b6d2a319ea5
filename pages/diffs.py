"""A change request as a reviewer reads it (issue 15): its fields side by side, before and after,
the ones that change marked; a new record's fields alone ("after"). Pure: the names of the records it
refers to (kindergartens, training sessions) are looked up by the caller and passed in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from pages.rules import label_of
from registry.changes.codes import ChangeKind
from registry.changes.schemas import ChangeOut

BEIJING = timezone(timedelta(hours=8))

# the kinds that change a record that exists: shown before → after; the others add a record
EDITS = frozenset(
    {
        ChangeKind.staff_update,
        ChangeKind.staff_name,
        ChangeKind.staff_status,
        ChangeKind.staff_transfer,
        ChangeKind.certificate_update,
    }
)
STAFF_CODES = {
    "post": "Post",
    "employment": "Employment",
    "title": "Title",
    "education": "Education",
    "status": "StaffStatus",
    "honours": "Honour",
}
CERTIFICATE_CODES = {"type": "CertificateType", "status": "CertificateStatus", "result": "RegistrationResult"}
OTHER_CODES = {"grade": "EthicsGrade", "category": "CourseCategory", "source": "CreditSource"}
NAMED = ("kindergarten_id", "session_id", "staff_id")  # ids shown by the name of what they refer to
HIDDEN = frozenset({"file"})  # an import's kept file: its random name says nothing to a reviewer


@dataclass(frozen=True)
class Names:
    """What the ids in changes refer to, by kind of record (looked up by the caller)."""

    kindergartens: dict[int, str] = field(default_factory=dict)
    sessions: dict[int, str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)

    def of(self, name: str, value: Any) -> str | None:
        table = {"kindergarten_id": self.kindergartens, "session_id": self.sessions, "staff_id": self.people}
        if name in table and isinstance(value, int):
            return table[name].get(value)
        return None


@dataclass(frozen=True)
class Row:
    """One field: its name (the template gives its Chinese), the value before and after as shown,
    whether it changes. ``flag`` is set for a true/false value (the template says 是/否)."""

    field: str
    before: str | None
    after: str
    changed: bool
    flag: bool | None = None


@dataclass(frozen=True)
class Section:
    """A part of the change: the record's fields, or one of its rows (a certificate, a training result)."""

    key: str
    number: int
    rows: list[Row]


@dataclass(frozen=True)
class ChangeView:
    change: ChangeOut
    side_by_side: bool
    sections: list[Section]
    kindergarten: str
    person_id: int | None
    person: str | None
    submitted_at: str
    decided_at: str


def codes_of(kind: str) -> dict[str, str]:
    if kind.startswith("staff."):
        return {**OTHER_CODES, **STAFF_CODES}
    if kind.startswith("certificate."):
        return {**OTHER_CODES, **CERTIFICATE_CODES}
    return OTHER_CODES


def shown(name: str, value: Any, codes: dict[str, str], names: Names) -> str:
    """A value as a reviewer reads it: a code's Chinese label, an id by its name, a list joined."""
    if value is None or value == "" or value == []:
        return "—"
    named = names.of(name, value)
    if named is not None:
        return named
    if name in codes:
        values = value if isinstance(value, list) else [value]
        return "、".join(label_of(codes[name], v) for v in values)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    return ("" if a is None else str(a)) == ("" if b is None else str(b))


def rows_of(kind: str, after: dict[str, Any], before: dict[str, Any] | None, names: Names) -> list[Row]:
    codes = codes_of(kind)
    rows = []
    for name, value in after.items():
        if name in HIDDEN:
            continue
        flag = value if isinstance(value, bool) else None
        if before is None:
            rows.append(Row(name, None, shown(name, value, codes, names), False, flag))
            continue
        old = before.get(name)
        rows.append(
            Row(name, shown(name, old, codes, names), shown(name, value, codes, names), not _same(old, value), flag)
        )
    return rows


def sections_of(change: ChangeOut, names: Names) -> list[Section]:
    kind = change.kind.value
    payload = change.payload
    if change.kind == ChangeKind.staff_onboard:
        staff = payload.get("staff") or {}
        parts = [Section("staff", 0, rows_of("staff.create", staff, None, names))]
        for key, kind_of in (("certificates", "certificate.create"), ("training", "training.result")):
            for i, item in enumerate(payload.get(key) or []):
                if isinstance(item, dict):
                    parts.append(Section(key, i + 1, rows_of(kind_of, item, None, names)))
        return parts
    before = change.before if change.kind in EDITS else None
    if change.kind in EDITS and before is None:
        before = {}
    return [Section("record", 0, rows_of(kind, payload, before, names))]


def person_of(change: ChangeOut) -> int | None:
    """The person a change concerns, when there is one to link to."""
    kind, payload, before = change.kind, change.payload, change.before or {}
    if kind in (ChangeKind.staff_create, ChangeKind.staff_onboard):
        return change.result_id
    if kind.value.startswith("staff.") or kind in (ChangeKind.certificate_create, ChangeKind.ethics_evaluation):
        return change.target_id
    if kind in (ChangeKind.certificate_update, ChangeKind.certificate_register):
        staff = before.get("staff")
        return staff if isinstance(staff, int) else None
    staff = payload.get("staff_id")
    return staff if isinstance(staff, int) else None


def local_time(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def view_of(change: ChangeOut, names: Names) -> ChangeView:
    person = person_of(change)
    kindergarten = names.kindergartens.get(change.kindergarten_id or 0, "")
    return ChangeView(
        change=change,
        side_by_side=change.kind in EDITS,
        sections=sections_of(change, names),
        kindergarten=kindergarten,
        person_id=person,
        person=names.people.get(person) if person is not None else None,
        submitted_at=local_time(change.submitted_at),
        decided_at=local_time(change.decided_at),
    )


def referenced(changes: list[ChangeOut]) -> dict[str, set[int]]:
    """The ids the changes refer to, by kind of record: what the caller looks up for ``Names``."""
    found: dict[str, set[int]] = {"kindergarten_id": set(), "session_id": set(), "staff_id": set()}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in found and isinstance(item, int):
                    found[key].add(item)
                else:
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for change in changes:
        if change.kindergarten_id is not None:
            found["kindergarten_id"].add(change.kindergarten_id)
        walk(change.payload)
        walk(change.before or {})
        person = person_of(change)
        if person is not None:
            found["staff_id"].add(person)
    return found
