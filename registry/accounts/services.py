"""Accounts: log in (with lockout), create users. Hashing runs in a worker thread."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import anyio

from registry.accounts.rules import (
    Principal,
    after_failed_login,
    hash_password,
    is_locked,
    password_problem,
    verify_password,
)
from registry.accounts.schemas import AccountCreate, AccountOut
from registry.accounts.tables import Account
from registry.audit.services import record
from registry.codes import Role
from registry.common.time import utcnow
from registry.db import write_transaction
from registry.errors import Conflict, Invalid, TooManyAttempts, Unauthorized
from registry.kindergartens.tables import Kindergarten
from registry.settings import get_settings
from registry.staff.rules import IdNumberError, parse_id_number
from registry.staff.tables import Staff

SYSTEM = Principal(account_id=0, username="system", role=Role.district_hr)


def principal_of(row: dict[str, Any]) -> Principal:
    return Principal(
        account_id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        kindergarten_id=row["kindergarten"],
        staff_id=row["staff"],
    )


async def authenticate(username: str, password: str) -> Principal:
    """Check a password, counting failures atomically so parallel guesses cannot share a count.

    Each attempt first reserves its place (``failed_logins + 1`` in one UPDATE); an attempt past the
    limit is refused without checking the password; the attempt that reaches the limit with a wrong
    password locks the account. A right password resets the count.
    """
    settings = get_settings()
    row = await Account.select().where(Account.username == username).first()
    now = utcnow()

    def refuse_locked(until: datetime) -> TooManyAttempts:
        retry = int((until - now).total_seconds()) + 1
        return TooManyAttempts(f"too many failed logins; try again in {retry} s", retry_after=retry)

    if row is not None and is_locked(row["locked_until"], now):
        raise refuse_locked(row["locked_until"])
    if row is None or not row["active"]:
        await anyio.to_thread.run_sync(verify_password, None, password)  # same time as a real check
        raise Unauthorized("wrong username or password")
    async with write_transaction():
        reserved = (
            await Account.update({Account.failed_logins: Account.failed_logins + 1})
            .where(Account.id == row["id"])
            .returning(Account.failed_logins)
        )
    attempt = int(reserved[0]["failed_logins"])
    if attempt > settings.login_max_failures:
        raise refuse_locked(now + timedelta(minutes=settings.login_lock_minutes))
    ok = await anyio.to_thread.run_sync(verify_password, row["password_hash"], password)
    if ok:
        await Account.update({Account.failed_logins: 0, Account.locked_until: None, Account.last_login_at: now}).where(
            Account.id == row["id"]
        )
        return principal_of(row)
    decision = after_failed_login(attempt - 1, now, settings.login_max_failures, settings.login_lock_minutes)
    if decision.locked_until is not None:
        async with write_transaction():
            await Account.update({Account.failed_logins: 0, Account.locked_until: decision.locked_until}).where(
                Account.id == row["id"]
            )
            await record(
                SYSTEM, "lock", "account", row["id"], None, {"locked_until": decision.locked_until.isoformat()}
            )
    raise Unauthorized("wrong username or password")


async def create_account(actor: Principal, data: AccountCreate) -> AccountOut:
    problem = password_problem(data.password)
    if problem:
        raise Invalid.field("password", problem)
    kindergarten_id: int | None = None
    staff_id: int | None = None
    if data.role == Role.kindergarten_admin:
        if not data.kindergarten_code:
            raise Invalid.field("kindergarten", "a kindergarten admin needs --kindergarten CODE")
        kg = await Kindergarten.select(Kindergarten.id).where(Kindergarten.code == data.kindergarten_code).first()
        if kg is None:
            raise Invalid.field("kindergarten", f"no kindergarten with code {data.kindergarten_code}")
        kindergarten_id = kg["id"]
    if data.role == Role.teacher:
        if not data.staff_id_number:
            raise Invalid.field("staff", "a teacher account needs --staff ID_NUMBER")
        try:
            idn = parse_id_number(data.staff_id_number).value
        except IdNumberError as exc:
            raise Invalid.field("staff", exc.message) from None
        st = await Staff.select(Staff.id, Staff.kindergarten).where(Staff.id_number == idn).first()
        if st is None:
            raise Invalid.field("staff", "no staff member with that ID number")
        staff_id, kindergarten_id = st["id"], st["kindergarten"]
    password_hash = await anyio.to_thread.run_sync(hash_password, data.password)
    async with write_transaction():
        if await Account.exists().where(Account.username == data.username):
            raise Conflict(f"username {data.username} is taken", field="username")
        rows = await Account.insert(
            Account(
                username=data.username,
                password_hash=password_hash,
                role=data.role.value,
                kindergarten=kindergarten_id,
                staff=staff_id,
            )
        ).returning(Account.id)
        out = AccountOut(
            id=rows[0]["id"],
            username=data.username,
            role=data.role,
            kindergarten_id=kindergarten_id,
            staff_id=staff_id,
        )
        await record(actor, "create", "account", out.id, None, out.model_dump(mode="json"))
    return out
