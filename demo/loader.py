"""Load the synthetic demo district into the database (``demo.generator`` and
``demo.history`` make the rows).

One write transaction for the whole load: kindergartens, the course catalogue, then district by
district the staff, their assignments, training sessions, enrolments, results, certificates,
certificate events and registrations. Rows go in with ``kernel.db.bulk_insert`` (COPY on
PostgreSQL, executemany on SQLite) in batches, with ids assigned here because bulk inserts
return none; PostgreSQL's serial sequences are moved past them afterwards. The load leaves one
audit event (actor ``demo``, action ``demo.load``, with the summary's figures) and writes the
demo credentials to ``<var_dir>/demo-credentials.txt`` (mode 0600).

After the history, district by district, the credit ledger (credit_entry), the ethics
evaluations and the sanctions (``demo.records``); then the first district's reserve talent
pool (candidates, their certificates, the placements already made) and the plan's planned places
(``demo.pool``).

``--reset`` deletes the registry's rows first, children first. certificate_event, credit_entry,
ethics_evaluation and ethics_sanction are append-only (database triggers refuse DELETE): their
triggers are dropped and recreated exactly as their migrations made them (SQLite), or disabled and
enabled again (PostgreSQL), inside the same transaction; every row goes, so rows that reverse or
supersede others go in the same statement as those. The audit trail (audit_event) is never deleted.
"""

from __future__ import annotations

import importlib
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from piccolo.conf.apps import Finder
from piccolo.engine.sqlite import ADAPTERS

from demo.catalogue import CourseRow
from demo.generator import DEMO_USERNAMES, SCALES, DemoData, Tally, generate
from demo.history import (
    ACTOR,
    CertificateEventRow,
    CertificateRow,
    ChunkHistory,
    EnrolmentRow,
    HistoryTally,
    RegistrationRow,
    ResultRow,
    SessionRow,
)
from demo.pool import DemoPool, make_pool
from demo.records import ChunkRecords, CreditEntryRow, EvaluationRow, SanctionRow
from demo.rows import DEMO_TODAY, AssignmentRow, KindergartenRow, StaffRow
from kernel.codes import SanctionOutcome
from kernel.db import bulk_insert, fetch_all, get_engine, is_sqlite, write_transaction
from kernel.errors import Conflict, Invalid
from kernel.policy import policy_on
from kernel.settings import get_settings
from registry.accounts.rules import hash_password

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

BATCH_ROWS = 5_000
CREDENTIALS_FILE = "demo-credentials.txt"

# Deleted on reset, children first. audit_event stays: it is append-only (database triggers).
RESET_TABLES = (
    "pool_placement", "pool_certificate", "pool_candidate", "planned_places",
    "credit_entry", "ethics_sanction", "ethics_evaluation",
    "reminder_outbox", "certificate_registration", "certificate_event", "certificate",
    "training_result", "training_enrolment", "training_session", "training_course",
    "staff_assignment", "account", "staff", "kindergarten",
)  # fmt: skip
APPEND_ONLY_MIGRATION = "registry.piccolo_migrations.registry_2026_11_29t08_58_00_000000"
ETHICS_APPEND_ONLY_MIGRATION = "registry.piccolo_migrations.registry_2026_11_29t09_30_29_000000"
CREDITS_APPEND_ONLY_MIGRATION = "credits.piccolo_migrations.credits_2026_11_29t09_33_00_000000"
APPEND_ONLY_MIGRATIONS = {
    "certificate_event": APPEND_ONLY_MIGRATION,
    "credit_entry": CREDITS_APPEND_ONLY_MIGRATION,
    "ethics_evaluation": ETHICS_APPEND_ONLY_MIGRATION,
    "ethics_sanction": ETHICS_APPEND_ONLY_MIGRATION,
}
"""The migrations that made the append-only triggers: reset recreates them from their SQL."""
APPEND_ONLY_TABLES = frozenset(APPEND_ONLY_MIGRATIONS)
# Rows that reverse or supersede another row of their table (ON DELETE RESTRICT, checked row by row on
# SQLite): deleted in rounds, the rows no other row refers to first.
SELF_REFERENCES = {"credit_entry": "reverses", "ethics_evaluation": "supersedes", "ethics_sanction": "supersedes"}
ID_TABLES = (
    "kindergarten", "staff", "staff_assignment", "account", "training_course", "training_session",
    "training_enrolment", "training_result", "certificate", "certificate_event", "certificate_registration",
    "credit_entry", "ethics_evaluation", "ethics_sanction",
    "pool_candidate", "pool_certificate", "pool_placement", "planned_places",
)  # fmt: skip

