"""Training schemas in and out. Hours, credits and scores are exact decimals in, JSON numbers out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field, field_validator

from credits.codes import CourseCategory, CourseMode
from kernel.common.schemas import Schema
from kernel.i18n import F_
from registry.staff.codes import Post
from training.codes import CourseLevel

# the input fields' names as the messages name them (``kernel.i18n.field_label``)
FIELD_NAMES = (
    F_("code"),
    F_("category"),
    F_("level"),
    F_("capacity"),
    F_("required_for"),
    F_("starts_on"),
    F_("place"),
    F_("trainer"),
    F_("staff_id"),
    F_("enrolment_id"),
    F_("passed"),
)


def _unique_posts(value: list[Post]) -> list[Post]:
    seen: list[Post] = []
    for p in value:
        if p not in seen:
            seen.append(p)
    return seen


class CourseCreate(Schema):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = Field(min_length=1, max_length=200)
    category: CourseCategory
    level: CourseLevel
    mode: CourseMode
    hours: Decimal = Field(gt=0, le=9999, decimal_places=1, description="course hours (学时), to 0.1")
    credits: Decimal | None = Field(
        default=None,
        ge=0,
        le=9999,
        decimal_places=2,
        description="set explicitly; omitted: derived from hours by the policy (in person 10 h = 1 credit, "
        "online and practice 20 h = 1 credit), to 0.01",
    )
    required_for: list[Post] = Field(default_factory=list, description="posts for which the course is required")
    capacity: int | None = Field(
        default=None, ge=1, le=100_000, description="default seats per session; null: no limit"
    )

    _posts = field_validator("required_for")(_unique_posts)


class CourseOut(BaseModel):
    id: int
    code: str
    title: str
    category: CourseCategory
    level: CourseLevel
    mode: CourseMode
    hours: float
    credits: float
    credits_set: bool = Field(description="true: credits were set explicitly; false: derived from hours by the policy")
    required_for: list[Post]
    capacity: int | None
    created_at: datetime


class SessionCreate(Schema):
    course_id: int
    starts_on: date
    ends_on: date = Field(description="on or after starts_on")
    place: str = Field(default="", max_length=200)
    trainer: str = Field(default="", max_length=100)
    capacity: int | None = Field(default=None, ge=1, le=100_000, description="null: the course's capacity applies")


class SessionOut(BaseModel):
    id: int
    course_id: int
    course_code: str
    course_title: str
    category: CourseCategory
    mode: CourseMode
    starts_on: date
    ends_on: date
    place: str
    trainer: str
    capacity: int | None = Field(description="the session's own capacity (null: the course's applies)")
    effective_capacity: int | None = Field(description="the seats this session offers; null: unlimited")
    seats_taken: int
    seats_left: int | None = Field(description="null: unlimited")
    created_at: datetime


class EnrolmentCreate(Schema):
    staff_id: int


class ResultCreate(Schema):
    enrolment_id: int
    hours: Decimal = Field(ge=0, le=9999, decimal_places=1, description="hours attended, at most the course's hours")
    passed: bool
    score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    completed_on: date | None = Field(
        default=None, description="default: the session's last day, or today if the session is still running"
    )


class ResultCorrection(Schema):
    """A correction of a recorded result: the corrected fields and why (audited; the ledger entry the
    result earned is reversed and the corrected one written, in one transaction)."""

    hours: Decimal | None = Field(default=None, ge=0, le=9999, decimal_places=1)
    passed: bool | None = None
    score: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    completed_on: date | None = None
    reason: str = Field(min_length=1, max_length=500)


class ResultOut(BaseModel):
    id: int
    enrolment_id: int
    hours: float
    passed: bool
    score: float | None
    completed_on: date
    recorded_by: str
    recorded_at: datetime


class EnrolmentOut(BaseModel):
    id: int
    session_id: int
    course_id: int
    course_code: str
    staff_id: int
    staff_name: str
    kindergarten_id: int
    enrolled_at: datetime
    enrolled_by: str
    result: ResultOut | None


class TrainingRecord(BaseModel):
    """One enrolment of a person, with its course, session and result."""

    enrolment_id: int
    session_id: int
    course_id: int
    course_code: str
    course_title: str
    category: CourseCategory
    level: CourseLevel
    mode: CourseMode
    course_hours: float
    credits: float
    starts_on: date
    ends_on: date
    enrolled_at: datetime
    result: ResultOut | None


class StaffTraining(BaseModel):
    staff_id: int
    name: str
    kindergarten_id: int
    records: list[TrainingRecord] = Field(description="newest session first")


class CoverageCell(BaseModel):
    on_post: int
    covered: int
    rate: float | None = Field(description="covered / on_post to 4 decimals; null when nobody is on post")
    target: float


class KindergartenCoverage(BaseModel):
    kindergarten_id: int
    code: str
    name: str
    street: str
    group: int
    by_category: dict[str, CoverageCell]


class KindergartenRef(BaseModel):
    kindergarten_id: int
    code: str
    name: str


class PolicyRef(BaseModel):
    id: str
    source: str


class CoverageOut(BaseModel):
    year: int
    scope: str = Field(description="district, or kindergarten for a kindergarten admin (figures cover that scope)")
    categories: list[str]
    district: dict[str, CoverageCell]
    kindergartens: list[KindergartenCoverage]
    without_family_instructor: list[KindergartenRef]
    policy: PolicyRef
