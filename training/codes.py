"""Codes of the training app (../shared/API.md: course category, level, mode) and their Chinese labels.

They belong with ``registry.codes`` (a public contract: extend, never rename); they live here until
that module takes them, so the training app owns its own vocabulary meanwhile.
"""

from __future__ import annotations

from enum import StrEnum


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


class CourseLevel(StrEnum):
    city = "city"
    district = "district"
    group = "group"
    kindergarten = "kindergarten"


class CourseMode(StrEnum):
    in_person = "in_person"
    online = "online"
    practice = "practice"


LABELS: dict[type[StrEnum], dict[str, str]] = {
    CourseCategory: {
        "general": "通识培训",
        "key": "重点培训",
        "ethics": "师德培训",
        "safety": "安全培训",
        "family": "家园共育",
        "special_education": "特殊教育",
        "induction": "任职资格培训",
        "principal": "园长培训",
        "health_care": "卫生保健培训",
    },
    CourseLevel: {"city": "市级", "district": "区级", "group": "片级(协作组)", "kindergarten": "园本"},
    CourseMode: {"in_person": "面授", "online": "网络研修", "practice": "实践研修"},
}
