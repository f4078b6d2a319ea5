"""Importing staff members (with their first assignment)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulk.importers.base import (
    Checked,
    Found,
    Importer,
    chunks,
    validate,
)
from bulk.rules import (
    ParsedRow,
    error_for,
    input_dict,
)
from certificates.services import assert_may_go_on_post
from kernel.db import fetch_all
from kernel.errors import Conflict
from kernel.i18n import _
from kernel.policy import policy_on
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.codes import StaffStatus
from registry.staff.files import STAFF, staff_values
from registry.staff.rules import hire_date_problem, parse_id_number, staff_dates_problem
from registry.staff.schemas import StaffCreate
from registry.staff.services import OnPostGate, duplicate_id_number
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
    # the dual-certificate check of POST /staff (the app's on_post_gate): nobody goes on post without
    # the certificates of their post
    gate: OnPostGate = staticmethod(assert_may_go_on_post)

    async def lookup(self, rows: list[ParsedRow]) -> None:

        codes = sorted({v for r in rows if isinstance(v := r.values.get("kindergarten_code"), str)})
        self.kindergartens: dict[str, dict[str, Any]] = {}
        for part in chunks(codes):
            for k in await K.select(K.id, K.code, K.name).where(K.code.is_in(list(part))):
                self.kindergartens[k["code"]] = k
        ids = sorted({i for r in rows if (i := r.id_number)})
        self.existing: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            for s in await fetch_all(EXISTING_STAFF_SQL.format(", ".join("{}" for _i in part)), *part):
                self.existing[s["id_number"]] = s
        self.report("check", 0, len(rows))

    def check(self, rows: list[ParsedRow]) -> Checked:

        self.min_working_age = policy_on(self.day).employment.min_working_age
        out = Checked()
        scope = self.own_kindergarten
        repeats = self.repeats(
            rows,
            lambda r: r.id_number,
            _("repeats the ID number of row {first}: one person, one record"),
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
                    # as POST /staff answers a kindergarten admin: registered elsewhere, nothing more
                    errors.append(
                        error_for(self.kind, row.row, "id_number", duplicate_id_number(self.who, existing).detail)
                    )
                elif not errors and self.existing_row(
                    row, staff_values(existing), _("a staff member with this ID number"), errors
                ):
                    out.skipped += 1
                    continue
                out.errors.extend(errors)
                continue
            code = row.values.get("kindergarten_code")
            kg = self.kindergartens.get(code) if isinstance(code, str) else None
            if code is not None and kg is None:
                missing = _("no kindergarten {kindergarten}", kindergarten=code)
                errors.append(error_for(self.kind, row.row, "kindergarten_id", missing))
            elif kg is not None and scope is not None and kg["id"] != scope:
                errors.append(
                    error_for(
                        self.kind,
                        row.row,
                        "kindergarten_id",
                        _("a kindergarten admin may only add staff to their own kindergarten"),
                    )
                )
            data = input_dict(self.kind, row.values, kindergarten_id=kg["id"] if kg else 0)
            model = validate(self.kind, row, StaffCreate, data, errors)
            if model is not None:
                # the rules of registry.staff.services.create_staff, in its order (the dual-certificate
                # check, which reads the database, in late_checks)
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

    async def late_checks(self, checked: Checked) -> None:
        """The dual-certificate check of ``POST /staff`` on every new row that puts someone on post
        (the template's default status): a row error with the check's own message, naming the missing
        certificates. A new person holds no certificates yet, so the check's answer depends on the post
        alone: it is asked once per post. With ``as_found`` (district HR's first load of the staff as
        they are), such rows are written all the same and listed (``found``): the run's audit records
        them, and the people show up as dual-certificate violations."""
        refused: dict[str, Conflict | None] = {}
        kept: list[tuple[int, Any]] = []
        for row, item in checked.new:
            if item.model.status != StaffStatus.on_post:
                kept.append((row, item))
                continue
            post = item.model.post.value
            if post not in refused:
                try:
                    await self.gate(None, post)
                    refused[post] = None
                except Conflict as exc:
                    refused[post] = exc
            problem = refused[post]
            if problem is None:
                kept.append((row, item))
            elif self.as_found:
                kept.append((row, item))
                self.found.append(Found(row, post, list(problem.extra.get("missing", []))))
            else:
                checked.errors.append(error_for(self.kind, row, "status", problem.detail))
        checked.new = kept

    async def write(self, new: list[tuple[int, Any]]) -> None:
        people = [NewStaff.from_input(item.model, item.parsed, self.day) for _row, item in new]
        ids = await add_staff(self.who, people, day=self.day, on_batch=self.progress("write", len(new) * 3))
        written = {row: staff_id for (row, _item), staff_id in zip(new, ids, strict=True)}
        for found in self.found:
            found.staff_id = written.get(found.row)
