from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from registry.mail.codes import MailStatus


class MailOut(BaseModel):
    """An email of the outbox (its body is not shown: it is the notification's text)."""

    id: int
    account_id: int
    address: str
    subject: str
    message_id: str
    source: str
    status: MailStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
