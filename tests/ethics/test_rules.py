"""Pure ethics rules: school years, bar periods, grade caps, the veto, kindergarten standing."""

from __future__ import annotations

from datetime import date

import pytest

from ethics import rules
from ethics.rules import EvaluationRecord, SanctionRecord
from kernel.policy import policy_on

P = policy_on(date(2025, 1, 1)).ethics


def sanction(kind: str | None, bar_from: date, *, id: int = 1, outcome: str = "decided", supersedes=None):
    return SanctionRecord(
        id=id,
        staff_id=7,
        sanction=kind,
        decided_on=bar_from,
        bar_from=bar_from,
        bar_until=rules.bar_until(bar_from, kind, P) if kind else None,
        outcome=outcome,
        supersedes=supersedes,
    )


def evaluation(grade: str, year: str = "2025-2026", *, id: int = 1, supersedes=None):
    return EvaluationRecord(
        id=id, staff_id=7, school_year=year, grade=grade, evaluated_on=date(2026, 6, 30), supersedes=supersedes
    )


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2025, 8, 31), "2024-2025"),
        (date(2025, 9, 1), "2025-2026"),
        (date(2026, 1, 1), "2025-2026"),
        (date(2026, 8, 31), "2025-2026"),
        (date(2026, 9, 1), "2026-2027"),
    ],
)
def test_school_year_boundaries(day: date, year: str) -> None:
    assert rules.school_year_of(day) == year


@pytest.mark.parametrize("text", ["2025-2027", "2025/2026", "2025-26", "25-26", "", "2026-2025", "abcd-efgh"])
def test_malformed_school_years(text: str) -> None:
    assert rules.parse_school_year(text) is None


def test_school_year_bounds() -> None:
    assert rules.parse_school_year("2025-2026") == (date(2025, 9, 1), date(2026, 8, 31))


@pytest.mark.parametrize(
    ("kind", "until"),
    [
        ("warning", date(2026, 9, 1)),
        ("demerit", date(2027, 3, 1)),
        ("post_grade_lowered", date(2028, 3, 1)),
        ("removal", date(2028, 3, 1)),
        ("dismissal", None),  # policy 0 months: a permanent bar
    ],
)
def test_bar_until_per_sanction(kind: str, until: date | None) -> None:
    assert rules.bar_until(date(2026, 3, 1), kind, P) == until


def test_bar_until_clamps_to_month_end() -> None:
    assert rules.bar_until(date(2025, 8, 31), "warning", P) == date(2026, 2, 28)


def test_bar_months_come_from_the_policy() -> None:
    assert P.bar_months["warning"] == 6  # the numbers above follow this, not literals in the rule


@pytest.mark.parametrize(
    ("kinds", "cap"),
    [
        (["warning"], "qualified"),
        (["demerit"], "basically_qualified"),
        (["post_grade_lowered"], "unqualified"),
        (["removal"], "unqualified"),
        (["warning", "demerit"], "basically_qualified"),
        (["demerit", "warning", "post_grade_lowered"], "unqualified"),
    ],
)
def test_strictest_grade_cap(kinds: list[str], cap: str) -> None:
    assert rules.strictest_cap(kinds, P)[1] == cap  # type: ignore[index]


def test_no_sanction_no_cap() -> None:
    assert rules.strictest_cap([], P) is None


@pytest.mark.parametrize(
    ("cap", "allowed"),
    [
        ("qualified", {"qualified", "basically_qualified", "unqualified"}),
        ("basically_qualified", {"basically_qualified", "unqualified"}),
        ("unqualified", {"unqualified"}),
    ],
)
def test_grade_allowed_under_cap(cap: str, allowed: set[str]) -> None:
    assert {g for g in P.grade_order if rules.grade_allowed(g, cap, P)} == allowed


def test_sanctions_of_year_are_by_bar_from_and_skip_lifted() -> None:
    a = sanction("warning", date(2025, 9, 1), id=1)
    b = sanction("demerit", date(2025, 8, 31), id=2)
    c = sanction("demerit", date(2026, 1, 10), id=3)
    lifted = sanction(None, date(2026, 1, 10), id=4, outcome="lifted", supersedes=3)
    assert [s.id for s in rules.sanctions_of_year([a, b, c, lifted], "2025-2026")] == [1]


# --- the veto ---------------------------------------------------------------------------------------


def test_veto_day_before_bar_until_and_not_on_it() -> None:
    s = sanction("warning", date(2026, 3, 1))
    assert rules.veto(date(2026, 2, 28), [], [s], P) is None  # before it starts
    v = rules.veto(date(2026, 3, 1), [], [s], P)
    assert v is not None and v.reason_code == "sanction_in_force" and v.until == date(2026, 9, 1)
    assert rules.veto(date(2026, 8, 31), [], [s], P) is not None
    assert rules.veto(date(2026, 9, 1), [], [s], P) is None


