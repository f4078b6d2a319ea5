from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from kernel.common.schemas import Schema
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType, TeacherModel
from registry.kindergartens.rules import dates_problem

Count = Field(default=0, ge=0, le=200)


class Classes(Schema):
    small: int = Count
    middle: int = Count
    large: int = Count
    mixed: int = Count
    nursery: int = Count


class _DatesChecked(Schema):
    @field_validator("closed_on", check_fields=False)
    @classmethod
    def _closed_after_opened(cls, closed_on: date | None, info: ValidationInfo) -> date | None:
        problem = dates_problem(info.data.get("opened_on"), closed_on)
        if problem:
            raise ValueError(problem)
        return closed_on


class KindergartenCreate(_DatesChecked):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str = Field(min_length=1, max_length=200)
    street: str = Field(min_length=1, max_length=64)
    group: int = Field(ge=1, le=15, description="collaboration group 协作组, 1–15")
    ownership: Ownership
    grade: Grade = Grade.none
    demonstration: Demonstration = Demonstration.none
    service_type: ServiceType = ServiceType.full_day
    teacher_model: TeacherModel = TeacherModel.two_plus_one
    classes: Classes = Field(default_factory=Classes)
    children: int = Field(default=0, ge=0, le=10_000)
    places: int = Field(default=0, ge=0, le=10_000)
    opened_on: date | None = None
    closed_on: date | None = None


class KindergartenUpdate(_DatesChecked):
    code: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    street: str | None = Field(default=None, min_length=1, max_length=64)
    group: int | None = Field(default=None, ge=1, le=15)
    ownership: Ownership | None = None
    grade: Grade | None = None
    demonstration: Demonstration | None = None
    service_type: ServiceType | None = None
    teacher_model: TeacherModel | None = None
    classes: Classes | None = None
    children: int | None = Field(default=None, ge=0, le=10_000)
    places: int | None = Field(default=None, ge=0, le=10_000)
    opened_on: date | None = None
    closed_on: date | None = None


class KindergartenOut(BaseModel):
    id: int
    code: str
    name: str
    street: str
    group: int
    ownership: Ownership
    grade: Grade
    demonstration: Demonstration
    service_type: ServiceType
    teacher_model: TeacherModel
    classes: Classes
    total_classes: int
    children: int
    places: int
    over_capacity: bool = Field(description="more children than approved places (flagged, not refused)")
    opened_on: date | None
    closed_on: date | None
    created_at: datetime
    updated_at: datetime
