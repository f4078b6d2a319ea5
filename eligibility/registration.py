"""定期注册 per person (中小学教师资格定期注册暂行办法): the person's own five-year period, counted from
their last passed registration of the teacher qualification (or its issue), and the answer on a day:

- ``refused`` (不予注册): the qualification revoked, a serious ethics breach in the period (a standing
  sanction of a kind the policy lists: removal, dismissal), or 不合格 two school years running;
- ``not_due``: the period ends more than the policy's window (12 months) after the day;
- ``deferred`` (暂缓注册): fewer than the policy's hours (360) of study since the period began, or a
  不合格 year in the period;
- ``eligible`` otherwise.

The hours are those on the ledger from the period's first day up to the day asked about (a late
registration counts what was done since). The school years read are those that ended in the period
by that day, with the grade that counts (held to its year's sanction caps). ``period_hours`` and
``periods`` are the batch's set-wise reads; the single answer works the same figures out from the
person's own rows."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from typing import Any

from certificates.rules import registration_due
from credits.rules import dec, shown
from eligibility.rules import Reason
from eligibility.schemas import RegistrationOut
from ethics.codes import EthicsGrade
from ethics.reads import counted_grades
from ethics.rules import CountedGrade, add_months, grade_rank, measure_words
from kernel.codes import CertificateStatus, CertificateType, label
from kernel.db import fetch_all
from kernel.policy import Policy, policy_on
from kernel.rows import as_day

STATUS_WORDS = {"not_due": "未到注册期", "eligible": "符合注册条件", "deferred": "暂缓注册", "refused": "不予注册"}
TQ = CertificateType.teacher_qualification.value
REVOKED = CertificateStatus.revoked.value


@dataclass(frozen=True)
class Period:
    period_from: date
    period_to: date  # the last day of the five years (29 February -> 28 February)
    revoked: bool  # no teacher qualification of the person stands (every one revoked)


def period_of(certificates: Iterable[dict[str, Any]], years: int) -> Period | None:
    """The period from the person's teacher-qualification rows (``issued_on``, ``status``, and
    ``last_passed``: the last passed registration by the day asked about): the latest start among
    the qualifications that stand (all of them when every one was revoked); None without one."""
    rows = list(certificates)
    if not rows:
        return None
    standing = [r for r in rows if r["status"] != REVOKED]
    chosen = standing or rows
    starts = [(r["last_passed"] or r["issued_on"], r) for r in chosen]
    start, row = max(starts, key=lambda x: x[0])
    return Period(start, registration_due(row["issued_on"], row["last_passed"], years), revoked=not standing)


def school_years_in(period_from: date, on: date) -> list[str]:
    """The school years (1 September .. 31 August) that ended in the period by ``on``."""
    first_end = period_from.year if period_from <= date(period_from.year, 8, 31) else period_from.year + 1
    return list(_school_years(first_end, on))


@lru_cache(maxsize=4096)  # a round asks for thousands of periods that start in a few dozen school years
def _school_years(first_end: int, on: date) -> tuple[str, ...]:
    last_end = on.year if on >= date(on.year, 8, 31) else on.year - 1
    return tuple(f"{y - 1}-{y}" for y in range(first_end, last_end + 1))


@dataclass(frozen=True)
class Answer:
    status: str
    detail: str
    words: str


def answer(
    period: Period,
    on: date,
    hours: Decimal,
    grades: dict[str, str],
    serious: Sequence[str],
    policy: Policy,
) -> Answer:
    """The registration answer on ``on``. ``grades``: school year -> the grade that counts, for the
    years in the period; ``serious``: the refusing sanctions standing in the period (their kinds)."""
    worst = policy.ethics.grade_order[0]
    needed = Decimal(policy.certificates.registration_hours)
    window_end = add_months(on, policy.certificates.registration_window_months)
    years = school_years_in(period.period_from, on)
    failed = [sy for sy in years if grades.get(sy) == worst]
    running = [b for a, b in pairwise(years) if a in failed and b in failed]
    why: list[tuple[str, str]] = []
    if period.revoked:
        why.append(("the teacher qualification is revoked", "教师资格已被撤销"))
    if serious:
        why.append((f"serious ethics breach: {', '.join(serious)}", "有严重违反师德行为"))
    if running:
        why.append((f"unqualified two years running ({running[0]})", "连续两年年度考核不合格"))
    if why:
        status = "refused"
    elif period.period_to > window_end:
        status = "not_due"
    else:
        short = hours < needed
        if short:
            why.append(
                (f"{shown(hours)} of {needed} hours of study", f"学时不足（{shown(hours)}/{shown(needed)} 学时）")
            )
        if failed:
            why.append((f"unqualified in {', '.join(failed)}", f"{'、'.join(failed)} 学年考核不合格"))
        # every year of the period needs an appraisal of the minimum grade or better (STANDARDS)
        minimum = policy.ethics.registration_min_grade
        below = [
            sy
            for sy in years
            if sy not in failed
            and (sy not in grades or grade_rank(grades[sy], policy.ethics) < grade_rank(minimum, policy.ethics))
        ]
        if below:
            why.append((f"no {minimum} appraisal in {', '.join(below)}", f"{'、'.join(below)} 学年无合格及以上的考核"))
        status = "deferred" if why else "eligible"
    head = f"period {period.period_from.isoformat()} to {period.period_to.isoformat()}: {status}"
    words = f"注册周期 {period.period_from.isoformat()} 至 {period.period_to.isoformat()}：{STATUS_WORDS[status]}"
    if why:
        head += " (" + "; ".join(e for e, _ in why) + ")"
        words += "（" + "；".join(c for _, c in why) + "）"
    return Answer(status, head, words)


# --- one person or a round: the inputs and the reasons ---------------------------------------------


@dataclass(frozen=True)
class RegistrationInput:
    """What the registration answer reads of one person (``inputs``), and the answer on the day."""

    period: Period | None
    hours: Decimal
    grades: dict[str, CountedGrade]
    serious: list[str]
    answer: Answer | None  # None without a period


async def inputs(on: date, condition: tuple[str, list[Any]]) -> dict[int, RegistrationInput]:
    """The registration inputs of everyone the condition on ``s`` selects (a round's roster, or one
    person): their period, the hours since it began, their graded school years (as the record stood
    on the day), the refusing sanctions; and the answer they give."""
    policy = policy_on(on)
    found = await periods(on, condition, policy.certificates.registration_years)
    starts = [p.period_from for p in found.values()]
    years = school_years_in(min(starts), on) if starts else []

    async def no_grades() -> dict[int, dict[str, CountedGrade]]:
        return {}

    hours, sanctions, grades = await asyncio.gather(
        period_hours(on, condition),
        refusing_sanctions(on, condition, policy.ethics.registration_refusal_sanctions),
        counted_grades(years, selection=condition, as_of=on) if years else no_grades(),
    )
    out = {}
    for staff_id, period in found.items():
        mine = grades.get(staff_id, {})
        worked = hours.get(staff_id, Decimal(0))
        serious = serious_in(period, sanctions.get(staff_id, []))
        counted = {sy: c.grade for sy, c in mine.items()}
        out[staff_id] = RegistrationInput(
            period, worked, mine, serious, answer(period, on, worked, counted, serious, policy)
        )
    return out


def registration_out(reg: RegistrationInput | None) -> RegistrationOut | None:
    if reg is None or reg.period is None or reg.answer is None:
        return None
    return RegistrationOut(
        period_from=reg.period.period_from,
        period_to=reg.period.period_to,
        status=reg.answer.status,
        words=reg.answer.words,
    )


def reasons_of(on: date, reg: RegistrationInput | None) -> list[Reason]:
    """定期注册 on the person's own period: the answer (eligible, or why not), the school years of the
    period by the day, and the hours of study since it began."""
    if reg is None or reg.period is None or reg.answer is None:
        return [Reason("registration_period", False, "no teacher qualification on record", "未持有教师资格证")]
    policy = policy_on(on)
    eth, period, answer_ = policy.ethics, reg.period, reg.answer
    out = [Reason("registration_period", answer_.status == "eligible", answer_.detail, answer_.words)]
    minimum = grade_rank(eth.registration_min_grade, eth)
    years = school_years_in(period.period_from, on)
    bad = [sy for sy in years if sy not in reg.grades or grade_rank(reg.grades[sy].grade, eth) < minimum]
    minimum_grade = eth.registration_min_grade
    grade_words = label(EthicsGrade, minimum_grade)
    out.append(
        Reason(
            "ethics_evaluations",
            not bad,
            f"{minimum_grade} or better in every school year of the period so far"
            if not bad
            else f"not {minimum_grade} or better in " + "; ".join(_grade_detail(sy, reg.grades.get(sy)) for sy in bad),
            f"本注册周期已结束的各学年师德考核均为{grade_words}及以上"
            if not bad
            else f"未达{grade_words}及以上：" + "；".join(_grade_words(sy, reg.grades.get(sy)) for sy in bad),
        )
    )
    needed = policy.certificates.registration_hours
    since = period.period_from.isoformat()
    out.append(
        Reason(
            "training_hours",
            reg.hours >= needed,
            f"{shown(reg.hours)} of {needed} hours of study recorded since {since}",
            f"{since} 起已记录 {shown(reg.hours)} 学时，定期注册要求 {needed} 学时",
        )
    )
    return out


def _grade_detail(school_year: str, c: CountedGrade | None) -> str:
    """A year of the registration rule in English: "2024-2025: basically_qualified (recorded qualified,
    capped by a demerit)"."""
    if c is None:
        return f"{school_year}: no evaluation"
    if not c.above_cap or c.cap_sanction is None:
        return f"{school_year}: {c.grade}"
    return f"{school_year}: {c.grade} (recorded {c.evaluation.grade}, capped by a {c.cap_sanction.sanction})"


