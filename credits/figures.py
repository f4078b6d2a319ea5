"""What eligibility reads from a ledger: a person's figures over a window of dates (counted credits after
the caps, the same per category, the hours on record), worked out from the entries (``figures``) or
by the database for a whole selection (``figures_sql``, tested equal), per window or per calendar year
of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from credits.rules import (
    CENT,
    ONE_DAY,
    ZERO,
    Cycle,
    Entry,
    PolicyVersion,
    counted_entries,
    dec,
    numbers,
    policy_for,
)


@dataclass(frozen=True)
class Figures:
    """One person's ledger figures over a window of dates (``window_of``): credits counted after
    the caps (a reversal and the entry it reverses count nothing), the same per category, and the
    hours of study on record (``recorded_hours``). ``figures`` works them out from the entries;
    ``figures_sql`` does it in SQL for a whole selection (tested equal)."""

    counted: Decimal = ZERO
    by_category: dict[str, Decimal] = field(default_factory=dict)
    hours: Decimal = ZERO
    years: dict[int, Decimal] = field(default_factory=dict)  # counted per calendar year, when asked for

    def year(self, year: int) -> Decimal:
        return self.years.get(year, ZERO)

    def category(self, name: str) -> Decimal:
        return self.by_category.get(name, ZERO)


def window_of(year_only: bool, on: date, cycle: Cycle) -> tuple[date, date]:
    """The ledger dates an eligibility answer on ``on`` reads: the calendar year of ``on`` up to
    ``on`` (the yearly minimum: award, promotion), else the cycle up to ``on``. Cycles start on
    1 January, so the year lies inside the cycle, and the year's figures equal the transcript's
    line for that year (caps are per calendar year)."""
    return (date(on.year, 1, 1) if year_only else cycle.starts), min(on, cycle.ends)


def figures(entries: list[Entry], versions: list[PolicyVersion], by_year: bool = False) -> Figures:
    """The figures of the window's entries (every entry dated in it, reversals included). ``by_year``:
    also the credits counted in each calendar year of it (the caps are per year and the reversal
    pairs those of the whole window, so the years add up to ``counted`` and match the transcript's
    year lines)."""
    counted = counted_entries(entries, versions)
    by_category: dict[str, Decimal] = defaultdict(lambda: ZERO)
    years: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        by_category[e.category] += counted[e.id]
        if by_year:
            years[e.day.year] += counted[e.id]
    return Figures(
        counted=sum(counted.values(), ZERO).quantize(CENT),
        by_category={k: v.quantize(CENT) for k, v in by_category.items()},
        hours=recorded_hours(entries),
        years={y: v.quantize(CENT) for y, v in years.items()},
    )


def uniform_caps(versions: list[PolicyVersion], start: date, end: date) -> dict[str, Decimal] | None:
    """The caps per source when every version in force on a day of [start, end] has the same
    ones (then ``figures_sql`` applies); None when they differ inside the window.

    ``policy_for`` only changes its answer where a version starts or the day after one ends, so
    the window's first day and those days inside it are all the days to look at."""
    days = {start}
    for v in versions:
        if start < v.effective_from <= end:
            days.add(v.effective_from)
        if v.effective_to is not None and start <= v.effective_to < end:  # the day after it ends
            days.add(v.effective_to + ONE_DAY)
    seen = {tuple(sorted(numbers(policy_for(day, versions)).caps.items())) for day in days}
    return dict(seen.pop()) if len(seen) == 1 else None


def _least(a: str, b: str) -> str:
    return f"CASE WHEN {a} < {b} THEN {a} ELSE {b} END"


