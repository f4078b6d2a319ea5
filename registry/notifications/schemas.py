from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from kernel.common.schemas import Page
from registry.notifications.codes import NoticeKind


class NotificationOut(BaseModel):
    """One notification in the caller's inbox."""

    id: int
    kind: NoticeKind
    kind_label: str = Field(description="the kind in Chinese")
    message: str = Field(description="the message in the reader's language (Accept-Language; Chinese by default)")
    params: dict[str, Any] = Field(
        description="the message's values as stored, for programs (a key 'name@EnumName' holds a code of that enum)"
    )
    link: str = Field(description="the page it concerns (a path), or empty")
    created_at: datetime
    read_at: datetime | None = Field(description="when it was marked read; null: unread")


class NotificationPage(Page[NotificationOut]):
    """The inbox: the list shape, unread first then newest, with the count of all unread."""

    unread: int = Field(description="the caller's unread notifications (all of them, whatever the filter)")


class ReadAllOut(BaseModel):
    marked: int = Field(description="notifications marked read now")
    unread: int = Field(description="unread left (0, unless new ones arrived meanwhile)")
