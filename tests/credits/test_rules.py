"""The pure credit rules against a hand-computed fixture (caps, reversals, policy effective dates)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from credits import figures as fig_rules
from credits import rules
from credits.codes import CreditStatus
from credits.rules import Cycle, Entry, PolicyVersion
from eligibility.rules import title_at_least
from kernel.policy import policy_on

D = Decimal
BASE = policy_on(date(2024, 1, 1)).recognition
# A: the defaults until 2023-06-30; B from 2023-07-01: research capped at 2 a year, yearly minimum 6.
A = PolicyVersion(1, date(2018, 1, 1), date(2023, 6, 30), BASE)
B = PolicyVersion(
    2, date(2023, 7, 1), None, replace(BASE, caps_per_year={**BASE.caps_per_year, "research": 2.0}, yearly_minimum=6.0)
)
VERSIONS = [A, B]
CYCLE = Cycle(2021, 2025)


def e(i: int, day: str, category: str, source: str, credits: str, reverses: int | None = None) -> Entry:
    return Entry(i, date.fromisoformat(day), category, source, D(credits) * 10, D(credits), reverses)


FIXTURE = [
    e(1, "2021-03-01", "general", "training", "2"),
    e(2, "2021-05-01", "key", "research", "3"),
    e(3, "2021-09-01", "key", "research", "3"),  # 6 research credits in 2021: 4 count (cap 4)
    e(4, "2021-10-01", "ethics", "training", "1"),
    e(5, "2022-04-01", "family", "training", "1.5"),
    e(6, "2022-05-01", "general", "training", "5"),
    e(7, "2022-06-01", "general", "training", "-5", reverses=6),  # reverses 6: neither counts
    e(8, "2023-03-01", "key", "research", "2"),  # policy A (cap 4): counts 2
    e(9, "2023-08-01", "key", "research", "2"),  # policy B (cap 2), 2 used: counts 0
    e(10, "2024-01-10", "key", "research", "1"),  # policy B: counts 1
    e(11, "2020-12-31", "general", "training", "9"),  # before the cycle: no carry-over
]


def test_caps_reversals_and_policy_dates_per_entry() -> None:
    counted = rules.counted_entries(FIXTURE, VERSIONS)
    assert counted == {
        1: D("2"), 2: D("3"), 3: D("1"), 4: D("1"), 5: D("1.5"), 6: D("0"),
        7: D("0"), 8: D("2"), 9: D("0"), 10: D("1"), 11: D("9"),
    }  # fmt: skip


def test_transcript_against_the_hand_computed_figures() -> None:
    t = rules.transcript(FIXTURE, VERSIONS, CYCLE, as_of=date(2024, 6, 30))
    assert t.earned == D("15.5")
    assert t.counted == D("11.5")
    assert t.required == D("36")  # policy B, in force on as_of
    years = {y.year: (y.earned, y.counted, y.minimum, y.minimum_met) for y in t.by_year}
    assert years == {
        2021: (D("9"), D("7"), D("4"), True),
        2022: (D("1.5"), D("1.5"), D("4"), False),
        2023: (D("4"), D("2"), D("6"), False),  # B in force on 2023-12-31
        2024: (D("1"), D("1"), D("6"), False),
        2025: (D("0"), D("0"), D("6"), False),
    }
    cats = {c.category: (c.earned, c.counted, c.required, c.met) for c in t.by_category}
    assert cats == {
        "ethics": (D("1"), D("1"), D("1"), True),
        "family": (D("1.5"), D("1.5"), D("1"), True),
        "general": (D("2"), D("2"), D("0"), True),
        "key": (D("11"), D("7"), D("0"), True),
    }
    # pace: 36 x 1277 / 1826 days = 25.18; half of it 12.59 > 11.5 counted
    assert t.pace == D("25.18")
    assert t.status == CreditStatus.at_risk


@pytest.mark.parametrize(
    ("counted", "categories_met", "as_of", "status"),
    [
        (D("36"), True, date(2023, 12, 31), CreditStatus.complete),
        (D("22"), True, date(2023, 12, 31), CreditStatus.on_track),  # pace 21.59
        (D("36"), False, date(2023, 12, 31), CreditStatus.on_track),  # a category short, not final year
        (D("15"), True, date(2023, 12, 31), CreditStatus.behind),  # >= 10.80
        (D("10"), True, date(2023, 12, 31), CreditStatus.at_risk),
        (D("35"), True, date(2025, 2, 1), CreditStatus.at_risk),  # final year, still short
        (D("40"), False, date(2025, 2, 1), CreditStatus.at_risk),
        (D("0"), True, date(2021, 1, 1), CreditStatus.at_risk),  # 0 < half of 0.02
    ],
)
def test_status(counted: Decimal, categories_met: bool, as_of: date, status: CreditStatus) -> None:
    assert rules.status_of(counted, categories_met, D("36"), CYCLE, as_of, 0.5)[0] == status


AS_OF = [date(2021, 12, 31), date(2022, 5, 15), date(2023, 7, 15), date(2024, 6, 30), date(2025, 12, 31)]


def in_window(window: tuple[date, date]) -> list[Entry]:
    return [x for x in FIXTURE if window[0] <= x.day <= window[1]]


@pytest.mark.parametrize("as_of", AS_OF)
def test_the_yearly_window_gives_the_transcripts_line(as_of: date) -> None:
    """Award and promotion read one calendar year only: the figures of that window equal the
    transcript's line for the year, caps, reversals and policy dates included."""
    t = rules.transcript([x for x in FIXTURE if x.day <= as_of], VERSIONS, CYCLE, as_of)
    window = fig_rules.window_of(True, as_of, CYCLE)
    assert window == (date(as_of.year, 1, 1), as_of)
    line = next(y for y in t.by_year if y.year == as_of.year)
    assert fig_rules.figures(in_window(window), VERSIONS).counted == line.counted


