"""Accounts: log in (throttled: ``throttle``), log out, create, list, deactivate and reactivate users;
whether a token's or a session's login still stands. Hashing runs in worker threads, a bounded number
at once (``hashing``)."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.like import contains, like
from kernel.common.schemas import Page
from kernel.common.time import utcnow
from kernel.db import write_transaction
from kernel.errors import Busy, Conflict, Invalid, NotFound, Unauthorized
from kernel.i18n import F_, _
from kernel.settings import get_settings
from registry.accounts import hashing, throttle
from registry.accounts.rules import password_problem
from registry.accounts.schemas import AccountCreate, AccountOut, EmailUpdate, Me
from registry.accounts.tables import Account
from registry.audit.services import record
from registry.kindergartens.tables import Kindergarten
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
        epoch=int(row.get("session_epoch") or 0),
    )


# --- whether a login still stands ----------------------------------------------------------------
#
# A token or page session carries the account's session epoch at login. Logging out, and HR
# deactivating the account, move the epoch on (deactivation also clears `active`), so every earlier
# token and session of the account stops working: the next request is a 401 (API) or goes to the
# login page. Each process keeps a confirmed standing (active, the epoch) for `session_check_seconds`
# (default 5); anything else (an unknown account, another epoch, inactive) is read again, so a new
# login is never refused by a stale entry. Changes made through this process apply at once; another
# worker process sees a logout or deactivation within that time.

_STANDING: dict[int, tuple[bool, int, float]] = {}  # account id -> (active, epoch, read until)
_GENERATION: dict[int, int] = {}  # account id -> changes made through this process (see _forget)


async def login_stands(account_id: int, epoch: int) -> bool:
    now = time.monotonic()
    known = _STANDING.get(account_id)
    if known is not None and known[2] > now and known[0] and known[1] == epoch:
        return True
    generation = _GENERATION.get(account_id, 0)
    row = await Account.select(Account.active, Account.session_epoch).where(Account.id == account_id).first()
    if row is None:
        return False
    active, current = bool(row["active"]), int(row["session_epoch"])
    if _GENERATION.get(account_id, 0) == generation:  # no change through this process meanwhile
        _STANDING[account_id] = (active, current, now + get_settings().session_check_seconds)
    return active and current == epoch


def _forget(account_id: int) -> None:
    """After a change to the account has been committed: drop what this process knew of it, and
    make a read that started before the change unable to store its (older) answer."""
    _GENERATION[account_id] = _GENERATION.get(account_id, 0) + 1
    _STANDING.pop(account_id, None)


async def log_out(who: Principal) -> None:
    """Ends every token and page session of the caller's account (on every device)."""
    async with write_transaction():
        await Account.update({Account.session_epoch: Account.session_epoch + 1}).where(Account.id == who.account_id)
        await record(who, "logout", "account", who.account_id, None, None)
    _forget(who.account_id)


def _account_out(row: dict[str, Any]) -> AccountOut:
    return AccountOut(
        id=row["id"],
        username=row["username"],
        role=Role(row["role"]),
        kindergarten_id=row["kindergarten"],
        staff_id=row["staff"],
        active=bool(row["active"]),
        last_login_at=row["last_login_at"],
        email=row["email"],
    )


async def list_accounts(role: Role | None, search: str | None, limit: int, offset: int) -> Page[AccountOut]:
    """Accounts by username; ``search`` finds part of a username, in any case, on both engines."""

    where: list[Any] = []
    if role is not None:
        where.append(Account.role == role.value)
    if search:
        where.append(like("lower(username)", contains(search.lower())))
    rows = await Account.select().where(*where).order_by(Account.username).limit(limit).offset(offset)
    total = await Account.count().where(*where)
    return Page[AccountOut](items=[_account_out(r) for r in rows], total=total, limit=limit, offset=offset)


def _audited(row: dict[str, Any]) -> dict[str, Any]:
    """What an account's audit event shows (no login times: the audit is read more widely)."""
    return {"username": row["username"], "role": row["role"], "active": bool(row["active"])}


