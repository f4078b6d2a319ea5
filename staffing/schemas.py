"""Staffing schemas in and out: gaps, the standard's calculator, planned places and projection, plan
progress, the reserve pool, matches and placements."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from kernel.codes import CertificateType
from kernel.common.schemas import Schema
from kernel.i18n import _
from registry.kindergartens.codes import Ownership, ServiceType, TeacherModel
from registry.staff.codes import Education, Employment, Post, StaffStatus
from registry.staff.schemas import valid_id_number
from staffing.codes import CandidateStatus, ClassBand, PlannedKind, PoolSource, StaffingPost

GapBy = Literal["kindergarten", "street", "group", "ownership", "district"]


# --- the standard and gaps -----------------------------------------------------------------------


class PostGapOut(BaseModel):
    post: StaffingPost
    required: int = Field(description="what the standard asks for (principals: at least one)")
    allowed: int | None = Field(description="principals: the most the class band allows; null for other posts")
    on_post: int
    qualified: int = Field(description="on post and dual-certificate compliant")
    pending_induction: int = Field(description="waiting for induction or certificates (not on post)")
    gap: int = Field(description="required - qualified, never negative; a roll-up adds its kindergartens' gaps")
    surplus: int = Field(description="on post beyond the requirement (principals: beyond the band)")
    to_certify: int = Field(description="on post but not qualified")


class RatioOut(BaseModel):
    children: int
    staff: int = Field(description="everyone on post")
    teaching_care: int = Field(description="teachers and childcare workers on post")
    children_per_staff: float | None
    children_per_teaching_care: float | None
    band_staff: tuple[int, int] = Field(description="the standard's band, children per member of staff")
    band_teaching_care: tuple[int, int]
    meets_staff: bool
    meets_teaching_care: bool


class GapRow(BaseModel):
    key: str
    label: str
    kindergartens: int
    classes: int
    children: int
    places: int
    over_capacity: int = Field(description="kindergartens with more children than approved places (flagged)")
    posts: list[PostGapOut]
    gap: int = Field(description="all posts")
    ratio: RatioOut | None = Field(default=None, description="by=kindergarten: the staff-to-children ratio")
    service_type: ServiceType | None = None
    teacher_model: TeacherModel | None = None
    flags: list[str] = Field(default_factory=list)


class PolicyRef(BaseModel):
    id: str
    health_rounding: str
    source: str


class GapsOut(BaseModel):
    on: date
    by: GapBy
    rows: list[GapRow] = Field(description="one page of rows")
    rows_total: int
    total: GapRow = Field(description="every row of the selection added up")
    limit: int
    offset: int
    policy: PolicyRef


Count = Field(default=0, ge=0, le=200)


class ClassesIn(Schema):
    small: int = Count
    middle: int = Count
    large: int = Count
    mixed: int = Count
    nursery: int = Count


class RequirementIn(Schema):
    """A what-if question to the standard (nothing is written)."""

    service_type: ServiceType = ServiceType.full_day
    teacher_model: TeacherModel = TeacherModel.two_plus_one
    classes: ClassesIn = Field(description="classes by age band (as a kindergarten's)")
    children: int = Field(ge=0, le=10_000)
    places: int | None = Field(default=None, ge=0, le=10_000, description="more children than places is flagged")
    health_rounding: Literal["ceil", "floor"] | None = Field(default=None, description="default: the policy's")
    staff_on_post: int | None = Field(default=None, ge=0, le=100_000, description="for the ratio")
    teaching_care_on_post: int | None = Field(default=None, ge=0, le=100_000, description="for the ratio")


class RequirementOut(BaseModel):
    service_type: ServiceType
    teacher_model: TeacherModel
    classes: int
    children: int
    places: int | None
    single_class: bool
    per_class: dict[str, int]
    required: dict[str, int]
    principals_allowed: int
    health_rounding: str
    ratio: RatioOut | None
    flags: list[str]
    policy: PolicyRef


# --- planned places and projection ---------------------------------------------------------------


class PlannedCreate(Schema):
    name: str = Field(min_length=1, max_length=200)
    kind: PlannedKind
    kindergarten_id: int | None = Field(default=None, description="the kindergarten an expansion grows")
    street: str | None = Field(default=None, min_length=1, max_length=64, description="new: required")
    group: int | None = Field(default=None, ge=1, le=15)
    ownership: Ownership | None = None
    service_type: ServiceType = ServiceType.full_day
    teacher_model: TeacherModel = TeacherModel.two_plus_one
    places: int = Field(ge=1, le=100_000)
    band: ClassBand | None = Field(default=None, description="class-size band; default: the policy's")
    opens_on: date
    plan_item: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class PlannedUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    places: int | None = Field(default=None, ge=1, le=100_000)
    band: ClassBand | None = None
    opens_on: date | None = None
    service_type: ServiceType | None = None
    teacher_model: TeacherModel | None = None
    note: str | None = Field(default=None, max_length=2000)
    cancelled: bool | None = None


class PlannedOut(BaseModel):
    id: int
    name: str
    kind: PlannedKind
    kindergarten_id: int | None
    street: str
    group: int | None
    ownership: str
    service_type: ServiceType
    teacher_model: TeacherModel
    places: int
    band: ClassBand | None
    classes: int = Field(description="ceil(places / class size of the band)")
    required: dict[str, int] = Field(description="the staff these places add (expansions: the difference)")
    opens_on: date
    plan_item: str
    note: str
    cancelled: bool
    flags: list[str]
    created_by: str
    created_at: datetime


class PlannedPage(BaseModel):
    items: list[PlannedOut]
    total: int
    places: int = Field(description="places of every item of the selection (not cancelled)")
    limit: int
    offset: int


class ProjectionPost(BaseModel):
    post: StaffingPost
    required_now: int
    required_added: int = Field(description="by the planned places open on the day")
    required: int = Field(description="projected requirement on the day")
    qualified: int = Field(description="qualified on post today (nobody assumed hired)")
    gap_now: int
    gap: int = Field(description="projected gap: each kindergarten's, added up (new ones have nobody yet)")


class ProjectionOut(BaseModel):
    on: date
    scope: str
    kindergartens_now: int
    new_kindergartens: int
    expansions: int
    places_added: int
    classes_added: int
    children_added: int = Field(description="planned places counted as filled")
    posts: list[ProjectionPost]
    items: list[PlannedOut] = Field(description="the planned places open on the day")
    policy: PolicyRef


# --- plan progress -----------------------------------------------------------------------------------


class TargetOut(BaseModel):
    code: str
    label: str
    unit: Literal["people", "rate", "kindergartens"]
    target: float | None = Field(description="null: the plan gives a direction, no number")
    achieved: float | None = Field(
        description="the value on the day; for the people targets every addition made in the plan's period up "
        "to the day (hires and placements, each person once), those who have left since included"
    )
    remaining: float | None
    still_on_roll: int | None = Field(
        default=None,
        description="people targets: those of the additions in `achieved` still on the roll on the day (not "
        "recorded as left, or left after it); null for the other targets",
    )
    detail: str = Field(
        description="what the figure counts, in words, in the reader's language (Chinese; English with "
        "Accept-Language: en)"
    )
    source: str


class PlanPeriod(BaseModel):
    name: str
    period_from: date
    period_to: date
    counted_from: date | None
    counted_to: date | None
    period_over: bool


class PlanProgressOut(BaseModel):
    on: date
    plan: PlanPeriod
    targets: list[TargetOut]
    added_after_period: dict[str, int] = Field(
        description="teachers and health doctors added after the plan's period up to the day (hires and "
        "placements, each person once, those who have left since included): they count towards no target of "
        "this plan"
    )
    policy: PolicyRef


# --- the reserve pool ----------------------------------------------------------------------------


class PoolCertificateIn(Schema):
    type: CertificateType
    number: str = Field(min_length=1, max_length=64)
    issuer: str = Field(default="", max_length=200)
    issued_on: date
    expires_on: date | None = None


class CandidateCreate(Schema):
    id_number: str = Field(description="resident ID number (身份证号), validated as for staff")
    name: str = Field(min_length=1, max_length=64)
    source: PoolSource
    posts: list[Post] = Field(min_length=1, max_length=6, description="the posts wanted")
    streets: list[str] = Field(default_factory=list, max_length=20, description="preferred streets; [] = anywhere")
    education: Education | None = None
    available_from: date
    available_to: date | None = None
    certificates: list[PoolCertificateIn] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=2000)

    _id = field_validator("id_number")(valid_id_number)

    @field_validator("posts")
    @classmethod
    def _unique_posts(cls, value: list[Post]) -> list[Post]:
        return list(dict.fromkeys(value))

    @field_validator("streets")
    @classmethod
    def _streets(cls, value: list[str]) -> list[str]:
        cleaned = [s.strip() for s in value]
        if any(not s or len(s) > 64 for s in cleaned):
            raise ValueError(_("each street is 1-64 characters"))
        return list(dict.fromkeys(cleaned))

    @field_validator("available_to")
    @classmethod
    def _window(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("available_from")
        if value is not None and start is not None and value < start:
            raise ValueError(_("is before available_from ({day})", day=start.isoformat()))
        return value


class CandidateUpdate(Schema):
    name: str | None = Field(default=None, min_length=1, max_length=64)
    source: PoolSource | None = None
    posts: list[Post] | None = Field(default=None, min_length=1, max_length=6)
    streets: list[str] | None = Field(default=None, max_length=20)
    education: Education | None = None
    available_from: date | None = None
    available_to: date | None = None
    status: Literal["available", "withdrawn"] | None = Field(default=None, description="placed only by a placement")
    certificates: list[PoolCertificateIn] | None = Field(default=None, max_length=20, description="replaces the list")
    note: str | None = Field(default=None, max_length=2000)


class PoolCertificateOut(BaseModel):
    type: CertificateType
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None


class CandidateOut(BaseModel):
    id: int
    id_number: str = Field(description="masked (110105********123X) unless the caller is district HR")
    name: str
    sex: str
    birth_year: int
    source: PoolSource
    posts: list[Post]
    streets: list[str]
    education: Education | None
    available_from: date
    available_to: date | None
    status: CandidateStatus
    staff_id: int | None
    certificates: list[PoolCertificateOut]
    note: str
    created_at: datetime
    updated_at: datetime


class CandidatePage(BaseModel):
    items: list[CandidateOut]
    total: int
    limit: int
    offset: int


class MatchOut(BaseModel):
    rank: int
    candidate_id: int
    id_number: str
    name: str
    source: PoolSource
    ready: bool = Field(description="holds the post's certificates: can go on post now")
    missing: list[str]
    prefers_street: bool | None = Field(description="true: prefers this street; null: no preference")
    available_from: date
    available_to: date | None
    rank_reasons: list[str]


class MatchesOut(BaseModel):
    kindergarten_id: int
    kindergarten_code: str
    street: str
    post: StaffingPost
    on: date
    gap: PostGapOut = Field(description="the kindergarten's gap for the post today")
    items: list[MatchOut]
    total: int
    limit: int
    offset: int


class PlacementIn(Schema):
    kindergarten_id: int
    post: Post
    starts_on: date | None = Field(default=None, description="first day (default today); not in the future")
    employment: Employment | None = Field(default=None, description="default: from the candidate's source")


class PlacementOut(BaseModel):
    id: int
    candidate_id: int
    staff_id: int
    kindergarten_id: int
    post: Post
    starts_on: date
    status: StaffStatus = Field(description="on_post with the post's certificates, else pending_induction")
    reactivated: bool = Field(description="an earlier staff record of the person was reactivated")
    missing: list[str] = Field(description="certificates still missing for the post")
    gap_before: int
    flags: list[str] = Field(description="no_gap, post_not_wanted, outside_availability, over_capacity")
    counts_towards_plan: bool = Field(description="starts_on falls in the plan's period")
    placed_by: str
    created_at: datetime
