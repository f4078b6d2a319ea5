"""Pure rules of the ethics area (师德): school years, bar periods, grade caps, the one-vote veto
(师德一票否决) and the kindergarten standing (责令整改).

Every number comes from the policy (``policy_on(day).ethics``), passed in as an argument.

Decisions, documented here once:

- A school year runs from 1 September to 31 August: 2025-09-01 .. 2026-08-31 is "2025-2026".
- Periods in months count as the Civil Code counts them (民法典 arts. 200–203): the decision day is
  not counted, the period ends on the corresponding day of its last month, or that month's last day
  where there is none. ``bar_until`` is the *last barred day*: the bar holds on
  ``bar_from <= day <= bar_until``. A 6-month warning decided 2025-03-10 bars through 2025-09-10;
  2025-09-11 is free. 2025-08-31 + 6 months ends on 2026-02-28; 2023-08-29 + 6 months on 2024-02-29.
- A policy value of 0 months (dismissal, 开除) means *no end*: dismissal ends employment, and the
  person never again takes part in awards, titles or promotion through this registry, so the bar
  is permanent (``bar_until`` is None).
- A sanction "belongs" to the school year of ``bar_from`` (its original decision date: an appeal
  that changes the sanction keeps the original start, it does not impose a new one). It caps the
  grade of that school year; with several sanctions the strictest cap applies (and names the
  earliest decided of the strictest, whatever the order they were recorded in).
- Other measures (``other_measures``, 教师〔2018〕19号 art. 3: 通报批评, 诫勉谈话 and the like with
  取消评优评先、职务晋升、职称评定等资格) are recorded as a sanction kind: no 处分, but they bar like
  one, for the policy's ``bar_months`` (at least 24 months), and so veto every purpose while in force.
  Their grade cap is the policy's, a district default (unverified): the 2012 appraisal rules cap
  the grade of a 处分 only, and other measures are none; the district reads 取消评优评先资格 as no
  优秀 in their school year (as a warning), and lowers nothing further (a response lighter than any
  处分 does not fail registration's 合格 or make a 不合格).
- The grade that counts is order-independent: every rule that reads a grade (registration's
  ``ethics_evaluations``, the veto) reads ``counted_grade``: min(recorded grade, the strictest cap of
  the current sanctions of its school year). Recording an evaluation better than the cap is refused
  (409); a sanction recorded *after* the year's evaluation does not change that record (the tables
  are append-only) but flags it as above the cap, and it counts at the cap. The cap is a property of
  the records, not of the day asked about: a capped evaluation counts at the cap from the day it was
  made, as the same evaluation recorded at the cap after the sanction would. The cap comes from the
  policy in force at the start of the evaluation's school year (``policy_of_year``), as the 409 does.
- A capped ``unqualified`` vetoes as a recorded one does: the appraisal rules allow no grade above
  不合格 in a year with a lowered-grade, removal or dismissal decision, so the year's grade *is* 不合格
  (the STANDARDS' veto for a 不合格 evaluation), and the office that records the sanction first can
  only record 不合格 for the year, which vetoes from the day it was made. Anything else would make
  the veto depend on the order the two were recorded in. The veto names the capping sanction.
- An appeal outcome is a new record that supersedes the one it answers: ``lifted`` (the sanction is
  void: no bar, no cap) or ``changed`` (the new sanction replaces the old one). Only records that
  no other record supersedes are current.
- The veto: an ``unqualified`` (the policy's worst grade) current evaluation vetoes from the day it was
  made (``evaluated_on``; nothing vetoes before it was made) until a later evaluation of the person
  (a current one of a later school year) replaces it, and in any case through the policy's
  ``veto_months`` (Civil Code count from ``evaluated_on``). Evaluations are made in July, so a 不合格
  covers the autumn rounds after it. A current sanction vetoes while in force. ``Veto.until`` is the
  last vetoed day, or None when no end is known yet (a permanent bar, or an evaluation not yet
  replaced). When several apply, the one that lasts longest is named (no end over any date).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING

from ethics.codes import EthicsGrade, SanctionKind, SanctionOutcome
from kernel.codes import label, term
from kernel.i18n import _, current_locale

if TYPE_CHECKING:
    from kernel.policy import EthicsPolicy


# "2025-2026": a school year, 1 September to 31 August
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


# --- school years ---------------------------------------------------------------------------------


def school_year_of(day: date) -> str:
    """1 September starts a school year: 2025-08-31 → "2024-2025", 2025-09-01 → "2025-2026"."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def latest_ended_school_year(day: date) -> str:
    """The last school year that ended before ``day``: 2026-11-29 → "2025-2026"; 2026-08-31 → "2024-2025"
    (the year 2025-2026 ends that day)."""
    start = (day.year if day.month >= 9 else day.year - 1) - 1
    return f"{start}-{start + 1}"


