"""Transcripts: a person's ledger in one registration cycle, with caps, yearly lines and status."""

from __future__ import annotations

from datetime import date
from typing import Any

from credits import figures as fig_rules
from credits import rules
from credits.ledger import ENTRY_COLUMNS, entry_out
from credits.policies import policy_versions
from credits.rules import ZERO, Entry, PolicyVersion, dec
from credits.schemas import (
    CategoryOut,
    Required,
    TranscriptOut,
    YearOut,
)
from credits.tables import CreditEntry as CE
from kernel.auth import Principal
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import Invalid, NotFound
from kernel.i18n import F_, _
from kernel.policy import policy_on
from kernel.rows import as_date
from registry.staff.services import load_visible


async def entry_rows(staff_id: int, first: date | None = None, last: date | None = None) -> list[dict[str, Any]]:
    where: list[Any] = [CE.staff == staff_id]
    if first is not None:
        where.append(CE.entry_date >= first)
    if last is not None:
        where.append(CE.entry_date <= last)
    return list(await CE.select(*ENTRY_COLUMNS).where(*where).order_by(CE.entry_date).order_by(CE.id))


def entry_of(row: dict[str, Any]) -> rules.Entry:
    return rules.Entry(
        id=row["id"],
        day=as_date(row["entry_date"]),
        category=row["category"],
        source=row["source"],
        hours=dec(row["hours"]),
        credits=dec(row["credits"]),
        reverses=row["reverses"],
    )


def _cycle(cycle: str | None, versions: list[PolicyVersion], as_of: date) -> rules.Cycle:
    rec = rules.policy_for(as_of, versions).recognition
    if cycle is None:
        return rules.cycle_of(as_of, rec)
    try:
        return rules.parse_cycle(cycle, rec)
    except ValueError as exc:
        raise Invalid.field(F_("cycle"), str(exc)) from None


async def transcript_for(staff_id: int, name: str, cycle: str | None, as_of: date | None = None) -> TranscriptOut:
    day = as_of or today()
    versions = await policy_versions()
    cyc = _cycle(cycle, versions, day)
    rows = await entry_rows(staff_id, cyc.starts, cyc.ends)
    yearly = policy_on(min(day, cyc.ends)).credits.complete_needs_yearly_minimum
    t = rules.transcript([entry_of(r) for r in rows], versions, cyc, day, yearly_minimum=yearly)
    req_policy = rules.policy_for(min(day, cyc.ends), versions)
    reversed_by = {r["reverses"]: r["id"] for r in rows if r["reverses"] is not None}
    return TranscriptOut(
        staff_id=staff_id,
        name=name,
        cycle=cyc.label,
        as_of=day,
        required=Required(
            credits=float(t.required),
            categories={k: float(v) for k, v in t.required_categories.items()},
            yearly_minimum=float(req_policy.recognition.yearly_minimum),
            policy_id=req_policy.id,
        ),
        earned=float(t.earned),
        counted=float(t.counted),
        pace=float(t.pace),
        status=t.status,
        by_year=[YearOut(**vars(y)) for y in t.by_year],
        by_category=[CategoryOut(**vars(c)) for c in t.by_category],
        entries=[entry_out(r, reversed_by.get(r["id"]), t.counted_by_entry.get(r["id"], ZERO)) for r in rows],
    )


async def staff_transcript(who: Principal, staff_id: int, cycle: str | None) -> TranscriptOut:
    person = await load_visible(who, staff_id)
    return await transcript_for(staff_id, person["name"], cycle)


async def my_transcript(who: Principal, cycle: str | None) -> TranscriptOut:
    if who.staff_id is None:
        raise NotFound(_("this account has no staff record"))
    return await staff_transcript(who, who.staff_id, cycle)


async def window_figures(
    window: tuple[date, date],
    versions: list[PolicyVersion],
    categories: list[str],
    where: str,
    where_args: list[Any],
    by_year: bool = False,
) -> dict[Any, fig_rules.Figures]:
    """``fig_rules.Figures`` per person over the window, for the people of ``where`` (SQL on ``s``, the
    staff table, starting with " AND", and its arguments); people with no entry in it, or only reversal
    pairs, may be left out (their figures are all zero). What eligibility's rounds and the
    credits-behind notices read.

    When one set of caps holds for the whole window (the usual case), the database works the
    figures out (``fig_rules.figures_sql``) and hands back one row per person. When a policy change
    inside the window changes a cap, the entries are read and ``fig_rules.figures`` runs per person.
    ``by_year``: each person's ``Figures.years`` holds the credits counted in each calendar year of the
    window too."""
    start, end = window
    caps = fig_rules.uniform_caps(versions, start, end)
    if caps is None:
        # The date and credits are read as expressions, not as the columns: SQLite's driver then
        # hands back the plain text and number instead of running its per-column converters.
        rows = await fetch_all(
            "SELECT ce.id, ce.staff, CAST(ce.entry_date AS TEXT) AS entry_date, ce.category, ce.source, "
            "ce.credits + 0 AS credits, ce.hours + 0 AS hours, ce.reverses "
            "FROM credit_entry ce JOIN staff s ON s.id = ce.staff "
            "WHERE ce.entry_date >= {} AND ce.entry_date <= {}" + where,
            start,
            end,
            *where_args,
        )
        entries: dict[int, list[Entry]] = {}
        for r in rows:
            entries.setdefault(r["staff"], []).append(entry_of(r))
        return {sid: fig_rules.figures(es, versions, by_year) for sid, es in entries.items()}
    select, select_args = fig_rules.figures_sql(caps, categories, start.year, end.year, by_year=by_year)
    # "not a reversal" as COALESCE(reverses, 0) = 0 (ids start at 1), not "reverses IS NULL": SQLite's
    # planner would otherwise walk the reversal index over every entry instead of the person's dates
    window_sql = (
        "WITH fw AS (SELECT ce.id, ce.staff, ce.entry_date, ce.category, ce.source, ce.credits, ce.hours "
        "FROM credit_entry ce JOIN staff s ON s.id = ce.staff "
        "WHERE ce.entry_date >= {} AND ce.entry_date <= {} AND COALESCE(ce.reverses, 0) = 0"
        + where
        + " AND NOT EXISTS (SELECT 1 FROM credit_entry r WHERE r.reverses = ce.id "
        "AND r.entry_date >= {} AND r.entry_date <= {})) "
    )
    rows = await fetch_all(window_sql + select, start, end, *where_args, start, end, *select_args)
    cent = fig_rules.CENT  # the sums are rounded to cents in SQL (SQLite adds in binary floating point)
    years = [(y, f"yr_{y}") for y in range(start.year, end.year + 1)] if by_year else []
    return {
        r["staff"]: fig_rules.Figures(
            counted=dec(r["counted"]).quantize(cent),
            by_category={c: dec(r[f"cat_{i}"]).quantize(cent) for i, c in enumerate(categories)},
            hours=dec(r["hours"]).quantize(cent),
            years={y: dec(r[column]).quantize(cent) for y, column in years},
        )
        for r in rows
    }
