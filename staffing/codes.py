"""The staffing domain's codes and their Chinese labels: pool sources and statuses, the posts the
standard counts, planned places, class bands.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class PoolSource(StrEnum):
    """Where a reserve-pool candidate comes from (行动计划 五(一): 多渠道增加师资供给)."""

    purchased_service = "purchased_service"
    university = "university"
    retired_teacher = "retired_teacher"
    non_establishment = "non_establishment"


class CandidateStatus(StrEnum):
    available = "available"
    placed = "placed"
    withdrawn = "withdrawn"


class StaffingPost(StrEnum):
    """The posts the staffing standard counts; ``principal`` covers principals and vice principals."""

    teacher = "teacher"
    childcare_worker = "childcare_worker"
    principal = "principal"
    health_doctor = "health_doctor"


class PlannedKind(StrEnum):
    new_kindergarten = "new_kindergarten"
    expansion = "expansion"


class ClassBand(StrEnum):
    """Age bands with a class size in 幼儿园工作规程 art. 11."""

    small = "small"
    middle = "middle"
    large = "large"
    mixed = "mixed"


LABELS[PoolSource] = {
    "purchased_service": "政府购买服务",
    "university": "高校实习就业",
    "retired_teacher": "退休教师",
    "non_establishment": "编外具备资质人员",
}
LABELS[CandidateStatus] = {"available": "可安置", "placed": "已安置", "withdrawn": "已退出"}
LABELS[StaffingPost] = {
    "teacher": "专任教师",
    "childcare_worker": "保育员",
    "principal": "园长(含副园长)",
    "health_doctor": "卫生保健人员",
}
LABELS[PlannedKind] = {"new_kindergarten": "新建园", "expansion": "扩建/增班"}
LABELS[ClassBand] = {"small": "小班", "middle": "中班", "large": "大班", "mixed": "混龄班"}