@pytest.mark.parametrize("as_of", AS_OF)
def test_the_cycle_window_gives_the_transcripts_totals(as_of: date) -> None:
    t = rules.transcript([x for x in FIXTURE if x.day <= as_of], VERSIONS, CYCLE, as_of)
    window = fig_rules.window_of(False, as_of, CYCLE)
    assert window == (date(2021, 1, 1), as_of)
    fig = fig_rules.figures(in_window(window), VERSIONS)
    assert fig.counted == t.counted
    assert {c.category: c.counted for c in t.by_category if c.counted} == {
        k: v for k, v in fig.by_category.items() if v
    }
    assert fig.hours == fig_rules.recorded_hours(in_window(window))


def test_figures_by_hand() -> None:
    # 2021-01-01 .. 2024-06-30: entries 1-10; 6 and 7 cancel; 3 capped to 1; 9 capped to 0
    fig = fig_rules.figures(in_window((date(2021, 1, 1), date(2024, 6, 30))), VERSIONS)
    assert fig.counted == D("11.5")
    assert fig.by_category == {"general": D("2"), "key": D("7"), "ethics": D("1"), "family": D("1.5")}
    assert fig.hours == D("155")  # every entry but the reversal pair, at 10 h per credit: 15.5 x 10
    assert fig_rules.recorded_hours(FIXTURE) == D("245")  # entry 11 (90 h) too


def test_caps_are_uniform_only_when_no_version_inside_the_window_changes_them() -> None:
    a_caps, b_caps = rules.numbers(A).caps, rules.numbers(B).caps
    assert a_caps != b_caps
    assert fig_rules.uniform_caps(VERSIONS, date(2021, 1, 1), date(2022, 12, 31)) == a_caps
    assert fig_rules.uniform_caps(VERSIONS, date(2023, 1, 1), date(2023, 6, 30)) == a_caps  # A's last day
    assert fig_rules.uniform_caps(VERSIONS, date(2023, 1, 1), date(2023, 7, 1)) is None  # B's first day inside
    assert fig_rules.uniform_caps(VERSIONS, date(2023, 7, 1), date(2025, 12, 31)) == b_caps
    # a version that changes something else than the caps does not matter
    C = PolicyVersion(3, date(2026, 1, 1), None, replace(B.recognition, yearly_minimum=8.0))
    closed_b = PolicyVersion(2, date(2023, 7, 1), date(2025, 12, 31), B.recognition)
    assert fig_rules.uniform_caps([A, closed_b, C], date(2025, 1, 1), date(2026, 12, 31)) == b_caps