def parse_school_year(text: str) -> tuple[date, date] | None:
    """(first day, last day) of a "YYYY-(YYYY+1)" school year, or None if it is not of that form."""
    m = _SCHOOL_YEAR.match(text or "")
    if not m:
        return None
    first, second = int(m.group(1)), int(m.group(2))
    if second != first + 1 or first < 1900:
        return None
    return date(first, 9, 1), date(second, 8, 31)


def school_year_bounds(school_year: str) -> tuple[date, date]:
    bounds = parse_school_year(school_year)
    if bounds is None:
        raise ValueError(f"not a school year: {school_year!r}")
    return bounds


# --- bar periods and caps -----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: date, months: int) -> date:
    """The last day of a period of ``months`` that starts on ``start`` (its first day counted as the
    Civil Code counts it: from the next day, ending on the corresponding day of the last month or
    that month's last day): 2025-03-10 + 6 → 2025-09-10, 2025-08-31 + 6 → 2026-02-28."""
    return add_months(start, months)


def bar_until(bar_from: date, sanction: str, policy: EthicsPolicy) -> date | None:
    """The last day the sanction bars; None: a permanent bar (0 months)."""
    months = policy.bar_months[sanction]
    if months <= 0:
        return None
    return period_end(bar_from, months)


def grade_rank(grade: str, policy: EthicsPolicy) -> int:
    """Position in the policy's order, worst first: higher is better."""
    return policy.grade_order.index(grade)


def measure_words(kind: str) -> str:
    """A sanction kind in Chinese words: "记过处分"; other measures are no 处分: their label alone."""
    name = label(SanctionKind, kind)
    return name if kind == SanctionKind.other_measures else f"{name}处分"


def measure_term(kind: str) -> str:
    """A sanction kind inside a message: in Chinese words (``measure_words``) for a Chinese reader,
    the code otherwise."""
    return measure_words(kind) if current_locale() == "zh" else kind


def strictest_cap(sanctions: Iterable[str], policy: EthicsPolicy) -> tuple[str, str] | None:
    """(sanction, best grade it allows) of the strictest of the given sanctions, or None."""
    best: tuple[str, str] | None = None
    for s in sanctions:
        cap = policy.grade_cap[s]
        if best is None or grade_rank(cap, policy) < grade_rank(best[1], policy):
            best = (s, cap)
    return best


def grade_allowed(grade: str, cap: str, policy: EthicsPolicy) -> bool:
    return grade_rank(grade, policy) <= grade_rank(cap, policy)


# --- records and currency ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRecord:
    id: int
    staff_id: int
    school_year: str
    grade: str
    evaluated_on: date
    supersedes: int | None = None


@dataclass(frozen=True)
class SanctionRecord:
    id: int
    staff_id: int
    sanction: str | None  # None: lifted
    decided_on: date
    bar_from: date
    bar_until: date | None
    outcome: str = SanctionOutcome.decided.value
    supersedes: int | None = None

    @property
    def lifted(self) -> bool:
        return self.outcome == SanctionOutcome.lifted or self.sanction is None


def current_evaluations(evaluations: Iterable[EvaluationRecord]) -> dict[tuple[int, str], EvaluationRecord]:
    """(staff, school year) → the latest record that nothing supersedes."""
    evs = list(evaluations)
    replaced = {e.supersedes for e in evs if e.supersedes is not None}
    out: dict[tuple[int, str], EvaluationRecord] = {}
    for e in sorted(evs, key=lambda e: e.id):
        if e.id not in replaced:
            out[(e.staff_id, e.school_year)] = e
    return out


def current_sanctions(sanctions: Iterable[SanctionRecord]) -> list[SanctionRecord]:
    """Records nothing supersedes and that are not lifted: the sanctions that stand."""
    ss = list(sanctions)
    replaced = {s.supersedes for s in ss if s.supersedes is not None}
    return [s for s in ss if s.id not in replaced and not s.lifted]


def in_force(s: SanctionRecord, on: date) -> bool:
    return not s.lifted and s.bar_from <= on and (s.bar_until is None or on <= s.bar_until)


def sanctions_of_year(sanctions: Iterable[SanctionRecord], school_year: str) -> list[SanctionRecord]:
    return [s for s in current_sanctions(sanctions) if school_year_of(s.bar_from) == school_year]


# --- the grade that counts ------------------------------------------------------------------------


