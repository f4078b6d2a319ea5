"""The training catalogue's own codes and their Chinese labels.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class CourseLevel(StrEnum):
    city = "city"
    district = "district"
    group = "group"
    kindergarten = "kindergarten"


LABELS[CourseLevel] = {"city": "市级", "district": "区级", "group": "片级/协作组", "kindergarten": "园级"}
