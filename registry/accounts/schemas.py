from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from kernel.codes import Role
from kernel.common.schemas import Schema
from kernel.i18n import F_
from registry.accounts.rules import email_address


class TokenRequest(Schema):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Me(BaseModel):
    username: str
    role: Role
    kindergarten_id: int | None
    staff_id: int | None
    email: str | None = Field(description="where notifications are also mailed; null: the inbox only")


EMAIL_FIELD = F_("email")  # its name in a 422 ("电子邮箱"), the API's and the account page's


class EmailUpdate(Schema):
    """``{"email": "..."}`` sets the address (checked, stored in its normal form), ``{"email": null}``
    clears it; a body without ``email`` changes nothing."""

    email: str | None = Field(default=None, max_length=320, description="an email address, or null to clear it")

    @field_validator("email")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return None if value is None else email_address(value)


class AccountCreate(Schema):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=1, max_length=256)
    role: Role
    kindergarten_code: str | None = None
    staff_id_number: str | None = None


class AccountOut(BaseModel):
    id: int
    username: str
    role: Role
    kindergarten_id: int | None
    staff_id: int | None
    active: bool
    last_login_at: datetime | None
    email: str | None