def year_cap(
    sanctions: Iterable[SanctionRecord], school_year: str, policy: EthicsPolicy
) -> tuple[SanctionRecord, str] | None:
    """(sanction, best grade it allows) of the strictest current sanction of the school year, or None.
    Of equally strict ones, the earliest decided (then the first recorded): the order of recording
    does not choose."""
    best: tuple[int, date, int, SanctionRecord, str] | None = None
    for s in sanctions_of_year(sanctions, school_year):
        assert s.sanction is not None
        cap = policy.grade_cap[s.sanction]
        key = (grade_rank(cap, policy), s.bar_from, s.id, s, cap)
        if best is None or key[:3] < best[:3]:
            best = key
    return None if best is None else (best[3], best[4])


@dataclass(frozen=True)
class CountedGrade:
    """An evaluation and the grade every rule reads for it: the recorded grade held to the strictest
    cap of the current sanctions of its school year."""

    evaluation: EvaluationRecord
    grade: str  # the grade that counts
    cap: str | None  # the best grade the year's current sanctions allow; None: no sanction that year
    cap_sanction: SanctionRecord | None  # the sanction of that cap

    @property
    def above_cap(self) -> bool:
        """The recorded grade is better than the cap (a sanction recorded after it): it counts at the cap."""
        return self.grade != self.evaluation.grade

    def words(self) -> str | None:
        """Why the grade counts lower than recorded, in the reader's language; None when it does not."""
        if not self.above_cap or self.cap_sanction is None:
            return None
        e, s = self.evaluation, self.cap_sanction
        assert s.sanction is not None
        return _(
            "the {year} evaluation #{id} is recorded {recorded}; the {sanction} decided {decided} caps the year "
            "at {grade}: every rule reads {grade}",
            year=e.school_year,
            id=e.id,
            recorded=term(EthicsGrade, e.grade),
            sanction=measure_term(s.sanction),
            decided=s.bar_from.isoformat(),
            grade=term(EthicsGrade, self.grade),
        )


def counted_grade(e: EvaluationRecord, sanctions: Iterable[SanctionRecord], policy: EthicsPolicy) -> CountedGrade:
    """The grade that counts for ``e``: min(recorded, the strictest cap of its year's current sanctions)."""
    found = year_cap(sanctions, e.school_year, policy)
    if found is None:
        return CountedGrade(e, e.grade, None, None)
    s, cap = found
    grade = e.grade if grade_allowed(e.grade, cap, policy) else cap
    return CountedGrade(e, grade, cap, s)


def counted_grades(
    evaluations: Iterable[EvaluationRecord],
    sanctions: Iterable[SanctionRecord],
    policy_of_year: Callable[[str], EthicsPolicy],
) -> dict[tuple[int, str], CountedGrade]:
    """(staff, school year) → the current evaluation and the grade that counts. ``sanctions`` may hold
    several people's records: each evaluation is held to its own person's."""
    by_staff: dict[int, list[SanctionRecord]] = {}
    for s in sanctions:
        by_staff.setdefault(s.staff_id, []).append(s)
    policies: dict[str, EthicsPolicy] = {}  # one lookup per school year, not per evaluation
    out = {}
    for key, e in current_evaluations(evaluations).items():
        own = by_staff.get(e.staff_id)
        if own is None:  # no sanction of the person: the recorded grade counts
            out[key] = CountedGrade(e, e.grade, None, None)
            continue
        policy = policies.get(e.school_year)
        if policy is None:
            policy = policies[e.school_year] = policy_of_year(e.school_year)
        out[key] = counted_grade(e, own, policy)
    return out


# --- the veto -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Veto:
    """The one-vote veto (师德一票否决) on a day: why, in plain words, and its last day (None: no end
    known: a permanent bar, or a failed evaluation no later one has replaced yet)."""

    reason_code: str  # "unqualified_evaluation" or "sanction_in_force"
    until: date | None
    words: Callable[[], str] = field(repr=False, compare=False)  # ``detail``, made in the reader's language

    @property
    def detail(self) -> str:
        """Why, in the language of the reader when it is read (``use_locale`` picks another)."""
        return self.words()


def until_words(reason_code: str, until: date | None) -> str:
    """The veto's end in Chinese words: its last day, or why there is none yet."""
    if until is not None:
        return f"至 {until.isoformat()}"
    return "直至新的师德考核" if reason_code == "unqualified_evaluation" else "无期限"


def sanction_detail(s: SanctionRecord) -> str:
    assert s.sanction is not None
    name = measure_term(s.sanction)
    if s.bar_until is None:
        return _("{sanction} decided {start}: a permanent bar", sanction=name, start=s.bar_from.isoformat())
    return _(
        "{sanction} decided {start}, in force through {end}",
        sanction=name,
        start=s.bar_from.isoformat(),
        end=s.bar_until.isoformat(),
    )


