"""The staff register's codes (posts, employment, titles, honours, education, status, sex) and their
Chinese labels (DOMAIN.md); the other domains use them too, from above.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class Post(StrEnum):
    principal = "principal"
    vice_principal = "vice_principal"
    teacher = "teacher"
    childcare_worker = "childcare_worker"
    health_doctor = "health_doctor"
    other = "other"


class Employment(StrEnum):
    establishment = "establishment"
    contract = "contract"
    agency = "agency"
    purchased_service = "purchased_service"
    rehired_retiree = "rehired_retiree"


class Title(StrEnum):
    none = "none"
    level3 = "level3"
    level2 = "level2"
    level1 = "level1"
    senior = "senior"
    professor = "professor"


TITLE_ORDER = [Title.none, Title.level3, Title.level2, Title.level1, Title.senior, Title.professor]


class Honour(StrEnum):
    special_grade = "special_grade"
    city_backbone = "city_backbone"
    district_backbone = "district_backbone"
    subject_leader = "subject_leader"


class Education(StrEnum):
    secondary = "secondary"  # 中专/高中
    associate = "associate"  # 大专
    bachelor = "bachelor"  # 本科
    master = "master"  # 硕士
    doctorate = "doctorate"  # 博士


class StaffStatus(StrEnum):
    on_post = "on_post"
    on_leave = "on_leave"
    pending_induction = "pending_induction"
    left = "left"


class Sex(StrEnum):
    male = "male"
    female = "female"


LABELS[Post] = {
    "principal": "园长",
    "vice_principal": "副园长",
    "teacher": "专任教师",
    "childcare_worker": "保育员",
    "health_doctor": "保健医",
    "other": "其他",
}
LABELS[Employment] = {
    "establishment": "在编",
    "contract": "编外合同",
    "agency": "劳务派遣",
    "purchased_service": "政府购买服务",
    "rehired_retiree": "退休返聘",
}
LABELS[Title] = {
    "none": "未定级",
    "level3": "三级",
    "level2": "二级",
    "level1": "一级",
    "senior": "高级",
    "professor": "正高级",
}
LABELS[Honour] = {
    "special_grade": "特级教师",
    "city_backbone": "市级骨干教师",
    "district_backbone": "区级骨干教师",
    "subject_leader": "学科带头人",
}
LABELS[Education] = {
    "secondary": "中专/高中",
    "associate": "大专",
    "bachelor": "本科",
    "master": "硕士",
    "doctorate": "博士",
}
LABELS[StaffStatus] = {
    "on_post": "在岗",
    "on_leave": "离岗/休假",
    "pending_induction": "待岗培训",
    "left": "离职",
}
LABELS[Sex] = {"male": "男", "female": "女"}
