"""Eligibility's pure rules (eligibility.rules)."""

from __future__ import annotations

from eligibility import rules


def test_rule_labels_and_reasons_in_words() -> None:
    assert rules.rule_label("ethics_veto") == "师德一票否决" and rules.rule_label("new_rule") == "new_rule"
    failing = [
        rules.Reason("dual_certificate", False, "missing", "专任教师岗位缺少：上岗证"),
        rules.Reason("credits_yearly_minimum", False, "0 credits", "2024 年已认定 0 学分，年度最低 4 学分"),
    ]
    assert rules.reasons_in_words(failing) == (
        "双证上岗：专任教师岗位缺少：上岗证；年度最低学分：2024 年已认定 0 学分，年度最低 4 学分"
    )
    assert rules.reasons_in_words([]) == ""
