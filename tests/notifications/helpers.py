"""Shared by the notification tests: account ids by username, an account's notifications."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal
from typing import Any

from credits.writes import NewEntry, add_entries
from kernel.db import fetch_all
from registry.accounts.services import SYSTEM
from registry.accounts.tables import Account
from tests.support import insert_staff, make_account, new_id_number, new_username


async def account_id(username: str) -> int:
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None, username
    return int(row["id"])


async def notifications_of(username: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Every notification of the account (oldest first), of ``kind`` if given."""
    rows = await fetch_all("SELECT * FROM notification WHERE account = {} ORDER BY id", await account_id(username))
    return [r for r in rows if kind is None or r["kind"] == kind]


async def person_with_account(kindergarten_id: int, status: str = "on_post") -> tuple[int, str]:
    """A staff member (written straight to the table) with a teacher account of their own."""
    idn = new_id_number()
    staff_id = await insert_staff(kindergarten_id, status=status, id_number=idn)
    name = new_username("person")
    await make_account("teacher", name, staff_id_number=idn)
    return staff_id, name


_refs = itertools.count(1)


async def add_credit_entries(staff_id: int, entries: list[tuple[str, str, float]]) -> None:
    """Training credits (day, category, credits) written straight through the ledger's writer."""
    await add_entries(
        SYSTEM,
        [
            NewEntry(
                staff_id=staff_id,
                day=date.fromisoformat(day),
                category=category,
                source="training",
                hours=Decimal(str(credits * 10)),
                credits=Decimal(str(credits)),
                reference=f"NOTIFY-{next(_refs):06d}",
                reason="test",
            )
            for day, category, credits in entries
        ],
    )
