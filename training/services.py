"""Training: the course catalogue, sessions, enrolments, results, and coverage of required training.

Every write runs in one ``write_transaction()`` with its audit event. Reads of people's
enrolments and results are scoped like the staff register (a kindergarten admin sees their own
kindergarten's staff, a teacher their own record; anything else is 404).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from piccolo.columns.combination import Or, WhereRaw
from piccolo.query.functions.aggregate import Count

from credits import policies
from credits.ledger import record_training_result
from credits.rules import policy_for
from kernel.auth import Principal
from kernel.codes import CertificateStatus, CertificateType, Role, StaffStatus
from kernel.common.schemas import Page
from kernel.common.scope import kindergarten_scope, staff_scope
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, Invalid, NotFound
from kernel.policy import policy_on
from kernel.rows import json_list
from registry.audit.services import record
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.tables import Staff as S
from training import rules
from training.schemas import (
    CourseCreate,
    CourseOut,
    CoverageCell,
    CoverageOut,
    EnrolmentCreate,
    EnrolmentOut,
    KindergartenCoverage,
    KindergartenRef,
    PolicyRef,
    ResultCreate,
    ResultOut,
    SessionCreate,
    SessionOut,
    StaffTraining,
    TrainingRecord,
)
from training.tables import Course as C
from training.tables import Enrolment as E
from training.tables import TrainingResult as R
from training.tables import TrainingSession as TS

FAMILY_INSTRUCTOR_CERTIFICATE = CertificateType.family_education_instructor.value


def _dec(value: Any) -> Decimal:
    """Numeric columns come back as Decimal (PostgreSQL) or float-ish values (SQLite): normalise."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


# --- Scope -------------------------------------------------------------------------------------


def _staff_filters(who: Principal, staff_column: Any, kindergarten_column: Any) -> list[Any]:
    """Row filters on a person (and their current kindergarten) for the caller's scope."""
    where: list[Any] = []
    kg = kindergarten_scope(who)
    if kg is not None and who.role != Role.teacher:
        where.append(kindergarten_column == kg)
    person = staff_scope(who)
    if person is not None:
        where.append(staff_column == person)
    return where


async def _scoped_staff(who: Principal, staff_id: int) -> dict[str, Any]:
    """The person, if the caller may see them; otherwise 404, as for GET /staff/{id}."""
    row = (
        await S.select(S.id, S.name, S.kindergarten, S.status)
        .where(S.id == staff_id, *_staff_filters(who, S.id, S.kindergarten))
        .first()
    )
    if row is None:
        raise NotFound(f"no staff member {staff_id}")
    return row


# --- Courses -----------------------------------------------------------------------------------


def _course_out(row: dict[str, Any]) -> CourseOut:
    return CourseOut(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        category=row["category"],
        level=row["level"],
        mode=row["mode"],
        hours=float(_dec(row["hours"])),
        credits=float(_dec(row["credits"])),
        credits_set=bool(row["credits_set"]),
        required_for=json_list(row["required_for"]),
        capacity=row["capacity"],
        created_at=row["created_at"],
    )