def test_veto_detail_in_plain_words() -> None:
    v = rules.veto(date(2026, 4, 1), [], [sanction("warning", date(2026, 3, 1))], P)
    assert v is not None
    assert "警告处分 2026-03-01 起至 2026-09-01" in v.detail
    assert "warning in force until 2026-09-01" in v.detail


def test_dismissal_vetoes_for_ever() -> None:
    v = rules.veto(date(2040, 1, 1), [], [sanction("dismissal", date(2026, 3, 1))], P)
    assert v is not None and v.until is None and "开除" in v.detail


def test_a_lifted_sanction_does_not_veto() -> None:
    s = sanction("demerit", date(2026, 3, 1), id=1)
    lifted = sanction(None, date(2026, 3, 1), id=2, outcome="lifted", supersedes=1)
    assert rules.veto(date(2026, 4, 1), [], [s, lifted], P) is None


def test_a_changed_sanction_vetoes_by_its_new_bar() -> None:
    s = sanction("demerit", date(2026, 3, 1), id=1)
    changed = sanction("warning", date(2026, 3, 1), id=2, outcome="changed", supersedes=1)
    assert rules.veto(date(2026, 10, 1), [], [s], P) is not None
    assert rules.veto(date(2026, 10, 1), [], [s, changed], P) is None
    assert rules.veto(date(2026, 8, 1), [], [s, changed], P).until == date(2026, 9, 1)  # type: ignore[union-attr]


def test_unqualified_current_evaluation_vetoes_its_school_year() -> None:
    e = evaluation("unqualified", "2025-2026")
    v = rules.veto(date(2026, 5, 1), [e], [], P)
    assert v is not None and v.reason_code == "unqualified_evaluation" and v.until == date(2026, 9, 1)
    assert "不合格" in v.detail and "2025-2026" in v.detail
    assert rules.veto(date(2026, 9, 1), [e], [], P) is None  # the next school year
    assert rules.veto(date(2025, 8, 31), [e], [], P) is None


def test_superseded_unqualified_evaluation_does_not_veto() -> None:
    e = evaluation("unqualified", id=1)
    corrected = evaluation("qualified", id=2, supersedes=1)
    assert rules.veto(date(2026, 5, 1), [e, corrected], [], P) is None
    worse = evaluation("unqualified", id=3, supersedes=2)
    assert rules.veto(date(2026, 5, 1), [e, corrected, worse], [], P) is not None


def test_other_grades_do_not_veto() -> None:
    for grade in ("excellent", "qualified", "basically_qualified"):
        assert rules.veto(date(2026, 5, 1), [evaluation(grade)], [], P) is None


def test_longest_veto_is_named() -> None:
    e = evaluation("unqualified")
    s = sanction("warning", date(2026, 3, 1))  # until 2026-09-01, same as the evaluation: sanction wins
    assert rules.veto(date(2026, 5, 1), [e], [s], P).reason_code == "sanction_in_force"  # type: ignore[union-attr]
    short = sanction("warning", date(2025, 12, 1))  # until 2026-06-01
    assert rules.veto(date(2026, 5, 1), [e], [short], P).reason_code == "unqualified_evaluation"  # type: ignore[union-attr]


def test_latest_ended_school_year() -> None:
    assert rules.latest_ended_school_year(date(2026, 11, 29)) == "2025-2026"
    assert rules.latest_ended_school_year(date(2026, 9, 1)) == "2025-2026"
    assert rules.latest_ended_school_year(date(2026, 8, 31)) == "2024-2025"  # 2025-2026 ends today


# --- standing -----------------------------------------------------------------------------------------


def test_standing_flags_a_sanction() -> None:
    s = rules.standing("2025-2026", on_post=10, evaluated=10, sanctions=1, policy=P)
    assert s.flagged and len(s.reasons) == 1 and "sanction" in s.reasons[0]


def test_standing_threshold_is_exclusive() -> None:
    at = rules.standing("2025-2026", on_post=10, evaluated=9, sanctions=0, policy=P)  # 10% = threshold
    assert not at.flagged and at.missing_share == pytest.approx(0.1)
    above = rules.standing("2025-2026", on_post=10, evaluated=8, sanctions=0, policy=P)
    assert above.flagged and "2 of 10" in above.reasons[0]


def test_standing_of_an_empty_kindergarten() -> None:
    s = rules.standing("2025-2026", on_post=0, evaluated=0, sanctions=0, policy=P)
    assert not s.flagged and s.missing_share is None


def test_standing_both_reasons() -> None:
    s = rules.standing("2025-2026", on_post=4, evaluated=0, sanctions=2, policy=P)
    assert s.flagged and len(s.reasons) == 2
