"""Eligibility's pure rules: a reason per rule, the rules' Chinese names, and the verdict.

(The figures they read from the ledger are worked out by ``credits.rules``.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from registry.staff.codes import TITLE_ORDER, Title


@dataclass(frozen=True)
class Reason:
    rule: str
    passed: bool
    detail: str  # English, with the figures
    words: str = ""  # the same in Chinese, for people (pages, sheets, PDFs)


# The rules' Chinese names (the answers name them by these codes), for the PDFs, sheets and pages.
RULE_LABELS = {
    "roster": "评审范围",
    "registration_period": "注册周期",
    "ethics_veto": "师德一票否决",
    "dual_certificate": "双证上岗",
    "credits_cycle": "周期学分",
    "credits_yearly_minimum": "年度最低学分",
    "credits_on_track": "学分进度",
    "title_minimum": "职称要求",
    "ethics_evaluations": "年度师德考核",
    "training_hours": "培训学时",
}


def rule_label(rule: str) -> str:
    return RULE_LABELS.get(rule, rule)


def reasons_in_words(reasons: Iterable[Any]) -> str:
    """Reasons (``Reason`` or ``ReasonOut``: a rule code and its Chinese ``words``) on one line, as
    the sheets and pages list the rules a person does not meet."""
    return "；".join(f"{rule_label(r.rule)}：{r.words}" for r in reasons)


def eligible(reasons: list[Reason]) -> bool:
    return all(r.passed for r in reasons)


def title_at_least(title: str | None, minimum: str) -> bool:
    """Whether a title is the minimum or above (the order of registry.staff.codes.TITLE_ORDER)."""
    order = [t.value for t in TITLE_ORDER]
    held = title if title in order else Title.none.value
    return order.index(held) >= order.index(minimum)
