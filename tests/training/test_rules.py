"""Pure training rules, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kernel.i18n import use_locale
from kernel.policy import policy_on
from training import rules

POLICY = policy_on(date(2024, 6, 1)).recognition  # 10 h per credit in person, 20 h otherwise


@pytest.mark.parametrize(
    ("hours", "mode", "credits"),
    [
        ("10", "in_person", "1.00"),
        ("15", "in_person", "1.50"),
        ("8", "in_person", "0.80"),
        ("7", "online", "0.35"),
        ("30", "practice", "1.50"),
        ("1", "online", "0.05"),
        ("0.5", "in_person", "0.05"),
        ("3.3", "online", "0.17"),  # 0.165 rounds half up
        ("120", "in_person", "12.00"),
    ],
)
def test_credits_are_hours_over_the_modes_policy_rate_to_two_decimals(hours: str, mode: str, credits: str) -> None:
    assert rules.derive_credits(Decimal(hours), mode, POLICY) == Decimal(credits)


def test_rates_come_from_the_policy_not_literals() -> None:
    from dataclasses import replace

    doubled = replace(POLICY, hours_per_credit_by_mode={"in_person": 20, "online": 40, "practice": 40})
    assert rules.derive_credits(Decimal(10), "in_person", doubled) == Decimal("0.50")
    assert rules.derive_credits(Decimal(10), "online", doubled) == Decimal("0.25")


def test_explicit_credits_win_and_are_flagged() -> None:
    assert rules.course_credits(Decimal(10), "in_person", Decimal("3"), POLICY) == (Decimal("3.00"), True)
    assert rules.course_credits(Decimal(10), "in_person", Decimal("0"), POLICY) == (Decimal("0.00"), True)
    assert rules.course_credits(Decimal(10), "online", None, POLICY) == (Decimal("0.50"), False)


def _allocate(results: list[tuple[int, str]], course_hours: str) -> dict[int, str]:
    got = rules.allocate_credited_hours([(i, Decimal(h)) for i, h in results], Decimal(course_hours))
    return {i: str(h) for i, h in got.items()}


@pytest.mark.parametrize(
    ("results", "course_hours", "credited"),
    [
        ([], "120", {}),
        ([(1, "80")], "120", {1: "80"}),
        ([(1, "120"), (2, "40")], "120", {1: "120", 2: "0"}),  # the cap cuts the later one to nothing
        ([(1, "80"), (2, "40")], "120", {1: "80", 2: "40"}),  # A corrected to 80 h: B earns its 40 again
        ([(1, "80"), (2, "60"), (3, "40")], "120", {1: "80", 2: "40", 3: "0"}),
        ([(2, "40"), (1, "120")], "120", {2: "40", 1: "80"}),  # crediting order, not id order
        ([(1, "7.5"), (2, "7.5"), (3, "7.5")], "20", {1: "7.5", 2: "7.5", 3: "5.0"}),
    ],
)
def test_results_credited_together_keep_the_earlier_ones_hours_first(
    results: list[tuple[int, str]], course_hours: str, credited: dict[int, str]
) -> None:
    got = _allocate(results, course_hours)
    assert got == credited and list(got) == [i for i, _ in results]
    total = sum((Decimal(h) for h in got.values()), Decimal(0))
    assert total == min(sum((Decimal(h) for _, h in results), Decimal(0)), Decimal(course_hours))


def test_session_dates() -> None:
    assert rules.session_dates_problem(date(2024, 3, 1), date(2024, 3, 1)) is None
    assert rules.session_dates_problem(date(2024, 3, 1), date(2024, 3, 5)) is None
    assert (
        rules.session_dates_problem(date(2024, 3, 2), date(2024, 3, 1))
        == "结束日期早于开始日期（2024-03-01 < 2024-03-02）"
    )
    with use_locale("en"):
        english = rules.session_dates_problem(date(2024, 3, 2), date(2024, 3, 1))
    assert english == "ends before it starts (2024-03-01 < 2024-03-02)"


def test_capacity_falls_back_to_the_course_and_none_is_unlimited() -> None:
    assert rules.effective_capacity(5, 30) == 5
    assert rules.effective_capacity(None, 30) == 30
    assert rules.effective_capacity(None, None) is None
    assert rules.seats_left(None, 1000) is None
    assert rules.seats_left(3, 1) == 2
    assert rules.seats_left(3, 5) == 0


def test_enrolment_problems_in_order() -> None:
    assert rules.enrolment_problem("on_post", False, None, 10_000) is None
    assert rules.enrolment_problem("pending_induction", False, 2, 1) is None
    with use_locale("en"):
        full = rules.enrolment_problem("on_post", False, 2, 2)
        twice = rules.enrolment_problem("on_post", True, 2, 2)
        left = rules.enrolment_problem("left", True, 2, 2)
    assert full == ("over-capacity", "the session is full (2 of 2 seats taken)")
    assert twice is not None and twice[0] == "duplicate" and "already" in twice[1]
    assert left is not None and left[0] == "staff-left" and "left" in left[1]


def _problems(**over: object) -> list[tuple[str, str]]:
    args: dict[str, object] = {
        "hours": Decimal(10),
        "passed": True,
        "score": Decimal(88),
        "completed_on": date(2024, 3, 3),
        "course_hours": Decimal(12),
        "session_starts_on": date(2024, 3, 1),
        "today": date(2024, 6, 1),
    }
    args.update(over)
    return rules.result_problems(**args)  # type: ignore[arg-type]


def test_result_validation() -> None:
    assert _problems() == []
    assert _problems(hours=Decimal(12), score=None) == []
    assert _problems(hours=Decimal(0), passed=False, score=Decimal(0)) == []
    assert [f for f, _ in _problems(hours=Decimal("12.5"))] == ["hours"]
    assert [f for f, _ in _problems(hours=Decimal(-1))] == ["hours"]
    assert [f for f, _ in _problems(hours=Decimal(0), passed=True)] == ["hours"]
    assert [f for f, _ in _problems(score=Decimal("100.01"))] == ["score"]
    assert [f for f, _ in _problems(completed_on=date(2024, 2, 29))] == ["completed_on"]
    assert [f for f, _ in _problems(completed_on=date(2024, 6, 2))] == ["completed_on"]
    assert [f for f, _ in _problems(hours=Decimal(13), score=Decimal(-1))] == ["hours", "score"]


def test_default_completion_day() -> None:
    assert rules.default_completed_on(date(2024, 3, 3), date(2024, 6, 1)) == date(2024, 3, 3)
    assert rules.default_completed_on(date(2024, 9, 3), date(2024, 6, 1)) == date(2024, 6, 1)


def test_coverage_arithmetic() -> None:
    assert rules.coverage_rate(4, 3) == 0.75
    assert rules.coverage_rate(3, 1) == 0.3333
    assert rules.coverage_rate(0, 0) is None
    assert rules.coverage_categories(("safety", "ethics", "family"), None) == ("safety", "ethics", "family")
    assert rules.coverage_categories(("safety", "ethics", "family"), "ethics") == ("ethics",)
    assert rules.lacks_family_instructor(0, 1) and not rules.lacks_family_instructor(1, 1)
    assert rules.year_bounds(2024) == (date(2024, 1, 1), date(2024, 12, 31))
    assert rules.policy_day_for_year(2024, date(2026, 5, 1)) == date(2024, 12, 31)
    assert rules.policy_day_for_year(2026, date(2026, 5, 1)) == date(2026, 5, 1)
