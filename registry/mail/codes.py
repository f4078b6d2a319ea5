"""The mail outbox's codes (issue 16)."""

from __future__ import annotations

from enum import StrEnum

from kernel.codes import LABELS


class MailStatus(StrEnum):
    pending = "pending"  # waits for its (next) attempt
    sent = "sent"
    failed = "failed"  # refused for good (5xx), or out of attempts


LABELS[MailStatus] = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}
