"""One importer per kind: look up what the rows refer to, judge each row by the API's own rules, write.

Every importer works inside the import's one write transaction (``bulk.services``) in three steps:

1. ``lookup`` — the records the rows name (kindergartens by code, people by ID number, existing
   records by their natural key), one query per chunk of rows, never one per row;
2. ``check`` — per row, in a worker thread: a row naming a record that exists already exactly as given
   is *skipped* (importing a file twice adds nothing); one that differs is an error (imports add
   records, they never change them); a new row goes through the API's input schema (``StaffCreate``,
   ``KindergartenCreate``, ``CertificateCreate``, ``EntryCreate``, ``ResultCreate``) and the services'
   rule functions, and any failure is a row error with the API's field name and message;
3. ``write`` — the valid new rows with ``kernel.db.bulk_insert`` (COPY on PostgreSQL, executemany on
   SQLite) and their audit events in bulk, in the same shape the API's create writes.

Training results are the exception in step 3: a result also writes its credits entry (the training
service's hook into the credits ledger), so each is recorded by the service itself
(``training.results.record_result``) under a savepoint, still inside the one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bulk import records
from bulk.columns import (
    CERTIFICATES,
    CREDITS,
    KINDERGARTENS,
    POOL_CANDIDATES,
    POOL_CERTIFICATES,
    STAFF,
    TRAINING_RESULTS,
    Kind,
)
from bulk.rules import (
    ParsedRow,
    RowError,
    difference_errors,
    different,
    error_for,
    first_rows,
    input_dict,
    schema_errors,
)
from certificates import rules as cert_rules
from certificates.schemas import CertificateCreate
from certificates.services import check_number, check_post_certificate_training
from credits import rules as credit_rules
from credits.policies import policy_versions
from credits.schemas import EntryCreate, EntryOut
from kernel.auth import Principal
from kernel.codes import CertificateType, Role, StaffStatus
from kernel.common.time import today, utcnow
from kernel.db import bulk_insert, fetch_all, get_engine, is_sqlite
from kernel.errors import DomainError
from kernel.policy import policy_on
from registry.kindergartens.schemas import KindergartenCreate
from registry.kindergartens.services import snapshot as kindergarten_snapshot
from registry.kindergartens.services import to_columns, to_out
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.rules import IdNumberError, hire_date_problem, parse_id_number, staff_dates_problem
from registry.staff.schemas import StaffCreate, StaffOut
from registry.staff.services import build, snapshot
from staffing.pool import create_candidate
from staffing.schemas import CandidateCreate
from training.results import passed_staff_ids, record_result
from training.schemas import ResultCreate

Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=BaseModel)

CHUNK = 900  # values per IN (...) lookup: under SQLite's variable limit on every version
WRITE_BATCH = 5_000
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")


@dataclass
class Outcome:
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def bad_rows(self) -> set[int]:
        return {e.row for e in self.errors}


@dataclass
class Checked:
    """The verdict on the rows: skipped ones, errors, and the new records to write (row, payload)."""

    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    new: list[tuple[int, Any]] = field(default_factory=list)


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


async def reserve_ids(table: str, n: int) -> list[int]:
    """Ids for ``n`` new rows of ``table``, so rows can be bulk-written with their children and audit
    events. PostgreSQL: taken from the table's sequence (safe beside concurrent inserts). SQLite: after
    the largest id (the import holds the write lock, so nobody else inserts meanwhile)."""
    if n == 0:
        return []
    if is_sqlite():
        rows = await fetch_all(f'SELECT COALESCE(MAX(id), 0) AS last FROM "{table}"')
        first = int(rows[0]["last"]) + 1
        return list(range(first, first + n))
    rows = await fetch_all(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, {{}})", n
    )
    return [int(r["id"]) for r in rows]


def normal_id_number(value: Any) -> str | None:
    """The ID number as the registry keeps it (X upper-case), or None when it is not a valid one."""
    if not isinstance(value, str):
        return None
    try:
        return parse_id_number(value).value
    except IdNumberError:
        return None


def validate(kind: Kind, row: ParsedRow, schema: type[M], data: dict[str, Any], errors: list[RowError]) -> M | None:
    """The API's input schema on a row; its errors as row errors (except on cells already in error)."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        in_error = {e.field for e in errors}
        errors.extend(e for e in schema_errors(kind, row.row, exc) if e.field not in in_error)
        return None


