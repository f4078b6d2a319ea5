"""What every importer does: look up what the rows refer to, judge each row by the API's rules, write.

Every importer works inside the import's one write transaction (``bulk.services``) in three steps:

1. ``lookup`` — the records the rows name (kindergartens by code, people by ID number, existing
   records by their natural key), one query per chunk of rows, never one per row;
2. ``check`` — per row, in a worker thread: a row naming a record that exists already exactly as given
   is *skipped* (importing a file twice adds nothing); one that differs is an error (imports add
   records, they never change them); a new row goes through the API's input schema (``StaffCreate``,
   ``KindergartenCreate``, ``CertificateCreate``, ``EntryCreate``, ``ResultCreate``) and the services'
   rule functions, and any failure is a row error with the API's field name and message;
3. ``write`` — the valid new rows through their domain's write function (``add_kindergartens``,
   ``add_staff``, ``add_certificates``, ``add_entries``: the same one the API's create calls), which
   writes them and their audit events in bulk (COPY on PostgreSQL, executemany on SQLite).

Training results are the exception in step 3: a result also writes its credits entry (the training
service's hook into the credits ledger), so each is recorded by the service itself
(``training.results.record_result``) under a savepoint, still inside the one transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bulk.rules import (
    ParsedRow,
    RowError,
    difference_errors,
    different,
    error_for,
    first_rows,
    schema_errors,
)
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.time import today
from kernel.db import fetch_all, get_engine
from kernel.errors import DomainError
from kernel.files import Kind
from kernel.i18n import _
from kernel.workers import run_in_thread
from registry.staff.rules import IdNumberError, parse_id_number

Progress = Callable[[str, int, int], None]
M = TypeVar("M", bound=BaseModel)

CHUNK = 900  # values per IN (...) lookup: under SQLite's variable limit on every version


@dataclass
class Found:
    """A row written on post without its post's certificates (an import ``as_found``): the person
    and what the dual-certificate check found missing."""

    row: int
    post: str
    missing: list[str]
    staff_id: int | None = None  # once written


@dataclass
class Outcome:
    imported: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    found: list[Found] = field(default_factory=list)  # as_found: the rows the dual-certificate check let through

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


class Importer:
    kind: Kind

    def __init__(self, who: Principal, report: Progress, *, as_found: bool = False) -> None:
        self.who = who
        self.report = report
        self.day = today()
        self.as_found = as_found  # HR's first load of existing staff: people on post recorded as found
        self.found: list[Found] = []

    def progress(self, stage: str, total: int) -> Callable[[int], None]:
        """A counter for a domain's batch writes: reports ``stage`` as each batch is written."""
        done = 0

        def wrote(n: int) -> None:
            nonlocal done
            done += n
            self.report(stage, done, total)

        return wrote

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
        checked = await run_in_thread(self.check, rows)
        await self.late_checks(checked)
        outcome = Outcome(
            imported=len(checked.new), skipped=checked.skipped, errors=sorted(checked.errors, key=lambda e: e.row)
        )
        if write and (valid_only or not checked.errors):
            await self.write(checked.new)
        outcome.found = self.found
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
        sql = PERSON_SQL.format(", ".join("{}" for _i in part))
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
            missing = _("no staff member with ID number {id_number}", id_number=raw)
            errors.append(RowError(row.row, column.header, "id_number", missing))
            return None
        return person


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