KINDERGARTEN_COLUMNS = (
    "id", "code", "name", "street", "collab_group", "ownership", "grade", "demonstration",
    "service_type", "teacher_model", "classes_small", "classes_middle", "classes_large",
    "classes_mixed", "classes_nursery", "children", "places", "opened_on", "closed_on",
    "created_at", "updated_at",
)  # fmt: skip
STAFF_COLUMNS = (
    "id", "id_number", "name", "sex", "birth_date", "kindergarten", "post", "employment", "title",
    "honours", "education", "hired_on", "status", "left_on", "created_at", "updated_at",
)  # fmt: skip
ASSIGNMENT_COLUMNS = ("id", "staff", "kindergarten", "post", "starts_on", "ends_on", "reason")
ACCOUNT_COLUMNS = (
    "id", "username", "password_hash", "role", "kindergarten", "staff", "active", "failed_logins",
    "locked_until", "last_login_at", "created_at",
)  # fmt: skip
AUDIT_COLUMNS = ("at", "actor", "action", "entity", "entity_id", "before", "after")
COURSE_COLUMNS = (
    "id", "code", "title", "category", "level", "mode", "hours", "credits", "credits_set", "required_for",
    "capacity", "created_at", "updated_at",
)  # fmt: skip
SESSION_COLUMNS = ("id", "course", "starts_on", "ends_on", "place", "trainer", "capacity", "created_at")
ENROLMENT_COLUMNS = ("id", "session", "staff", "enrolled_at", "enrolled_by")
RESULT_COLUMNS = ("id", "enrolment", "hours", "passed", "score", "completed_on", "recorded_by", "recorded_at")
CERTIFICATE_COLUMNS = (
    "id", "staff", "type", "number", "issuer", "issued_on", "expires_on", "status", "reason", "created_at",
    "updated_at",
)  # fmt: skip
CERTIFICATE_EVENT_COLUMNS = ("id", "certificate", "action", "status_after", "reason", "actor", "at")
REGISTRATION_COLUMNS = ("id", "certificate", "registered_on", "result", "hours", "note", "actor", "at")
CREDIT_COLUMNS = (
    "id", "staff", "entry_date", "school_year", "category", "source", "hours", "credits", "reference", "reason",
    "recorded_by", "reverses", "created_at",
)  # fmt: skip
EVALUATION_COLUMNS = (
    "id", "staff", "school_year", "grade", "evaluated_on", "evaluator", "supersedes", "note", "created_at",
)  # fmt: skip
SANCTION_COLUMNS = (
    "id", "staff", "violation", "facts", "sanction", "outcome", "decided_on", "bar_from", "bar_until",
    "revoke_qualification", "revoked_certificate", "supersedes", "decided_by", "created_at",
)  # fmt: skip

CANDIDATE_COLUMNS = (
    "id", "id_number", "name", "sex", "birth_date", "source", "posts", "streets", "education", "available_from",
    "available_to", "status", "staff", "note", "created_at", "updated_at",
)  # fmt: skip
POOL_CERTIFICATE_COLUMNS = ("id", "candidate", "type", "number", "issuer", "issued_on", "expires_on", "status")
PLACEMENT_COLUMNS = (
    "id", "candidate", "staff", "kindergarten", "post", "starts_on", "status", "reactivated", "gap_before", "flags",
    "placed_by", "created_at",
)  # fmt: skip
PLANNED_COLUMNS = (
    "id", "name", "kind", "kindergarten", "street", "collab_group", "ownership", "service_type", "teacher_model",
    "places", "band", "opens_on", "plan_item", "note", "cancelled", "created_by", "created_at", "updated_at",
)  # fmt: skip


class DemoLogin(NamedTuple):
    """One demo account: (username, role, password, kindergarten_code, staff_name)."""

    username: str
    role: str
    password: str
    kindergarten_code: str | None
    staff_name: str | None

    def __repr__(self) -> str:  # keep the password out of logs and tracebacks
        return (
            f"DemoLogin(username={self.username!r}, role={self.role!r}, password='***', "
            f"kindergarten_code={self.kindergarten_code!r}, staff_name={self.staff_name!r})"
        )

    def public(self) -> dict[str, str | None]:
        return {
            "username": self.username,
            "role": self.role,
            "kindergarten_code": self.kindergarten_code,
            "staff_name": self.staff_name,
        }