def audit_row(who: Principal, at: datetime, action: str, entity: str, entity_id: int, after: dict[str, Any]) -> tuple:
    """An audit event as ``registry.audit.services.record`` writes it, for a bulk insert."""
    return (at, who.username, action, entity, str(entity_id), None, json.dumps(after, ensure_ascii=False, default=str))


async def write_in_batches(
    table: str, columns: Sequence[str], rows: Sequence[tuple], report: Progress, stage: str, done: int, total: int
) -> int:
    for batch in chunks(rows, WRITE_BATCH):
        await bulk_insert(table, columns, batch)
        done += len(batch)
        report(stage, done, total)
    return done


class Importer:
    kind: Kind

    def __init__(self, who: Principal, report: Progress) -> None:
        self.who = who
        self.report = report
        self.day = today()

    @property
    def own_kindergarten(self) -> int | None:
        """The one kindergarten a kindergarten admin's rows must belong to (None: district-wide)."""
        if self.who.role == Role.district_hr:
            return None
        return self.who.kindergarten_id if self.who.kindergarten_id is not None else -1

    async def run(self, rows: list[ParsedRow], *, write: bool, valid_only: bool) -> Outcome:
        """Judge every row; write the valid new ones when ``write`` and (``valid_only`` or no errors).
        ``imported`` counts the valid new rows (written or, in a dry run, that would be)."""
        await self.lookup(rows)
        checked = await asyncio.to_thread(self.check, rows)
        await self.late_checks(checked)
        outcome = Outcome(
            imported=len(checked.new), skipped=checked.skipped, errors=sorted(checked.errors, key=lambda e: e.row)
        )
        if write and (valid_only or not checked.errors):
            await self.write(checked.new)
        return outcome

    async def lookup(self, rows: list[ParsedRow]) -> None:
        raise NotImplementedError

    def check(self, rows: list[ParsedRow]) -> Checked:
        raise NotImplementedError

    async def late_checks(self, checked: Checked) -> None:
        """Rules that need the database for a few rows (after the set-wise checks)."""

    async def write(self, new: list[tuple[int, Any]]) -> None:
        raise NotImplementedError

    # -- shared pieces --

    def repeats(self, rows: list[ParsedRow], key: Callable[[ParsedRow], Any], message: str) -> dict[int, RowError]:
        """Rows repeating an earlier row's key in this file: an error on the key's first column."""
        column = self.kind.required[0]
        return {
            row: RowError(row, column.header, column.schema_field, message.format(first=first))
            for row, first in first_rows((r.row, key(r)) for r in rows).items()
        }

    def existing_row(
        self, row: ParsedRow, existing: dict[str, Any], what: str, errors: list[RowError], skip_keys: Iterable[str] = ()
    ) -> bool:
        """A row naming an existing record: skipped when every given cell agrees with it, else errors.
        Returns True when the row was skipped."""
        given = {k: v for k, v in row.values.items() if k not in set(skip_keys)}
        if "id_number" in given:
            given["id_number"] = row.id_number or normal_id_number(given["id_number"]) or given["id_number"]
        errors.extend(difference_errors(self.kind, row.row, different(self.kind, given, existing), existing, what))
        return not errors


# --- people referred to by ID number (certificates, credits, training results) --------------------


PERSON_SQL = (
    "SELECT s.id, s.id_number, s.name, s.kindergarten, s.post, s.status, s.left_on, k.code AS kindergarten_code "
    "FROM staff s JOIN kindergarten k ON k.id = s.kindergarten WHERE s.id_number IN ({})"
)


