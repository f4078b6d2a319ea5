"""Shared by the notification tests: account ids by username, an account's notifications."""

from __future__ import annotations

from typing import Any

from kernel.db import fetch_all
from registry.accounts.tables import Account


async def account_id(username: str) -> int:
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None, username
    return int(row["id"])


async def notifications_of(username: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Every notification of the account (oldest first), of ``kind`` if given."""
    rows = await fetch_all("SELECT * FROM notification WHERE account = {} ORDER BY id", await account_id(username))
    return [r for r in rows if kind is None or r["kind"] == kind]
