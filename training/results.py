"""Training results, and the passed training other apps rely on.

Every write runs in one ``write_transaction()`` with its audit event.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from credits.ledger import (
    CORRECTED_RESULT,
    PASSED_TRAINING,
    RECREDITED,
    RESULT_CORRECTED,
    credited_training_hours,
    record_training_result,
    reverse_training_result,
)
from credits.policies import policy_versions
from credits.rules import policy_for
from kernel.auth import Principal
from kernel.common.time import today, utcnow
from kernel.db import is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, Invalid, NotFound
from kernel.i18n import F_, _, field_label
from registry.audit.services import record
from registry.staff.services import lock_person
from training import rules
from training.common import RESULT_COLUMNS, dec, result_out
from training.schemas import (
    ResultCorrection,
    ResultCreate,
    ResultOut,
)
from training.tables import Course as C
from training.tables import Enrolment as E
from training.tables import TrainingResult as R

# --- Results -----------------------------------------------------------------------------------


async def _course_of_result(result_id: int) -> dict[str, Any]:
    row = (
        await R.select(
            R.id,
            R.enrolment._.staff.as_alias("staff_id"),
            R.enrolment._.session._.course.as_alias("course_id"),
        )
        .where(R.id == result_id)
        .first()
    )
    assert row is not None
    return row


async def _results_of_course(staff_id: int, course_id: int, year: int) -> set[int]:
    """The person's results of the course completed in the calendar year ``year``."""
    rows = await R.select(R.id).where(
        R.enrolment._.staff == staff_id,
        R.enrolment._.session._.course == course_id,
        R.completed_on >= date(year, 1, 1),
        R.completed_on <= date(year, 12, 31),
    )
    return {int(r["id"]) for r in rows}


async def _passed_in_year(staff_id: int, course_id: int, year: int) -> list[dict[str, Any]]:
    """The person's PASSED results of the course completed in the calendar year ``year``, in crediting
    order (completion day, then id: the earlier result keeps its hours first)."""
    first, last = rules.year_bounds(year)
    return list(
        await R.select(R.id, R.hours, R.completed_on)
        .where(
            R.passed == True,  # noqa: E712 - a Piccolo expression, not a comparison
            R.enrolment._.staff == staff_id,
            R.enrolment._.session._.course == course_id,
            R.completed_on >= first,
            R.completed_on <= last,
        )
        .order_by(R.completed_on)
        .order_by(R.id)
    )


async def _course(course_id: int) -> dict[str, Any] | None:
    return await C.select(C.category, C.credits, C.credits_set, C.hours, C.mode).where(C.id == course_id).first()


async def _write_entry(
    who: Principal,
    course: dict[str, Any],
    *,
    result_id: int,
    staff_id: int,
    day: date,
    hours: Decimal,
    correction: int | None,
    reason: str,
) -> None:
    """The ledger entry of ``hours`` of a passed result completed on ``day``, at the recognition
    policy's rate on that day (``rules.result_credits``); nothing for 0 hours."""
    rec = policy_for(day, await policy_versions()).recognition
    credits = rules.result_credits(
        hours,
        course_hours=dec(course["hours"]),
        course_credits=dec(course["credits"]),
        credits_set=bool(course["credits_set"]),
        mode=course["mode"],
        rec=rec,
    )
    await record_training_result(
        who,
        result_id=result_id,
        staff_id=staff_id,
        day=day,
        category=course["category"],
        hours=hours,
        credits=credits,
        correction=correction,
        reason=reason,
    )


async def _credit(who: Principal, result: ResultOut, *, staff_id: int, course_id: int) -> None:
    """The ledger entry of a newly recorded passed result: the hours it earns credits for (all passed
    results of one course and person completed in one calendar year together at most the course's
    hours: a make-up completes the course, it does not earn it twice; the yearly required courses
    taken again in a later year earn again), at the recognition policy's rate on the day it was
    completed (``rules.result_credits``)."""
    if not result.passed:
        return
    course = await _course(course_id)
    if course is None:  # pragma: no cover - the enrolment's course exists (RESTRICT)
        return
    await lock_person(staff_id)  # results of one person are credited one at a time (the cap reads the ledger)
    others = await _results_of_course(staff_id, course_id, result.completed_on.year) - {result.id}
    already = await credited_training_hours(staff_id, others) if others else Decimal(0)
    hours = rules.credited_hours(Decimal(str(result.hours)), already, dec(course["hours"]))
    await _write_entry(
        who,
        course,
        result_id=result.id,
        staff_id=staff_id,
        day=result.completed_on,
        hours=hours,
        correction=None,
        reason=PASSED_TRAINING,
    )


