"""The kindergarten register's codes and their Chinese labels (DOMAIN.md).

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class Ownership(StrEnum):
    public = "public"
    inclusive_private = "inclusive_private"
    private = "private"
    community_site = "community_site"
    unlicensed = "unlicensed"


class Grade(StrEnum):
    g1_1 = "1-1"
    g1_2 = "1-2"
    g1_3 = "1-3"
    g2_1 = "2-1"
    g2_2 = "2-2"
    g2_3 = "2-3"
    g3_1 = "3-1"
    g3_2 = "3-2"
    g3_3 = "3-3"
    none = "none"


class Demonstration(StrEnum):
    none = "none"
    district = "district"
    city = "city"


class ServiceType(StrEnum):
    full_day = "full_day"
    half_day = "half_day"
    boarding = "boarding"


class TeacherModel(StrEnum):
    """Staffing model of a full-day kindergarten (教职工配备标准): 2 teachers + 1 worker, or 3 teachers."""

    two_plus_one = "two_plus_one"
    three_teacher = "three_teacher"


LABELS[Ownership] = {
    "public": "公办",
    "inclusive_private": "普惠性民办",
    "private": "民办",
    "community_site": "社区办园点",
    "unlicensed": "无证",
}
LABELS[Grade] = {
    "1-1": "一级一类",
    "1-2": "一级二类",
    "1-3": "一级三类",
    "2-1": "二级一类",
    "2-2": "二级二类",
    "2-3": "二级三类",
    "3-1": "三级一类",
    "3-2": "三级二类",
    "3-3": "三级三类",
    "none": "无级类",
}
LABELS[Demonstration] = {"none": "非示范园", "district": "区级示范园", "city": "市级示范园"}
LABELS[ServiceType] = {"full_day": "全日制", "half_day": "半日制", "boarding": "寄宿制"}
LABELS[TeacherModel] = {"two_plus_one": "两教一保", "three_teacher": "三教"}
