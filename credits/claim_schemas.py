"""Credit claims in and out (issue 16). A claim arrives as a multipart form (its fields and the
evidence file), read as text and then checked by ``ClaimFields``, so every field problem is a 422
naming the field, like a JSON body's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from credits.codes import ClaimDecision, ClaimStatus, CourseCategory, CreditSource
from kernel.common.schemas import Schema


@dataclass
class ClaimForm:
    """The multipart form as sent: text fields and the file (an amendment may leave the file out)."""

    title: str = ""
    provider: str = ""
    date_from: str = ""
    date_to: str = ""
    hours: str = ""
    category: str = ""
    source: str = ""
    note: str = ""
    file: Any = None  # an UploadFile; a list when the form sent two (a 422)


class ClaimFields(Schema):
    title: str = Field(min_length=1, max_length=200, description="the course, conference or programme")
    provider: str = Field(min_length=1, max_length=200, description="who held it")
    date_from: date
    date_to: date = Field(description="its last day: the ledger entry's date")
    hours: Decimal = Field(le=2000, decimal_places=1, description="hours (学时) > 0, to 0.1")
    category: CourseCategory
    source: CreditSource = Field(description="the credits follow the policy's hours per credit of the source")
    note: str = Field(default="", max_length=2000)


class ClaimReview(Schema):
    decision: ClaimDecision
    reason: str = Field(default="", max_length=2000, description="needed to return or reject, and for credits")
    credits: Decimal | None = Field(
        default=None,
        ge=0,
        le=10_000,
        decimal_places=2,
        description="district HR approving only: credits other than the policy's rate (with a reason)",
    )


class EvidenceOut(BaseModel):
    media_type: str
    size: int
    name: str
    sha256: str
    url: str


class ClaimOut(BaseModel):
    id: int
    staff_id: int
    staff_name: str
    kindergarten_id: int | None
    title: str
    provider: str
    date_from: date
    date_to: date
    hours: float
    category: CourseCategory
    source: CreditSource
    note: str
    status: ClaimStatus
    reason: str = Field(description="why it was last returned or rejected")
    expected_credits: float = Field(description="the policy's credits for its hours and source, on date_to")
    credits: float | None = Field(description="the credits recognised (approved)")
    credits_reason: str
    evidence: EvidenceOut
    submitted_by: str
    submitted_at: datetime
    checked_by: str | None
    checked_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    entry_id: int | None = Field(description="the ledger entry claim:<id> of an approved claim")
