"""Pure ethics rules: school years, bar periods, grade caps, the veto, kindergarten standing."""

from __future__ import annotations

from datetime import date

import pytest

from ethics import rules
from ethics.rules import EvaluationRecord, SanctionRecord
from kernel.i18n import use_locale
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


def evaluation(grade: str, year: str = "2025-2026", *, id: int = 1, supersedes=None, made: date | None = None):
    return EvaluationRecord(
        id=id, staff_id=7, school_year=year, grade=grade, evaluated_on=made or date(2026, 6, 30), supersedes=supersedes
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
        ("other_measures", date(2028, 3, 1)),  # 取消资格: at least 24 months
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
        (["other_measures"], "qualified"),
        (["other_measures", "demerit"], "basically_qualified"),
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


def test_a_bar_holds_through_its_last_day() -> None:
    """STANDARDS (the calendar): a 6-month warning decided 2025-03-10 bars 2025-03-10 through
    2025-09-10; 2025-09-11 is free (民法典 arts. 200–203)."""
    s = sanction("warning", date(2025, 3, 10))
    assert s.bar_until == date(2025, 9, 10)
    assert rules.veto(date(2025, 3, 9), [], [s], P) is None  # before the decision
    v = rules.veto(date(2025, 3, 10), [], [s], P)
    assert v is not None and v.reason_code == "sanction_in_force" and v.until == date(2025, 9, 10)
    assert rules.veto(date(2025, 9, 10), [], [s], P) is not None  # the last barred day
    assert rules.veto(date(2025, 9, 11), [], [s], P) is None


@pytest.mark.parametrize(
    ("decided", "kind", "last"),
    [
        (date(2025, 8, 31), "warning", date(2026, 2, 28)),  # no 31 February: the month's last day
        (date(2023, 8, 29), "warning", date(2024, 2, 29)),  # a leap year's 29 February exists
        (date(2023, 8, 31), "warning", date(2024, 2, 29)),
        (date(2024, 2, 29), "demerit", date(2025, 2, 28)),  # from 29 February, a year on
        (date(2024, 1, 31), "removal", date(2026, 1, 31)),
    ],
)
def test_the_last_barred_day_at_month_ends(decided: date, kind: str, last: date) -> None:
    s = sanction(kind, decided)
    assert s.bar_until == last
    assert rules.veto(last, [], [s], P) is not None
    assert rules.veto(last.fromordinal(last.toordinal() + 1), [], [s], P) is None


def test_veto_detail_in_plain_words() -> None:
    v = rules.veto(date(2026, 4, 1), [], [sanction("warning", date(2026, 3, 1))], P)
    assert v is not None
    assert "警告处分 2026-03-01 起至 2026-09-01" in v.detail
    with use_locale("en"):
        assert v.detail == "warning decided 2026-03-01, in force through 2026-09-01"
    assert rules.until_words(v.reason_code, v.until) == "至 2026-09-01"


def test_dismissal_vetoes_for_ever() -> None:
    v = rules.veto(date(2040, 1, 1), [], [sanction("dismissal", date(2026, 3, 1))], P)
    assert v is not None and v.until is None and "开除" in v.detail
    assert rules.until_words(v.reason_code, v.until) == "无期限"


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


JULY = date(2026, 7, 4)  # the demo's evaluation day for 2025-2026


def test_a_failed_evaluation_vetoes_from_the_day_it_was_made_into_the_autumn_rounds() -> None:
    """A 不合格 made 2026-07-04 vetoes from that day (not before: not on 2025-10-01 either), through
    the autumn rounds (2026-09-01, today) and at least 12 months (veto_months), and then until a
    later evaluation replaces it."""
    assert P.veto_months == 12
    e = evaluation("unqualified", "2025-2026", made=JULY)
    assert rules.veto(date(2025, 10, 1), [e], [], P) is None  # its school year, before it existed
    assert rules.veto(date(2026, 7, 3), [e], [], P) is None  # the day before it was made
    for day in (JULY, date(2026, 8, 31), date(2026, 9, 1), date(2026, 12, 5), date(2027, 7, 4)):
        v = rules.veto(day, [e], [], P)
        assert v is not None and v.reason_code == "unqualified_evaluation", day
        assert v.until is None  # not replaced yet: no end known
        assert "2025-2026 学年师德考核不合格（2026-07-04 作出）" in v.detail and "至少至 2027-07-04" in v.detail
    # never replaced: it still vetoes after the minimum
    assert rules.veto(date(2027, 9, 1), [e], [], P) is not None
    assert rules.until_words("unqualified_evaluation", None) == "直至新的师德考核"


def test_a_later_evaluation_ends_the_veto_but_not_before_the_minimum() -> None:
    e = evaluation("unqualified", "2025-2026", id=1, made=JULY)
    early = evaluation("qualified", "2026-2027", id=2, made=date(2027, 7, 2))  # within the 12 months
    assert rules.veto(date(2027, 7, 4), [e, early], [], P).until == date(2027, 7, 4)  # type: ignore[union-attr]
    assert rules.veto(date(2027, 7, 5), [e, early], [], P) is None
    late = evaluation("qualified", "2026-2027", id=3, made=date(2027, 8, 10))  # after the minimum
    v = rules.veto(date(2027, 8, 9), [e, late], [], P)
    assert v is not None and v.until == date(2027, 8, 9) and "至 2027-08-09" in v.detail
    assert rules.veto(date(2027, 8, 10), [e, late], [], P) is None
    # asked on a day before the replacement was made: vetoed, and the end is the known one
    assert rules.veto(date(2027, 7, 20), [e, late], [], P).until == date(2027, 8, 9)  # type: ignore[union-attr]


def test_a_failed_evaluation_replaced_by_another_failed_one_vetoes_on() -> None:
    first = evaluation("unqualified", "2025-2026", id=1, made=JULY)
    second = evaluation("unqualified", "2026-2027", id=2, made=date(2027, 7, 3))
    v = rules.veto(date(2027, 12, 1), [first, second], [], P)
    assert v is not None and v.until is None and "2026-2027" in v.detail


def test_superseded_unqualified_evaluation_does_not_veto() -> None:
    e = evaluation("unqualified", id=1)
    corrected = evaluation("qualified", id=2, supersedes=1)
    assert rules.veto(date(2026, 7, 1), [e, corrected], [], P) is None
    worse = evaluation("unqualified", id=3, supersedes=2)
    assert rules.veto(date(2026, 7, 1), [e, corrected, worse], [], P) is not None


def test_other_grades_do_not_veto() -> None:
    for grade in ("excellent", "qualified", "basically_qualified"):
        assert rules.veto(date(2026, 7, 1), [evaluation(grade)], [], P) is None


def test_longest_veto_is_named() -> None:
    e = evaluation("unqualified", id=1)  # made 2026-06-30, replaced 2026-08-01: through 2027-06-30
    replaced = evaluation("qualified", "2026-2027", id=2, made=date(2026, 8, 1))
    permanent = sanction("dismissal", date(2026, 3, 1))
    assert rules.veto(date(2026, 7, 1), [e, replaced], [permanent], P).reason_code == "sanction_in_force"  # type: ignore[union-attr]
    short = sanction("warning", date(2026, 3, 1))  # through 2026-09-01
    v = rules.veto(date(2026, 7, 1), [e, replaced], [short], P)
    assert v is not None and v.reason_code == "unqualified_evaluation" and v.until == date(2027, 6, 30)


def test_latest_ended_school_year() -> None:
    assert rules.latest_ended_school_year(date(2026, 11, 29)) == "2025-2026"
    assert rules.latest_ended_school_year(date(2026, 9, 1)) == "2025-2026"
    assert rules.latest_ended_school_year(date(2026, 8, 31)) == "2024-2025"  # 2025-2026 ends today


# --- standing -----------------------------------------------------------------------------------------


def test_standing_flags_a_sanction() -> None:
    s = rules.standing("2025-2026", on_post=10, evaluated=10, sanctions=1, policy=P)
    assert s.flagged and s.reasons == ("2025-2026 学年有 1 起师德处分",)
    with use_locale("en"):
        english = rules.standing("2025-2026", on_post=10, evaluated=10, sanctions=1, policy=P)
    assert english.reasons == ("1 sanction(s) decided in 2025-2026",)


def test_standing_threshold_is_exclusive() -> None:
    at = rules.standing("2025-2026", on_post=10, evaluated=9, sanctions=0, policy=P)  # 10% = threshold
    assert not at.flagged and at.missing_share == pytest.approx(0.1)
    above = rules.standing("2025-2026", on_post=10, evaluated=8, sanctions=0, policy=P)
    assert above.flagged and above.reasons == ("2/10 名在岗教师缺 2025-2026 学年师德考核（20%），超过 10%",)


def test_standing_of_an_empty_kindergarten() -> None:
    s = rules.standing("2025-2026", on_post=0, evaluated=0, sanctions=0, policy=P)
    assert not s.flagged and s.missing_share is None


def test_standing_both_reasons() -> None:
    s = rules.standing("2025-2026", on_post=4, evaluated=0, sanctions=2, policy=P)
    assert s.flagged and len(s.reasons) == 2