async def _recredit(
    who: Principal, before: ResultOut, after: ResultOut, *, staff_id: int, course_id: int, reason: str
) -> None:
    """The ledger after a correction of a result (inside its transaction): the passed results of the
    course and person in the calendar years the correction touches (the old completion year and the
    new one) are credited together again in crediting order (``rules.allocate_credited_hours``). The
    corrected result's entries are reversed and its corrected entry written (``training_result:<id>:c<n>``);
    a sibling whose credited hours change (the cap had cut it because of the corrected result, or now
    cuts it) has its entry reversed and the new one written the same way, audited (``recredit``)."""
    course = await _course(course_id)
    assert course is not None  # the enrolment's course exists (RESTRICT)
    rows: dict[int, dict[str, Any]] = {}
    credited: dict[int, Decimal] = {}
    for year in sorted({before.completed_on.year, after.completed_on.year}):
        passed = await _passed_in_year(staff_id, course_id, year)
        rows.update({int(r["id"]): r for r in passed})
        credited.update(
            rules.allocate_credited_hours([(int(r["id"]), dec(r["hours"])) for r in passed], dec(course["hours"]))
        )
    # the notes are stored in English as written (``credits.ledger.note_words`` shows them translated)
    entries = await reverse_training_result(who, staff_id, after.id, RESULT_CORRECTED.format(reason=reason))
    if after.id in credited:
        await _write_entry(
            who,
            course,
            result_id=after.id,
            staff_id=staff_id,
            day=after.completed_on,
            hours=credited[after.id],
            correction=entries + 1,
            reason=CORRECTED_RESULT.format(reason=reason),
        )
    for sibling, hours in credited.items():
        if sibling == after.id:
            continue
        was = await credited_training_hours(staff_id, {sibling})
        if was == hours:
            continue
        why = RECREDITED.format(result=after.id, reason=reason)
        entries = await reverse_training_result(who, staff_id, sibling, why)
        day = rows[sibling]["completed_on"]
        await _write_entry(
            who, course, result_id=sibling, staff_id=staff_id, day=day, hours=hours, correction=entries + 1, reason=why
        )
        await record(
            who,
            "recredit",
            "training_result",
            sibling,
            {"credited_hours": float(was)},
            {"credited_hours": float(hours), "corrected_result": after.id, "reason": reason, "staff_id": staff_id},
        )


async def on_result_recorded(who: Principal, result: ResultOut, *, staff_id: int, course_id: int) -> None:
    """Hook called inside the result's write transaction, after its audit event.

    A PASSED result writes its credits ledger entry here (category = the course's, source
    ``training``, the hours it earns credits for and their credits, reference ``training_result:<id>``,
    unique per source), so the result and its credits commit or roll back together.
    """
    await _credit(who, result, staff_id=staff_id, course_id=course_id)


def _invalid(problems: list[tuple[str, str]]) -> Invalid:
    """The 422 of a result's field problems (``rules.result_problems``), every one named."""
    errors = [FieldError(f, m) for f, m in problems]
    detail = _("; ").join(_("{field}: {message}", field=field_label(e.field), message=e.message) for e in errors)
    return Invalid(detail, errors)


async def correct_result(who: Principal, result_id: int, data: ResultCorrection) -> ResultOut:
    """Correct a recorded result (hours, passed, score, completion day), with a reason, in one
    transaction: the result row, a reversal of the ledger entries it earned, the entry of the
    corrected result (reference ``training_result:<id>:c<n>``), the entries of the sibling results
    (same course, person and calendar year) the course cap now credits differently (``_recredit``),
    and a ``correct`` audit event."""
    changes = data.model_dump(exclude_unset=True, exclude={"reason"})
    if not changes:
        raise Invalid.field(
            F_("hours"), _("nothing to correct: give the corrected hours, passed, score or completed_on")
        )
    for key in (F_("hours"), F_("passed")):  # a result always has them (a score may be cleared)
        if key in changes and changes[key] is None:
            raise Invalid.field(key, _("may not be null"))
    async with write_transaction():
        row = await R.select(*RESULT_COLUMNS).where(R.id == result_id).first()
        if row is None:
            raise NotFound(_("no training result {result}", result=result_id))
        before = result_out(row)
        where = await _course_of_result(result_id)
        staff_id = where["staff_id"]
        await lock_person(staff_id)  # the person's ledger is read and rewritten below (the course cap)
        enrolment = (
            await E.select(
                E.session.starts_on.as_alias("starts_on"), E.session._.course._.hours.as_alias("course_hours")
            )
            .where(E.id == before.enrolment_id)
            .first()
        )
        assert enrolment is not None
        hours = Decimal(str(changes.get("hours", before.hours)))
        passed = bool(changes.get("passed", before.passed))
        score = changes.get("score", None if before.score is None else Decimal(str(before.score)))
        completed_on = changes.get("completed_on") or before.completed_on
        problems = rules.result_problems(
            hours=hours,
            passed=passed,
            score=score,
            completed_on=completed_on,
            course_hours=dec(enrolment["course_hours"]),
            session_starts_on=enrolment["starts_on"],
            today=today(),
        )
        if problems:
            raise _invalid(problems)
        await R.update({R.hours: hours, R.passed: passed, R.score: score, R.completed_on: completed_on}).where(
            R.id == result_id
        )
        after = result_out(await R.select(*RESULT_COLUMNS).where(R.id == result_id).first())  # type: ignore[arg-type]
        await _recredit(who, before, after, staff_id=staff_id, course_id=where["course_id"], reason=data.reason)
        keep = {"hours", "passed", "score", "completed_on"}
        await record(
            who,
            "correct",
            "training_result",
            result_id,
            before.model_dump(mode="json", include=keep),
            {**after.model_dump(mode="json", include=keep), "reason": data.reason, "staff_id": staff_id},
        )
    return after


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
            raise NotFound(_("no enrolment {enrolment}", enrolment=data.enrolment_id))
        if await R.exists().where(R.enrolment == data.enrolment_id):
            raise Conflict(
                _("enrolment {enrolment} has a result already", enrolment=data.enrolment_id),
                [FieldError("enrolment_id", _("duplicate"))],
                code="duplicate",
            )
        day = today()
        completed_on = data.completed_on or rules.default_completed_on(enrolment["ends_on"], day)
        problems = rules.result_problems(
            hours=data.hours,
            passed=data.passed,
            score=data.score,
            completed_on=completed_on,
            course_hours=dec(enrolment["course_hours"]),
            session_starts_on=enrolment["starts_on"],
            today=day,
        )
        if problems:
            raise _invalid(problems)
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
        out = result_out(row)
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
            hours=dec(r["hours"]),
            course_hours=dec(r["course_hours"]),
            score=None if r["score"] is None else dec(r["score"]),
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
