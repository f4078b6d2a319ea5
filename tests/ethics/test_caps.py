"""Pure rules of issue 13: other measures (其他处理, 取消资格)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ethics import rules
from ethics.codes import SanctionKind
from ethics.rules import EvaluationRecord, SanctionRecord
from kernel.codes import label
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
    assert "处分" not in v.detail and "other_measures in force through 2027-03-10" in v.detail
    assert rules.measure_words("other_measures") == "其他处理（取消评优评先等资格）"
    assert rules.measure_words("demerit") == "记过处分"


def test_other_measures_cap_the_year_at_qualified() -> None:
    assert rules.strictest_cap(["other_measures"], P) == ("other_measures", "qualified")
    allowed = {g for g in P.grade_order if rules.grade_allowed(g, P.grade_cap["other_measures"], P)}
    assert allowed == {"qualified", "basically_qualified", "unqualified"}
