"""Training enrolments, and a person's training record.

Every write runs in one ``write_transaction()`` with its audit event. Reads of people's
enrolments are scoped like the staff register (see ``training.common``).
"""

from __future__ import annotations

from typing import Any

from kernel.auth import Principal
from kernel.common.schemas import Page
from kernel.common.time import utcnow
from kernel.db import is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, NotFound
from kernel.i18n import _
from registry.audit.services import record
from training import rules
from training.common import dec, results_of, scoped_staff, staff_filters
from training.schemas import (
    EnrolmentCreate,
    EnrolmentOut,
    ResultOut,
    StaffTraining,
    TrainingRecord,
)
from training.tables import Enrolment as E
from training.tables import TrainingSession as TS

# --- Enrolments --------------------------------------------------------------------------------

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
            raise NotFound(_("no training session {session}", session=session_id))
        person = await scoped_staff(who, data.staff_id)
        taken = await E.count().where(E.session == session_id)
        already = await E.exists().where(E.session == session_id, E.staff == data.staff_id)
        capacity = rules.effective_capacity(session["capacity"], session["course_capacity"])
        refused = rules.enrolment_problem(person["status"], already, capacity, taken)
        if refused:
            code, problem = refused
            raise Conflict(problem, [FieldError("staff_id", problem)], code=code)
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
        raise NotFound(_("no training session {session}", session=session_id))
    where = [E.session == session_id, *staff_filters(who, E.staff, E.staff.kindergarten)]
    rows = (
        await E.select(*ENROLMENT_COLUMNS)
        .where(*where)
        .order_by(E.staff.name)
        .order_by(E.id)
        .limit(limit)
        .offset(offset)
    )
    total = await E.count().where(*where)
    results = await results_of([r["id"] for r in rows])
    return Page(items=[_enrolment_out(r, results.get(r["id"])) for r in rows], total=total, limit=limit, offset=offset)


# --- A person's training -----------------------------------------------------------------------


async def staff_training(who: Principal, staff_id: int) -> StaffTraining:
    person = await scoped_staff(who, staff_id)
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
    results = await results_of([r["id"] for r in rows])
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
            course_hours=float(dec(r["course_hours"])),
            credits=float(dec(r["credits"])),
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
