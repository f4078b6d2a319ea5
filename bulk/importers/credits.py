"""Importing credits-ledger entries."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bulk.importers.base import (
    Checked,
    PersonRows,
    chunks,
    validate,
)
from bulk.rules import (
    ParsedRow,
    error_for,
    input_dict,
)
from credits import rules as credit_rules
from credits.files import CREDITS, credit_values
from credits.policies import policy_versions
from credits.schemas import EntryCreate
from credits.writes import NewEntry, add_entries
from kernel.codes import Role
from kernel.db import fetch_all
from kernel.i18n import _
from kernel.rows import as_day

EXISTING_CREDITS_SQL = (
    "SELECT ce.*, s.id_number, s.name FROM credit_entry ce JOIN staff s ON s.id = ce.staff WHERE ce.reference IN ({})"
)
IMPORT_REFERENCE_PREFIX = "import"


def generated_reference(row: ParsedRow) -> str | None:
    """A row without a reference gets one made from what it says (person, day, category, source, hours),
    so importing the same file twice finds the entries of the first import instead of adding them again."""
    parts = [row.values.get(k) for k in ("id_number", "date", "category", "source", "hours")]
    if any(p is None for p in parts):
        return None
    person = row.id_number or str(parts[0])
    hours = format(Decimal(str(parts[4])).normalize(), "f") if isinstance(parts[4], Decimal) else str(parts[4])
    text = "|".join([person, str(parts[1]), str(parts[2]), str(parts[3]), hours])
    return f"{IMPORT_REFERENCE_PREFIX}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


@dataclass
class EntryRow:
    model: Any  # EntryCreate
    person: dict[str, Any]
    credits: Decimal
    reference: str


class CreditImporter(PersonRows):
    kind = CREDITS

    async def lookup(self, rows: list[ParsedRow]) -> None:

        await self.lookup_people(rows)
        self.references = {r.row: r.values.get("reference") or generated_reference(r) for r in rows}
        wanted = sorted({ref for ref in self.references.values() if ref})
        self.existing: dict[tuple[str, str], dict[str, Any]] = {}
        for part in chunks(wanted):
            for e in await fetch_all(EXISTING_CREDITS_SQL.format(", ".join("{}" for _i in part)), *part):
                self.existing[(e["source"], e["reference"])] = e
        self.versions = await policy_versions()

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        repeats = self.repeats(
            rows,
            lambda r: (r.values.get("source"), self.references.get(r.row)),
            "repeats the entry of row {first} (same source and reference): give each entry its own 编号",
        )
        for i, row in enumerate(rows):
            if i % 5000 == 0:
                self.report("check", i, len(rows))
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(repeats[row.row])
            person = self.person(row, errors)
            reference = self.references.get(row.row)
            source = row.values.get("source")
            existing = self.existing.get((source, reference)) if source and reference else None
            if existing is not None:
                what = _("a {source} entry with reference {reference}", source=source, reference=reference)
                if person is not None and not errors:
                    if existing["staff"] != person["id"]:
                        errors.append(
                            error_for(
                                self.kind,
                                row.row,
                                "reference",
                                _(
                                    "a {source} entry with reference {reference} exists already: it is never counted "
                                    "twice",
                                    source=source,
                                    reference=reference,
                                ),
                            )
                        )
                    else:
                        given = {**row.values, "reference": reference}
                        values = credit_values(existing)
                        if self.existing_row(ParsedRow(row.row, given, id_parsed=row.id_parsed), values, what, errors):
                            out.skipped += 1
                            continue
                out.errors.extend(errors)
                continue
            data = input_dict(self.kind, row.values, staff_id=person["id"] if person else 1)
            model = validate(self.kind, row, EntryCreate, data, errors)
            credits: Decimal | None = None
            if model is not None:
                # the rules of credits.ledger.create_entry (credits.rules.entry_problems), all of them
                for problem in credit_rules.entry_problems(
                    model.hours,
                    model.date,
                    self.day,
                    model.reference,
                    model.credits is not None,
                    self.who.role == Role.district_hr,
                ):
                    errors.append(error_for(self.kind, row.row, problem.field, problem.message))
                if person is not None:
                    left = credit_rules.left_problem(as_day(person["left_on"]), model.date)
                    if left:
                        errors.append(error_for(self.kind, row.row, "date", left))
                if not errors:
                    version = credit_rules.policy_for(model.date, self.versions)
                    credits = model.credits
                    if credits is None:
                        credits = credit_rules.derive_credits(model.hours, model.source.value, version.recognition)
            if errors or model is None or person is None or credits is None or reference is None:
                out.errors.extend(errors)
                continue
            out.new.append((row.row, EntryRow(model, person, credits, reference)))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:
        entries = [
            NewEntry(
                staff_id=item.person["id"],
                day=item.model.date,
                category=item.model.category.value,
                source=item.model.source.value,
                hours=item.model.hours,
                credits=item.credits,
                reference=item.reference,
                reason=item.model.reason,
            )
            for _row, item in new
        ]
        await add_entries(self.who, entries, on_batch=self.progress("write", len(new) * 2))
