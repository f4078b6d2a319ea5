"""The demo loader's row writers: the demo's rows as the domains' row types (each domain's
``writes.py``), written with ``kernel.db.insert_rows`` in batches (ids assigned here because bulk
inserts return none)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from piccolo.engine.sqlite import ADAPTERS

from certificates.writes import (
    CERTIFICATE_EVENTS,
    CERTIFICATES,
    REGISTRATIONS,
    CertificateEventRecord,
    CertificateRecord,
    RegistrationRecord,
)
from credits.writes import CREDIT_ENTRIES, CreditEntryRecord
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
from ethics.writes import EVALUATIONS, SANCTIONS, EvaluationRecord, SanctionRecord
from kernel.db import RowTable, fetch_all, is_sqlite
from kernel.db import insert_rows as write_rows
from registry.kindergartens.writes import KindergartenRecord
from registry.staff.writes import AssignmentRecord, StaffRecord
from staffing.writes import (
    CANDIDATES,
    PLACEMENTS,
    PLANNED_PLACES,
    POOL_CERTIFICATES,
    CandidateRecord,
    PlacementRecord,
    PlannedRecord,
    PoolCertificateRecord,
)
from training.writes import (
    ENROLMENTS,
    RESULTS,
    SESSIONS,
    CourseRecord,
    EnrolmentRecord,
    ResultRecord,
    SessionRecord,
)

Progress = Callable[[str, int, int], None]
T = TypeVar("T")


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
    tables: tuple[tuple[str, RowTable[Any], Sequence[Any]], ...] = (
        ("sessions", SESSIONS, history.sessions),
        ("enrolments", ENROLMENTS, history.enrolments),
        ("results", RESULTS, history.results),
        ("certificates", CERTIFICATES, history.certificates),
        ("certificate events", CERTIFICATE_EVENTS, history.events),
        ("registrations", REGISTRATIONS, history.registrations),
    )
    for stage, _, items in tables:
        p.expect(stage, len(items))
    course, session, enrolment, certificate = ids.course + 1, ids.session + 1, ids.enrolment + 1, ids.certificate + 1
    staff = staff_base + 1
    v = _Values(is_sqlite())

    def session_row(s: SessionRow) -> SessionRecord:
        return SessionRecord(
            session + s.index, course + s.course, s.starts_on, s.ends_on, s.place, s.trainer, s.capacity, now
        )

    def enrolment_row(e: EnrolmentRow) -> EnrolmentRecord:
        return EnrolmentRecord(enrolment + e.index, session + e.session, staff + e.staff, v(e.enrolled_at), ACTOR)

    def result_row(r: ResultRow) -> ResultRecord:
        ids.result += 1
        return ResultRecord(
            ids.result,
            enrolment + r.enrolment,
            v(r.hours),
            r.passed,
            v(r.score),
            v(r.completed_on),
            ACTOR,
            v(r.recorded_at),
        )

    def certificate_row(c: CertificateRow) -> CertificateRecord:
        return CertificateRecord(
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

    def event_row(e: CertificateEventRow) -> CertificateEventRecord:
        ids.event += 1
        return CertificateEventRecord(
            ids.event, certificate + e.certificate, e.action, e.status_after, e.reason, ACTOR, e.at
        )

    def registration_row(g: RegistrationRow) -> RegistrationRecord:
        ids.registration += 1
        return RegistrationRecord(
            ids.registration, certificate + g.certificate, g.registered_on, g.result, g.hours, g.note, ACTOR, g.at
        )

    makers: tuple[Callable[[Any], tuple[Any, ...]], ...] = (
        session_row,
        enrolment_row,
        result_row,
        certificate_row,
        event_row,
        registration_row,
    )
    for (stage, table, items), make in zip(tables, makers, strict=True):
        await write_rows(table, map(make, items), _wrote(p, stage))


async def insert_records(
    records: ChunkRecords, ids: Ids, result_first: int, staff_base: int, now: datetime, p: HistoryProgress
) -> None:
    """One district's credit entries, ethics evaluations and sanctions. A training entry's reference
    is its result's id (``result_first`` + position + 1, as ``insert_history`` numbered them); a
    sanction that supersedes another refers to it by position in the district's sanctions."""
    staff = staff_base + 1
    v = _Values(is_sqlite())
    at = v(now)

    def credit_row(c: CreditEntryRow) -> CreditEntryRecord:
        ids.credit += 1
        reference = c.reference if c.result is None else f"training_result:{result_first + c.result + 1}"
        return CreditEntryRecord(
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

    def evaluation_row(e: EvaluationRow) -> EvaluationRecord:
        ids.evaluation += 1
        return EvaluationRecord(
            ids.evaluation, staff + e.staff, e.school_year, e.grade, v(e.evaluated_on), ACTOR, None, e.note, at
        )

    sanction_first = ids.sanction + 1

    def sanction_row(r: SanctionRow) -> SanctionRecord:
        ids.sanction += 1
        assert ids.sanction == sanction_first + r.index
        return SanctionRecord(
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

    tables: tuple[tuple[str, RowTable[Any], Sequence[Any], Callable[[Any], tuple[Any, ...]]], ...] = (
        ("credit entries", CREDIT_ENTRIES, records.credits, credit_row),
        ("ethics evaluations", EVALUATIONS, records.evaluations, evaluation_row),
        ("ethics sanctions", SANCTIONS, records.sanctions, sanction_row),
    )
    for stage, _, items, _ in tables:
        p.expect(stage, len(items))
    for stage, table, items, make in tables:
        await write_rows(table, map(make, items), _wrote(p, stage))


async def insert_pool(pool: DemoPool, staff_base: int, kg_base: int, now: datetime, report: Progress) -> None:
    """The reserve pool (candidates, their certificates, the placements already made) and the plan's
    planned places. Ids run on from the tables' current largest."""
    candidate_base = await max_id("pool_candidate")
    v = _Values(is_sqlite())
    at = v(now)
    tables: tuple[tuple[str, RowTable[Any], Sequence[Any], Callable[[int, Any], tuple[Any, ...]]], ...] = (
        (
            "reserve pool",
            CANDIDATES,
            pool.candidates,
            lambda i, c: CandidateRecord(
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
            POOL_CERTIFICATES,
            pool.certificates,
            lambda i, c: PoolCertificateRecord(
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
            PLACEMENTS,
            pool.placements,
            lambda i, p: PlacementRecord(
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
            PLANNED_PLACES,
            pool.planned,
            lambda i, p: PlannedRecord(
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
    for stage, table, items, make in tables:
        first = await max_id(table.name)
        report(stage, 0, len(items))
        rows = (make(first + k + 1, item) for k, item in enumerate(items))
        await write_rows(table, rows, _counter(report, stage, len(items)))


async def count_rows(table: str) -> int:
    rows = await fetch_all(f'SELECT COUNT(*) AS n FROM "{table}"')
    return int(rows[0]["n"])


async def max_id(table: str) -> int:
    rows = await fetch_all(f'SELECT MAX(id) AS n FROM "{table}"')
    value = rows[0]["n"]
    return int(value) if value is not None else 0


async def insert_rows(
    stage: str, table: RowTable[Any], rows: Iterable[tuple[Any, ...]], total: int, report: Progress, done: int = 0
) -> None:
    """Rows of one of the domains' tables, reporting ``stage`` (``done`` of ``total`` so far)."""
    await write_rows(table, rows, _counter(report, stage, total, done))


def _counter(report: Progress, stage: str, total: int, done: int = 0) -> Callable[[int], None]:

    def wrote(n: int) -> None:
        nonlocal done
        done += n
        report(stage, done, total)

    return wrote


def _wrote(p: HistoryProgress, stage: str) -> Callable[[int], None]:
    return lambda n: p.wrote(stage, n)


def kindergarten_row(k: KindergartenRow, kg_base: int, now: datetime) -> KindergartenRecord:
    return KindergartenRecord(
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


def staff_row(s: StaffRow, staff_base: int, kg_base: int, now: datetime) -> StaffRecord:
    return StaffRecord(
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


def assignment_row(a: AssignmentRow, row_id: int, staff_base: int, kg_base: int) -> AssignmentRecord:
    return AssignmentRecord(
        row_id,
        staff_base + a.staff + 1,
        kg_base + a.kindergarten + 1,
        a.post,
        a.starts_on,
        a.ends_on,
        a.reason,
    )


def course_row(c: CourseRow, course_base: int, now: datetime) -> CourseRecord:
    return CourseRecord(
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
