"""Pure rules of training: credits from hours, session dates, seats, results, coverage arithmetic.

No I/O here; every number comes from the policy (``kernel.policy``) passed in as an argument.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from credits import rules as credit_rules
from credits.codes import CourseMode
from kernel.i18n import F_, _
from kernel.policy import RecognitionPolicy

CREDIT_STEP = Decimal("0.01")
"""Credits are kept to two decimals (half up): 7 h online at 20 h/credit is 0.35, not 0.5 or 0.
Rounding to 0.5 would lose up to 0.25 credit per course, which adds up over a five-year cycle;
two decimals is also the column's scale (NUMERIC(6,2))."""

SCORE_MAX = Decimal(100)


def derive_credits(hours: Decimal, mode: CourseMode | str, rec: RecognitionPolicy) -> Decimal:
    """Credits a course is worth: hours / the recognition policy's rate for its mode, to 0.01.

    The rates live in the credit recognition policy (``hours_per_credit_by_mode``), the same
    versioned, HR-edited source as the ledger's rates by source (``credits.rules``)."""
    return credit_rules.course_credits(Decimal(hours), CourseMode(mode).value, rec)


def course_credits(
    hours: Decimal, mode: CourseMode | str, explicit: Decimal | None, policy: RecognitionPolicy
) -> tuple[Decimal, bool]:
    """(credits, credits_set): the explicit value when given (set by HR), else the derived one."""
    if explicit is not None:
        return Decimal(explicit).quantize(CREDIT_STEP, rounding=ROUND_HALF_UP), True
    return derive_credits(hours, mode, policy), False


def credited_hours(passed_hours: Decimal, already: Decimal, course_hours: Decimal) -> Decimal:
    """The hours a passed result earns credits for (STANDARDS, the calendar): its own hours, but the
    passed results of one course and person together never exceed the course's hours (``already``:
    the hours the person's other results of the course have earned). District reading: "together" is
    within one calendar year, so the yearly required courses (ethics, family, safety) taken again in a
    later year earn again, while a make-up in the same year only completes the course."""
    return max(min(passed_hours, course_hours - already), Decimal(0))


def allocate_credited_hours(results: Sequence[tuple[int, Decimal]], course_hours: Decimal) -> dict[int, Decimal]:
    """The hours each passed result of one course, person and calendar year earns credits for, when
    they are credited together (after a correction): ``results`` are (result id, passed hours) in
    crediting order (completion day, then id), and each earns its own hours up to what the earlier
    ones left of the course's (``credited_hours``), so together they never exceed the course's hours
    and never fall short of them while enough hours were passed."""
    credited: dict[int, Decimal] = {}
    already = Decimal(0)
    for result_id, passed_hours in results:
        hours = credited_hours(passed_hours, already, course_hours)
        credited[result_id] = hours
        already += hours
    return credited


def result_credits(
    hours: Decimal,
    *,
    course_hours: Decimal,
    course_credits: Decimal,
    credits_set: bool,
    mode: CourseMode | str,
    rec: RecognitionPolicy,
) -> Decimal:
    """The credits of ``hours`` of a course: at the recognition policy's rate for its mode (the policy
    in force on the day the result was completed), or, for a course whose credits HR set by hand,
    that share of them. 80 h of a 120 h in-person course: 8 credits, not the course's 12."""
    if credits_set:
        if course_hours <= 0:
            return Decimal(0)
        share = Decimal(course_credits) * hours / course_hours
        return share.quantize(CREDIT_STEP, rounding=ROUND_HALF_UP)
    return derive_credits(hours, mode, rec)


def session_dates_problem(starts_on: date, ends_on: date) -> str | None:
    if ends_on < starts_on:
        return _(
            "ends before it starts ({ends_on} < {starts_on})",
            ends_on=ends_on.isoformat(),
            starts_on=starts_on.isoformat(),
        )
    return None


def effective_capacity(session_capacity: int | None, course_capacity: int | None) -> int | None:
    """The session's own capacity, else the course's default; None means unlimited."""
    return session_capacity if session_capacity is not None else course_capacity


def seats_left(capacity: int | None, taken: int) -> int | None:
    if capacity is None:
        return None
    return max(capacity - taken, 0)


def enrolment_problem(
    staff_status: str, already_enrolled: bool, capacity: int | None, taken: int
) -> tuple[str, str] | None:
    """Why a person may not be enrolled in a session (a 409): (its stable code, the message), or None."""
    if staff_status == "left":
        return "staff-left", _("the person has left; people who left are not enrolled")
    if already_enrolled:
        return "duplicate", _("the person is enrolled in this session already")
    if capacity is not None and taken >= capacity:
        return "over-capacity", _(
            "the session is full ({taken} of {capacity} seats taken)", taken=taken, capacity=capacity
        )
    return None


def default_completed_on(session_ends_on: date, today: date) -> date:
    """A result without a completion day completes on the session's last day, or today if that is later."""
    return min(session_ends_on, today)


def result_problems(
    *,
    hours: Decimal,
    passed: bool,
    score: Decimal | None,
    completed_on: date,
    course_hours: Decimal,
    session_starts_on: date,
    today: date,
) -> list[tuple[str, str]]:
    """Field problems of a result (each a 422): (field, message) pairs.

    Attended hours are 0..the course's hours (nobody attends more than the course has); a passed
    result needs some attendance; a score, when given, is 0..100; the completion day lies between
    the session's first day and today.
    """
    problems: list[tuple[str, str]] = []
    if hours < 0:
        problems.append((F_("hours"), _("must not be negative")))
    elif hours > course_hours:
        problems.append((F_("hours"), _("more than the course's {hours} hours", hours=course_hours)))
    elif passed and hours == 0:
        problems.append((F_("hours"), _("a passed result needs attended hours")))
    if score is not None and not (0 <= score <= SCORE_MAX):
        problems.append((F_("score"), _("must be between 0 and {maximum}", maximum=SCORE_MAX)))
    if completed_on < session_starts_on:
        problems.append((F_("completed_on"), _("before the session starts ({day})", day=session_starts_on.isoformat())))
    elif completed_on > today:
        problems.append((F_("completed_on"), _("is in the future")))
    return problems


# --- Coverage ----------------------------------------------------------------------------------


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def policy_day_for_year(year: int, today: date) -> date:
    """The day whose policy version judges a year: its last day, or today for the running year."""
    return min(date(year, 12, 31), today)


def coverage_categories(policy_categories: tuple[str, ...], category: str | None) -> tuple[str, ...]:
    """The categories a coverage report covers: the policy's, or just the one asked for."""
    return (category,) if category else tuple(policy_categories)


def coverage_rate(on_post: int, covered: int) -> float | None:
    """Share of on-post staff covered, to four decimals; None for a kindergarten with nobody on post."""
    if on_post <= 0:
        return None
    return round(covered / on_post, 4)


def lacks_family_instructor(instructors: int, required: int) -> bool:
    return instructors < required
