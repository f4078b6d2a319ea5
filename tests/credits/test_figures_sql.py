"""The batch's ledger figures worked out by the database (``fig_rules.figures_sql``) against the pure
rule (``fig_rules.figures`` over ``counted_entries``), on random ledgers: caps per source and year in
date-then-id order, entries on the same day, credits that are not binary fractions, reversals
inside and outside the window, windows of one year and of several, and policies whose caps change
inside the window (then the service reads the entries instead)."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from credits import figures as fig_rules
from credits import rules
from credits.rules import Entry, PolicyVersion
from credits.tables import CreditEntry as CE
from eligibility.services import ledger_figures
from kernel.policy import policy_on
from tests.support import World, insert_staff

D = Decimal
BASE = policy_on(date(2024, 1, 1)).recognition
CATEGORIES = ["ethics", "family", "general", "key"]
SOURCES = ["training", "research", "studio", "mentoring", "competition"]
CREDITS = [D("0"), D("0.35"), D("0.5"), D("1"), D("1.15"), D("1.25"), D("2"), D("2.45"), D("3.75"), D("4"), D("6")]
FIRST = date(2021, 1, 1)


def random_day(rng: random.Random, first: date = FIRST, days: int = 5 * 365) -> date:
    return first + timedelta(days=rng.randrange(days))


async def random_ledger(rng: random.Random, staff_id: int) -> list[Entry]:
    """Up to 16 entries, a few on the same days, then reversals of some of them (same day or later,
    some after any window), all written to the ledger; the entries as the rules see them."""
    days = [random_day(rng) for _ in range(rng.randrange(1, 8))]
    # the edges of calendar years (a cap is per year) and of windows, always among the days
    year = rng.randrange(2021, 2025)
    days += [date(year, 12, 31), date(year + 1, 1, 1)]
    plan = []
    for _ in range(rng.randrange(0, 17)):
        credits = rng.choice(CREDITS)
        plan.append((rng.choice(days), rng.choice(CATEGORIES), rng.choice(SOURCES), credits * 10, credits))
    out: list[Entry] = []
    if not plan:
        return out
    rows = [
        CE(staff=staff_id, entry_date=day, school_year=rules.school_year(day), category=cat, source=src,
           hours=hours, credits=credits, reference=f"prop:{uuid.uuid4().hex}", reason="property test",
           recorded_by="test")
        for day, cat, src, hours, credits in plan
    ]  # fmt: skip
    ids = [r["id"] for r in await CE.insert(*rows).returning(CE.id)]
    for i, (day, cat, src, hours, credits) in zip(ids, plan, strict=True):
        out.append(Entry(i, day, cat, src, hours, credits))
    for original in rng.sample(out, k=rng.randrange(0, len(out) // 2 + 1)):
        day = original.day + timedelta(days=rng.choice([0, 0, 3, 200, 900]))
        row = CE(
            staff=staff_id, entry_date=day, school_year=rules.school_year(day), category=original.category,
            source=original.source, hours=-original.hours, credits=-original.credits,
            reference=f"reversal:{original.id}", reason="property test", recorded_by="test", reverses=original.id,
        )  # fmt: skip
        new_id = (await CE.insert(row).returning(CE.id))[0]["id"]
        out.append(
            Entry(new_id, day, original.category, original.source, -original.hours, -original.credits, original.id)
        )
    return out


def random_versions(rng: random.Random, n: int, window: tuple[date, date]) -> list[PolicyVersion]:
    def caps() -> dict[str, float]:
        chosen = rng.sample(SOURCES, k=rng.randrange(0, 4))
        return {s: rng.choice([0.0, 1.0, 2.5, 4.0]) for s in chosen}

    if rng.random() < 0.7:  # one version for everything: the SQL path
        return [PolicyVersion(9000 + n, date(2000, 1, 1), None, replace(BASE, caps_per_year=caps()))]
    # the caps change on `change`: mostly inside the window (the entries path), else anywhere
    span = (window[1] - window[0]).days
    inside = span > 0 and rng.random() < 0.7
    change = window[0] + timedelta(days=rng.randrange(1, span + 1)) if inside else random_day(rng)
    return [
        PolicyVersion(9000 + n, date(2000, 1, 1), change - timedelta(days=1), replace(BASE, caps_per_year=caps())),
        PolicyVersion(9500 + n, change, None, replace(BASE, caps_per_year=caps())),
    ]


def random_window(rng: random.Random) -> tuple[date, date]:
    year = rng.randrange(2021, 2026)
    start = date(year, 1, 1) if rng.random() < 0.5 else FIRST
    return start, min(date(2025, 12, 31), date(year, 1, 1) + timedelta(days=rng.randrange(366)))


async def test_database_figures_equal_the_rule_on_random_ledgers(world: World) -> None:
    rng = random.Random(20261129)
    ledgers: dict[int, list[Entry]] = {}
    for _ in range(60):
        sid = await insert_staff(world.kg_a["id"])
        ledgers[sid] = await random_ledger(rng, sid)
    assert sum(len(v) for v in ledgers.values()) > 300
    paths = {"sql": 0, "entries": 0}
    for n in range(40):
        window = random_window(rng)
        versions = random_versions(rng, n, window)
        paths["sql" if fig_rules.uniform_caps(versions, *window) is not None else "entries"] += 1
        categories = rng.sample(CATEGORIES, k=rng.randrange(0, 5))
        got = await ledger_figures(window, versions, categories, staff_ids=list(ledgers))
        for sid, entries in ledgers.items():
            inside = [e for e in entries if window[0] <= e.day <= window[1]]
            want = fig_rules.figures(inside, versions)
            fig = got.get(sid, fig_rules.Figures())
            context: Any = (n, window, versions[0].recognition.caps_per_year, sid)
            assert fig.counted == want.counted, context
            assert fig.hours == want.hours, context
            for c in categories:
                assert fig.category(c) == want.category(c), (*context, c)
            assert inside or sid not in got, context  # absent: nothing in the window (zero figures)
        # the same window with its calendar years: each year as the rule gives it, adding up to the window
        by_year = await ledger_figures(window, versions, categories, staff_ids=list(ledgers), by_year=True)
        for sid, entries in ledgers.items():
            inside = [e for e in entries if window[0] <= e.day <= window[1]]
            want = fig_rules.figures(inside, versions, by_year=True)
            fig = by_year.get(sid, fig_rules.Figures())
            assert (fig.counted, fig.hours) == (want.counted, want.hours), (n, window, sid)
            for year in range(window[0].year, window[1].year + 1):
                assert fig.year(year) == want.year(year), (n, window, sid, year)
            assert sum(want.years.values(), Decimal(0)) == want.counted, (n, sid)
    assert paths["sql"] >= 20 and paths["entries"] >= 3, paths  # both ways were exercised


async def test_figures_follow_the_selection(world: World) -> None:
    """Only on-post people of the selection: a kindergarten, a list of people, or nobody."""
    versions = [PolicyVersion(8000, date(2000, 1, 1), None, BASE)]
    here = await insert_staff(world.kg_a["id"])
    there = await insert_staff(world.kg_b["id"])
    gone = await insert_staff(world.kg_a["id"], status="left")
    day = date(2024, 3, 1)
    for sid in (here, there, gone):
        await CE.insert(
            CE(staff=sid, entry_date=day, school_year=rules.school_year(day), category="general", source="training",
               hours=D("30"), credits=D("3"), reference=f"prop:{uuid.uuid4().hex}", reason="t", recorded_by="test")
        )  # fmt: skip
    window = (date(2024, 1, 1), date(2024, 12, 31))
    by_kg = await ledger_figures(window, versions, [], kindergarten_id=world.kg_a["id"])
    assert here in by_kg and there not in by_kg and gone not in by_kg
    assert by_kg[here] == fig_rules.Figures(counted=D("3"), by_category={}, hours=D("30"))
    listed = await ledger_figures(window, versions, ["general"], staff_ids=[there, gone])
    assert set(listed) == {there} and listed[there].category("general") == D("3")
    assert await ledger_figures(window, versions, [], staff_ids=[]) == {}
