"""Training catalogue: courses and their sessions.

Every write runs in one ``write_transaction()`` with its audit event.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from piccolo.query.functions.aggregate import Count

from credits import policies
from credits.rules import policy_for
from kernel.auth import Principal
from kernel.common.like import contains, json_item, like, like_any, starts_with
from kernel.common.schemas import Page
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, FieldError, Invalid, NotFound
from kernel.i18n import F_, _
from kernel.rows import json_list
from registry.audit.services import record
from training import rules
from training.common import dec
from training.schemas import (
    CourseCreate,
    CourseOut,
    SessionCreate,
    SessionOut,
)
from training.tables import Course as C
from training.tables import Enrolment as E
from training.tables import TrainingSession as TS

# --- Courses -----------------------------------------------------------------------------------


def _course_out(row: dict[str, Any]) -> CourseOut:
    return CourseOut(
        id=row["id"],
        code=row["code"],
        title=row["title"],
        category=row["category"],
        level=row["level"],
        mode=row["mode"],
        hours=float(dec(row["hours"])),
        credits=float(dec(row["credits"])),
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
        where.append(like('CAST("training_course"."required_for" AS TEXT)', json_item(post)))
    if search:
        term = search.strip()
        where.append(
            like_any(
                '"training_course"."code"', '"training_course"."title"', patterns=(starts_with(term), contains(term))
            )
        )
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
        raise NotFound(_("no course {course}", course=course_id))
    return _course_out(row)


async def create_course(who: Principal, data: CourseCreate) -> CourseOut:

    # the rate by mode from the recognition policy in force today (HR's versions, as for the ledger)
    recognition = policy_for(today(), await policies.policy_versions()).recognition
    credits, credits_set = rules.course_credits(data.hours, data.mode, data.credits, recognition)
    async with write_transaction():
        if await C.exists().where(C.code == data.code):
            raise Conflict(
                _("course code {code} exists already", code=data.code),
                [FieldError("code", _("duplicate"))],
                code="duplicate",
            )
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
        raise NotFound(_("no training session {session}", session=session_id))
    taken = await E.count().where(E.session == session_id)
    return _session_out(row, taken)


async def create_session(who: Principal, data: SessionCreate) -> SessionOut:
    problem = rules.session_dates_problem(data.starts_on, data.ends_on)
    if problem:
        raise Invalid.field(F_("ends_on"), problem)
    async with write_transaction():
        if not await C.exists().where(C.id == data.course_id):
            raise Invalid.field(F_("course_id"), _("no course {course}", course=data.course_id))
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
