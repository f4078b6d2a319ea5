"""Pure rules of continuing-education credits (学分认定): no I/O, every number from the policy.

- ``policy_for``: which recognition policy version applies to a day.
- ``derive_credits``: hours -> credits by the policy's hours_per_credit[source].
- ``school_year``: the school year (1 September - 31 August) of a day.
- ``cycle_of`` / ``parse_cycle``: the five-year registration cycle.
- ``transcript``: earned, counted after caps, per year and category, and the status.
- ``figures`` / ``figures_sql``: what eligibility reads from a ledger, from the entries or in SQL.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from credits.codes import CreditStatus
from kernel.i18n import F_, _
from kernel.policy import RecognitionPolicy

CENT = Decimal("0.01")
ONE_DAY = timedelta(days=1)
ZERO = Decimal("0")

# The policy's values and the citation key each one's source is read from (defaults.toml names).
VALUE_KEYS = (
    "cycle_years",
    "cycle_start_year",
    "credits_per_cycle",
    "yearly_minimum",
    "required_categories",
    "caps_per_year",
    "carry_over",
    "hours_per_credit",
    "hours_per_credit_by_mode",
    "at_risk_share_of_pace",
)
CITATION_FROM_DEFAULTS = {
    "cycle_years": "cycle",
    "cycle_start_year": "cycle",
    "credits_per_cycle": "credits_per_cycle",
    "yearly_minimum": "yearly_minimum",
    "required_categories": "required_categories",
    "caps_per_year": "caps",
    "carry_over": "carry_over",
    "hours_per_credit": "hours_per_credit",
    "hours_per_credit_by_mode": "hours_per_credit",
    "at_risk_share_of_pace": "status",
}


_DEC_MEMO: dict[Any, Decimal] = {}


def dec(value: Any) -> Decimal:
    """Numeric columns come back as Decimal (PostgreSQL) or float (SQLite): normalise.

    Credits and hours take few distinct values, so the conversions are memoised (a batch converts
    tens of thousands of them)."""
    if isinstance(value, Decimal):
        return value
    out = _DEC_MEMO.get(value)
    if out is None:
        out = Decimal(str(value))
        if len(_DEC_MEMO) < 4096:
            _DEC_MEMO[value] = out
    return out


def shown(value: Decimal) -> str:
    """A figure as the answers' details print it: no trailing zeros, no exponent (4.00 -> 4)."""
    return f"{value.normalize():f}"


# --- Policy versions ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # identity: a version is one row (and can be a cache key)
class PolicyVersion:
    id: int
    effective_from: date
    effective_to: date | None
    recognition: RecognitionPolicy

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Numbers:
    """A version's figures as Decimals, converted once per version (``numbers``)."""

    required: Decimal
    required_categories: dict[str, Decimal]
    caps: dict[str, Decimal]
    yearly_minimum: Decimal
    at_risk_share: Decimal


@functools.lru_cache(maxsize=256)
def numbers(version: PolicyVersion) -> Numbers:
    rec = version.recognition
    return Numbers(
        required=Decimal(str(rec.credits_per_cycle)),
        required_categories={k: Decimal(str(v)) for k, v in rec.required_categories.items()},
        caps={k: Decimal(str(v)) for k, v in rec.caps_per_year.items()},
        yearly_minimum=Decimal(str(rec.yearly_minimum)),
        at_risk_share=Decimal(str(rec.at_risk_share_of_pace)),
    )


def recognition_values(rec: RecognitionPolicy) -> dict[str, Any]:
    return {k: getattr(rec, k) for k in VALUE_KEYS}


def citations_of(rec: RecognitionPolicy) -> dict[str, str]:
    return {k: rec.sources.get(CITATION_FROM_DEFAULTS[k], "") for k in VALUE_KEYS}


def recognition_from(values: dict[str, Any], citations: dict[str, str]) -> RecognitionPolicy:
    return RecognitionPolicy(
        cycle_years=int(values["cycle_years"]),
        cycle_start_year=int(values["cycle_start_year"]),
        credits_per_cycle=float(values["credits_per_cycle"]),
        yearly_minimum=float(values["yearly_minimum"]),
        required_categories={k: float(v) for k, v in values["required_categories"].items()},
        caps_per_year={k: float(v) for k, v in values["caps_per_year"].items()},
        carry_over=bool(values["carry_over"]),
        hours_per_credit={k: float(v) for k, v in values["hours_per_credit"].items()},
        hours_per_credit_by_mode={k: float(v) for k, v in values["hours_per_credit_by_mode"].items()},
        at_risk_share_of_pace=float(values["at_risk_share_of_pace"]),
        sources=dict(citations),
    )


