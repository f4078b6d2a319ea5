"""What eligibility is asked for, and the Chinese labels.

Codes are a public contract (../shared/API.md): extend, never rename.
"""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class Purpose(StrEnum):  # what credit eligibility is asked for
    title = "title"  # type: ignore[assignment]
    backbone = "backbone"
    award = "award"
    promotion = "promotion"
    registration = "registration"


LABELS[Purpose] = {
    "title": "职称评定",
    "backbone": "骨干选拔",
    "award": "评优评先",
    "promotion": "岗位晋升",
    "registration": "教师资格定期注册",
}
