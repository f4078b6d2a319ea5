"""Importing staff members (with their first assignment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulk.importers.base import (
    Checked,
    Importer,
    chunks,
    validate,
)
from bulk.rules import (
    ParsedRow,
    error_for,
    input_dict,
)
from kernel.db import fetch_all
from kernel.policy import policy_on
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.files import STAFF, staff_values
from registry.staff.rules import hire_date_problem, parse_id_number, staff_dates_problem
from registry.staff.schemas import StaffCreate
from registry.staff.writes import NewStaff, add_staff

EXISTING_STAFF_SQL = (
    "SELECT s.*, k.code AS kindergarten_code, k.name AS kindergarten_name "
    "FROM staff s JOIN kindergarten k ON k.id = s.kindergarten WHERE s.id_number IN ({})"
)


@dataclass
class StaffRow:
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
                out.new.append((row.row, StaffRow(model, kg, parsed)))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:
        people = [NewStaff.from_input(item.model, item.parsed, self.day) for _, item in new]
        await add_staff(self.who, people, day=self.day, on_batch=self.progress("write", len(new) * 3))