def policy_for(day: date, versions: list[PolicyVersion]) -> PolicyVersion:
    """The version covering ``day`` (the latest-starting one if several do); else the latest one
    starting before it; else the earliest (entries dated before the first version are judged by it).

    One pass, no sorting: it is called once per entry and year of every transcript."""
    covering: PolicyVersion | None = None
    started: PolicyVersion | None = None
    earliest: PolicyVersion | None = None
    for v in versions:
        if earliest is None or v.effective_from < earliest.effective_from:
            earliest = v
        if v.effective_from <= day:
            if started is None or v.effective_from >= started.effective_from:
                started = v
            if (v.effective_to is None or day <= v.effective_to) and (
                covering is None or v.effective_from >= covering.effective_from
            ):
                covering = v
    if earliest is None:
        raise LookupError("no recognition policy")
    return covering or started or earliest


def policy_conflict(
    new_from: date, new_to: date | None, existing: list[PolicyVersion]
) -> tuple[str | None, PolicyVersion | None]:
    """Does a new version cover a date another one covers?

    Returns (problem, version_to_close). An open-ended new version that starts after the current
    open-ended one closes it (its effective_to becomes the day before); every other overlap of the
    stated ranges (an open end counts as 'for ever') is a conflict.
    """
    if new_to is not None and new_to < new_from:
        return _("effective_to is before effective_from"), None
    to_close: PolicyVersion | None = None
    for v in existing:
        v_end = v.effective_to or date.max
        n_end = new_to or date.max
        if v.effective_to is None and new_to is None and new_from > v.effective_from:
            to_close = v
            continue
        if new_from <= v_end and v.effective_from <= n_end:
            end = v.effective_to.isoformat() if v.effective_to else _("open")
            return _(
                "policy {policy} covers {start}–{end} already", policy=v.id, start=v.effective_from.isoformat(), end=end
            ), None
    return None, to_close


# --- Entries -----------------------------------------------------------------------------------


def derive_credits(hours: Decimal, source: str, rec: RecognitionPolicy) -> Decimal:
    """A ledger entry's credits: hours / the rate of its source (training 10 h, the others 20 h)."""
    rate = rec.hours_per_credit.get(source)
    if not rate:
        raise KeyError(f"the policy has no hours_per_credit for {source}")
    return (hours / Decimal(str(rate))).quantize(CENT, rounding=ROUND_HALF_UP)


def course_credits(hours: Decimal, mode: str, rec: RecognitionPolicy) -> Decimal:
    """A training course's credits: hours / the rate of its mode (in person 10 h, online and
    practice 20 h), from the same recognition policy as the ledger's rates."""
    rate = rec.hours_per_credit_by_mode.get(str(mode))
    if not rate:
        raise KeyError(f"the policy has no hours_per_credit_by_mode for {mode}")
    return (Decimal(hours) / Decimal(str(rate))).quantize(CENT, rounding=ROUND_HALF_UP)


def school_year(day: date) -> str:
    """School years run 1 September to 31 August: 2024-10-01 -> '2024-2025'."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


def school_years_of_cycle(first: int, last: int) -> list[str]:
    """The school years that end inside the cycle's calendar years (2021-2025: 2020-2021 .. 2024-2025)."""
    return [f"{y - 1}-{y}" for y in range(first, last + 1)]


def hours_problem(hours: Decimal) -> str | None:
    return _("must be greater than zero") if hours <= 0 else None


SYSTEM_REFERENCE_PREFIXES = ("training_result", "reversal", "entry", "claim")
"""References the registry writes itself (training results, reversals, generated ids): a hand-made
entry claiming one would block the real one."""


@dataclass(frozen=True)
class EntryProblem:
    field: str
    message: str
    forbidden: bool = False  # a role matter (403), not a bad value (422)


def entry_problems(
    hours: Decimal, day: date, today: date, reference: str | None, credits_given: bool, by_district_hr: bool
) -> list[EntryProblem]:
    """What is wrong with a hand-made ledger entry before the person is looked at, in the API's
    order (the API answers the first; an import lists them all)."""
    out = []
    problem = hours_problem(hours)
    if problem:
        out.append(EntryProblem(F_("hours"), problem))
    if day > today:
        out.append(EntryProblem(F_("date"), _("is in the future")))
    if reference and reference.split(":", 1)[0] in SYSTEM_REFERENCE_PREFIXES:
        prefixes = ", ".join(SYSTEM_REFERENCE_PREFIXES)
        out.append(EntryProblem(F_("reference"), _("prefixes {prefixes} are reserved", prefixes=prefixes)))
    if credits_given and not by_district_hr:
        out.append(
            EntryProblem(
                F_("credits"), _("only district HR sets credits by hand; otherwise they follow from the hours"), True
            )
        )
    return out


