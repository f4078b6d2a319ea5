"""The eligibility answers: one person for one purpose, and the batch of a selection."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from eligibility.codes import Purpose


class ReasonOut(BaseModel):
    rule: str
    passed: bool
    detail: str = Field(description="in English, with the figures (for people, not for parsing)")
    words: str = Field(description="the same in Chinese, for people")


class WindowOut(BaseModel):
    """The ledger periods an answer read (rounds read completed periods)."""

    cycle: str | None = Field(description="the five-year cycle whose credits must be complete, e.g. 2021-2025")
    years: list[int] = Field(description="the calendar years each held to the yearly minimum")
    words: str = Field(description="the same in Chinese, for people")


class RegistrationOut(BaseModel):
    """定期注册 on the person's own five-year period (registration answers only)."""

    period_from: date = Field(description="the last passed registration of the teacher qualification, or its issue")
    period_to: date = Field(description="the period's last day, five years on")
    status: str = Field(description="not_due, eligible, deferred (暂缓注册) or refused (不予注册)")
    words: str = Field(description="the same in Chinese, with the reasons")


class EligibilityOut(BaseModel):
    staff_id: int
    eligible: bool
    purpose: Purpose
    on: date
    window: WindowOut
    registration: RegistrationOut | None = None
    reasons: list[ReasonOut]


class BatchRow(BaseModel):
    staff_id: int
    name: str
    kindergarten_id: int
    kindergarten_code: str
    kindergarten_name: str
    post: str
    title: str
    eligible: bool
    registration: RegistrationOut | None = None
    failing: list[ReasonOut]


class BatchOut(BaseModel):
    purpose: Purpose
    on: date
    window: WindowOut
    kindergarten_id: int | None
    total: int = Field(description="on-post people in the selection (every page)")
    eligible: int = Field(description="eligible people in the selection (every page)")
    limit: int
    offset: int
    items: list[BatchRow] = Field(description="this page of the selection")
