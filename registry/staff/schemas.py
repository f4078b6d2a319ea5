from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator
from pydantic_core import PydanticCustomError

from kernel.common.schemas import Schema
from registry.staff.codes import Education, Employment, Honour, Post, Sex, StaffStatus, Title
from registry.staff.rules import IdNumberError, parse_id_number


def valid_id_number(value: str) -> str:
    """The pydantic form of ``parse_id_number`` (GB 11643): the normalised number, or a field error."""
    try:
        return parse_id_number(value).value
    except IdNumberError as exc:
        # the words already in the reader's language (no context given: Pydantic keeps them as they are)
        raise PydanticCustomError(f"id_number_{exc.reason}", exc.problem) from None


def _unique_honours(value: list[Honour]) -> list[Honour]:
    seen: list[Honour] = []
    for h in value:
        if h not in seen:
            seen.append(h)
    return seen


class StaffCreate(Schema):
    id_number: str = Field(description="resident ID number (身份证号), 18 characters; x is stored as X")
    name: str = Field(min_length=1, max_length=64)
    kindergarten_id: int
    post: Post
    employment: Employment
    title: Title = Title.none
    honours: list[Honour] = Field(default_factory=list)
    education: Education | None = None
    hired_on: date | None = None
    status: StaffStatus = StaffStatus.on_post
    left_on: date | None = None

    _id = field_validator("id_number")(valid_id_number)
    _honours = field_validator("honours")(_unique_honours)


class StaffUpdate(Schema):
    id_number: str | None = Field(default=None, description="correctable by district HR only")
    name: str | None = Field(default=None, min_length=1, max_length=64)
    kindergarten_id: int | None = Field(default=None, description="not changeable here: use the transfer")
    post: Post | None = None
    employment: Employment | None = None
    title: Title | None = None
    honours: list[Honour] | None = None
    education: Education | None = None
    hired_on: date | None = None
    status: StaffStatus | None = None
    left_on: date | None = None

    @field_validator("id_number")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        return None if value is None else valid_id_number(value)

    @field_validator("honours")
    @classmethod
    def _honours(cls, value: list[Honour] | None) -> list[Honour] | None:
        return None if value is None else _unique_honours(value)


class TransferIn(Schema):
    kindergarten_id: int
    on: date | None = Field(default=None, description="first day at the new kindergarten (default today)")
    post: Post | None = Field(default=None, description="the post there (default: unchanged)")
    reason: str = Field(default="", max_length=500)


class AssignmentOut(BaseModel):
    kindergarten_id: int
    kindergarten_code: str
    kindergarten_name: str
    post: Post
    starts_on: date
    ends_on: date | None
    reason: str


class StaffOut(BaseModel):
    id: int
    id_number: str = Field(description="masked (110105********123X) unless the caller is district HR or this person")
    name: str
    sex: Sex
    birth_date: date | None = Field(description="shown with the full ID number only (district HR, the person)")
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
    created_at: datetime
    updated_at: datetime


class StaffDetail(StaffOut):
    assignments: list[AssignmentOut] = Field(description="who worked where, from when to when; newest first")