async def set_active(actor: Principal, account_id: int, active: bool) -> AccountOut:
    """Deactivate (every token and session of the account ends, logging in is refused) or
    reactivate an account; audited once per actual change.

    Refused: your own account either way (409). The caller's own login is read again inside the
    transaction, not from the per-process cache: a deactivated or logged-out HR account cannot act
    through another worker's stale cache. So an active district HR account (the caller) always
    remains: the district cannot lock itself out."""
    if account_id == actor.account_id:
        raise Conflict(_("you cannot deactivate or reactivate your own account"), code="own-account", field="id")
    async with write_transaction():
        me = await Account.select(Account.active, Account.session_epoch).where(Account.id == actor.account_id).first()
        if me is None or not me["active"] or int(me["session_epoch"]) != actor.epoch:
            _forget(actor.account_id)
            raise Unauthorized(_("your login has ended; log in again"))
        row = await Account.select().where(Account.id == account_id).first()
        if row is None:
            raise NotFound(_("no account {account_id}", account_id=account_id))
        values: dict[Any, Any] = {Account.active: active}
        if not active:
            values[Account.session_epoch] = Account.session_epoch + 1
        # conditional: of several requests at once, one changes the row and records it
        changed = (
            await Account.update(values)
            .where(Account.id == account_id, Account.active.eq(not active))
            .returning(Account.id)
        )
        if changed:
            after = {**row, "active": active}
            await record(
                actor, "activate" if active else "deactivate", "account", account_id, _audited(row), _audited(after)
            )
            row = after
    _forget(account_id)
    return _account_out(row)


# --- email addresses (issue 16) ----------------------------------------------------------------------


async def me(who: Principal) -> Me:
    """The caller's account as its token names it, with the email address read from the account."""
    row = await Account.select(Account.email).where(Account.id == who.account_id).first()
    if row is None:
        raise NotFound(_("no account {account_id}", account_id=who.account_id))
    return Me(
        username=who.username,
        role=who.role,
        kindergarten_id=who.kindergarten_id,
        staff_id=who.staff_id,
        email=row["email"],
    )


async def set_email(actor: Principal, account_id: int, data: EmailUpdate) -> dict[str, Any]:
    """Set or clear (null) an account's email address; audited when it changes. A body without
    ``email`` changes nothing. Returns the account's row as it is afterwards."""
    async with write_transaction():
        row = await Account.select().where(Account.id == account_id).first()
        if row is None:
            raise NotFound(_("no account {account_id}", account_id=account_id))
        if "email" in data.model_fields_set and data.email != row["email"]:
            await Account.update({Account.email: data.email}).where(Account.id == account_id)
            await record(actor, "update", "account", account_id, {"email": row["email"]}, {"email": data.email})
            row = {**row, "email": data.email}
    return row


async def update_my_email(who: Principal, data: EmailUpdate) -> Me:
    """``PATCH /me``: any role, their own account."""
    row = await set_email(who, who.account_id, data)
    return Me(
        username=who.username,
        role=who.role,
        kindergarten_id=who.kindergarten_id,
        staff_id=who.staff_id,
        email=row["email"],
    )


async def update_account(actor: Principal, account_id: int, data: EmailUpdate) -> AccountOut:
    """``PATCH /accounts/{id}``: district HR, any account."""
    return _account_out(await set_email(actor, account_id, data))


async def mail_addresses(account_ids: Iterable[int]) -> dict[int, str]:
    """The email address of each of these accounts that is active and has one (what the mail outbox
    writes to: ``registry.mail``); one query per 900 accounts."""
    ids = sorted(set(account_ids))
    found: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        rows = await Account.select(Account.id, Account.email).where(
            Account.id.is_in(ids[start : start + 900]), Account.active.eq(True), Account.email.is_not_null()
        )
        found.update({int(r["id"]): str(r["email"]) for r in rows if r["email"]})
    return found


async def authenticate(username: str, password: str, address: str) -> Principal:
    """Check a password from a client ``address``, throttled (``throttle``: the attempt is counted, or
    refused with TooManyAttempts, before anything is checked). Unknown, inactive and wrong all answer
    the same Unauthorized after the same argon2 check (a dummy hash for a name without an active
    account), so neither the answer nor its timing tells whether a username exists."""
    policy = throttle.policy_of(get_settings())
    now = throttle.clock()
    await throttle.reserve(username, address, now, policy)
    row = await Account.select().where(Account.username == username).first()
    stored = row["password_hash"] if row is not None and row["active"] else None
    try:
        async with hashing.worker():
            ok = await hashing.check_password(stored, password)
    except Busy:
        await throttle.refund(username, address, policy)  # never checked: not counted either
        raise
    await throttle.prune_now_and_then(now, policy)
    if not ok or row is None:
        raise Unauthorized(_("wrong username or password"))
    await throttle.succeeded(username, address, now)
    done = (
        await Account.update({Account.last_login_at: utcnow()})
        .where(Account.id == row["id"])
        .returning(Account.session_epoch)
    )
    return principal_of({**row, "session_epoch": done[0]["session_epoch"]})  # the epoch as of this login


