"""The ethics domain's codes and their Chinese labels: evaluation grades, sanctions, appeal outcomes.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class EthicsGrade(StrEnum):
    excellent = "excellent"
    qualified = "qualified"
    basically_qualified = "basically_qualified"
    unqualified = "unqualified"


class SanctionKind(StrEnum):
    warning = "warning"
    demerit = "demerit"
    post_grade_lowered = "post_grade_lowered"
    removal = "removal"
    dismissal = "dismissal"
    # 教师〔2018〕19号 art. 3: no 处分, but other measures (通报批评, 诫勉谈话 ...) with 取消资格
    # (awards, promotion, titles ...), barring at least 24 months
    other_measures = "other_measures"


class SanctionOutcome(StrEnum):
    decided = "decided"  # the first decision
    changed = "changed"  # an appeal (申诉/复核) changed the sanction it supersedes
    lifted = "lifted"  # an appeal lifted the sanction it supersedes


LABELS[EthicsGrade] = {
    "excellent": "优秀",
    "qualified": "合格",
    "basically_qualified": "基本合格",
    "unqualified": "不合格",
}
LABELS[SanctionKind] = {
    "warning": "警告",
    "demerit": "记过",
    "post_grade_lowered": "降低岗位等级",
    "removal": "撤职",
    "dismissal": "开除",
    "other_measures": "其他处理（取消评优评先等资格）",
}
LABELS[SanctionOutcome] = {"decided": "原处理", "changed": "变更", "lifted": "撤销处分"}
