"""The demo loader's row writers: each table's columns, its rows as tuples, and the bulk inserts
(``kernel.db.bulk_insert`` in batches, ids assigned here because bulk inserts return none)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from piccolo.engine.sqlite import ADAPTERS

from demo.catalogue import CourseRow
from demo.history_rows import (
    ACTOR,
    CertificateEventRow,
    CertificateRow,
    ChunkHistory,
    EnrolmentRow,
    RegistrationRow,
    ResultRow,
    SessionRow,
)
from demo.pool import DemoPool
from demo.records import ChunkRecords, CreditEntryRow, EvaluationRow, SanctionRow
from demo.rows import AssignmentRow, KindergartenRow, StaffRow
from kernel.db import bulk_insert, fetch_all, is_sqlite

Progress = Callable[[str, int, int], None]
T = TypeVar("T")

BATCH_ROWS = 5_000

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


@dataclass
class Ids:
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


class HistoryProgress:
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


async def insert_history(history: ChunkHistory, ids: Ids, staff_base: int, now: datetime, p: HistoryProgress) -> None:
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
        for batch in batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(item) for item in batch])
            p.wrote(stage, len(batch))


async def insert_records(
    records: ChunkRecords, ids: Ids, result_first: int, staff_base: int, now: datetime, p: HistoryProgress
) -> None:
    """One district's credit entries, ethics evaluations and sanctions. A training entry's reference
    is its result's id (``result_first`` + position + 1, as ``insert_history`` numbered them); a
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
        for batch in batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(item) for item in batch])
            p.wrote(stage, len(batch))


async def insert_pool(pool: DemoPool, staff_base: int, kg_base: int, now: datetime, report: Progress) -> None:
    """The reserve pool (candidates, their certificates, the placements already made) and the plan's
    planned places. Ids run on from the tables' current largest."""
    candidate_base = await max_id("pool_candidate")
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
        first = await max_id(table)
        done = 0
        report(stage, 0, len(items))
        for batch in batches(items, BATCH_ROWS):
            await bulk_insert(table, columns, [make(first + done + k + 1, item) for k, item in enumerate(batch)])
            done += len(batch)
            report(stage, done, len(items))


async def count_rows(table: str) -> int:
    rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
    return int(rows[0]["n"])


async def max_id(table: str) -> int:
    rows = await fetch_all(f'SELECT MAX(id) AS n FROM "{table}"')
    value = rows[0]["n"]
    return int(value) if value is not None else 0


async def insert_rows(
    stage: str,
    table: str,
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    total: int,
    report: Progress,
) -> None:
    done = 0
    for batch in batches(rows, BATCH_ROWS):
        await bulk_insert(table, columns, batch)
        done += len(batch)
        report(stage, done, total)


def batches(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    batch: list[T] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def kindergarten_row(k: KindergartenRow, kg_base: int, now: datetime) -> tuple[Any, ...]:
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


def staff_row(s: StaffRow, staff_base: int, kg_base: int, now: datetime) -> tuple[Any, ...]:
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


def assignment_row(a: AssignmentRow, row_id: int, staff_base: int, kg_base: int) -> tuple[Any, ...]:
    return (
        row_id,
        staff_base + a.staff + 1,
        kg_base + a.kindergarten + 1,
        a.post,
        a.starts_on,
        a.ends_on,
        a.reason,
    )


def course_row(c: CourseRow, course_base: int, now: datetime) -> tuple[Any, ...]:
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