@dataclass
class DemoSummary:
    scale: str
    seed: int
    kindergartens: int
    streets: int
    collab_groups: int
    children: int
    places: int
    classes: int
    staff: int
    staff_by_post: dict[str, int]
    staff_by_status: dict[str, int]
    teachers: int  # post teacher, not left
    health_doctors_required: int  # sum of max(1, ceil(children / 150))
    health_doctors_present: int  # post health_doctor, not left
    teacher_titles: dict[str, int]
    honours: dict[str, int]
    backbone: int
    grades: dict[str, int]
    demonstration: dict[str, int]
    ownership: dict[str, int]
    assignments: int
    transfers: int
    # training history and certificates (demo.history), as of ``today``
    today: str
    courses: int
    sessions: int
    enrolments: int
    results: int
    results_passed: int
    certificates: int
    certificates_by_type: dict[str, int]
    certificates_by_status: dict[str, int]  # as stored: valid, suspended, revoked
    certificate_events: int
    registrations: int
    # the dual-certificate rule on ``today`` over on-post people, by post:
    # {on_post, compliant, violations, rate, missing: {certificate type (or alternatives): people}}
    compliance_by_post: dict[str, dict[str, Any]]
    compliance_rate: float | None
    violations: int  # on-post people missing a required certificate
    kindergartens_without_family_instructor: int
    expiring_within_days: int  # the widest reminder window (policy)
    expiring: int  # valid certificates of people who have not left, expiring in that window
    certificates_with_expiry: int
    coverage_year: int
    coverage: dict[str, float | None]  # share of on-post staff with a passed course this year
    kindergartens_below_coverage_target: dict[str, int]
    # credits and ethics (demo.records)
    credit_entries: int
    credit_entries_by_source: dict[str, int]
    ethics_evaluations: int
    ethics_evaluations_by_grade: dict[str, int]
    ethics_sanctions: int  # rows, appeal outcomes included
    ethics_sanctions_lifted: int
    elapsed_seconds: float
    accounts: list[DemoLogin]
    credentials_path: str
    # the reserve talent pool and the plan's planned places (demo.pool)
    pool_candidates: int = 0
    pool_by_status: dict[str, int] = field(default_factory=dict)
    pool_certificates: int = 0
    pool_placements: int = 0
    planned_places: int = 0  # records
    planned_places_total: int = 0  # places

    def public(self) -> dict[str, Any]:
        """Everything but the passwords (for the audit trail and logs)."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["accounts"] = [a.public() for a in self.accounts]
        return data


async def load_demo(
    scale: str = "district",
    seed: int = 2017,
    progress: Progress | None = None,
    reset: bool = False,
) -> DemoSummary:
    """Generate the demo data of ``scale`` and write it, in one transaction.

    Refuses (``Conflict``) when kindergartens exist already, unless ``reset``: then kindergartens,
    staff, assignments and accounts are deleted first (the audit trail is kept).
    """
    if scale not in SCALES:
        raise Invalid.field("scale", f"must be one of {', '.join(SCALES)}")
    started = time.perf_counter()
    report = progress or _quiet
    report("generate", 0, 1)
    data = generate(scale, seed)
    report("generate", 1, 1)
    hashes = [hash_password(a.password) for a in data.accounts]
    now = datetime.now(UTC)
    tally = Tally()
    tally.add_kindergartens(data.kindergartens)
    history_tally = HistoryTally(policy_on(DEMO_TODAY), data.courses)

    async with write_transaction():
        existing = await _count("kindergarten")
        if existing and not reset:
            raise Conflict(
                f"the database already holds {existing} kindergartens; load the demo into an empty "
                "database, or reset it",
                existing=existing,
            )
        if reset:
            blocking = await _rows_blocking_reset()
            if blocking:
                raise Conflict(
                    "cannot reset: rows outside the demo's tables refer to its people or certificates: "
                    f"{', '.join(blocking)}; reset deletes only {', '.join(RESET_TABLES)}",
                    blocking=blocking,
                )
            for i, table in enumerate(RESET_TABLES):
                report("reset", i, len(RESET_TABLES))
                await _delete_all(table)
            report("reset", len(RESET_TABLES), len(RESET_TABLES))
        else:
            taken = await fetch_all("SELECT username FROM account WHERE username IN ({}, {}, {}, {})", *DEMO_USERNAMES)
            if taken:
                names = ", ".join(sorted(r["username"] for r in taken))
                raise Conflict(f"demo account names already taken: {names}")
            codes = [c.code for c in data.courses]
            clash = await fetch_all(
                f"SELECT code FROM training_course WHERE code IN ({', '.join('{}' for _ in codes)})", *codes
            )
            if clash:
                names = ", ".join(sorted(r["code"] for r in clash))
                raise Conflict(f"demo course codes already taken: {names}; load into an empty database, or reset it")
        kg_base = await _max_id("kindergarten")
        staff_base = await _max_id("staff")
        assignment_base = await _max_id("staff_assignment")
        account_base = await _max_id("account")
        ids = _Ids(
            course=await _max_id("training_course"),
            session=await _max_id("training_session"),
            enrolment=await _max_id("training_enrolment"),
            result=await _max_id("training_result"),
            certificate=await _max_id("certificate"),
            event=await _max_id("certificate_event"),
            registration=await _max_id("certificate_registration"),
            credit=await _max_id("credit_entry"),
            evaluation=await _max_id("ethics_evaluation"),
            sanction=await _max_id("ethics_sanction"),
        )
        records_tally = _RecordsTally()

        await _insert(
            "kindergartens",
            "kindergarten",
            KINDERGARTEN_COLUMNS,
            (_kindergarten_row(k, kg_base, now) for k in data.kindergartens),
            len(data.kindergartens),
            report,
        )
        await _insert(
            "courses",
            "training_course",
            COURSE_COLUMNS,
            (_course_row(c, ids.course, now) for c in data.courses),
            len(data.courses),
            report,
        )
        staff_done = 0
        assignments_done = 0
        next_assignment = assignment_base
        history_progress = _HistoryProgress(report)
        pool: DemoPool | None = None
        for chunk, history, records in data.iter_records():
            if pool is None:  # the pool and the plan are the first district's (Chaoyang)
                pool = make_pool(data, chunk, seed)
            tally.add_chunk(chunk)
            history_tally.add(chunk, history)
            for batch in _batches(chunk.staff, BATCH_ROWS):
                await bulk_insert("staff", STAFF_COLUMNS, [_staff_row(s, staff_base, kg_base, now) for s in batch])
                staff_done += len(batch)
                report("staff", staff_done, data.staff_total)
            for moves in _batches(chunk.assignments, BATCH_ROWS):
                rows = []
                for a in moves:
                    next_assignment += 1
                    rows.append(_assignment_row(a, next_assignment, staff_base, kg_base))
                await bulk_insert("staff_assignment", ASSIGNMENT_COLUMNS, rows)
                assignments_done += len(moves)
                report("assignments", assignments_done, data.assignment_total)
            result_first = ids.result
            await _insert_history(history, ids, staff_base, now, history_progress)
            await _insert_records(records, ids, result_first, staff_base, now, history_progress)
            records_tally.add(records)
        if pool is not None:
            await _insert_pool(pool, staff_base, kg_base, now, report)

        account_rows = []
        for i, (account, hashed) in enumerate(zip(data.accounts, hashes, strict=True), start=1):
            account_rows.append(
                (
                    account_base + i,
                    account.username,
                    hashed,
                    account.role,
                    None if account.kindergarten is None else kg_base + account.kindergarten + 1,
                    None if account.staff is None else staff_base + account.staff + 1,
                    True,
                    0,
                    None,
                    None,
                    now,
                )
            )
        await bulk_insert("account", ACCOUNT_COLUMNS, account_rows)
        report("accounts", len(account_rows), len(account_rows))

        summary = _summary(data, tally, history_tally, records_tally, started)
        if pool is not None:
            summary.pool_candidates = len(pool.candidates)
            summary.pool_by_status = dict(sorted(pool.by_status().items()))
            summary.pool_certificates = len(pool.certificates)
            summary.pool_placements = len(pool.placements)
            summary.planned_places = len(pool.planned)
            summary.planned_places_total = sum(p.places for p in pool.planned)
        await bulk_insert(
            "audit_event",
            AUDIT_COLUMNS,
            [
                (
                    now,
                    "demo",
                    "demo.load",
                    "district",
                    scale,
                    None,
                    json.dumps(summary.public(), ensure_ascii=False),
                )
            ],
        )

    await _reset_sequences()
    await _analyze()
    _write_credentials(Path(summary.credentials_path), summary.accounts)
    summary.elapsed_seconds = round(time.perf_counter() - started, 3)
    report("done", 1, 1)
    return summary


def _quiet(stage: str, done: int, total: int) -> None:
    return None


@dataclass
class _Ids:
    """The last id written to each history table (rows get the next ones)."""

    course: int
    session: int
    enrolment: int
    result: int
    certificate: int
    event: int
    registration: int
    credit: int = 0
    evaluation: int = 0
    sanction: int = 0


class _RecordsTally:
    def __init__(self) -> None:
        self.credits: Counter[str] = Counter()
        self.grades: Counter[str] = Counter()
        self.sanctions = 0
        self.lifted = 0

    def add(self, records: ChunkRecords) -> None:
        self.credits.update(c.source for c in records.credits)
        self.grades.update(e.grade for e in records.evaluations)
        self.sanctions += len(records.sanctions)
        self.lifted += sum(1 for r in records.sanctions if r.outcome == SanctionOutcome.lifted)


class _Values:
    """Date, timestamp and decimal values as the database driver gets them.

    On SQLite, ``sqlite3`` calls Piccolo's adapter (a Python function) for every such value; the
    history repeats few distinct ones (session days, timestamps, scores) hundreds of thousands of
    times, so each is converted once, with the same adapter, and reused. PostgreSQL's COPY takes
    the objects as they are.
    """

    def __init__(self, sqlite: bool) -> None:

        self.sqlite = sqlite
        self.adapters = ADAPTERS
        self.seen: dict[type, dict[Any, Any]] = {}

    def __call__(self, value: Any) -> Any:
        if not self.sqlite or value is None:
            return value
        kind = type(value)
        seen = self.seen.get(kind)
        if seen is None:
            seen = self.seen[kind] = {}
        out = seen.get(value)
        if out is None:
            out = seen[value] = self.adapters[kind](value)
        return out


class _HistoryProgress:
    """Progress of the history stages. Their totals are known district by district only (at the
    province scale they are never all in memory), so each total grows as districts are made."""

    STAGES = (
        "sessions", "enrolments", "results", "certificates", "certificate events", "registrations",
        "credit entries", "ethics evaluations", "ethics sanctions",
    )  # fmt: skip

    def __init__(self, report: Progress) -> None:
        self.report = report
        self.done: dict[str, int] = dict.fromkeys(self.STAGES, 0)
        self.total: dict[str, int] = dict.fromkeys(self.STAGES, 0)

    def expect(self, stage: str, rows: int) -> None:
        self.total[stage] += rows
        self.report(stage, self.done[stage], self.total[stage])

    def wrote(self, stage: str, rows: int) -> None:
        self.done[stage] += rows
        self.report(stage, self.done[stage], self.total[stage])


async def _insert_history(
    history: ChunkHistory, ids: _Ids, staff_base: int, now: datetime, p: _HistoryProgress
) -> None:
    """One district's sessions, enrolments, results, certificates, events and registrations.

    Rows with a position (sessions, enrolments, certificates) get id = base + position + 1, so
    the rows referring to them need no lookup; results, events and registrations are numbered on.
    """
    tables: tuple[tuple[str, str, Sequence[str], Sequence[Any]], ...] = (
        ("sessions", "training_session", SESSION_COLUMNS, history.sessions),
        ("enrolments", "training_enrolment", ENROLMENT_COLUMNS, history.enrolments),
        ("results", "training_result", RESULT_COLUMNS, history.results),
        ("certificates", "certificate", CERTIFICATE_COLUMNS, history.certificates),
        ("certificate events", "certificate_event", CERTIFICATE_EVENT_COLUMNS, history.events),
        ("registrations", "certificate_registration", REGISTRATION_COLUMNS, history.registrations),
    )
    for stage, _, _, items in tables:
        p.expect(stage, len(items))
    course, session, enrolment, certificate = ids.course + 1, ids.session + 1, ids.enrolment + 1, ids.certificate + 1
    staff = staff_base + 1
    v = _Values(is_sqlite())

    def session_row(s: SessionRow) -> tuple[Any, ...]:
        return (session + s.index, course + s.course, s.starts_on, s.ends_on, s.place, s.trainer, s.capacity, now)

    def enrolment_row(e: EnrolmentRow) -> tuple[Any, ...]:
        return (enrolment + e.index, session + e.session, staff + e.staff, v(e.enrolled_at), ACTOR)

    def result_row(r: ResultRow) -> tuple[Any, ...]:
        ids.result += 1
        return (
            ids.result,
            enrolment + r.enrolment,
            v(r.hours),
            r.passed,
            v(r.score),
            v(r.completed_on),
            ACTOR,
            v(r.recorded_at),
        )

    def certificate_row(c: CertificateRow) -> tuple[Any, ...]:
        return (
            certificate + c.index,
            staff + c.staff,
            c.type,
            c.number,
            c.issuer,
            v(c.issued_on),
            v(c.expires_on),
            c.status,
            c.reason,
            now,
            now,
        )

    def event_row(e: CertificateEventRow) -> tuple[Any, ...]:
        ids.event += 1
        return (ids.event, certificate + e.certificate, e.action, e.status_after, e.reason, ACTOR, e.at)

    def registration_row(g: RegistrationRow) -> tuple[Any, ...]:
        ids.registration += 1
        return (ids.registration, certificate + g.certificate, g.registered_on, g.result, g.hours, g.note, ACTOR, g.at)

    makers: tuple[Callable[[Any], tuple[Any, ...]], ...] = (
        session_row,
        enrolment_row,
        result_row,
        certificate_row,
        event_row,
        registration_row,
    )
    for (stage, table, columns, items), make in zip(tables, makers, strict=True):
        for batch in _batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(item) for item in batch])
            p.wrote(stage, len(batch))


async def _insert_records(
    records: ChunkRecords, ids: _Ids, result_first: int, staff_base: int, now: datetime, p: _HistoryProgress
) -> None:
    """One district's credit entries, ethics evaluations and sanctions. A training entry's reference
    is its result's id (``result_first`` + position + 1, as ``_insert_history`` numbered them); a
    sanction that supersedes another refers to it by position in the district's sanctions."""
    staff = staff_base + 1
    v = _Values(is_sqlite())
    at = v(now)

    def credit_row(c: CreditEntryRow) -> tuple[Any, ...]:
        ids.credit += 1
        reference = c.reference if c.result is None else f"training_result:{result_first + c.result + 1}"
        return (
            ids.credit,
            staff + c.staff,
            v(c.entry_date),
            c.school_year,
            c.category,
            c.source,
            v(c.hours),
            v(c.credits),
            reference,
            c.reason,
            ACTOR,
            None,
            at,
        )

    def evaluation_row(e: EvaluationRow) -> tuple[Any, ...]:
        ids.evaluation += 1
        return (ids.evaluation, staff + e.staff, e.school_year, e.grade, v(e.evaluated_on), ACTOR, None, e.note, at)

    sanction_first = ids.sanction + 1

    def sanction_row(r: SanctionRow) -> tuple[Any, ...]:
        ids.sanction += 1
        assert ids.sanction == sanction_first + r.index
        return (
            ids.sanction,
            staff + r.staff,
            r.violation,
            r.facts,
            r.sanction,
            r.outcome,
            r.decided_on,
            r.bar_from,
            r.bar_until,
            False,
            None,
            None if r.supersedes is None else sanction_first + r.supersedes,
            ACTOR,
            now,
        )

    tables: tuple[tuple[str, str, Sequence[str], Sequence[Any], Callable[[Any], tuple[Any, ...]]], ...] = (
        ("credit entries", "credit_entry", CREDIT_COLUMNS, records.credits, credit_row),
        ("ethics evaluations", "ethics_evaluation", EVALUATION_COLUMNS, records.evaluations, evaluation_row),
        ("ethics sanctions", "ethics_sanction", SANCTION_COLUMNS, records.sanctions, sanction_row),
    )
    for stage, _, _, items, _ in tables:
        p.expect(stage, len(items))
    for stage, table, columns, items, make in tables:
        for batch in _batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(item) for item in batch])
            p.wrote(stage, len(batch))


