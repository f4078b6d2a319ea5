"""Importing reserve-pool candidates (each through ``staffing.pool.create_candidate``)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from bulk.importers.base import (
    Checked,
    Importer,
    Outcome,
    chunks,
    each_through_service,
)
from bulk.rules import (
    ParsedRow,
    error_for,
    input_dict,
    schema_errors,
)
from kernel.db import fetch_all
from kernel.i18n import _
from kernel.rows import as_day, json_list
from kernel.workers import run_in_thread
from staffing.files import POOL_CANDIDATES, POOL_CERTIFICATES
from staffing.pool import create_candidate
from staffing.schemas import CandidateCreate

POOL_KEYS = ("name", "source", "posts", "streets", "education", "available_from", "available_to", "note")
CERTIFICATE_PARTS = ("type", "number", "issuer", "issued_on", "expires_on")


class PoolCandidateImporter(Importer):
    """Each new candidate is created by ``staffing.pool.create_candidate`` (its rules: the ID number,
    the certificates' numbers and dates, nobody already in the pool, nobody working at a kindergarten;
    its audit event), one savepoint per row. A candidate's certificates are the row's 证书1…证书3 groups."""

    kind = POOL_CANDIDATES

    async def lookup(self, rows: list[ParsedRow]) -> None:
        ids = sorted({i for r in rows if (i := r.id_number)})
        self.existing: dict[str, dict[str, Any]] = {}
        for part in chunks(ids):
            sql = f"SELECT * FROM pool_candidate WHERE id_number IN ({', '.join('{}' for _i in part)})"
            for c in await fetch_all(sql, *part):
                self.existing[c["id_number"]] = c
        self.groups: dict[int, list[int]] = {}  # row -> the certificate groups given, in list order

    def _certificates(self, row: ParsedRow) -> list[dict[str, Any]]:
        certificates, groups = [], []
        for i in range(1, POOL_CERTIFICATES + 1):
            item = {p: row.values.get(f"cert{i}_{p}") for p in CERTIFICATE_PARTS}
            if any(v is not None for v in item.values()):
                certificates.append({k: v for k, v in item.items() if v is not None})
                groups.append(i)
        self.groups[row.row] = groups
        return certificates

    def field_of(self, row: int, field_path: str) -> str:
        """``certificates.<n>.…`` of the service's list -> the file's group (证书<g>) it came from."""
        match = re.match(r"certificates[.\[](\d+)\]?(.*)", field_path)
        groups = self.groups.get(row, [])
        if match and int(match.group(1)) < len(groups):
            return f"certificates.{groups[int(match.group(1))] - 1}{match.group(2)}"
        return field_path

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        repeats = self.repeats(rows, lambda r: r.id_number, "repeats the ID number of row {first}")
        for row in rows:
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(repeats[row.row])
            existing = self.existing.get(row.id_number or "")
            if existing is not None:
                if not errors:
                    values = {
                        **{k: existing[k] for k in POOL_KEYS},
                        "posts": json_list(existing["posts"]),
                        "streets": json_list(existing["streets"]),
                        "available_from": as_day(existing["available_from"]),
                        "available_to": as_day(existing["available_to"]),
                        "note": existing["note"] or None,
                    }
                    given = ParsedRow(row.row, {k: row.values.get(k) for k in POOL_KEYS}, id_parsed=row.id_parsed)
                    if self.existing_row(given, values, _("a candidate with this ID number"), errors):
                        out.skipped += 1
                        continue
                out.errors.extend(errors)
                continue
            data = input_dict(self.kind, row.values, certificates=self._certificates(row))
            try:
                model = CandidateCreate.model_validate(data)
            except ValidationError as exc:
                in_error = {e.field for e in errors}
                for e in schema_errors(self.kind, row.row, exc):
                    mapped = error_for(self.kind, row.row, self.field_of(row.row, e.field), e.message)
                    if mapped.field not in in_error:
                        errors.append(mapped)
                model = None
            if errors or model is None:
                out.errors.extend(errors)
                continue
            out.new.append((row.row, model))
        return out

    async def run(self, rows: list[ParsedRow], *, write: bool, valid_only: bool) -> Outcome:

        await self.lookup(rows)
        checked = await run_in_thread(self.check, rows)
        outcome = Outcome(skipped=checked.skipped, errors=list(checked.errors))
        await each_through_service(
            self, checked.new, outcome, lambda model: create_candidate(self.who, model), "id_number", self.field_of
        )
        return outcome
