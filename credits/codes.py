"""The credit ledger's codes and their Chinese labels: the recognition policy's course categories and
modes (training's courses use them), entry sources, transcript status.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class CourseCategory(StrEnum):
    general = "general"
    key = "key"
    ethics = "ethics"
    safety = "safety"
    family = "family"
    special_education = "special_education"
    induction = "induction"
    principal = "principal"
    health_care = "health_care"


class CourseMode(StrEnum):
    in_person = "in_person"
    online = "online"
    practice = "practice"


class CreditSource(StrEnum):
    training = "training"
    research = "research"
    studio = "studio"
    mentoring = "mentoring"
    competition = "competition"
    publication = "publication"
    recognition = "recognition"


class CreditStatus(StrEnum):  # a credit transcript's status in its registration cycle
    complete = "complete"
    on_track = "on_track"
    behind = "behind"
    at_risk = "at_risk"


LABELS[CourseCategory] = {
    "general": "通识培训",
    "key": "重点培训",
    "ethics": "师德培训",
    "safety": "安全培训",
    "family": "家园共育",
    "special_education": "特殊教育",
    "induction": "任职资格培训",
    "principal": "园长培训",
    "health_care": "卫生保健培训",
}
LABELS[CourseMode] = {"in_person": "面授", "online": "网络研修", "practice": "实践"}
LABELS[CreditSource] = {
    "training": "培训",
    "research": "课题研究",
    "studio": "名师工作室",
    "mentoring": "手拉手结对",
    "competition": "教学竞赛",
    "publication": "论文著作",
    "recognition": "学分认定",
}
LABELS[CreditStatus] = {"complete": "已完成", "on_track": "进度正常", "behind": "进度落后", "at_risk": "有风险"}


class ClaimStatus(StrEnum):  # a teacher's credit claim (学分申报, issue 16)
    submitted = "submitted"
    checked = "checked"
    approved = "approved"
    rejected = "rejected"
    returned = "returned"


class ClaimDecision(StrEnum):
    approve = "approve"
    reject = "reject"
    # back to the teacher to amend
    return_ = "return"


LABELS[ClaimStatus] = {
    "submitted": "已提交",
    "checked": "园所已审核",
    "approved": "区级已认定",
    "rejected": "未通过",
    "returned": "退回修改",
}
LABELS[ClaimDecision] = {"approve": "通过", "reject": "不予认定", "return": "退回修改"}
