"""Credits schemas in and out. Hours and credits are exact decimals in, JSON numbers out."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, model_validator

from credits.codes import CourseCategory, CourseMode, CreditSource, CreditStatus
from credits.rules import VALUE_KEYS
from kernel.common.schemas import Schema
from kernel.i18n import F_, _

# the input fields' names as the messages name them (``kernel.i18n.field_label``)
FIELD_NAMES = (F_("source"), F_("effective_from"), F_("effective_to"), F_("description"), F_("citations"), F_("values"))

# --- Ledger ------------------------------------------------------------------------------------


class EntryCreate(Schema):
    staff_id: int = Field(ge=1)
    date: date
    category: CourseCategory
    source: CreditSource
    hours: Decimal = Field(le=100_000, decimal_places=1, description="hours (学时) > 0, to 0.1")
    credits: Decimal | None = Field(
        default=None,
        ge=0,
        le=10_000,
        decimal_places=2,
        description="omitted: hours / the policy's hours_per_credit[source] (policy in force on `date`)",
    )
    reference: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="unique per source (e.g. the project number); omitted: a generated one",
    )
    reason: str = Field(default="", max_length=2000)


class ReversalCreate(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class EntryOut(BaseModel):
    id: int
    staff_id: int
    date: date
    school_year: str
    category: str
    source: str
    hours: float
    credits: float
    counted: float | None = Field(default=None, description="in a transcript: credits counted after caps")
    reference: str
    reason: str
    recorded_by: str
    reverses: int | None
    reversed_by: int | None = None
    created_at: datetime


# --- Policy ------------------------------------------------------------------------------------


class PolicyValues(Schema):
    cycle_years: int = Field(ge=1, le=10)
    cycle_start_year: int = Field(ge=1990, le=2100)
    credits_per_cycle: float = Field(gt=0, le=10_000)
    yearly_minimum: float = Field(ge=0, le=10_000)
    required_categories: dict[CourseCategory, float]
    caps_per_year: dict[CreditSource, float]
    carry_over: bool = Field(description="only false is supported: no carry-over between cycles")
    hours_per_credit: dict[CreditSource, float]
    hours_per_credit_by_mode: dict[CourseMode, float] = Field(
        description="a training course's rate by its mode (in_person, online, practice)"
    )
    at_risk_share_of_pace: float = Field(ge=0, le=1)

    @model_validator(mode="after")
    def _check(self) -> PolicyValues:
        if self.carry_over:
            raise ValueError(_("carry_over: only false is supported"))
        missing = [s.value for s in CreditSource if self.hours_per_credit.get(s, 0) <= 0]
        if missing:
            raise ValueError(_("hours_per_credit: needs a positive rate for {missing}", missing=", ".join(missing)))
        missing = [m.value for m in CourseMode if self.hours_per_credit_by_mode.get(m, 0) <= 0]
        if missing:
            raise ValueError(
                _("hours_per_credit_by_mode: needs a positive rate for {missing}", missing=", ".join(missing))
            )
        if any(v < 0 for v in [*self.required_categories.values(), *self.caps_per_year.values()]):
            raise ValueError(_("required_categories and caps_per_year must not be negative"))
        return self


class PolicyCreate(Schema):
    effective_from: date
    effective_to: date | None = None
    description: str = Field(default="", max_length=2000)
    values: PolicyValues
    citations: dict[str, str] = Field(description="a citation (source text) for every value")

    @model_validator(mode="after")
    def _cited(self) -> PolicyCreate:
        missing = [k for k in VALUE_KEYS if not (self.citations.get(k) or "").strip()]
        if missing:
            raise ValueError(_("citations: missing for {missing}", missing=", ".join(missing)))
        unknown = sorted(set(self.citations) - set(VALUE_KEYS))
        if unknown:
            raise ValueError(_("citations: unknown values {unknown}", unknown=", ".join(unknown)))
        return self


class PolicyOut(BaseModel):
    id: int
    effective_from: date
    effective_to: date | None
    description: str
    values: dict[str, Any]
    citations: dict[str, str]
    created_by: str
    created_at: datetime


# --- Transcript --------------------------------------------------------------------------------


class Required(BaseModel):
    credits: float
    categories: dict[str, float]
    yearly_minimum: float
    policy_id: int


class YearOut(BaseModel):
    year: int
    earned: float
    counted: float
    minimum: float
    minimum_met: bool


class CategoryOut(BaseModel):
    category: str
    earned: float
    counted: float
    required: float
    met: bool


class TranscriptOut(BaseModel):
    staff_id: int
    name: str
    cycle: str
    as_of: date
    required: Required
    earned: float
    counted: float
    pace: float = Field(description="pro-rata share of the requirement due by as_of")
    status: CreditStatus
    by_year: list[YearOut]
    by_category: list[CategoryOut]
    entries: list[EntryOut]