def _grade_words(school_year: str, c: CountedGrade | None) -> str:
    if c is None:
        return f"{school_year} 学年无考核"
    words = f"{school_year} 学年{label(EthicsGrade, c.grade)}"
    if c.above_cap and c.cap_sanction is not None and c.cap_sanction.sanction is not None:
        words += f"（记录为{label(EthicsGrade, c.evaluation.grade)}，受{measure_words(c.cap_sanction.sanction)}限定）"
    return words


# --- set-wise reads (the batch) ---------------------------------------------------------------------

_CERTIFICATES = (
    "SELECT q.staff, q.issued_on, q.status, (SELECT MAX(g.registered_on) FROM certificate_registration g "
    "WHERE g.certificate = q.id AND g.result = 'passed' AND g.registered_on <= {}) AS last_passed "
    f"FROM certificate q WHERE q.type = '{TQ}' AND q.issued_on <= {{}}"
)


async def periods(on: date, condition: tuple[str, list[Any]], years: int) -> dict[int, Period]:
    """The registration period of everyone the condition on ``s`` (a round's roster) selects."""
    sql = _CERTIFICATES + " AND q.staff IN (SELECT s.id FROM staff s WHERE " + condition[0] + ")"
    rows: dict[int, list[dict[str, Any]]] = {}
    for r in await fetch_all(sql, on, on, *condition[1]):
        rows.setdefault(r["staff"], []).append(
            {"issued_on": as_day(r["issued_on"]), "status": r["status"], "last_passed": as_day(r["last_passed"])}
        )
    out = {}
    for staff_id, certs in rows.items():
        period = period_of(certs, years)
        if period is not None:
            out[staff_id] = period
    return out


