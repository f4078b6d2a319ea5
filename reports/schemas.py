"""Reports schemas: the public verification answer, and the projections the PDFs print."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from registry.staff.codes import Education, Employment, Honour, Post, Sex, StaffStatus, Title
from reports.codes import ReportKind


class VerificationOut(BaseModel):
    """What anyone holding a printed document may learn from its code: that the registry issued it,
    what kind of document it is, about whom (masked) and when; nothing else."""

    code: str = Field(description="the verification code, as printed (ABCD-EFGH-JKMN-PQRS)")
    valid: bool = Field(description="always true: an unknown code is a 404")
    kind: ReportKind
    kind_label: str = Field(description="the kind in Chinese, as printed in the title")
    subject: str = Field(description="a masked name (张*), a kindergarten's name, or 全区 (the district)")
    generated_at: datetime
    pages: int
    issuer: str = Field(description="the bureau that issued it")


class PersonOut(BaseModel):
    """A person as a PDF prints them: the ID number always masked (a printed page leaves the registry's
    access control), the birth date hidden with it."""

    id: int
    name: str
    id_number: str = Field(description="masked: 110105********123X")
    sex: Sex
    birth_year: int
    kindergarten_id: int
    kindergarten_code: str
    kindergarten_name: str
    post: Post
    employment: Employment
    title: Title
    honours: list[Honour]
    education: Education | None
    hired_on: date | None
    status: StaffStatus
    left_on: date | None


class IssuedOut(BaseModel):
    """What the CLI reports for each document it wrote."""

    kind: ReportKind
    code: str
    path: str
    pages: int
