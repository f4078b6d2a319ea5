"""Importing certificates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bulk.importers.base import (
    Checked,
    PersonRows,
    chunks,
    validate,
)
from bulk.rules import (
    ParsedRow,
    RowError,
    error_for,
    input_dict,
)
from certificates import rules as cert_rules
from certificates.files import CERTIFICATES, certificate_values
from certificates.schemas import CertificateCreate
from certificates.services import check_number, check_post_certificate_training, duplicate_number
from certificates.writes import NewCertificate, add_certificates
from kernel.codes import CertificateType, term
from kernel.db import fetch_all
from kernel.errors import DomainError
from kernel.i18n import _
from kernel.policy import policy_on
from training.results import passed_staff_ids

EXISTING_CERTIFICATES_SQL = (
    "SELECT c.*, s.id_number, s.name FROM certificate c JOIN staff s ON s.id = c.staff WHERE c.number IN ({})"
)


@dataclass
class CertificateRow:
    model: Any  # CertificateCreate
    person: dict[str, Any]
    number: str


class CertificateImporter(PersonRows):
    kind = CERTIFICATES

    async def lookup(self, rows: list[ParsedRow]) -> None:
        await self.lookup_people(rows)
        numbers = sorted({v.strip().upper() for r in rows if isinstance(v := r.values.get("number"), str)})
        self.existing: dict[tuple[str, str], dict[str, Any]] = {}
        for part in chunks(numbers):
            for c in await fetch_all(EXISTING_CERTIFICATES_SQL.format(", ".join("{}" for _each in part)), *part):
                self.existing[(c["type"], c["number"])] = c
        # 不培训不上岗: who has passed the training a post certificate needs (one query per category set)

        policy = policy_on(self.day).certificates
        self.training_for = {p["post"]: policy.training_for_post_certificate(p["post"]) for p in self.persons.values()}
        self.passed: dict[tuple[str, ...], set[int]] = {}
        wants_post = any(r.values.get("type") == CertificateType.post_certificate for r in rows)
        for categories in set(self.training_for.values()) if wants_post else ():
            self.passed[categories] = await passed_staff_ids(categories)

    def _key(self, row: ParsedRow) -> tuple[str, str] | None:
        number = row.values.get("number")
        kind = row.values.get("type")
        return (kind, number.strip().upper()) if isinstance(number, str) and kind else None

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        self.needs_training_check: list[tuple[int, CertificateRow]] = []
        repeats = self.repeats(rows, self._key, "repeats the certificate of row {first} (same type and number)")
        number_column = self.kind.column("number")
        for row in rows:
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(RowError(row.row, number_column.header, "number", repeats[row.row].message))
            person = self.person(row, errors)
            key = self._key(row)
            existing = self.existing.get(key) if key else None
            if existing is not None:
                what = _(
                    "a {type} numbered {number}",
                    type=term(CertificateType, existing["type"]),
                    number=existing["number"],
                )
                if person is not None and not errors:
                    if existing["staff"] != person["id"]:
                        duplicate = duplicate_number(existing["type"], existing["number"])
                        errors.append(RowError(row.row, number_column.header, "number", duplicate))
                    else:
                        values = certificate_values(existing, self.day)
                        given = {**row.values, "number": key[1] if key else None}
                        if self.existing_row(ParsedRow(row.row, given, id_parsed=row.id_parsed), values, what, errors):
                            out.skipped += 1
                            continue
                out.errors.extend(errors)
                continue
            model = validate(self.kind, row, CertificateCreate, input_dict(self.kind, row.values), errors)
            if model is not None:
                # the rules of certificates.services.add_certificate, in its order
                number = model.number.strip().upper()
                try:
                    check_number(model.type, number, self.day)
                except DomainError as exc:
                    errors.extend(error_for(self.kind, row.row, e.field, e.message) for e in exc.errors)
                problem = cert_rules.dates_problem(model.issued_on, model.expires_on, self.day)
                if problem:
                    errors.append(error_for(self.kind, row.row, *problem))
            if errors or model is None or person is None:
                out.errors.extend(errors)
                continue
            item = CertificateRow(model, person, model.number.strip().upper())
            if model.type == CertificateType.post_certificate and person["id"] not in self.passed.get(
                self.training_for[person["post"]], set()
            ):
                self.needs_training_check.append((row.row, item))
            out.new.append((row.row, item))
        return out

    async def late_checks(self, checked: Checked) -> None:
        """A post certificate for someone without the passed training: the service's own check gives
        the error (its message names the missing training), for these few rows only."""

        failed: set[int] = set()
        for row, item in self.needs_training_check:
            try:
                await check_post_certificate_training(item.person["id"], item.person["post"])
            except DomainError as exc:
                failed.add(row)
                for e in exc.errors or []:
                    checked.errors.append(error_for(self.kind, row, e.field, exc.detail))
        if failed:
            checked.new = [(r, item) for r, item in checked.new if r not in failed]
            checked.errors.sort(key=lambda e: e.row)

    async def write(self, new: list[tuple[int, Any]]) -> None:
        certificates = [
            NewCertificate(
                staff_id=item.person["id"],
                type=item.model.type.value,
                number=item.number,
                issuer=item.model.issuer,
                issued_on=item.model.issued_on,
                expires_on=item.model.expires_on,
            )
            for _row, item in new
        ]
        await add_certificates(self.who, certificates, on_batch=self.progress("write", len(new) * 2))
