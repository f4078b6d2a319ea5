from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr

from kernel.common.schemas import Schema
from registry.changes.codes import ChangeKind, ChangeStatus


class ChangeOut(BaseModel):
    """A change request: a write submitted for district HR's review, and its decision."""

    id: int
    kind: ChangeKind
    kind_label: str = Field(description="the kind in Chinese")
    status: ChangeStatus
    status_label: str
    kindergarten_id: int | None
    target_id: int | None = Field(description="the record the change is to (null: a new record)")
    summary: str = Field(description="one line a reviewer reads (Chinese)")
    payload: dict[str, Any] = Field(description="the request body as the endpoint would take it")
    before: dict[str, Any] | None = Field(description="the record as it stood when the change was submitted")
    submitted_by: str
    submitted_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    reason: str = Field(description="why it was rejected (or withdrawn)")
    result_id: int | None = Field(description="approved: the id of the record written")
    _submitted_by_account: int | None = PrivateAttr(default=None)

    @property
    def submitted_by_account(self) -> int | None:
        """The submitter's account (not in the answer): whom a decision is told to (issue 16)."""
        return self._submitted_by_account


class ChangeDecision(BaseModel):
    """An approval: the change as decided, and what the write answered."""

    change: ChangeOut
    result: dict[str, Any]


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=1000, description="why (the submitter reads it)")