def left_problem(left_on: date | None, day: date) -> str | None:
    if left_on is not None and left_on < day:
        return _("the person left on {day}: no credits after that", day=left_on.isoformat())
    return None


# --- Cycles ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    first: int
    last: int

    @property
    def label(self) -> str:
        return f"{self.first}-{self.last}"

    @property
    def starts(self) -> date:
        return date(self.first, 1, 1)

    @property
    def ends(self) -> date:
        return date(self.last, 12, 31)

    def years(self) -> list[int]:
        return list(range(self.first, self.last + 1))


def cycle_of(day: date, rec: RecognitionPolicy) -> Cycle:
    offset = (day.year - rec.cycle_start_year) // rec.cycle_years
    first = rec.cycle_start_year + offset * rec.cycle_years
    return Cycle(first, first + rec.cycle_years - 1)


def parse_cycle(text: str, rec: RecognitionPolicy) -> Cycle:
    """'2021-2025' -> Cycle; must be a cycle of the policy (ValueError otherwise)."""
    try:
        a, b = (int(p) for p in text.split("-"))
    except ValueError:
        raise ValueError(_("cycle must look like 2021-2025")) from None
    expected = cycle_of(date(a, 1, 1), rec)
    if (a, b) != (expected.first, expected.last):
        raise ValueError(
            _(
                "not a cycle of the policy (cycles of {years} years from {start})",
                years=rec.cycle_years,
                start=rec.cycle_start_year,
            )
        )
    return Cycle(a, b)


# --- Transcript --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    id: int
    day: date
    category: str
    source: str
    hours: Decimal
    credits: Decimal
    reverses: int | None = None


@dataclass
class Tally:
    earned: Decimal = ZERO
    counted: Decimal = ZERO


@dataclass
class YearLine:
    year: int
    earned: Decimal
    counted: Decimal
    minimum: Decimal
    minimum_met: bool


@dataclass
class CategoryLine:
    category: str
    earned: Decimal
    counted: Decimal
    required: Decimal
    met: bool


@dataclass
class Transcript:
    cycle: Cycle
    required: Decimal
    required_categories: dict[str, Decimal]
    earned: Decimal
    counted: Decimal
    pace: Decimal
    status: CreditStatus
    by_year: list[YearLine]
    by_category: list[CategoryLine]
    counted_by_entry: dict[int, Decimal] = field(default_factory=dict)


def counted_entries(entries: list[Entry], versions: list[PolicyVersion]) -> dict[int, Decimal]:
    """How much of each entry counts after the caps per source per calendar year.

    An entry and its reversal cancel out: neither counts. The others are taken in date order (then
    id); each counts up to what is left under the cap of its source for its year, the cap being the
    one of the policy in force on the entry's own date (no cap for a source: all of it counts).
    """
    reversed_ids = {e.reverses for e in entries if e.reverses is not None}
    used: dict[tuple[int, str], Decimal] = defaultdict(lambda: ZERO)
    out: dict[int, Decimal] = {}
    caps_on: dict[date, dict[str, Decimal]] = {}
    for e in sorted(entries, key=lambda e: (e.day, e.id)):
        if e.reverses is not None or e.id in reversed_ids:
            out[e.id] = ZERO
            continue
        caps = caps_on.get(e.day)
        if caps is None:
            caps = caps_on[e.day] = numbers(policy_for(e.day, versions)).caps
        cap = caps.get(e.source)
        take = e.credits
        if cap is not None:
            key = (e.day.year, e.source)
            take = max(ZERO, min(e.credits, cap - used[key]))
            used[key] += take
        out[e.id] = take
    return out


