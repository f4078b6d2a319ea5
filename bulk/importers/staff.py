"""Importing staff members (with their first assignment)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bulk.importers.base import (
    AUDIT_COLUMNS,
    Checked,
    Importer,
    audit_row,
    chunks,
    reserve_ids,
    validate,
    write_in_batches,
)
from bulk.rules import (
    ParsedRow,
    error_for,
    input_dict,
)
from kernel.codes import StaffStatus
from kernel.common.time import utcnow
from kernel.db import fetch_all
from kernel.policy import policy_on
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.files import STAFF, staff_values
from registry.staff.rules import hire_date_problem, parse_id_number, staff_dates_problem
from registry.staff.schemas import StaffCreate, StaffOut
from registry.staff.services import build, snapshot

STAFF_COLUMNS = (
    "id", "id_number", "name", "sex", "birth_date", "kindergarten", "post", "employment", "title",
    "honours", "education", "hired_on", "status", "left_on", "created_at", "updated_at",
)  # fmt: skip
ASSIGNMENT_COLUMNS = ("staff", "kindergarten", "post", "starts_on", "ends_on", "reason")
EXISTING_STAFF_SQL = (
    "SELECT s.*, k.code AS kindergarten_code, k.name AS kindergarten_name "
    "FROM staff s JOIN kindergarten k ON k.id = s.kindergarten WHERE s.id_number IN ({})"
)


@dataclass
class NewStaff:
    model: Any  # StaffCreate
    kindergarten: dict[str, Any]
    parsed: Any  # registry.staff.rules.IdNumber


class StaffImporter(Importer):
    kind = STAFF

    async def lookup(self, rows: list[ParsedRow]) -> None:

        codes = sorted({v for r in rows if isinstance(v := r.values.get("kindergarten_code"), str)})
        self.kindergartens: dict[str, dict[str, Any]] = {}
        for part in chunks(codes):
            for k in await K.select(K.id, K.code, K.name).where(K.code.is_in(list(part))):
                self.kindergartens[k["code"]] = k
        ids = sorted({i for r in rows if (i := r.id_number)})
        self.existing: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            for s in await fetch_all(EXISTING_STAFF_SQL.format(", ".join("{}" for _ in part)), *part):
                self.existing[s["id_number"]] = s
        self.report("check", 0, len(rows))

    def check(self, rows: list[ParsedRow]) -> Checked:

        self.min_working_age = policy_on(self.day).employment.min_working_age
        out = Checked()
        scope = self.own_kindergarten
        repeats = self.repeats(
            rows,
            lambda r: r.id_number,
            "repeats the ID number of row {first}: one person, one record",
        )
        for i, row in enumerate(rows):
            if i % 5000 == 0:
                self.report("check", i, len(rows))
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(repeats[row.row])
            existing = self.existing.get(row.id_number or "")
            if existing is not None:
                if scope is not None and existing["kindergarten"] != scope:
                    errors.append(
                        error_for(
                            self.kind,
                            row.row,
                            "id_number",
                            "a staff member with this ID number exists already: one person, one record",
                        )
                    )
                elif not errors and self.existing_row(
                    row, staff_values(existing), "a staff member with this ID number", errors
                ):
                    out.skipped += 1
                    continue
                out.errors.extend(errors)
                continue
            code = row.values.get("kindergarten_code")
            kg = self.kindergartens.get(code) if isinstance(code, str) else None
            if code is not None and kg is None:
                errors.append(error_for(self.kind, row.row, "kindergarten_id", f"no kindergarten {code}"))
            elif kg is not None and scope is not None and kg["id"] != scope:
                errors.append(
                    error_for(
                        self.kind,
                        row.row,
                        "kindergarten_id",
                        "a kindergarten admin may only add staff to their own kindergarten",
                    )
                )
            data = input_dict(self.kind, row.values, kindergarten_id=kg["id"] if kg else 0)
            model = validate(self.kind, row, StaffCreate, data, errors)
            if model is not None:
                # the rules of registry.staff.services.create_staff, in its order. (Putting someone on
                # post needs their certificates through the API; records loaded in bulk are taken as
                # they are and show up as dual-certificate violations: docs/api.md.)
                parsed = row.id_parsed if row.id_number == model.id_number else parse_id_number(model.id_number)
                assert parsed is not None
                problem = hire_date_problem(parsed.birth_date, model.hired_on, self.min_working_age)
                if problem:
                    errors.append(error_for(self.kind, row.row, "hired_on", problem))
                dates = staff_dates_problem(model.hired_on, model.left_on, self.day)
                if dates:
                    errors.append(error_for(self.kind, row.row, *dates))
            if errors:
                out.errors.extend(errors)
            elif model is not None and kg is not None:
                out.new.append((row.row, NewStaff(model, kg, parsed)))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:
        ids = await reserve_ids("staff", len(new))
        now = utcnow()
        staff_rows, assignments, audit = await asyncio.to_thread(self._rows, ids, new, now)
        total = len(new) * 3
        done = await write_in_batches("staff", STAFF_COLUMNS, staff_rows, self.report, "write", 0, total)
        done = await write_in_batches(
            "staff_assignment", ASSIGNMENT_COLUMNS, assignments, self.report, "write", done, total
        )
        await write_in_batches("audit_event", AUDIT_COLUMNS, audit, self.report, "write", done, total)

    def _rows(self, ids: list[int], new: list[tuple[int, Any]], now: datetime) -> tuple[list, list, list]:
        """Table rows and audit events, as ``create_staff`` writes them (assignment ``hired``, the
        audit snapshot of the new record)."""

        staff_rows, assignments, audit = [], [], []
        fast, checked = True, False
        for staff_id, (_, item) in zip(ids, new, strict=True):
            data, kg, parsed = item.model, item.kindergarten, item.parsed
            left_on = data.left_on
            if data.status == StaffStatus.left and left_on is None:
                left_on = self.day
            row = {
                "id": staff_id,
                "id_number": parsed.value,
                "name": data.name,
                "sex": parsed.sex.value,
                "birth_date": parsed.birth_date,
                "kindergarten": kg["id"],
                "post": data.post.value,
                "employment": data.employment.value,
                "title": data.title.value,
                "honours": json.dumps([h.value for h in data.honours]),
                "education": data.education.value if data.education else None,
                "hired_on": data.hired_on,
                "status": data.status.value,
                "left_on": left_on,
                "created_at": now,
                "updated_at": now,
            }
            staff_rows.append(tuple(row[c] for c in STAFF_COLUMNS))
            assignments.append((staff_id, kg["id"], data.post.value, data.hired_on or self.day, left_on, "hired"))
            after = staff_snapshot(row) if fast else None
            if after is None or not checked:
                # the service's own snapshot (StaffOut, dumped): for the first row, to check the fast one
                # gives exactly the same, and for every row if it does not
                out = build(StaffOut, {**row, "kindergarten_code": kg["code"], "kindergarten_name": kg["name"]}, None)
                exact = snapshot(out)
                fast = fast and after == exact
                checked, after = True, exact
            audit.append(audit_row(self.who, now, "create", "staff", staff_id, after))
        return staff_rows, assignments, audit


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day is not None else None


def staff_snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The audit snapshot of a new staff record without building a ``StaffOut`` per row (a tenth of the
    cost): the same keys and values as ``registry.staff.services.snapshot``, which ``_rows`` checks on
    the first row of every import (and uses for all of them if the two ever differ)."""
    born = row["birth_date"]
    return {
        "id": row["id"],
        "id_number": row["id_number"],
        "name": row["name"],
        "sex": row["sex"],
        "birth_date": _iso(born),
        "birth_year": born.year,
        "kindergarten_id": row["kindergarten"],
        "post": row["post"],
        "employment": row["employment"],
        "title": row["title"],
        "honours": json.loads(row["honours"]),
        "education": row["education"],
        "hired_on": _iso(row["hired_on"]),
        "status": row["status"],
        "left_on": _iso(row["left_on"]),
    }