async def _insert_pool(pool: DemoPool, staff_base: int, kg_base: int, now: datetime, report: Progress) -> None:
    """The reserve pool (candidates, their certificates, the placements already made) and the plan's
    planned places. Ids run on from the tables' current largest."""
    candidate_base = await _max_id("pool_candidate")
    v = _Values(is_sqlite())
    at = v(now)
    tables: tuple[tuple[str, str, Sequence[str], Sequence[Any], Callable[[int, Any], tuple[Any, ...]]], ...] = (
        (
            "reserve pool",
            "pool_candidate",
            CANDIDATE_COLUMNS,
            pool.candidates,
            lambda i, c: (
                candidate_base + c.index + 1,
                c.id_number,
                c.name,
                c.sex,
                v(c.birth_date),
                c.source,
                json.dumps(c.posts),
                json.dumps(c.streets, ensure_ascii=False),  # matched as text: stored as written
                c.education,
                v(c.available_from),
                v(c.available_to),
                c.status,
                None if c.staff is None else staff_base + c.staff + 1,
                c.note,
                at,
                at,
            ),
        ),
        (
            "reserve pool certificates",
            "pool_certificate",
            POOL_CERTIFICATE_COLUMNS,
            pool.certificates,
            lambda i, c: (
                i,
                candidate_base + c.candidate + 1,
                c.type,
                c.number,
                c.issuer,
                v(c.issued_on),
                v(c.expires_on),
                "valid",
            ),
        ),
        (
            "placements",
            "pool_placement",
            PLACEMENT_COLUMNS,
            pool.placements,
            lambda i, p: (
                i,
                candidate_base + p.candidate + 1,
                staff_base + p.staff + 1,
                kg_base + p.kindergarten + 1,
                p.post,
                v(p.starts_on),
                p.status,
                False,
                0,
                "[]",
                "demo",
                at,
            ),
        ),
        (
            "planned places",
            "planned_places",
            PLANNED_COLUMNS,
            pool.planned,
            lambda i, p: (
                i,
                p.name,
                p.kind,
                None if p.kindergarten is None else kg_base + p.kindergarten + 1,
                p.street,
                p.collab_group,
                p.ownership,
                p.service_type,
                p.teacher_model,
                p.places,
                p.band,
                v(p.opens_on),
                p.plan_item,
                "",
                False,
                "demo",
                at,
                at,
            ),
        ),
    )
    for stage, table, columns, items, make in tables:
        first = await _max_id(table)
        done = 0
        report(stage, 0, len(items))
        for batch in _batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(first + done + k + 1, item) for k, item in enumerate(batch)])
            done += len(batch)
            report(stage, done, len(items))