def status_of(
    counted: Decimal,
    categories_met: bool,
    required: Decimal,
    cycle: Cycle,
    as_of: date,
    at_risk_share: float | Decimal,
) -> tuple[CreditStatus, Decimal]:
    """The cycle status and the pace (the pro-rata share of the requirement due by ``as_of``).

    complete: counted >= required and every required category met.
    Otherwise: at_risk in the cycle's final year (or after it), or when counted < at_risk_share x pace;
    on_track when counted >= pace; else behind.
    """
    total_days = (cycle.ends - cycle.starts).days + 1
    elapsed = min(max((as_of - cycle.starts).days + 1, 0), total_days)
    pace = (required * Decimal(elapsed) / Decimal(total_days)).quantize(CENT, rounding=ROUND_HALF_UP)
    if counted >= required and categories_met:
        return CreditStatus.complete, pace
    if as_of.year >= cycle.last:
        return CreditStatus.at_risk, pace
    if counted < pace * (at_risk_share if isinstance(at_risk_share, Decimal) else Decimal(str(at_risk_share))):
        return CreditStatus.at_risk, pace
    if counted >= pace:
        return CreditStatus.on_track, pace
    return CreditStatus.behind, pace


def status_from_figures(
    counted: Decimal,
    by_category: dict[str, Decimal],
    by_year: dict[int, Decimal],
    versions: list[PolicyVersion],
    cycle: Cycle,
    as_of: date,
    yearly_minimum: bool = True,
) -> tuple[CreditStatus, Decimal]:
    """``transcript``'s status and pace from a person's figures of the cycle up to ``as_of`` (counted
    after the caps, per required category, per calendar year): the same requirement, category and
    yearly-minimum reading, for a whole selection at once (the credits-behind notices)."""
    req = numbers(policy_for(min(as_of, cycle.ends), versions))
    met = all(by_category.get(name, ZERO) >= needed for name, needed in req.required_categories.items())
    if yearly_minimum:
        for year in cycle.years():
            minimum = numbers(policy_for(min(as_of, date(year, 12, 31)), versions)).yearly_minimum
            met = met and by_year.get(year, ZERO) >= minimum
    return status_of(counted, met, req.required, cycle, as_of, req.at_risk_share)


def transcript(
    entries: list[Entry], versions: list[PolicyVersion], cycle: Cycle, as_of: date, yearly_minimum: bool = True
) -> Transcript:
    """The cycle's figures. ``entries`` may hold any dates; only those inside the cycle count (no
    carry-over). The requirement is the one of the policy in force on min(as_of, the cycle's last
    day); a year's minimum is the one in force on min(as_of, 31 December of that year). With
    ``yearly_minimum`` (the policy's ``complete_needs_yearly_minimum``), a cycle is complete only
    when every one of its years met its minimum too."""
    starts, ends = cycle.starts, cycle.ends
    inside = [e for e in entries if starts <= e.day <= ends]
    counted = counted_entries(inside, versions)
    req = numbers(policy_for(min(as_of, ends), versions))
    required_categories = req.required_categories

    years: dict[int, Tally] = {y: Tally() for y in cycle.years()}
    cats: dict[str, Tally] = {c: Tally() for c in required_categories}
    total_earned = total_counted = ZERO
    for e in inside:
        c = counted[e.id]
        y = years[e.day.year]
        y.earned += e.credits
        y.counted += c
        t = cats.get(e.category)
        if t is None:
            t = cats[e.category] = Tally()
        t.earned += e.credits
        t.counted += c
        total_earned += e.credits
        total_counted += c

    by_year = []
    for year, t in years.items():
        minimum = numbers(policy_for(min(as_of, date(year, 12, 31)), versions)).yearly_minimum
        by_year.append(YearLine(year, t.earned, t.counted, minimum, t.counted >= minimum))
    by_category = []
    categories_met = True
    for name in sorted(cats):
        t = cats[name]
        needed = required_categories.get(name, ZERO)
        met = t.counted >= needed
        categories_met = categories_met and met
        by_category.append(CategoryLine(name, t.earned, t.counted, needed, met))
    met = categories_met and (not yearly_minimum or all(line.minimum_met for line in by_year))
    status, pace = status_of(total_counted, met, req.required, cycle, as_of, req.at_risk_share)
    return Transcript(
        cycle=cycle,
        required=req.required,
        required_categories=dict(required_categories),
        earned=total_earned,
        counted=total_counted,
        pace=pace,
        status=status,
        by_year=by_year,
        by_category=by_category,
        counted_by_entry=counted,
    )


__all__ = [
    "Cycle",
    "Entry",
    "PolicyVersion",
    "Transcript",
    "counted_entries",
    "cycle_of",
    "derive_credits",
    "parse_cycle",
    "policy_conflict",
    "policy_for",
    "school_year",
    "status_from_figures",
    "status_of",
    "transcript",
]