async def create_account(actor: Principal, data: AccountCreate) -> AccountOut:
    problem = password_problem(data.password)
    if problem:
        raise Invalid.field(F_("password"), problem)
    kindergarten_id: int | None = None
    staff_id: int | None = None
    if data.role == Role.kindergarten_admin:
        if not data.kindergarten_code:
            raise Invalid.field(F_("kindergarten"), _("a kindergarten admin needs --kindergarten CODE"))
        kg = await Kindergarten.select(Kindergarten.id).where(Kindergarten.code == data.kindergarten_code).first()
        if kg is None:
            raise Invalid.field(F_("kindergarten"), _("no kindergarten with code {code}", code=data.kindergarten_code))
        kindergarten_id = kg["id"]
    if data.role == Role.teacher:
        if not data.staff_id_number:
            raise Invalid.field(F_("staff"), _("a teacher account needs --staff ID_NUMBER"))
        try:
            idn = parse_id_number(data.staff_id_number).value
        except IdNumberError as exc:
            raise Invalid.field(F_("staff"), exc.message) from None
        st = await Staff.select(Staff.id, Staff.kindergarten).where(Staff.id_number == idn).first()
        if st is None:
            raise Invalid.field(F_("staff"), _("no staff member with that ID number"))
        staff_id, kindergarten_id = st["id"], st["kindergarten"]
    password_hash = await hashing.new_hash(data.password)
    async with write_transaction():
        if await Account.exists().where(Account.username == data.username):
            raise Conflict(
                _("username {username} is taken", username=data.username), code="duplicate", field="username"
            )
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
            active=True,
            last_login_at=None,
            email=None,
        )
        await record(actor, "create", "account", out.id, None, out.model_dump(mode="json"))
    return out


# --- who a notice reaches (issue 16) -----------------------------------------------------------------

_SCAN_ABOVE = 500  # more ids than this: read every active linked account once instead of long IN lists


@dataclass(frozen=True)
class Addressees:
    """Active accounts by what they stand for: a staff record's own accounts (the person), a
    kindergarten's admin accounts, and which of some account ids are active."""

    by_staff: dict[int, list[int]]
    by_kindergarten: dict[int, list[int]]
    active: frozenset[int]


async def addressees(staff: Iterable[int], accounts: Iterable[int], kindergartens: Iterable[int]) -> Addressees:
    """The active accounts of these staff records (any role linked to the record: the person), the
    active kindergarten_admin accounts of these kindergartens, and which of ``accounts`` are active.
    One query; a sweep's thousands of ids read the active linked accounts whole."""
    staff_ids, account_ids, kg_ids = set(staff), set(accounts), set(kindergartens)
    by_staff: dict[int, list[int]] = defaultdict(list)
    by_kindergarten: dict[int, list[int]] = defaultdict(list)
    active: set[int] = set()
    if not (staff_ids or account_ids or kg_ids):
        return Addressees({}, {}, frozenset())
    query = Account.select(Account.id, Account.role, Account.staff, Account.kindergarten).where(Account.active == True)  # noqa: E712
    if len(staff_ids) + len(account_ids) + len(kg_ids) <= _SCAN_ABOVE:
        wanted: list[Any] = []
        if staff_ids:
            wanted.append(Account.staff.is_in(sorted(staff_ids)))
        if account_ids:
            wanted.append(Account.id.is_in(sorted(account_ids)))
        if kg_ids:
            wanted.append((Account.role == Role.kindergarten_admin.value) & Account.kindergarten.is_in(sorted(kg_ids)))
        either = wanted[0]
        for clause in wanted[1:]:
            either = either | clause
        query = query.where(either)
    for row in await query:
        if row["staff"] in staff_ids:
            by_staff[row["staff"]].append(row["id"])
        if row["role"] == Role.kindergarten_admin.value and row["kindergarten"] in kg_ids:
            by_kindergarten[row["kindergarten"]].append(row["id"])
        if row["id"] in account_ids:
            active.add(row["id"])
    return Addressees(dict(by_staff), dict(by_kindergarten), frozenset(active))