async def period_hours(on: date, condition: tuple[str, list[Any]]) -> dict[int, Decimal]:
    """Hours of study on the ledger per person from their period's first day (as ``period_of`` picks
    it) up to ``on``; a reversal and the entry it reverses count nothing."""
    sql = (
        "WITH c AS (" + _CERTIFICATES
        + " AND q.staff IN (SELECT s.id FROM staff s WHERE " + condition[0] + ")), "
        "cf AS (SELECT c.staff, c.status, COALESCE(c.last_passed, c.issued_on) AS f FROM c), "
        f"p AS (SELECT cf.staff, COALESCE(MAX(CASE WHEN cf.status <> '{REVOKED}' THEN cf.f END), MAX(cf.f)) AS f "
        "FROM cf GROUP BY cf.staff) "
        "SELECT ce.staff, SUM(ce.hours) AS hours FROM credit_entry ce JOIN p ON p.staff = ce.staff "
        "WHERE ce.entry_date >= p.f AND ce.entry_date <= {} AND COALESCE(ce.reverses, 0) = 0 "
        "AND NOT EXISTS (SELECT 1 FROM credit_entry r WHERE r.reverses = ce.id AND r.entry_date <= {}) "
        "GROUP BY ce.staff"
    )  # fmt: skip
    rows = await fetch_all(sql, on, on, *condition[1], on, on)
    return {r["staff"]: dec(r["hours"]) for r in rows}


async def refusing_sanctions(on: date, condition: tuple[str, list[Any]], kinds: Sequence[str]) -> dict[int, list]:
    """The standing sanctions of the kinds that refuse registration, decided by ``on``: (bar_from, kind)
    per person of the selection."""
    if not kinds:
        return {}
    sql = (
        "SELECT x.staff, x.bar_from, x.sanction FROM ethics_sanction x WHERE x.sanction IS NOT NULL "
        "AND x.outcome <> 'lifted' AND x.decided_on <= {} "
        "AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = x.id) "
        f"AND x.sanction IN ({', '.join('{}' for _ in kinds)}) "
        "AND x.staff IN (SELECT s.id FROM staff s WHERE " + condition[0] + ")"
    )
    out: dict[int, list] = {}
    for r in await fetch_all(sql, on, *kinds, *condition[1]):
        out.setdefault(r["staff"], []).append((as_day(r["bar_from"]), r["sanction"]))
    return out


def serious_in(period: Period, sanctions: Iterable[tuple[date, str]]) -> list[str]:
    return [kind for bar_from, kind in sanctions if bar_from >= period.period_from]
