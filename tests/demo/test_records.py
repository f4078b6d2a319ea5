"""The demo district's credit ledger, ethics evaluations and sanctions (demo.records):
determinism, the rules the registry applies to such rows, the rates (no database; the loader writes
them in test_loader.py)."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal

import pytest

from credits.codes import CreditSource
from credits.rules import derive_credits, school_year
from demo.generator import generate
from demo.history_rows import ChunkHistory
from demo.records import EVALUATION_YEARS, caps_by_person, make_records
from demo.rows import DEMO_TODAY
from ethics import rules as ethics_rules
from ethics.codes import EthicsGrade, SanctionKind, SanctionOutcome
from kernel.policy import policy_on
from registry.staff.codes import StaffStatus

EVALUATED_POSTS = policy_on(DEMO_TODAY).ethics.evaluated_posts
CJK = re.compile(r"[\u4e00-\u9fff]")


class World:
    def __init__(self) -> None:
        self.data = generate("district", 2017)
        triples = list(self.data.iter_records())
        assert len(triples) == 1
        self.chunk, self.history, self.records = triples[0]
        self.staff = {s.index: s for s in self.chunk.staff}


@pytest.fixture(scope="module")
def world() -> World:
    return World()


def test_deterministic_from_the_seed(world: World) -> None:
    plan_seed = world.data._plans[0].seed
    again = make_records(
        world.chunk,
        world.history,
        world.data.courses,
        plan_seed,
        policy_on,
        [a.staff for a in world.data.accounts if a.staff is not None],
    )
    assert again == world.records
    other = make_records(world.chunk, world.history, world.data.courses, plan_seed + 1, policy_on)
    assert other.evaluations != world.records.evaluations


def test_training_entries_are_the_registrys_own(world: World) -> None:
    h: ChunkHistory = world.history
    sessions = {s.index: s for s in h.sessions}
    enrolments = {e.index: e for e in h.enrolments}
    training = [c for c in world.records.credits if c.source == CreditSource.training]
    assert len(training) == sum(r.passed for r in h.results)
    for c in training:
        assert c.result is not None
        r = h.results[c.result]
        e = enrolments[r.enrolment]
        course = world.data.courses[sessions[e.session].course]
        assert r.passed and c.staff == e.staff and c.entry_date == r.completed_on
        assert (c.category, c.hours, c.credits) == (course.category, r.hours, course.credits)
        assert c.school_year == school_year(c.entry_date)
        assert c.reason == "passed training result"


def test_credit_references_unique_per_source(world: World) -> None:
    seen: set[tuple[str, str]] = set()
    for c in world.records.credits:
        reference = f"training_result:{c.result}" if c.result is not None else c.reference
        assert (c.source == CreditSource.training) == (c.result is not None)
        if c.result is None:
            assert re.fullmatch(r"demo:\d+", c.reference)
        key = (c.source, reference)
        assert key not in seen
        seen.add(key)


def test_other_entries_follow_the_policy_and_employment(world: World) -> None:
    others = [c for c in world.records.credits if c.source != CreditSource.training]
    assert {c.source for c in others} == {"research", "studio", "mentoring", "competition", "publication"}
    for c in others:
        s = world.staff[c.staff]
        assert date(2021, 1, 1) <= c.entry_date <= DEMO_TODAY
        assert s.hired_on <= c.entry_date and (s.left_on is None or c.entry_date < s.left_on)
        assert c.credits == derive_credits(c.hours, c.source, policy_on(c.entry_date).recognition) > 0
        assert c.school_year == school_year(c.entry_date)
    # some person-years exceed a yearly cap, so transcripts show capping
    caps = policy_on(DEMO_TODAY).recognition.caps_per_year
    per_year: defaultdict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for c in others:
        if c.source in caps:
            per_year[(c.staff, c.entry_date.year, c.source)] += c.credits
    over = sum(1 for (_, _, source), v in per_year.items() if v > caps[source])
    assert over > 100


def test_most_teachers_complete_the_2021_2025_cycle(world: World) -> None:
    rec = policy_on(date(2025, 12, 31)).recognition
    used: defaultdict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    total: defaultdict[int, Decimal] = defaultdict(Decimal)
    for c in sorted(world.records.credits, key=lambda c: c.entry_date):
        if not 2021 <= c.entry_date.year <= 2025:
            continue
        take = c.credits
        cap = rec.caps_per_year.get(c.source)
        if cap is not None:
            key = (c.staff, c.entry_date.year, c.source)
            take = max(Decimal(0), min(take, Decimal(str(cap)) - used[key]))
            used[key] += take
        total[c.staff] += take
    people = [
        s
        for s in world.chunk.staff
        if s.post in EVALUATED_POSTS and s.status == StaffStatus.on_post and s.hired_on.year < 2021
    ]
    done = sum(1 for s in people if total[s.index] >= rec.credits_per_cycle)
    assert 0.55 < done / len(people) < 0.9  # most, not all


def test_evaluations_one_per_person_and_year(world: World) -> None:
    keys = Counter((e.staff, e.school_year) for e in world.records.evaluations)
    assert max(keys.values()) == 1
    assert {e.school_year for e in world.records.evaluations} == set(EVALUATION_YEARS)
    grades = Counter(e.grade for e in world.records.evaluations)
    n = sum(grades.values())
    assert grades[EthicsGrade.qualified] + grades[EthicsGrade.excellent] > 0.95 * n
    assert 0.01 < grades[EthicsGrade.basically_qualified] / n < 0.03
    assert 0.0005 < grades[EthicsGrade.unqualified] / n < 0.006
    for e in world.records.evaluations:
        s = world.staff[e.staff]
        assert s.post in EVALUATED_POSTS
        first, last = ethics_rules.school_year_bounds(e.school_year)
        assert first <= e.evaluated_on <= last and s.hired_on <= e.evaluated_on
        assert s.left_on is None or e.evaluated_on < s.left_on


def test_evaluations_respect_the_cap_of_sanctions(world: World) -> None:
    sanctions = world.records.sanctions
    caps = caps_by_person(sanctions, policy_on)
    assert caps  # some sanctioned person has an evaluation year to cap
    evaluated = {(e.staff, e.school_year): e for e in world.records.evaluations}
    # independently of caps_by_person: each standing sanction against its person's grade that year
    lifted = {r.supersedes for r in sanctions if r.supersedes is not None}
    capped = 0
    for r in sanctions:
        if r.index in lifted or r.sanction is None:
            continue
        year = ethics_rules.school_year_of(r.bar_from)
        e = evaluated.get((r.staff, year))
        if e is None:
            continue
        policy = policy_on(r.bar_from).ethics
        assert ethics_rules.grade_allowed(e.grade, policy.grade_cap[r.sanction], policy), (r, e)
        capped += 1
    assert capped > 0


def test_a_handful_of_sanctions_one_lifted(world: World) -> None:
    rows = world.records.sanctions
    decided = [r for r in rows if r.outcome == SanctionOutcome.decided]
    lifted = [r for r in rows if r.outcome == SanctionOutcome.lifted]
    assert 5 <= len(decided) <= 10 and len(lifted) == 1
    policy = policy_on(DEMO_TODAY).ethics
    for r in decided:
        assert 1 <= r.violation <= policy.violation_kinds and CJK.search(r.facts)
        assert r.sanction in {k.value for k in SanctionKind} and r.sanction != SanctionKind.dismissal
        assert r.bar_from == r.decided_on <= DEMO_TODAY
        assert r.bar_until == ethics_rules.bar_until(r.bar_from, r.sanction, policy)
        s = world.staff[r.staff]
        assert s.hired_on <= r.decided_on and (s.left_on is None or r.decided_on < s.left_on)
    appeal = lifted[0]
    original = rows[appeal.supersedes]  # type: ignore[index]
    assert original.outcome == SanctionOutcome.decided and appeal.staff == original.staff
    assert appeal.sanction is None and appeal.bar_until is None and appeal.bar_from == original.bar_from
    assert original.decided_on < appeal.decided_on <= DEMO_TODAY
    assert [r.index for r in rows] == list(range(len(rows)))


def test_some_kindergartens_miss_2025_2026_evaluations(world: World) -> None:
    threshold = policy_on(date(2025, 9, 1)).ethics.missing_evaluations_threshold
    on_post: Counter[int] = Counter()
    evaluated: Counter[int] = Counter()
    done = {e.staff for e in world.records.evaluations if e.school_year == "2025-2026"}
    for s in world.chunk.staff:
        if s.post in EVALUATED_POSTS and s.status == StaffStatus.on_post:
            on_post[s.kindergarten] += 1
            evaluated[s.kindergarten] += s.index in done
    flagged = [k for k, n in on_post.items() if (n - evaluated[k]) / n > threshold]
    assert 1 <= len(flagged) <= 0.06 * len(on_post)