def _course_snapshot(out: CourseOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at"})


async def list_courses(
    who: Principal,
    *,
    category: str | None = None,
    level: str | None = None,
    mode: str | None = None,
    post: str | None = None,
    search: str | None = None,
    limit: int,
    offset: int,
) -> Page[CourseOut]:
    where: list[Any] = []
    for column, value in ((C.category, category), (C.level, level), (C.mode, mode)):
        if value is not None:
            where.append(column == value)
    if post:
        # JSON text search that works on both engines (PostgreSQL has no LIKE on json).
        where.append(WhereRaw('CAST("training_course"."required_for" AS TEXT) LIKE {}', f'%"{post}"%'))
    if search:
        term = search.strip()
        where.append(Or(C.code.like(f"{term}%"), C.title.like(f"%{term}%")))
    query = C.select().order_by(C.code).limit(limit).offset(offset)
    count = C.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query
    return Page(items=[_course_out(r) for r in rows], total=await count, limit=limit, offset=offset)


async def get_course(who: Principal, course_id: int) -> CourseOut:
    row = await C.select().where(C.id == course_id).first()
    if row is None:
        raise NotFound(f"no course {course_id}")
    return _course_out(row)


async def create_course(who: Principal, data: CourseCreate) -> CourseOut:

    # the rate by mode from the recognition policy in force today (HR's versions, as for the ledger)
    recognition = policy_for(today(), await policies.policy_versions()).recognition
    credits, credits_set = rules.course_credits(data.hours, data.mode, data.credits, recognition)
    async with write_transaction():
        if await C.exists().where(C.code == data.code):
            raise Conflict(f"course code {data.code} exists already", [FieldError("code", "duplicate")])
        now = utcnow()
        rows = await C.insert(
            C(
                code=data.code,
                title=data.title,
                category=data.category.value,
                level=data.level.value,
                mode=data.mode.value,
                hours=data.hours,
                credits=credits,
                credits_set=credits_set,
                required_for=json.dumps([p.value for p in data.required_for]),
                capacity=data.capacity,
                created_at=now,
                updated_at=now,
            )
        ).returning(C.id)
        out = await get_course(who, rows[0]["id"])
        await record(who, "create", "training_course", out.id, None, _course_snapshot(out))
    return out


# --- Sessions ----------------------------------------------------------------------------------

SESSION_COLUMNS = (
    TS.id,
    TS.course,
    TS.course.code.as_alias("course_code"),
    TS.course.title.as_alias("course_title"),
    TS.course.category.as_alias("category"),
    TS.course.mode.as_alias("mode"),
    TS.course.capacity.as_alias("course_capacity"),
    TS.starts_on,
    TS.ends_on,
    TS.place,
    TS.trainer,
    TS.capacity,
    TS.created_at,
)


def _session_out(row: dict[str, Any], taken: int) -> SessionOut:
    capacity = rules.effective_capacity(row["capacity"], row["course_capacity"])
    return SessionOut(
        id=row["id"],
        course_id=row["course"],
        course_code=row["course_code"],
        course_title=row["course_title"],
        category=row["category"],
        mode=row["mode"],
        starts_on=row["starts_on"],
        ends_on=row["ends_on"],
        place=row["place"],
        trainer=row["trainer"],
        capacity=row["capacity"],
        effective_capacity=capacity,
        seats_taken=taken,
        seats_left=rules.seats_left(capacity, taken),
        created_at=row["created_at"],
    )


async def _seats_taken(session_ids: list[int]) -> dict[int, int]:
    """Enrolments per session, for a page of sessions in one grouped query."""
    if not session_ids:
        return {}
    rows = await E.select(E.session, Count(alias="taken")).where(E.session.is_in(session_ids)).group_by(E.session)
    return {r["session"]: r["taken"] for r in rows}


async def list_sessions(
    who: Principal,
    *,
    course_id: int | None = None,
    category: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    limit: int,
    offset: int,
) -> Page[SessionOut]:
    where: list[Any] = []
    if course_id is not None:
        where.append(TS.course == course_id)
    if category is not None:
        where.append(TS.course.category == category)
    if from_ is not None:  # sessions that overlap [from, to]
        where.append(TS.ends_on >= from_)
    if to is not None:
        where.append(TS.starts_on <= to)
    query = TS.select(*SESSION_COLUMNS).order_by(TS.starts_on).order_by(TS.id).limit(limit).offset(offset)
    count = TS.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query
    taken = await _seats_taken([r["id"] for r in rows])
    items = [_session_out(r, taken.get(r["id"], 0)) for r in rows]
    return Page(items=items, total=await count, limit=limit, offset=offset)


async def get_session(who: Principal, session_id: int) -> SessionOut:
    row = await TS.select(*SESSION_COLUMNS).where(TS.id == session_id).first()
    if row is None:
        raise NotFound(f"no training session {session_id}")
    taken = await E.count().where(E.session == session_id)
    return _session_out(row, taken)


async def create_session(who: Principal, data: SessionCreate) -> SessionOut:
    problem = rules.session_dates_problem(data.starts_on, data.ends_on)
    if problem:
        raise Invalid.field("ends_on", problem)
    async with write_transaction():
        if not await C.exists().where(C.id == data.course_id):
            raise Invalid.field("course_id", f"no course {data.course_id}")
        rows = await TS.insert(
            TS(
                course=data.course_id,
                starts_on=data.starts_on,
                ends_on=data.ends_on,
                place=data.place,
                trainer=data.trainer,
                capacity=data.capacity,
                created_at=utcnow(),
            )
        ).returning(TS.id)
        out = await get_session(who, rows[0]["id"])
        await record(
            who,
            "create",
            "training_session",
            out.id,
            None,
            out.model_dump(mode="json", exclude={"created_at", "seats_taken", "seats_left"}),
        )
    return out


# --- Enrolments --------------------------------------------------------------------------------

RESULT_COLUMNS = (R.id, R.enrolment, R.hours, R.passed, R.score, R.completed_on, R.recorded_by, R.recorded_at)


def _result_out(row: dict[str, Any]) -> ResultOut:
    return ResultOut(
        id=row["id"],
        enrolment_id=row["enrolment"],
        hours=float(_dec(row["hours"])),
        passed=bool(row["passed"]),
        score=None if row["score"] is None else float(_dec(row["score"])),
        completed_on=row["completed_on"],
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


async def _results_of(enrolment_ids: list[int]) -> dict[int, ResultOut]:
    if not enrolment_ids:
        return {}
    rows = await R.select(*RESULT_COLUMNS).where(R.enrolment.is_in(enrolment_ids))
    return {r["enrolment"]: _result_out(r) for r in rows}


ENROLMENT_COLUMNS = (
    E.id,
    E.session,
    E.session._.course.as_alias("course_id"),
    E.session._.course._.code.as_alias("course_code"),
    E.staff,
    E.staff.name.as_alias("staff_name"),
    E.staff.kindergarten.as_alias("kindergarten_id"),
    E.enrolled_at,
    E.enrolled_by,
)


def _enrolment_out(row: dict[str, Any], result: ResultOut | None) -> EnrolmentOut:
    return EnrolmentOut(
        id=row["id"],
        session_id=row["session"],
        course_id=row["course_id"],
        course_code=row["course_code"],
        staff_id=row["staff"],
        staff_name=row["staff_name"],
        kindergarten_id=row["kindergarten_id"],
        enrolled_at=row["enrolled_at"],
        enrolled_by=row["enrolled_by"],
        result=result,
    )


async def _lock_session(session_id: int) -> dict[str, Any] | None:
    """Read the session inside the write transaction, locking its row on PostgreSQL so concurrent
    enrolments in it count seats one after another. (SQLite's write transactions are
    BEGIN IMMEDIATE: writers are serialised already, and it has no row locks.)"""
    if not is_sqlite():
        # SELECT ... FOR UPDATE of the session row alone (no join), so the course row stays free
        # for enrolments in the course's other sessions. Held until the transaction ends.
        await TS.select(TS.id).where(TS.id == session_id).lock_rows()
    return (
        await TS.select(TS.id, TS.capacity, TS.course.capacity.as_alias("course_capacity"))
        .where(TS.id == session_id)
        .first()
    )


async def enrol(who: Principal, session_id: int, data: EnrolmentCreate) -> EnrolmentOut:
    async with write_transaction():
        session = await _lock_session(session_id)
        if session is None:
            raise NotFound(f"no training session {session_id}")
        person = await _scoped_staff(who, data.staff_id)
        taken = await E.count().where(E.session == session_id)
        already = await E.exists().where(E.session == session_id, E.staff == data.staff_id)
        capacity = rules.effective_capacity(session["capacity"], session["course_capacity"])
        problem = rules.enrolment_problem(person["status"], already, capacity, taken)
        if problem:
            raise Conflict(problem, [FieldError("staff_id", problem)])
        rows = await E.insert(
            E(session=session_id, staff=data.staff_id, enrolled_at=utcnow(), enrolled_by=who.username)
        ).returning(E.id)
        enrolment_id = rows[0]["id"]
        row = await E.select(*ENROLMENT_COLUMNS).where(E.id == enrolment_id).first()
        assert row is not None
        out = _enrolment_out(row, None)
        await record(
            who,
            "create",
            "training_enrolment",
            enrolment_id,
            None,
            {"session_id": session_id, "course_code": out.course_code, "staff_id": data.staff_id},
        )
    return out


async def list_enrolments(who: Principal, session_id: int, *, limit: int, offset: int) -> Page[EnrolmentOut]:
    if not await TS.exists().where(TS.id == session_id):
        raise NotFound(f"no training session {session_id}")
    where = [E.session == session_id, *_staff_filters(who, E.staff, E.staff.kindergarten)]
    rows = (
        await E.select(*ENROLMENT_COLUMNS)
        .where(*where)
        .order_by(E.staff.name)
        .order_by(E.id)
        .limit(limit)
        .offset(offset)
    )
    total = await E.count().where(*where)
    results = await _results_of([r["id"] for r in rows])
    return Page(items=[_enrolment_out(r, results.get(r["id"])) for r in rows], total=total, limit=limit, offset=offset)


# --- Results -----------------------------------------------------------------------------------


async def on_result_recorded(who: Principal, result: ResultOut, *, staff_id: int, course_id: int) -> None:
    """Hook called inside the result's write transaction, after its audit event.

    A PASSED result writes its credits ledger entry here (category = the course's, source
    ``training``, the hours attended, the course's credits, reference ``training_result:<id>``,
    unique per source), so the result and its credits commit or roll back together.
    """
    if not result.passed:
        return

    course = await C.select(C.category, C.credits).where(C.id == course_id).first()
    if course is None:  # pragma: no cover - the enrolment's course exists (RESTRICT)
        return
    await record_training_result(
        who,
        result_id=result.id,
        staff_id=staff_id,
        day=result.completed_on,
        category=course["category"],
        hours=Decimal(str(result.hours)),
        credits=_dec(course["credits"]),
    )


async def record_result(who: Principal, data: ResultCreate) -> ResultOut:
    async with write_transaction():
        if not is_sqlite():
            # Serialise results for one enrolment: the second one then sees the first (409).
            await E.select(E.id).where(E.id == data.enrolment_id).lock_rows()
        enrolment = (
            await E.select(
                E.id,
                E.staff,
                E.session.starts_on.as_alias("starts_on"),
                E.session.ends_on.as_alias("ends_on"),
                E.session._.course.as_alias("course_id"),
                E.session._.course._.hours.as_alias("course_hours"),
            )
            .where(E.id == data.enrolment_id)
            .first()
        )
        if enrolment is None:
            raise NotFound(f"no enrolment {data.enrolment_id}")
        if await R.exists().where(R.enrolment == data.enrolment_id):
            raise Conflict(
                f"enrolment {data.enrolment_id} has a result already", [FieldError("enrolment_id", "duplicate")]
            )
        day = today()
        completed_on = data.completed_on or rules.default_completed_on(enrolment["ends_on"], day)
        problems = rules.result_problems(
            hours=data.hours,
            passed=data.passed,
            score=data.score,
            completed_on=completed_on,
            course_hours=_dec(enrolment["course_hours"]),
            session_starts_on=enrolment["starts_on"],
            today=day,
        )
        if problems:
            errors = [FieldError(f, m) for f, m in problems]
            raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)
        rows = await R.insert(
            R(
                enrolment=data.enrolment_id,
                hours=data.hours,
                passed=data.passed,
                score=data.score,
                completed_on=completed_on,
                recorded_by=who.username,
                recorded_at=utcnow(),
            )
        ).returning(R.id)
        row = await R.select(*RESULT_COLUMNS).where(R.id == rows[0]["id"]).first()
        assert row is not None
        out = _result_out(row)
        await record(
            who,
            "create",
            "training_result",
            out.id,
            None,
            {**out.model_dump(mode="json", exclude={"recorded_at"}), "staff_id": enrolment["staff"]},
        )
        await on_result_recorded(who, out, staff_id=enrolment["staff"], course_id=enrolment["course_id"])
    return out


# --- A person's training -----------------------------------------------------------------------


async def staff_training(who: Principal, staff_id: int) -> StaffTraining:
    person = await _scoped_staff(who, staff_id)
    rows = (
        await E.select(
            E.id,
            E.session,
            E.session._.course.as_alias("course_id"),
            E.session._.course._.code.as_alias("course_code"),
            E.session._.course._.title.as_alias("course_title"),
            E.session._.course._.category.as_alias("category"),
            E.session._.course._.level.as_alias("level"),
            E.session._.course._.mode.as_alias("mode"),
            E.session._.course._.hours.as_alias("course_hours"),
            E.session._.course._.credits.as_alias("credits"),
            E.session.starts_on.as_alias("starts_on"),
            E.session.ends_on.as_alias("ends_on"),
            E.enrolled_at,
        )
        .where(E.staff == staff_id)
        .order_by(E.session.starts_on, ascending=False)
        .order_by(E.id, ascending=False)
    )
    results = await _results_of([r["id"] for r in rows])
    records = [
        TrainingRecord(
            enrolment_id=r["id"],
            session_id=r["session"],
            course_id=r["course_id"],
            course_code=r["course_code"],
            course_title=r["course_title"],
            category=r["category"],
            level=r["level"],
            mode=r["mode"],
            course_hours=float(_dec(r["course_hours"])),
            credits=float(_dec(r["credits"])),
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            enrolled_at=r["enrolled_at"],
            result=results.get(r["id"]),
        )
        for r in rows
    ]
    return StaffTraining(
        staff_id=person["id"], name=person["name"], kindergarten_id=person["kindergarten"], records=records
    )


# --- For other apps: passed training -----------------------------------------------------------


@dataclass(frozen=True)
class PassedTraining:
    """A passed result, as the certificate and credit rules need it."""

    result_id: int
    course_id: int
    course_code: str
    title: str
    category: str
    completed_on: date
    hours: Decimal  # hours attended, as recorded with the result
    course_hours: Decimal
    score: Decimal | None


async def passed_training(staff_id: int, categories: Iterable[str]) -> list[PassedTraining]:
    """The person's PASSED results in courses of these categories, newest first (no scoping: callers
    are services that have scoped the person already)."""
    wanted = sorted({str(c) for c in categories})
    if not wanted:
        return []
    rows = (
        await R.select(
            R.id,
            R.completed_on,
            R.hours,
            R.score,
            R.enrolment._.session._.course.as_alias("course_id"),
            R.enrolment._.session._.course._.code.as_alias("course_code"),
            R.enrolment._.session._.course._.title.as_alias("title"),
            R.enrolment._.session._.course._.category.as_alias("category"),
            R.enrolment._.session._.course._.hours.as_alias("course_hours"),
        )
        .where(
            R.passed == True,  # noqa: E712 - a Piccolo expression, not a comparison
            R.enrolment._.staff == staff_id,
            R.enrolment._.session._.course._.category.is_in(wanted),
        )
        .order_by(R.completed_on, ascending=False)
        .order_by(R.id, ascending=False)
    )
    return [
        PassedTraining(
            result_id=r["id"],
            course_id=r["course_id"],
            course_code=r["course_code"],
            title=r["title"],
            category=r["category"],
            completed_on=r["completed_on"],
            hours=_dec(r["hours"]),
            course_hours=_dec(r["course_hours"]),
            score=None if r["score"] is None else _dec(r["score"]),
        )
        for r in rows
    ]


async def passed_staff_ids(categories: Iterable[str], year: int | None = None) -> set[int]:
    """Everyone with a PASSED result in a course of these categories (completed in ``year`` if given):
    one query, for set-wise rules."""
    wanted = sorted({str(c) for c in categories})
    if not wanted:
        return set()
    where: list[Any] = [R.passed == True, R.enrolment._.session._.course._.category.is_in(wanted)]  # noqa: E712
    if year is not None:
        first, last = rules.year_bounds(year)
        where += [R.completed_on >= first, R.completed_on <= last]
    rows = await R.select(R.enrolment._.staff.as_alias("staff_id")).where(*where).distinct()
    return {r["staff_id"] for r in rows}


# --- Coverage ----------------------------------------------------------------------------------


def _in_list(values: Iterable[Any]) -> str:
    return ", ".join("{}" for _ in values)


async def _on_post_by_kindergarten(kg: int | None) -> dict[int, int]:
    sql = "SELECT s.kindergarten AS kg, COUNT(*) AS n FROM staff s WHERE s.status = {}"
    args: list[Any] = [StaffStatus.on_post.value]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten", *args)
    return {r["kg"]: int(r["n"]) for r in rows}


async def _covered_by_kindergarten(
    categories: tuple[str, ...], year: int, kg: int | None
) -> dict[tuple[int, str], int]:
    first, last = rules.year_bounds(year)
    sql = (
        "SELECT s.kindergarten AS kg, c.category AS category, COUNT(DISTINCT s.id) AS n"
        " FROM training_result r"
        " JOIN training_enrolment e ON e.id = r.enrolment"
        " JOIN staff s ON s.id = e.staff"
        ' JOIN training_session ts ON ts.id = e."session"'
        " JOIN training_course c ON c.id = ts.course"
        " WHERE r.passed = {} AND r.completed_on >= {} AND r.completed_on <= {} AND s.status = {}"
        f" AND c.category IN ({_in_list(categories)})"
    )
    args: list[Any] = [True, first, last, StaffStatus.on_post.value, *categories]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten, c.category", *args)
    return {(r["kg"], r["category"]): int(r["n"]) for r in rows}


async def _family_instructors_by_kindergarten(day: date, kg: int | None) -> dict[int, int]:
    sql = (
        "SELECT s.kindergarten AS kg, COUNT(DISTINCT s.id) AS n"
        " FROM certificate ce JOIN staff s ON s.id = ce.staff"
        " WHERE ce.type = {} AND ce.status = {} AND (ce.expires_on IS NULL OR ce.expires_on >= {})"
        " AND s.status = {}"
    )
    args: list[Any] = [FAMILY_INSTRUCTOR_CERTIFICATE, CertificateStatus.valid.value, day, StaffStatus.on_post.value]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten", *args)
    return {r["kg"]: int(r["n"]) for r in rows}


async def coverage(who: Principal, *, year: int | None = None, category: str | None = None) -> CoverageOut:
    """Share of on-post staff with a passed result in each coverage category completed in ``year``,
    per kindergarten and overall, and the kindergartens without a family-education instructor.

    Set-wise: four queries whatever the number of kindergartens or people.
    """
    day = today()
    year = year or day.year
    try:
        policy = policy_on(rules.policy_day_for_year(year, day))
    except LookupError:
        raise Invalid.field("year", f"no policy version is in force in {year}") from None
    categories = rules.coverage_categories(policy.coverage.categories, category)
    target = policy.coverage.target_rate
    scope = kindergarten_scope(who)

    kg_query = (
        K.select(K.id, K.code, K.name, K.street, K.collab_group)
        .where(K.closed_on.is_null() | (K.closed_on > day))
        .order_by(K.code)
    )
    if scope is not None:
        kg_query = kg_query.where(K.id == scope)
    kindergartens = await kg_query
    on_post = await _on_post_by_kindergarten(scope)
    covered = await _covered_by_kindergarten(categories, year, scope)
    instructors = await _family_instructors_by_kindergarten(day, scope)

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows: list[KindergartenCoverage] = []
    lacking: list[KindergartenRef] = []
    for k in kindergartens:
        n = on_post.get(k["id"], 0)
        cells: dict[str, CoverageCell] = {}
        for cat in categories:
            got = covered.get((k["id"], cat), 0)
            totals[cat][0] += n
            totals[cat][1] += got
            cells[cat] = CoverageCell(on_post=n, covered=got, rate=rules.coverage_rate(n, got), target=target)
        rows.append(
            KindergartenCoverage(
                kindergarten_id=k["id"],
                code=k["code"],
                name=k["name"],
                street=k["street"],
                group=k["collab_group"],
                by_category=cells,
            )
        )
        if rules.lacks_family_instructor(
            instructors.get(k["id"], 0), policy.coverage.family_instructors_per_kindergarten
        ):
            lacking.append(KindergartenRef(kindergarten_id=k["id"], code=k["code"], name=k["name"]))
    district = {
        cat: CoverageCell(
            on_post=totals[cat][0],
            covered=totals[cat][1],
            rate=rules.coverage_rate(totals[cat][0], totals[cat][1]),
            target=target,
        )
        for cat in categories
    }
    return CoverageOut(
        year=year,
        scope="district" if scope is None else "kindergarten",
        categories=list(categories),
        district=district,
        kindergartens=rows,
        without_family_instructor=lacking,
        policy=PolicyRef(id=policy.id, source=policy.coverage.source),
    )
