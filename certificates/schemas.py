from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from certificates.codes import RegistrationResult
from kernel.codes import CertificateStatus, CertificateType
from kernel.common.schemas import Schema
from registry.staff.codes import Post


class CertificateCreate(Schema):
    type: CertificateType
    number: str = Field(min_length=1, max_length=64)
    issuer: str = Field(default="", max_length=200)
    issued_on: date
    expires_on: date | None = None


class CertificateUpdate(Schema):
    """Corrections of the record, or a status change (suspend, revoke, reinstate) with its reason."""

    number: str | None = Field(default=None, min_length=1, max_length=64)
    issuer: str | None = Field(default=None, max_length=200)
    issued_on: date | None = None
    expires_on: date | None = None
    status: CertificateStatus | None = Field(
        default=None, description="valid, suspended or revoked (expired is derived)"
    )
    reason: str | None = Field(default=None, max_length=1000, description="required for a status change")


class CertificateEventOut(BaseModel):
    action: str
    status_after: CertificateStatus
    reason: str
    actor: str
    at: datetime


class RegistrationIn(Schema):
    registered_on: date
    result: RegistrationResult
    hours: int = Field(default=0, ge=0, le=5000, description="training hours counted for this cycle")
    note: str = Field(default="", max_length=1000)


class RegistrationOut(BaseModel):
    registered_on: date
    result: RegistrationResult
    hours: int
    note: str


class CertificateOut(BaseModel):
    id: int
    staff_id: int
    type: CertificateType
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: CertificateStatus = Field(description="today's status: expired is derived from expires_on")
    reason: str
    events: list[CertificateEventOut] = Field(default_factory=list)
    registrations: list[RegistrationOut] = Field(default_factory=list)
    registration_due: date | None = Field(default=None, description="teacher qualification: next 定期注册")


class ExpiringOut(BaseModel):
    certificate_id: int
    type: CertificateType
    expires_on: date
    days_left: int


class DualCertificateOut(BaseModel):
    staff_id: int
    on: date
    compliant: bool
    post: Post
    status: str
    required: list[CertificateType]
    held: list[CertificateType]
    missing: list[str] = Field(description="a type, or alternatives joined with | (any one will do)")
    expiring: list[ExpiringOut]
    notes: list[str]
    source: str = Field(description="where the requirement comes from")


class ComplianceRow(BaseModel):
    key: str = Field(description="the kindergarten code, street, group number or 'district'")
    label: str
    on_post: int = Field(description="on-post staff in posts that require certificates")
    compliant: int
    rate: float | None = Field(description="持证上岗率: compliant / on_post")


class Violation(BaseModel):
    staff_id: int
    name: str
    kindergarten_id: int
    kindergarten_code: str
    post: Post
    missing: list[str]


class ComplianceOut(BaseModel):
    on: date
    by: str
    rows: list[ComplianceRow]
    total: ComplianceRow
    violations: list[Violation]
    violations_total: int
    limit: int
    offset: int
    policy: str


class ExpiringCertificate(BaseModel):
    certificate_id: int
    type: CertificateType
    number: str
    expires_on: date
    days_left: int
    staff_id: int
    name: str
    kindergarten_id: int
    kindergarten_code: str


class CertificateHit(BaseModel):
    """A certificate found by its number, with its holder (the pages' search)."""

    certificate_id: int
    type: CertificateType
    number: str
    status: CertificateStatus = Field(description="today's status: expired is derived from expires_on")
    expires_on: date | None
    staff_id: int
    name: str
    kindergarten_id: int
    kindergarten_code: str
    kindergarten_name: str


class CertificateHits(BaseModel):
    items: list[CertificateHit] = Field(description="exact numbers first, then by number")
    total: int
