"""The demo's plan figures and shares (the action plan's calibration targets, the ownership, title and
post mixes) and the small helpers the planning and the staff generation share: weighted picks,
ages, apportioning."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import accumulate
from typing import Any

from demo.rows import (
    DAYS_PER_YEAR,
    REFERENCE_DATE,
)
from registry.kindergartens.codes import Ownership
from registry.staff.codes import TITLE_ORDER, Education, Post, Title

SCALES = ("district", "city", "province")
"""Ages are reckoned on this day; every staff date (birth, hire, leaving) lies before it."""

HEALTH_CHILDREN_PER_DOCTOR = 150  # 托儿所幼儿园卫生保健管理办法 art. 12 (STANDARDS.md)

# District-scale figures of the action plan (baseline September 2017).
PLAN_KINDERGARTENS = 315
PLAN_CHILDREN = 78_000
PLAN_TEACHERS = 7_400
PLAN_PROFESSORS = 3
PLAN_SPECIAL_GRADE = 6
PLAN_CITY_BACKBONE = 90
PLAN_DISTRICT_BACKBONE = 312  # 90 + 312 = 402 backbone teachers
PLAN_SUBJECT_LEADERS = 30
PLAN_GRADE_1_1_SHARE = 0.40  # 126 of 315
PLAN_CITY_DEMONSTRATION = 30

PROVINCE_SYNTHETIC_DISTRICTS = 144
PROVINCE_KINDERGARTENS_PER_DISTRICT = 125
MATERIALISE_LIMIT = 200_000
"""Up to this many staff, ``generate`` keeps every chunk in memory (district and city scales)."""

REFERENCE_ORDINAL = REFERENCE_DATE.toordinal()

OWNERSHIP_SHARES: tuple[tuple[Ownership, float], ...] = (
    (Ownership.public, 0.45),
    (Ownership.inclusive_private, 0.30),
    (Ownership.private, 0.15),
    (Ownership.community_site, 0.08),
    (Ownership.unlicensed, 0.02),
)
OWNERSHIP_RANK = {o: i for i, (o, _) in enumerate(OWNERSHIP_SHARES)}
SMALL_SITES = frozenset({Ownership.community_site, Ownership.unlicensed})

# Relative size (children) by ownership, before scaling to the district's total.
SIZE_RANGE: dict[Ownership, tuple[float, float]] = {
    Ownership.public: (170.0, 430.0),
    Ownership.inclusive_private: (140.0, 330.0),
    Ownership.private: (90.0, 280.0),
    Ownership.community_site: (30.0, 90.0),
    Ownership.unlicensed: (20.0, 70.0),
}
COMMUNITY_GRADED = 0.15  # share of community sites with a grade (3-2 or 3-3); the rest "none"
OPENED_YEARS: dict[Ownership, tuple[int, int]] = {
    Ownership.public: (1950, 2016),
    Ownership.inclusive_private: (1995, 2017),
    Ownership.private: (1993, 2017),
    Ownership.community_site: (2008, 2017),
    Ownership.unlicensed: (2010, 2017),
}
OTHER_GRADES: dict[Ownership, str] = {
    Ownership.public: "1-2:35 1-3:10 2-1:35 2-2:15 2-3:5",
    Ownership.inclusive_private: "1-2:15 2-1:30 2-2:25 2-3:10 3-1:10 3-2:5 none:5",
    Ownership.private: "1-2:5 2-1:20 2-2:25 2-3:15 3-1:15 3-2:10 none:10",
    Ownership.community_site: "none:1",  # but COMMUNITY_GRADED of them are graded 3-2 or 3-3
    Ownership.unlicensed: "none:1",
}
EMPLOYMENT: dict[Ownership, str] = {
    Ownership.public: "establishment:55 contract:30 purchased_service:8 agency:4 rehired_retiree:3",
    Ownership.inclusive_private: "contract:70 agency:20 purchased_service:5 rehired_retiree:5",
    Ownership.private: "contract:65 agency:30 rehired_retiree:5",
    Ownership.community_site: "contract:50 agency:35 purchased_service:10 rehired_retiree:5",
    Ownership.unlicensed: "contract:40 agency:55 rehired_retiree:5",
}

# Teacher titles below the three 正高级 (shares of a district's teachers, from the top down).
TITLE_SHARES: tuple[tuple[Title, float], ...] = (
    (Title.senior, 0.03),
    (Title.level1, 0.20),
    (Title.level2, 0.35),
    (Title.level3, 0.20),
)
TITLE_RANK = {t: i for i, t in enumerate(TITLE_ORDER)}

# The order in which a kindergarten's people are generated (and of DistrictPlan.heads).
POST_ORDER: tuple[Post, ...] = (
    Post.principal,
    Post.vice_principal,
    Post.teacher,
    Post.childcare_worker,
    Post.health_doctor,
    Post.other,
)
START_AGE: dict[str, float] = {
    Education.secondary: 18.3,
    Education.associate: 20.3,
    Education.bachelor: 22.3,
    Education.master: 25.3,
    Education.doctorate: 28.3,
}

DEMO_USERNAMES = ("hr", "inspector", "admin", "teacher")
HIRE_REASON = "入职"  # assignment.reason of a first assignment
TRANSFER_REASON = "调入"  # assignment.reason of the assignment a transfer opened


# --------------------------------------------------------------------------- helpers


class Picker:
    """Weighted choice with precomputed cumulative weights (``random.choices`` rebuilds them)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[Any, float]]) -> None:
        items, weights = zip(*pairs, strict=True)
        self.items: tuple[Any, ...] = items
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    @classmethod
    def parse(cls, text: str) -> Picker:
        return cls((word, float(w)) for word, w in (item.split(":") for item in text.split()))

    def pick(self, rng: random.Random) -> Any:
        return self.items[bisect_right(self.cum, rng.random() * self.total)]


def required_health_doctors(children: int) -> int:
    """The health-care rule's default: max(1, ceil(children / 150)) (STANDARDS.md)."""
    return max(1, math.ceil(children / HEALTH_CHILDREN_PER_DOCTOR))


def age_on(born: date, day: date = REFERENCE_DATE) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def apportion(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each >= minimum."""
    rest = total - minimum * len(weights)
    if rest < 0:
        raise ValueError("total is below the minimum")
    scale = rest / sum(weights)
    quotas = [w * scale for w in weights]
    counts = [int(q) for q in quotas]
    order = sorted(range(len(weights)), key=lambda i: counts[i] - quotas[i])
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [minimum + c for c in counts]


def date_in_years(rng: random.Random, first: int, last: int) -> date:
    lo = date(first, 1, 1).toordinal()
    hi = date(last, 12, 31).toordinal()
    return date.fromordinal(rng.randint(lo, hi))


def add_years(day: int, years: float) -> int:
    return day + int(years * DAYS_PER_YEAR)