def figures_sql(
    caps: dict[str, Decimal], categories: list[str], first_year: int, last_year: int, by_year: bool = False
) -> tuple[str, list[Any]]:
    """``Figures`` per person in SQL, the same text for SQLite and PostgreSQL: a SELECT over a CTE
    ``fw`` that the caller defines, with the columns id, staff, entry_date, category, source,
    credits, hours, holding the window's entries that are neither a reversal nor reversed by one
    in the window. It returns one row per person with entries (staff, counted, hours, and
    ``cat_<i>``, the counted credits of ``categories[i]``) and its arguments, which follow the
    caller's. ``caps`` must hold for the whole window (``uniform_caps``); the window lies in the
    years first_year..last_year.

    Entries of a source without a cap count in full: they are summed per person. For a capped
    source, the caps rule of ``counted_entries`` in closed form: in one person's year and source,
    taken in (date, id) order, with one cap C and credits c >= 0, what is used after k entries is
    min(C, S_k), S_k being the running sum, so entry k counts min(C, S_k) - min(C, S_k-1). A negative
    c counts nothing under a cap (as in ``counted_entries``), so the running sum adds max(c, 0).
    Only the capped entries go through the (sorting) window function. ``by_year``: also a column
    ``yr_<year>`` per calendar year of the window, the credits counted in it (the caps are per year, so
    the years add up to the window's: what a round reads of a completed cycle and of each of its
    years, in one read, still one row per person)."""
    sql: list[str] = []
    args: list[Any] = []

    def put(text: str, *values: Any) -> None:  # text and its arguments, left to right
        sql.append(text)
        args.extend(values)

    def slots(n: int) -> str:
        return ", ".join("{}" for _ in range(n))

    sources = sorted(caps)
    cats = [f"cat_{i}" for i in range(len(categories))]

    def year_of(column: str) -> None:  # the calendar year, by the window's year boundaries (no date functions)
        if last_year == first_year:
            put(f", {last_year}")
            return
        put(", CASE")
        for y in range(first_year, last_year):
            put(f" WHEN {column} < {{}} THEN {y}", date(y + 1, 1, 1))
        put(f" ELSE {last_year} END")

    put("SELECT k.staff, ROUND(SUM(k.counted), 2) AS counted, ROUND(SUM(k.hours), 2) AS hours")
    put("".join(f", ROUND(SUM(k.{c}), 2) AS {c}" for c in cats))
    if by_year:
        for y in range(first_year, last_year + 1):
            put(f", ROUND(SUM(CASE WHEN k.yr = {y} THEN k.counted ELSE 0 END), 2) AS yr_{y}")
    put(" FROM (")
    # entries of the sources without a cap: summed per person (and year)
    put("SELECT fw.staff")
    if by_year:
        year_of("fw.entry_date")
        put(" AS yr")
    put(", SUM(fw.credits) AS counted, SUM(fw.hours) AS hours")
    for c, category in zip(cats, categories, strict=True):
        put(", SUM(CASE WHEN fw.category = {} THEN fw.credits ELSE 0 END) AS " + c, category)
    put(" FROM fw")
    if sources:
        put(f" WHERE fw.source NOT IN ({slots(len(sources))})", *sources)
    put(" GROUP BY fw.staff" + (", yr" if by_year else ""))
    if sources:
        # entries of the capped sources: each counts what its place in the running sum leaves
        counted = f"({_least('c.cap', 'c.run')} - {_least('c.cap', 'c.run - c.pos')})"
        put(f" UNION ALL SELECT c.staff{', c.yr' if by_year else ''}, {counted} AS counted, c.hours")
        for c, category in zip(cats, categories, strict=True):
            put(f", CASE WHEN c.category = {{}} THEN {counted} ELSE 0 END AS {c}", category)
        positive = "CASE WHEN fw.credits > 0 THEN fw.credits ELSE 0 END"
        put(" FROM (SELECT fw.staff, fw.category, fw.hours")
        if by_year:
            year_of("fw.entry_date")
            put(" AS yr")
        put(", CASE fw.source")
        for source in sources:
            put(f" WHEN {{}} THEN {dec(caps[source]):f}", source)
        put(f" END AS cap, {positive} AS pos, SUM({positive}) OVER (PARTITION BY fw.staff, fw.source")
        if last_year > first_year:
            year_of("fw.entry_date")
        put(" ORDER BY fw.entry_date, fw.id ROWS UNBOUNDED PRECEDING) AS run")
        put(f" FROM fw WHERE fw.source IN ({slots(len(sources))})) c", *sources)
    put(") k GROUP BY k.staff")
    return "".join(sql), args


# --- Figures eligibility reads ------------------------------------------------------------


def recorded_hours(entries: list[Entry]) -> Decimal:
    """Hours of study on record: every entry except a reversal and the entry it reverses (caps
    limit credits, not hours). Registration (定期注册) needs the policy's registration_hours (360)
    of them in the cycle."""
    reversed_ids = {e.reverses for e in entries if e.reverses is not None}
    return sum((e.hours for e in entries if e.reverses is None and e.id not in reversed_ids), ZERO)
