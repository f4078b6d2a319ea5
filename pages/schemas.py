"""View models of the pages (what a template prints) and the forms they post."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kernel.common.schemas import refuse_nul


class Bar(BaseModel):
    """A progress bar with its figure as text: ``value`` of ``max`` (``<progress value max>``)."""

    key: str = Field(description="a stable name for tests and styles (category code, target code …)")
    label: str
    value: float
    max: float
    percent: float = Field(description="value / max as a percentage, 0–100 (capped), one decimal, floored")
    text: str = Field(description="the figure in words, e.g. '12.5 / 36 学分（34.7%）'")
    ok: bool | None = Field(default=None, description="met (True), not met (False), no target (None)")
    note: str = ""


class PlainReason(BaseModel):
    """One eligibility rule in plain Chinese."""

    rule: str
    title: str
    passed: bool
    text: str
    veto: bool = Field(default=False, description="the ethics one-vote veto applies (师德一票否决)")


class EligibilityCard(BaseModel):
    purpose: str
    label: str
    eligible: bool
    summary: str
    reasons: list[PlainReason]


class Segment(BaseModel):
    key: str
    label: str
    value: int
    x: float
    width: float


class ChartRow(BaseModel):
    """One row of a horizontal stacked bar chart (server-rendered SVG, numbers also as text)."""

    key: str
    label: str
    total: int
    segments: list[Segment]
    description: str = Field(description="the row in words (the SVG's accessible name)")


class Pager(BaseModel):
    total: int
    limit: int
    offset: int

    @property
    def previous(self) -> int | None:
        return max(self.offset - self.limit, 0) if self.offset > 0 else None

    @property
    def next(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    @property
    def first_shown(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last_shown(self) -> int:
        return min(self.offset + self.limit, self.total)


class Form(BaseModel):
    """Forms post ``_csrf_token`` too (checked by the CSRF middleware before the handler runs); no field
    may hold a NUL character (refused alike on both engines, as in the API's input models)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class LoginForm(Form):
    username: str = Field(default="", max_length=150)
    password: str = Field(default="", max_length=1024)
    next: str = Field(default="", max_length=2000)


class PlacementForm(Form):
    kindergarten_id: int
    post: str = Field(max_length=40)
    starts_on: str = Field(default="", max_length=10, description="YYYY-MM-DD; empty: today")
    name: str = Field(default="", max_length=50, description="the candidate's name, for the message afterwards")