def test_policy_for_uses_the_version_in_force_on_the_day() -> None:
    assert rules.policy_for(date(2023, 6, 30), VERSIONS).id == 1
    assert rules.policy_for(date(2023, 7, 1), VERSIONS).id == 2
    assert rules.policy_for(date(2010, 1, 1), VERSIONS).id == 1  # before the first: the earliest


def test_derived_credits_follow_the_source_rate() -> None:
    assert rules.derive_credits(D("25"), "training", BASE) == D("2.50")
    assert rules.derive_credits(D("25"), "research", BASE) == D("1.25")


def test_policy_conflicts() -> None:
    seeded = [PolicyVersion(1, date(2018, 1, 1), None, BASE)]
    assert rules.policy_conflict(date(2030, 1, 1), None, seeded) == (None, seeded[0])  # closes the open one
    assert rules.policy_conflict(date(2018, 1, 1), None, seeded)[0]
    assert rules.policy_conflict(date(2017, 1, 1), None, seeded)[0]
    assert rules.policy_conflict(date(2030, 1, 1), date(2030, 12, 31), seeded)[0]  # inside the open one
    assert rules.policy_conflict(date(2017, 1, 1), date(2017, 12, 31), seeded) == (None, None)
    assert rules.policy_conflict(date(2017, 1, 1), date(2016, 1, 1), seeded)[0]
    closed = [A, B]
    assert rules.policy_conflict(date(2023, 1, 1), date(2023, 3, 1), closed)[0]


def test_school_year_and_cycles() -> None:
    assert rules.school_year(date(2024, 8, 31)) == "2023-2024"
    assert rules.school_year(date(2024, 9, 1)) == "2024-2025"
    assert rules.cycle_of(date(2026, 3, 1), BASE) == Cycle(2026, 2030)
    assert rules.cycle_of(date(2019, 3, 1), BASE) == Cycle(2016, 2020)
    assert rules.parse_cycle("2021-2025", BASE) == CYCLE
    with pytest.raises(ValueError):
        rules.parse_cycle("2022-2026", BASE)
    assert title_at_least("senior", "level1") and not title_at_least("level2", "level1")


def test_uniform_caps_with_a_version_ending_on_the_last_representable_day() -> None:
    far = PolicyVersion(4, date(2018, 1, 1), date.max, BASE)
    assert fig_rules.uniform_caps([far], date(2024, 1, 1), date(2024, 12, 31)) == rules.numbers(far).caps


def test_a_year_under_the_minimum_keeps_a_cycle_from_complete() -> None:
    """complete_needs_yearly_minimum: 40 credits with 2022 at 3.8 (under 4) is not complete; with
    the switch off it is; 4.0 in 2022 completes it."""
    only_a = [A]  # yearly minimum 4 throughout
    short = [
        e(1, "2021-03-01", "ethics", "training", "8"),
        e(2, "2022-03-01", "family", "training", "3.8"),
        e(3, "2023-03-01", "general", "training", "10"),
        e(4, "2024-03-01", "general", "training", "10"),
        e(5, "2025-03-01", "general", "training", "8.2"),
    ]
    end = date(2025, 12, 31)
    t = rules.transcript(short, only_a, CYCLE, end)
    assert t.counted == 40 and t.status != CreditStatus.complete
    assert [y.year for y in t.by_year if not y.minimum_met] == [2022]
    assert rules.transcript(short, only_a, CYCLE, end, yearly_minimum=False).status == CreditStatus.complete
    enough = [*short, e(6, "2022-09-01", "general", "training", "0.2")]
    assert rules.transcript(enough, only_a, CYCLE, end).status == CreditStatus.complete
    assert policy_on(end).credits.complete_needs_yearly_minimum is True
