"""Pure rules of issue 13: other measures (其他处理, 取消资格) and the grade that counts whatever the order
of recording (a sanction's cap holds on an evaluation recorded before it)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ethics import rules
from ethics.codes import EthicsGrade, SanctionKind
from ethics.rules import EvaluationRecord, SanctionRecord
from kernel.codes import label
from kernel.i18n import use_locale
from kernel.policy import policy_on, versions

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
        id=id, staff_id=7, school_year=year, grade=grade, evaluated_on=made or date(2026, 7, 4), supersedes=supersedes
    )


# --- other measures ---------------------------------------------------------------------------------


def test_every_sanction_kind_has_its_policy_numbers() -> None:
    for version in versions():
        for kind in SanctionKind:
            assert kind.value in version.ethics.bar_months, (version.id, kind)
            assert version.ethics.grade_cap[kind.value] in version.ethics.grade_order, (version.id, kind)
    assert P.bar_months["other_measures"] == 24
    assert "取消" in P.sources["bar_months"] and "other measures" in P.sources["bar_months"]
    assert "district default (unverified)" in P.sources["grade_cap"]  # the other measures' cap
    assert label(SanctionKind, "other_measures") == "其他处理（取消评优评先等资格）"


@pytest.mark.parametrize(
    ("decided", "last"),
    [
        (date(2025, 3, 10), date(2027, 3, 10)),  # the corresponding day of the 24th month
        (date(2024, 2, 29), date(2026, 2, 28)),  # no 29 February in 2026: that month's last day
        (date(2025, 8, 31), date(2027, 8, 31)),
        (date(2025, 12, 31), date(2027, 12, 31)),
    ],
)
def test_other_measures_bar_through_the_last_day_of_the_24th_month(decided: date, last: date) -> None:
    s = sanction("other_measures", decided)
    assert s.bar_until == last
    assert rules.veto(decided - timedelta(days=1), [], [s], P) is None
    for day in (decided, decided + timedelta(days=400), last):
        v = rules.veto(day, [], [s], P)
        assert v is not None and v.reason_code == "sanction_in_force" and v.until == last, day
    assert rules.veto(last + timedelta(days=1), [], [s], P) is None


def test_other_measures_are_worded_as_no_sanction() -> None:
    v = rules.veto(date(2025, 4, 1), [], [sanction("other_measures", date(2025, 3, 10))], P)
    assert v is not None
    assert v.detail.startswith("其他处理（取消评优评先等资格） 2025-03-10 起至 2027-03-10 期间不得参加")
    assert "处分" not in v.detail
    with use_locale("en"):
        assert v.detail == "other_measures decided 2025-03-10, in force through 2027-03-10"
    assert rules.measure_words("other_measures") == "其他处理（取消评优评先等资格）"
    assert rules.measure_words("demerit") == "记过处分"


def test_other_measures_cap_the_year_at_qualified() -> None:
    s = sanction("other_measures", date(2025, 10, 1))
    for recorded, counted in (
        ("excellent", "qualified"),
        ("qualified", "qualified"),
        ("basically_qualified", "basically_qualified"),
    ):
        c = rules.counted_grade(evaluation(recorded), [s], P)
        assert (c.grade, c.above_cap) == (counted, recorded == "excellent"), recorded


# --- the grade that counts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "recorded", "counted"),
    [
        ("warning", "excellent", "qualified"),
        ("warning", "basically_qualified", "basically_qualified"),
        ("demerit", "excellent", "basically_qualified"),
        ("demerit", "qualified", "basically_qualified"),
        ("post_grade_lowered", "qualified", "unqualified"),
        ("removal", "basically_qualified", "unqualified"),
        ("dismissal", "excellent", "unqualified"),
    ],
)
def test_counted_grade_is_the_recorded_one_held_to_the_cap(kind: str, recorded: str, counted: str) -> None:
    s = sanction(kind, date(2025, 10, 1), id=5)
    c = rules.counted_grade(evaluation(recorded), [s], P)
    assert c.grade == counted and c.cap == P.grade_cap[kind]
    assert c.above_cap is (counted != recorded)
    if c.above_cap:
        assert c.cap_sanction == s
        words = c.words()
        assert words is not None
        assert f"记录为{label(EthicsGrade, recorded)}" in words and rules.measure_words(kind) in words
        assert words.endswith(f"，按{label(EthicsGrade, counted)}计")
        with use_locale("en"):
            assert f"every rule reads {counted}" in (c.words() or "")
    else:
        assert c.words() is None


def test_only_standing_sanctions_of_the_year_cap() -> None:
    e = evaluation("excellent", "2025-2026")
    other_year = sanction("demerit", date(2025, 8, 31), id=1)  # 2024-2025
    assert rules.counted_grade(e, [other_year], P).grade == "excellent"
    demerit = sanction("demerit", date(2026, 8, 31), id=2)  # the year's last day
    lifted = sanction(None, date(2026, 8, 31), id=3, outcome="lifted", supersedes=2)
    assert rules.counted_grade(e, [other_year, demerit], P).grade == "basically_qualified"
    assert rules.counted_grade(e, [other_year, demerit, lifted], P).grade == "excellent"
    changed = sanction("warning", date(2026, 8, 31), id=4, outcome="changed", supersedes=2)
    assert rules.counted_grade(e, [demerit, changed], P).grade == "qualified"


def test_the_strictest_cap_is_named_whatever_the_order_of_recording() -> None:
    """Of equally strict sanctions, the earliest decided names the cap, not the first recorded."""
    e = evaluation("excellent")
    late_warning = sanction("warning", date(2026, 3, 1), id=1)
    early_measure = sanction("other_measures", date(2025, 10, 1), id=2)
    for order in ([late_warning, early_measure], [early_measure, late_warning]):
        c = rules.counted_grade(e, order, P)
        assert (c.grade, c.cap_sanction) == ("qualified", early_measure)
    demerit = sanction("demerit", date(2026, 5, 1), id=3)
    assert rules.counted_grade(e, [late_warning, demerit, early_measure], P).cap_sanction == demerit


def test_counted_grades_of_several_people_and_years() -> None:
    a = evaluation("excellent", "2024-2025", id=1, made=date(2025, 7, 4))
    b = EvaluationRecord(id=2, staff_id=8, school_year="2024-2025", grade="excellent", evaluated_on=date(2025, 7, 4))
    fixed = evaluation("qualified", "2024-2025", id=3, supersedes=1, made=date(2025, 7, 20))
    s = sanction("demerit", date(2025, 3, 1), id=9)  # person 7's only
    out = rules.counted_grades([a, b, fixed], [s], lambda _year: P)
    assert {k: (c.evaluation.id, c.grade) for k, c in out.items()} == {
        (7, "2024-2025"): (3, "basically_qualified"),  # the current record, capped
        (8, "2024-2025"): (2, "excellent"),
    }


# --- the veto reads the grade that counts -----------------------------------------------------------

DAYS = [
    date(2025, 9, 30), date(2025, 10, 1), date(2026, 7, 3), date(2026, 7, 4), date(2026, 8, 20),
    date(2026, 9, 1), date(2027, 7, 4), date(2027, 7, 5), date(2027, 10, 1), date(2027, 10, 2),
    date(2028, 1, 1),
]  # fmt: skip


@pytest.mark.parametrize("kind", ["post_grade_lowered", "removal", "dismissal"])
def test_a_capped_unqualified_vetoes_as_a_recorded_one(kind: str) -> None:
    """Sanction first, then the year's evaluation (only `unqualified` may be recorded), against the
    evaluation first (`qualified`), then the sanction: the same veto on every day."""
    decided = date(2025, 10, 1)
    first = [sanction(kind, decided, id=1)], [evaluation("unqualified", id=2)]
    then = [sanction(kind, decided, id=2)], [evaluation("qualified", id=1)]
    for day in DAYS:
        a = rules.veto(day, first[1], first[0], P)
        b = rules.veto(day, then[1], then[0], P)
        assert (a is None) == (b is None), day
        if a is not None and b is not None:
            assert (a.reason_code, a.until) == (b.reason_code, b.until), day
    # no later evaluation has replaced it: the veto holds on after the sanction's own bar (a
    # dismissal's permanent bar is named before it)
    v = rules.veto(date(2030, 1, 1), then[1], then[0], P)
    if kind == "dismissal":
        assert v is not None and v.reason_code == "sanction_in_force" and v.until is None
        v = rules.veto(date(2030, 1, 1), then[1], [], P)  # (the evaluation alone is not capped)
        assert v is None
        return
    assert v is not None and v.reason_code == "unqualified_evaluation" and v.until is None
    assert "记录为合格" in v.detail and rules.measure_words(kind) in v.detail
    with use_locale("en"):
        assert f"(recorded qualified, capped at unqualified by the {kind} decided 2025-10-01)" in v.detail
    assert v.detail.startswith("2025-2026 学年师德考核不合格（2026-07-04 作出；")
    # nothing vetoes before the evaluation was made, nor before the sanction was decided
    assert rules.veto(date(2025, 9, 30), then[1], then[0], P) is None


def test_a_sanction_decided_after_the_evaluation_caps_it_from_the_day_it_was_made() -> None:
    """The cap is a property of the records, not of the day asked about: a lowered grade decided in
    August caps the evaluation made in July as it would if recorded first (the office could then
    only have recorded 不合格, which vetoes from the day it was made)."""
    e = evaluation("qualified", made=date(2026, 7, 4))
    s = sanction("post_grade_lowered", date(2026, 8, 20), id=2)
    recorded_at_cap = evaluation("unqualified", made=date(2026, 7, 4), id=3)
    for day in (date(2026, 7, 3), date(2026, 7, 4), date(2026, 8, 1), date(2026, 8, 20), date(2029, 1, 1)):
        a = rules.veto(day, [e], [s], P)
        b = rules.veto(day, [recorded_at_cap], [s], P)
        assert (None if a is None else (a.reason_code, a.until)) == (None if b is None else (b.reason_code, b.until))
    assert rules.veto(date(2026, 8, 1), [e], [s], P) is not None


def test_a_capped_grade_above_the_worst_does_not_veto() -> None:
    for kind in ("warning", "demerit", "other_measures"):
        s = sanction(kind, date(2025, 10, 1))
        assert rules.veto(date(2030, 1, 1), [evaluation("excellent")], [s], P) is None


def test_lifting_the_capping_sanction_ends_the_capped_veto() -> None:
    e = evaluation("qualified")
    s = sanction("post_grade_lowered", date(2025, 10, 1), id=1)
    lifted = sanction(None, date(2025, 10, 1), id=2, outcome="lifted", supersedes=1)
    assert rules.veto(date(2026, 8, 1), [e], [s], P) is not None
    assert rules.veto(date(2026, 8, 1), [e], [s, lifted], P) is None