async def _count(table: str) -> int:
    rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
    return int(rows[0]["n"])


async def _max_id(table: str) -> int:
    rows = await fetch_all(f'SELECT MAX(id) AS n FROM "{table}"')
    value = rows[0]["n"]
    return int(value) if value is not None else 0


async def _rows_blocking_reset() -> list[str]:
    """Tables reset does not clear whose rows refer (foreign key) to a table it does clear."""

    cleared = set(RESET_TABLES)
    blocking = []
    for table in Finder().get_table_classes():
        name = table._meta.tablename
        if name in cleared:
            continue
        refers = {fk._foreign_key_meta.resolved_references._meta.tablename for fk in table._meta.foreign_key_columns}
        if refers & cleared:
            rows = await _count(name)
            if rows:
                blocking.append(f"{name} ({rows} rows)")
    return sorted(blocking)


async def _analyze() -> None:
    """Fresh planner statistics for the tables just filled (PostgreSQL). Without them the planner
    guesses empty tables and the set-wise reports (compliance, coverage) can take minutes."""
    if is_sqlite():
        return
    engine = get_engine()
    for table in ID_TABLES:
        await engine.run_ddl(f'ANALYZE "{table}"')


async def _delete_all(table: str) -> None:
    """DELETE every row; an append-only table's triggers are lifted for it, inside the transaction."""
    engine = get_engine()
    if table not in APPEND_ONLY_TABLES:
        await engine.run_ddl(f'DELETE FROM "{table}"')
        return
    if is_sqlite():
        recreate = _append_only_triggers(table)
        for sql in recreate:
            await engine.run_ddl(f"DROP TRIGGER IF EXISTS {_trigger_name(sql)}")
        await _delete_rows(table)
        for sql in recreate:
            await engine.run_ddl(sql)
    else:
        await engine.run_ddl(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        await _delete_rows(table)
        await engine.run_ddl(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')


async def _delete_rows(table: str) -> None:
    engine = get_engine()
    column = SELF_REFERENCES.get(table)
    if column is None:
        await engine.run_ddl(f'DELETE FROM "{table}"')
        return
    while await _count(table):
        await engine.run_ddl(
            f'DELETE FROM "{table}" WHERE id NOT IN (SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL)'
        )


def _append_only_triggers(table: str) -> list[str]:
    """The migration's SQLite CREATE TRIGGER statements of ``table`` (no_update and no_delete)."""
    name = APPEND_ONLY_MIGRATIONS[table]
    migration = importlib.import_module(name)
    statements = [sql for sql in migration.SQLITE if _trigger_name(sql).startswith(f"{table}_no_")]
    if len(statements) != 2:  # pragma: no cover - the migration changed shape
        raise RuntimeError(f"expected the two append-only triggers of {table} in {name}")
    return statements


def _trigger_name(sql: str) -> str:
    """``CREATE TRIGGER IF NOT EXISTS name BEFORE ...`` -> ``name``."""
    words = sql.split()
    return words[words.index("EXISTS") + 1] if "EXISTS" in words else words[words.index("TRIGGER") + 1]


async def _reset_sequences() -> None:
    """Move PostgreSQL's serial sequences past the ids written here (SQLite needs nothing)."""
    if is_sqlite():
        return
    engine = get_engine()
    for table in ID_TABLES:
        await engine.run_ddl(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f'COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'
        )


async def _insert(
    stage: str,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    total: int,
    report: Progress,
) -> None:
    done = 0
    for batch in _batches(rows, BATCH_ROWS):
        await bulk_insert(table, columns, batch)
        done += len(batch)
        report(stage, done, total)


def _batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _kindergarten_row(k: KindergartenRow, kg_base: int, now: datetime) -> tuple[Any, ...]:
    return (
        kg_base + k.index + 1,
        k.code,
        k.name,
        k.street,
        k.collab_group,
        k.ownership,
        k.grade,
        k.demonstration,
        k.service_type,
        k.teacher_model,
        k.classes_small,
        k.classes_middle,
        k.classes_large,
        k.classes_mixed,
        k.classes_nursery,
        k.children,
        k.places,
        k.opened_on,
        k.closed_on,
        now,
        now,
    )


def _staff_row(s: StaffRow, staff_base: int, kg_base: int, now: datetime) -> tuple[Any, ...]:
    return (
        staff_base + s.index + 1,
        s.id_number,
        s.name,
        s.sex,
        s.birth_date,
        kg_base + s.kindergarten + 1,
        s.post,
        s.employment,
        s.title,
        json.dumps(s.honours, ensure_ascii=False),
        s.education,
        s.hired_on,
        s.status,
        s.left_on,
        now,
        now,
    )


def _assignment_row(a: AssignmentRow, row_id: int, staff_base: int, kg_base: int) -> tuple[Any, ...]:
    return (
        row_id,
        staff_base + a.staff + 1,
        kg_base + a.kindergarten + 1,
        a.post,
        a.starts_on,
        a.ends_on,
        a.reason,
    )


def _course_row(c: CourseRow, course_base: int, now: datetime) -> tuple[Any, ...]:
    return (
        course_base + c.index + 1,
        c.code,
        c.title,
        c.category,
        c.level,
        c.mode,
        c.hours,
        c.credits,
        False,  # credits derived from hours by the policy
        json.dumps(c.required_for),
        c.capacity,
        now,
        now,
    )


def _summary(
    data: DemoData, tally: Tally, history: HistoryTally, records: _RecordsTally, started: float
) -> DemoSummary:
    f = tally.figures()
    h = history.figures()
    logins = [DemoLogin(a.username, a.role, a.password, a.kindergarten_code, a.staff_name) for a in data.accounts]
    return DemoSummary(
        scale=data.scale,
        seed=data.seed,
        kindergartens=f["kindergartens"],
        streets=f["streets"],
        collab_groups=f["collab_groups"],
        children=f["children"],
        places=f["places"],
        classes=f["classes"],
        staff=f["staff"],
        staff_by_post=f["staff_by_post"],
        staff_by_status=f["staff_by_status"],
        teachers=f["teachers"],
        health_doctors_required=f["health_doctors_required"],
        health_doctors_present=f["health_doctors_present"],
        teacher_titles=f["teacher_titles"],
        honours=f["honours"],
        backbone=f["backbone"],
        grades=f["grades"],
        demonstration=f["demonstration"],
        ownership=f["ownership"],
        assignments=f["assignments"],
        transfers=f["transfers"],
        today=history.on.isoformat(),
        courses=h["courses"],
        sessions=h["sessions"],
        enrolments=h["enrolments"],
        results=h["results"],
        results_passed=h["results_passed"],
        certificates=h["certificates"],
        certificates_by_type=h["certificates_by_type"],
        certificates_by_status=h["certificates_by_status"],
        certificate_events=h["certificate_events"],
        registrations=h["registrations"],
        compliance_by_post=h["compliance_by_post"],
        compliance_rate=h["compliance_rate"],
        violations=h["violations"],
        kindergartens_without_family_instructor=h["kindergartens_without_family_instructor"],
        expiring_within_days=h["expiring_within_days"],
        expiring=h["expiring"],
        certificates_with_expiry=h["certificates_with_expiry"],
        coverage_year=h["coverage_year"],
        coverage=h["coverage"],
        kindergartens_below_coverage_target=h["kindergartens_below_coverage_target"],
        credit_entries=sum(records.credits.values()),
        credit_entries_by_source=dict(sorted(records.credits.items())),
        ethics_evaluations=sum(records.grades.values()),
        ethics_evaluations_by_grade=dict(sorted(records.grades.items())),
        ethics_sanctions=records.sanctions,
        ethics_sanctions_lifted=records.lifted,
        elapsed_seconds=round(time.perf_counter() - started, 3),
        accounts=logins,
        credentials_path=str(get_settings().var_dir / CREDENTIALS_FILE),
    )


def _write_credentials(path: Path, logins: Sequence[DemoLogin]) -> None:
    """username, role and password of each demo account, tab-separated; readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["# demo accounts: username\trole\tpassword"]
    lines += [f"{a.username}\t{a.role}\t{a.password}" for a in logins]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write("\n".join(lines) + "\n")


__all__ = ["CREDENTIALS_FILE", "DemoLogin", "DemoSummary", "load_demo"]