def evaluation_detail(c: CountedGrade, until: date | None, minimum_end: date) -> str:
    """A failed evaluation's veto in words; a capped one says what was recorded and which sanction caps it."""
    e = c.evaluation
    grade = term(EthicsGrade, c.grade)
    capped = ""
    if c.above_cap and c.cap_sanction is not None and c.cap_sanction.sanction is not None:
        s = c.cap_sanction
        assert s.sanction is not None
        capped = _(
            " (recorded {recorded}, capped at {grade} by the {sanction} decided {decided})",
            recorded=term(EthicsGrade, e.grade),
            grade=grade,
            sanction=measure_term(s.sanction),
            decided=s.bar_from.isoformat(),
        )
    what = {"year": e.school_year, "grade": grade, "made": e.evaluated_on.isoformat(), "capped": capped}
    if until is None:
        return _(
            "{grade} ethics evaluation for {year}, made {made}{capped}: vetoes at least through {minimum} "
            "and until a later evaluation replaces it",
            minimum=minimum_end.isoformat(),
            **what,
        )
    return _(
        "{grade} ethics evaluation for {year}, made {made}{capped}: vetoes through {until}",
        until=until.isoformat(),
        **what,
    )


def replaced_on(e: EvaluationRecord, evaluations: Iterable[EvaluationRecord]) -> date | None:
    """The day a later evaluation of the person (a current one of a later school year) was made: the
    first such day, or None."""
    later = [x.evaluated_on for x in current_evaluations(evaluations).values() if x.school_year > e.school_year]
    return min(later) if later else None


def evaluation_veto_end(e: EvaluationRecord, replaced: date | None, policy: EthicsPolicy) -> date | None:
    """The last day a failed evaluation vetoes: through ``veto_months`` from the day it was made, and
    until the day before a later evaluation replaced it; None while none has (the end is not known)."""
    if replaced is None:
        return None
    return max(period_end(e.evaluated_on, policy.veto_months), replaced - timedelta(days=1))


def evaluation_vetoes(
    e: EvaluationRecord, replaced: date | None, on: date, policy: EthicsPolicy, grade: str | None = None
) -> bool:
    """Whether a failed evaluation vetoes on ``on``: from the day it was made; then while no later
    evaluation has replaced it, or within ``veto_months`` of it. ``grade``: the grade that counts
    (``counted_grade``), default the recorded one."""
    if (grade or e.grade) != policy.grade_order[0] or on < e.evaluated_on:
        return False
    if on <= period_end(e.evaluated_on, policy.veto_months):
        return True
    return replaced is None or on < replaced


def veto(
    on: date,
    evaluations: Sequence[EvaluationRecord],
    sanctions: Sequence[SanctionRecord],
    policy: EthicsPolicy,
    policy_of_year: Callable[[str], EthicsPolicy] | None = None,
) -> Veto | None:
    """The veto on ``on`` for one person's records (or None). See the module notes. An evaluation
    vetoes by the grade that counts (capped by the year's sanctions: ``policy_of_year``, default
    ``policy``)."""
    candidates: list[Veto] = []
    counted = counted_grades(evaluations, sanctions, policy_of_year or (lambda _year: policy))
    for c in counted.values():
        e = c.evaluation
        replaced = replaced_on(e, evaluations)
        if evaluation_vetoes(e, replaced, on, policy, c.grade):
            until = evaluation_veto_end(e, replaced, policy)
            minimum = period_end(e.evaluated_on, policy.veto_months)
            candidates.append(Veto("unqualified_evaluation", until, partial(evaluation_detail, c, until, minimum)))
    for s in current_sanctions(sanctions):
        if in_force(s, on):
            candidates.append(Veto("sanction_in_force", s.bar_until, partial(sanction_detail, s)))
    if not candidates:
        return None
    # longest-lasting first (None = no end known); a sanction before an evaluation on a tie
    return max(candidates, key=lambda v: (v.until is None, v.until or date.min, v.reason_code == "sanction_in_force"))


# --- kindergarten standing ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    flagged: bool
    reasons: tuple[str, ...]
    missing_share: float | None


def standing(school_year: str, on_post: int, evaluated: int, sanctions: int, policy: EthicsPolicy) -> Standing:
    """责令整改: a sanction in the school year, or a share of on-post teaching staff without a current
    evaluation above the policy threshold."""
    reasons: list[str] = []
    missing = max(on_post - evaluated, 0)
    share = missing / on_post if on_post else None
    if sanctions:
        reasons.append(_("{count} sanction(s) decided in {year}", count=sanctions, year=school_year))
    threshold = policy.missing_evaluations_threshold
    if share is not None and share > threshold:
        shares = {"share": f"{share:.0%}", "threshold": f"{threshold:.0%}"}
        reasons.append(
            _(
                "{missing} of {on_post} on-post teaching staff have no {year} evaluation: {share} > {threshold}",
                missing=missing,
                on_post=on_post,
                year=school_year,
                **shares,
            )
        )
    return Standing(flagged=bool(reasons), reasons=tuple(reasons), missing_share=share)