async def people(id_numbers: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    wanted = sorted({i for i in id_numbers if i})
    found: dict[str, dict[str, Any]] = {}
    for part in chunks(wanted):
        sql = PERSON_SQL.format(", ".join("{}" for _ in part))
        for r in await fetch_all(sql, *part):
            found[r["id_number"]] = r
    return found


class PersonRows(Importer):
    """Rows that name a person by ID number, who must be in the caller's scope."""

    persons: dict[str, dict[str, Any]]

    async def lookup_people(self, rows: list[ParsedRow]) -> None:
        self.persons = await people(r.id_number for r in rows)

    def person(self, row: ParsedRow, errors: list[RowError]) -> dict[str, Any] | None:
        raw = row.values.get("id_number")
        if raw is None:
            return None
        column = self.kind.column("id_number")
        if row.id_problem:
            errors.append(RowError(row.row, column.header, "id_number", row.id_problem))
            return None
        person = self.persons.get(row.id_number or "")
        scope = self.own_kindergarten
        if person is None or (scope is not None and person["kindergarten"] != scope):
            # outside the caller's scope reads as missing, like the API's 404
            errors.append(RowError(row.row, column.header, "id_number", f"no staff member with ID number {raw}"))
            return None
        return person


# --- kindergartens -------------------------------------------------------------------------------


class KindergartenImporter(Importer):
    kind = KINDERGARTENS

    async def lookup(self, rows: list[ParsedRow]) -> None:

        codes = sorted({v for r in rows if isinstance(v := r.values.get("code"), str)})
        self.existing: dict[str, dict[str, Any]] = {}
        for part in chunks(codes):
            for k in await K.select().where(K.code.is_in(list(part))):
                self.existing[k["code"]] = k

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        repeats = self.repeats(rows, lambda r: r.values.get("code"), "repeats the code of row {first}")
        for i, row in enumerate(rows):
            errors = list(row.errors)
            if row.row in repeats:
                errors.append(repeats[row.row])
            existing = self.existing.get(row.values.get("code") or "")
            if existing is not None and not errors:
                what = f"kindergarten code {existing['code']}"
                if self.existing_row(row, records.kindergarten_values(existing), what, errors):
                    out.skipped += 1
                    continue
            elif existing is None:
                model = validate(self.kind, row, KindergartenCreate, input_dict(self.kind, row.values), errors)
                if model is not None and not errors:
                    out.new.append((row.row, model))
            out.errors.extend(errors)
            if i % 5000 == 0:
                self.report("check", i, len(rows))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:

        ids = await reserve_ids("kindergarten", len(new))
        now = utcnow()
        table_rows, audit = [], []
        columns: list[str] = []
        for kid, (_, model) in zip(ids, new, strict=True):
            values = {"id": kid, **to_columns(model.model_dump()), "created_at": now, "updated_at": now}
            columns = list(values)
            table_rows.append(tuple(values.values()))
            audit.append(audit_row(self.who, now, "create", "kindergarten", kid, kindergarten_snapshot(to_out(values))))
        total = len(new) * 2
        done = await write_in_batches("kindergarten", columns, table_rows, self.report, "write", 0, total)
        await write_in_batches("audit_event", AUDIT_COLUMNS, audit, self.report, "write", done, total)


# --- staff ---------------------------------------------------------------------------------------


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
                    row, records.staff_values(existing), "a staff member with this ID number", errors
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


# --- certificates --------------------------------------------------------------------------------


CERTIFICATE_COLUMNS = (
    "id", "staff", "type", "number", "issuer", "issued_on", "expires_on", "status", "reason", "created_at",
    "updated_at",
)  # fmt: skip
EXISTING_CERTIFICATES_SQL = (
    "SELECT c.*, s.id_number, s.name FROM certificate c JOIN staff s ON s.id = c.staff WHERE c.number IN ({})"
)


@dataclass
class NewCertificate:
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
            for c in await fetch_all(EXISTING_CERTIFICATES_SQL.format(", ".join("{}" for _ in part)), *part):
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
        self.needs_training_check: list[tuple[int, NewCertificate]] = []
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
                what = f"a {existing['type']} numbered {existing['number']}"
                if person is not None and not errors:
                    if existing["staff"] != person["id"]:
                        errors.append(RowError(row.row, number_column.header, "number", f"{what} is recorded already"))
                    else:
                        values = records.certificate_values(existing, self.day)
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
            item = NewCertificate(model, person, model.number.strip().upper())
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
        ids = await reserve_ids("certificate", len(new))
        now = utcnow()
        rows, audit = [], []
        for cid, (_, item) in zip(ids, new, strict=True):
            data = item.model
            rows.append(
                (cid, item.person["id"], data.type.value, item.number, data.issuer, data.issued_on, data.expires_on,
                 "valid", "", now, now)
            )  # fmt: skip
            after = {
                "staff_id": item.person["id"],
                "type": data.type.value,
                "number": item.number,
                "issuer": data.issuer,
                "issued_on": data.issued_on.isoformat(),
                "expires_on": data.expires_on.isoformat() if data.expires_on else None,
            }
            audit.append(audit_row(self.who, now, "create", "certificate", cid, after))
        total = len(new) * 2
        done = await write_in_batches("certificate", CERTIFICATE_COLUMNS, rows, self.report, "write", 0, total)
        await write_in_batches("audit_event", AUDIT_COLUMNS, audit, self.report, "write", done, total)


# --- credit entries ------------------------------------------------------------------------------


CREDIT_COLUMNS = (
    "id", "staff", "entry_date", "school_year", "category", "source", "hours", "credits", "reference", "reason",
    "recorded_by", "reverses", "created_at",
)  # fmt: skip
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
class NewEntry:
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
            for e in await fetch_all(EXISTING_CREDITS_SQL.format(", ".join("{}" for _ in part)), *part):
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
                what = f"a {source} entry with reference {reference}"
                if person is not None and not errors:
                    if existing["staff"] != person["id"]:
                        errors.append(
                            error_for(
                                self.kind, row.row, "reference", f"{what} exists already: it is never counted twice"
                            )
                        )
                    else:
                        given = {**row.values, "reference": reference}
                        values = records.credit_values(existing)
                        if self.existing_row(ParsedRow(row.row, given, id_parsed=row.id_parsed), values, what, errors):
                            out.skipped += 1
                            continue
                out.errors.extend(errors)
                continue
            data = input_dict(self.kind, row.values, staff_id=person["id"] if person else 1)
            model = validate(self.kind, row, EntryCreate, data, errors)
            credits: Decimal | None = None
            if model is not None:
                # the rules of credits.services.create_entry (credits.rules.entry_problems), all of them
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
                    left = credit_rules.left_problem(records.as_date(person["left_on"]), model.date)
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
            out.new.append((row.row, NewEntry(model, person, credits, reference)))
        self.report("check", len(rows), len(rows))
        return out

    async def write(self, new: list[tuple[int, Any]]) -> None:

        ids = await reserve_ids("credit_entry", len(new))
        now = utcnow()
        rows, audit = [], []
        for eid, (_, item) in zip(ids, new, strict=True):
            m = item.model
            school_year = credit_rules.school_year(m.date)
            rows.append(
                (eid, item.person["id"], m.date, school_year, m.category.value, m.source.value, m.hours, item.credits,
                 item.reference, m.reason, self.who.username, None, now)
            )  # fmt: skip
            out = EntryOut(
                id=eid,
                staff_id=item.person["id"],
                date=m.date,
                school_year=school_year,
                category=m.category.value,
                source=m.source.value,
                hours=float(m.hours),
                credits=float(item.credits),
                reference=item.reference,
                reason=m.reason,
                recorded_by=self.who.username,
                reverses=None,
                created_at=now,
            )
            after = out.model_dump(mode="json", exclude={"created_at", "counted", "reversed_by"})
            audit.append(audit_row(self.who, now, "create", "credit_entry", eid, after))
        total = len(new) * 2
        done = await write_in_batches("credit_entry", CREDIT_COLUMNS, rows, self.report, "write", 0, total)
        await write_in_batches("audit_event", AUDIT_COLUMNS, audit, self.report, "write", done, total)


# --- training results ----------------------------------------------------------------------------


SESSIONS_SQL = (
    "SELECT ts.id, ts.starts_on, c.code FROM training_session ts JOIN training_course c ON c.id = ts.course "
    "WHERE c.code IN ({})"
)
ENROLMENTS_SQL = (
    "SELECT e.id, e.session, e.staff, r.id AS result_id, r.hours, r.passed, r.score, r.completed_on "
    "FROM training_enrolment e LEFT JOIN training_result r ON r.enrolment = e.id WHERE e.session IN ({})"
)


class TrainingResultImporter(PersonRows):
    """Each new result is recorded by ``training.results.record_result`` (its rules, its audit event,
    and the credits entry a passed result writes), one savepoint per row inside the import's
    transaction: a row the service refuses is rolled back alone and reported."""

    kind = TRAINING_RESULTS

    async def lookup(self, rows: list[ParsedRow]) -> None:
        await self.lookup_people(rows)
        codes = sorted({v for r in rows if isinstance(v := r.values.get("course_code"), str)})
        self.sessions: dict[tuple[str, date], list[int]] = {}
        self.session_ids: dict[int, tuple[str, date]] = {}
        for part in chunks(codes):
            for s in await fetch_all(SESSIONS_SQL.format(", ".join("{}" for _ in part)), *part):
                starts = records.as_date(s["starts_on"])
                assert starts is not None
                self.sessions.setdefault((s["code"], starts), []).append(s["id"])
                self.session_ids[s["id"]] = (s["code"], starts)
        self.enrolments: dict[tuple[int, int], dict[str, Any]] = {}
        for part in chunks(sorted(self.session_ids)):
            for e in await fetch_all(ENROLMENTS_SQL.format(", ".join("{}" for _ in part)), *part):
                self.enrolments[(e["session"], e["staff"])] = e

    def _session(self, row: ParsedRow, errors: list[RowError]) -> int | None:
        code, starts, given = (row.values.get(k) for k in ("course_code", "session_starts_on", "session_id"))
        if code is None or not isinstance(starts, date):
            return None
        found = self.sessions.get((code, starts), [])
        if given is not None:
            if isinstance(given, int) and given in found:
                return given
            errors.append(
                error_for(self.kind, row.row, "session_id", f"session {given} is not a session of {code} from {starts}")
            )
            return None
        if not found:
            errors.append(
                error_for(self.kind, row.row, "session_starts_on", f"no session of {code} starts on {starts}")
            )
            return None
        if len(found) > 1:
            ids = ", ".join(str(i) for i in sorted(found))
            errors.append(
                error_for(
                    self.kind,
                    row.row,
                    "session_id",
                    f"{len(found)} sessions of {code} start on {starts} ({ids}): give 班次编号",
                )
            )
            return None
        return found[0]

    def check(self, rows: list[ParsedRow]) -> Checked:

        out = Checked()
        keys: dict[int, tuple[int, int]] = {}
        for row in rows:
            errors = list(row.errors)
            person = self.person(row, errors)
            session = self._session(row, errors)
            if person is None or session is None:
                out.errors.extend(errors)
                continue
            enrolment = self.enrolments.get((session, person["id"]))
            if enrolment is None:
                errors.append(
                    error_for(
                        self.kind,
                        row.row,
                        "enrolment_id",
                        f"not enrolled in session {session}: enrol the person first "
                        f"(POST /api/v1/training/sessions/{session}/enrolments)",
                    )
                )
                out.errors.extend(errors)
                continue
            if enrolment["result_id"] is not None:
                existing = {
                    "hours": records.as_decimal(enrolment["hours"]),
                    "passed": bool(enrolment["passed"]),
                    "score": records.as_decimal(enrolment["score"]),
                    "completed_on": records.as_date(enrolment["completed_on"]),
                }
                what = f"enrolment {enrolment['id']}'s result"
                if not errors and self.existing_row(row, existing, what, errors):
                    out.skipped += 1
                    continue
                if not errors:
                    errors.append(
                        error_for(
                            self.kind, row.row, "enrolment_id", f"enrolment {enrolment['id']} has a result already"
                        )
                    )
                out.errors.extend(errors)
                continue
            data = input_dict(self.kind, row.values, enrolment_id=enrolment["id"])
            model = validate(self.kind, row, ResultCreate, data, errors)
            if errors or model is None:
                out.errors.extend(errors)
                continue
            keys[row.row] = (session, person["id"])
            out.new.append((row.row, model))
        repeated = first_rows(keys.items())
        for row_no, first in repeated.items():
            message = f"repeats the person and session of row {first}"
            out.errors.append(error_for(self.kind, row_no, "id_number", message))
        out.new = [(r, m) for r, m in out.new if r not in repeated]
        out.errors.sort(key=lambda e: e.row)
        return out

    async def run(self, rows: list[ParsedRow], *, write: bool, valid_only: bool) -> Outcome:
        """Every new row goes through the service, also when other rows failed already or in a dry run,
        so the answer lists every bad row; the import's transaction is rolled back unless it is kept."""
        await self.lookup(rows)
        checked = await asyncio.to_thread(self.check, rows)
        outcome = Outcome(skipped=checked.skipped, errors=list(checked.errors))
        await self._record(checked.new, outcome)
        return outcome

    async def _record(self, new: list[tuple[int, Any]], outcome: Outcome) -> None:

        await each_through_service(self, new, outcome, lambda model: record_result(self.who, model), "enrolment_id")


async def each_through_service(
    importer: Importer,
    new: list[tuple[int, Any]],
    outcome: Outcome,
    call: Callable[[Any], Awaitable[Any]],
    default_field: str,
    field_of: Callable[[int, str], str] = lambda row, field: field,
) -> None:
    """Each new row through the service's own create, under a savepoint of the import's transaction:
    a row the service refuses is rolled back alone and reported with the service's field and message
    (a rule's conflict with its explanation rather than the field's short tag)."""
    transaction = get_engine().current_transaction.get()
    assert transaction is not None, "imports run inside a write transaction"
    for i, (row, model) in enumerate(new):
        savepoint = await transaction.savepoint(f"import_row_{i}")
        try:
            await call(model)
        except DomainError as exc:
            await savepoint.rollback_to()
            problems = exc.errors or []
            for e in problems:
                message = e.message if exc.status == 422 else exc.detail
                outcome.errors.append(error_for(importer.kind, row, field_of(row, e.field), message))
            if not problems:
                outcome.errors.append(error_for(importer.kind, row, default_field, exc.detail))
        else:
            outcome.imported += 1
        await savepoint.release()
        importer.report("write", i + 1, len(new))
    outcome.errors.sort(key=lambda e: e.row)


# --- reserve-pool candidates ---------------------------------------------------------------------


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
            sql = f"SELECT * FROM pool_candidate WHERE id_number IN ({', '.join('{}' for _ in part)})"
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
                        "posts": records.json_list(existing["posts"]),
                        "streets": records.json_list(existing["streets"]),
                        "available_from": records.as_date(existing["available_from"]),
                        "available_to": records.as_date(existing["available_to"]),
                        "note": existing["note"] or None,
                    }
                    given = ParsedRow(row.row, {k: row.values.get(k) for k in POOL_KEYS}, id_parsed=row.id_parsed)
                    if self.existing_row(given, values, "a candidate with this ID number", errors):
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
        checked = await asyncio.to_thread(self.check, rows)
        outcome = Outcome(skipped=checked.skipped, errors=list(checked.errors))
        await each_through_service(
            self, checked.new, outcome, lambda model: create_candidate(self.who, model), "id_number", self.field_of
        )
        return outcome


IMPORTERS: dict[str, type[Importer]] = {
    "kindergartens": KindergartenImporter,
    "staff": StaffImporter,
    "certificates": CertificateImporter,
    "training-results": TrainingResultImporter,
    "credits": CreditImporter,
    "pool-candidates": PoolCandidateImporter,
}

__all__ = ["IMPORTERS", "Importer", "Outcome", "Progress"]
