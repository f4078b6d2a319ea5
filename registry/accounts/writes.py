"""The account table's row type, as the demo loader writes accounts in bulk."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from kernel.db import RowTable


class AccountRecord(NamedTuple):
    id: int
    username: str
    password_hash: str
    role: str
    kindergarten: int | None
    staff: int | None
    active: bool
    last_login_at: datetime | None
    created_at: datetime


ACCOUNTS = RowTable("account", AccountRecord)
