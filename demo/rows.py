"""The row types and dates the demo's modules share (the generator makes the rows, history and
records add to them, the loader writes them through the domains): one module at the bottom of
the demo package, so its modules import one way."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

REFERENCE_DATE = date(2026, 9, 1)
DAYS_PER_YEAR = 365.2425
DEMO_TODAY = date(2026, 11, 29)
"""The demo's "today" for training and certificates: no result, certificate, event or registration
is dated after it; compliance, coverage and expiry figures are reckoned on it."""


@dataclass(slots=True)
class KindergartenRow:
    index: int
    code: str
    name: str
    street: str
    collab_group: int
    ownership: str
    grade: str
    demonstration: str
    service_type: str
    teacher_model: str
    classes_small: int
    classes_middle: int
    classes_large: int
    classes_mixed: int
    classes_nursery: int
    children: int
    places: int
    opened_on: date
    closed_on: date | None = None
    district: str = ""

    @property
    def classes(self) -> int:
        return self.classes_small + self.classes_middle + self.classes_large + self.classes_mixed + self.classes_nursery


@dataclass(slots=True)
class StaffRow:
    index: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    kindergarten: int
    post: str
    employment: str
    title: str
    honours: list[str]
    education: str | None
    hired_on: date
    status: str
    left_on: date | None = None


@dataclass(slots=True)
class AssignmentRow:
    staff: int
    kindergarten: int
    post: str
    starts_on: date
    ends_on: date | None
    reason: str


@dataclass(slots=True)
class StaffChunk:
    """The people of one district and their assignments."""

    district: str
    staff: list[StaffRow]
    assignments: list[AssignmentRow]


@dataclass(slots=True)
class DemoAccount:
    username: str
    role: str
    kindergarten: int | None
    kindergarten_code: str | None
    staff: int | None
    staff_name: str | None
    password: str = field(default="", repr=False, compare=False)


@dataclass(slots=True)
class DistrictSpec:
    name: str
    place: str  # prefix of kindergarten names, e.g. 北京市朝阳区
    code_prefix: str
    area: str  # local ID area code
    kindergartens: int
    streets: tuple[str, ...]
    groups: tuple[int, ...]  # collaboration group of each street
    street_weights: tuple[float, ...]
    street_minimum: int
    stems: tuple[str, ...]  # the word a street lends to kindergarten names
    calibrated: bool  # the action plan's exact figures (Chaoyang)


@dataclass(slots=True)
class DistrictPlan:
    spec: DistrictSpec
    kg_first: int
    kg_count: int
    heads: list[tuple[int, int, int, int, int, int]]  # per kindergarten, in POST_ORDER
    staff_first: int
    staff_count: int
    left_teachers: int
    transfers: int
    professors: int
    special_grade: int
    city_backbone: int
    district_backbone: int
    subject_leaders: int
    seed: int
