"""Notifications (issue 16): ``notify`` — what the domains call inside their writes — and each
account's inbox.

A ``Notice`` is one event for some people: its kind, its occasion (at most one notification per
account and occasion, whatever the number of runs: the unique index ``notification_occasion`` and
``ON CONFLICT DO NOTHING``), the English msgid of its message with ``{named}`` params, and a page
path. The message is rendered when read, in the reader's language (``render``): a param whose key is
``name@EnumName`` (``{"type@CertificateType": "teacher_qualification"}``) fills ``{name}`` with the
code's label (Chinese for a Chinese reader, the code in English), so stored rows hold codes, never
one language's words.

Recipients are resolved through the accounts register (``registry.accounts.services.addressees``):
a staff record's active accounts (the person), the active admin accounts of a kindergarten, or
accounts named directly (inactive ones get nothing). Many notices are written with one INSERT per
5,000 rows (a sweep makes thousands).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from kernel.auth import Principal
from kernel.codes import enum_named, label, term
from kernel.common.time import utcnow
from kernel.db import fetch_all, is_sqlite, write_transaction
from kernel.errors import NotFound
from kernel.i18n import _, current_locale, translate, use_locale
from kernel.rows import json_value
from kernel.settings import get_settings
from registry.accounts.services import addressees
from registry.mail.outbox import MailItem, enqueue
from registry.notifications.codes import NoticeKind
from registry.notifications.schemas import NotificationOut, NotificationPage, ReadAllOut

BATCH = 5_000
TERM_MARK = "@"  # a params key "name@EnumName": {name} is that enum's code, shown as its label


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    occasion: str  # once per account and occasion, e.g. "claim:12:approved"
    message: str  # N_("English with {named} params") msgid, rendered at read time
    params: Mapping[str, Any] = field(default_factory=dict)  # JSON-able values
    link: str = ""  # a page path, e.g. "/my/claims/12"


@dataclass(frozen=True)
class Recipients:
    """Who a notice is for: the people of these staff records, these accounts, the admins of these
    kindergartens."""

    staff: Iterable[int] = ()
    accounts: Iterable[int] = ()
    kindergarten_admins: Iterable[int] = ()


class NotificationRow(NamedTuple):
    """A notification as written (what ``_after_insert`` is handed)."""

    id: int
    account: int
    kind: str
    occasion: str
    message: str
    params: dict[str, Any]
    link: str
    created_at: datetime


async def notify(
    notice: Notice, *, staff: Iterable[int] = (), accounts: Iterable[int] = (), kindergarten_admins: Iterable[int] = ()
) -> list[int]:
    """Inside the caller's write transaction: one notification per active recipient account (the
    accounts linked to these staff records; these accounts; the kindergarten_admin accounts of these
    kindergartens), none where (account, occasion) exists already. Returns the new ids."""
    return await notify_many([(notice, Recipients(staff, accounts, kindergarten_admins))])


async def notify_many(items: Sequence[tuple[Notice, Recipients]]) -> list[int]:
    """``notify`` for many notices at once (the sweeps): one recipients query, one INSERT per
    ``BATCH`` rows. Returns the new ids."""
    wanted = [(notice, _listed(to)) for notice, to in items]
    found = await addressees(
        (s for _n, (staff, _a, _k) in wanted for s in staff),
        (a for _n, (_s, accounts, _k) in wanted for a in accounts),
        (k for _n, (_s, _a, kgs) in wanted for k in kgs),
    )
    now = utcnow()
    seen: set[tuple[int, str]] = set()
    rows: list[tuple[int, str, str, str, str, str]] = []
    for notice, (staff, accounts, kgs) in wanted:
        params = json.dumps(dict(notice.params), ensure_ascii=False, sort_keys=True, default=str)
        to = [a for a in accounts if a in found.active]
        to += [a for s in staff for a in found.by_staff.get(s, ())]
        to += [a for k in kgs for a in found.by_kindergarten.get(k, ())]
        for account in to:
            if (account, notice.occasion) not in seen:
                seen.add((account, notice.occasion))
                rows.append((account, notice.kind.value, notice.occasion, notice.message, params, notice.link))
    if not rows:
        return []
    written: list[NotificationRow] = []
    async with write_transaction():  # the caller's, normally
        for start in range(0, len(rows), BATCH):
            written += await _insert(rows[start : start + BATCH], now)
        await _after_insert(written)
    return sorted(r.id for r in written)


def _listed(to: Recipients) -> tuple[list[int], list[int], list[int]]:
    return list(to.staff), list(to.accounts), list(to.kindergarten_admins)


_COLUMNS = "account, kind, occasion, message, params, link, created_at"
_RETURNING = f" ON CONFLICT (account, occasion) DO NOTHING RETURNING id, {_COLUMNS}"


async def _insert(rows: list[tuple[int, str, str, str, str, str]], now: datetime) -> list[NotificationRow]:
    """One INSERT ... SELECT over the rows passed as one parameter (SQLite: a JSON array read by
    json_each; PostgreSQL: arrays read by unnest), skipping (account, occasion) pairs that exist."""
    if is_sqlite():
        fields = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(6))
        sql = (
            f"INSERT INTO notification ({_COLUMNS}) SELECT {fields}, {{}} FROM json_each({{}}) WHERE true" + _RETURNING
        )
        found = await fetch_all(sql, now, json.dumps(rows, ensure_ascii=False))
    else:
        sql = (
            f"INSERT INTO notification ({_COLUMNS}) "
            "SELECT a, k, o, m, p::json, l, {} FROM unnest({}::integer[], {}::text[], {}::text[], {}::text[], "
            "{}::text[], {}::text[]) AS t(a, k, o, m, p, l)" + _RETURNING
        )
        found = await fetch_all(sql, now, *(list(column) for column in zip(*rows, strict=True)))
    return [
        NotificationRow(
            id=int(r["id"]),
            account=int(r["account"]),
            kind=r["kind"],
            occasion=r["occasion"],
            message=r["message"],
            params=json_value(r["params"]) or {},
            link=r["link"],
            created_at=now,
        )
        for r in found
    ]


async def _after_insert(rows: list[NotificationRow]) -> None:
    """The notifications just written, also queued for email (``registry.mail``) inside the same write
    transaction, so an outbox row commits or rolls back with its notification. Only with
    REGISTRY_SMTP_URL set (the outbox itself skips accounts without an address): a sweep of thousands
    does not render its mails for nobody."""
    if not rows or get_settings().smtp_url is None:
        return
    await enqueue([MailItem(f"notification:{r.id}", r.account, *_mail_text(r)) for r in rows])


def _mail_text(row: NotificationRow) -> tuple[str, str]:
    """A notification's email, in Chinese: the subject names its kind, the body is its message and where
    to read it (the page's path: the registry's address is the reader's own bookmark)."""
    with use_locale("zh"):
        kind = label(NoticeKind, row.kind)
        subject = _("[Kindergarten staff registry] {kind}", kind=kind)
        body = render(row.message, row.params, "zh")
        settings = get_settings()
        base = (settings.public_url or "").rstrip("/")
        where = ""
        if row.link:
            where = _(": {url}", url=base + row.link) if base else _(" (page {link})", link=row.link)
        footer = _(
            "Log in to the registry to see it{where}. This email was sent by the registry of {bureau}; "
            "replies are not read.",
            where=where,
            bureau=settings.bureau_name,
        )
    return subject, f"{body}\n\n{footer}\n"


# --- reading: the message in the reader's language ------------------------------------------------


def render(message: str, params: Mapping[str, Any], locale: str | None = None) -> str:
    """``message`` (a msgid) in ``locale`` (default: the current request's), its params filled; a
    ``name@EnumName`` param shown as the code's label in that language."""
    with use_locale(locale or current_locale()):
        values: dict[str, Any] = {}
        for key, value in params.items():
            name, mark, enum_name = key.partition(TERM_MARK)
            enum = enum_named(enum_name) if mark else None
            if enum is None:
                values[name] = value
            elif isinstance(value, list):
                values[name] = ("、" if current_locale() == "zh" else ", ").join(term(enum, str(v)) for v in value)
            else:
                values[name] = term(enum, str(value))
        return translate(message, **values)


class Rendered(NamedTuple):
    """A notification as a mail shows it."""

    id: int
    account: int
    kind: str
    subject: str
    body: str
    link: str


async def rendered(ids: Sequence[int], locale: str = "zh") -> list[Rendered]:
    """The notifications ``ids`` rendered in ``locale`` (email: Chinese), for the mail package."""
    if not ids:
        return []
    out = []
    for start in range(0, len(ids), BATCH):
        chunk = list(ids[start : start + BATCH])
        holes = ", ".join("{}" for _i in chunk)
        for r in await fetch_all(f"SELECT * FROM notification WHERE id IN ({holes}) ORDER BY id", *chunk):
            subject = label(NoticeKind, r["kind"]) if locale == "zh" else r["kind"]
            body = render(r["message"], json_value(r["params"]) or {}, locale)
            out.append(Rendered(int(r["id"]), int(r["account"]), r["kind"], subject, body, r["link"]))
    return out


def _out(row: dict[str, Any]) -> NotificationOut:
    return NotificationOut(
        id=row["id"],
        kind=row["kind"],
        kind_label=label(NoticeKind, row["kind"]),
        message=render(row["message"], json_value(row["params"]) or {}),
        params=json_value(row["params"]) or {},
        link=row["link"] or "",
        created_at=row["created_at"],
        read_at=row["read_at"],
    )


async def unread_count(account_id: int) -> int:
    """The bell's number: one count over the inbox index."""
    rows = await fetch_all("SELECT COUNT(*) AS n FROM notification WHERE account = {} AND read_at IS NULL", account_id)
    return int(rows[0]["n"])


async def inbox(who: Principal, unread: bool | None, limit: int, offset: int) -> NotificationPage:
    """The caller's notifications, unread first, then newest first; ``unread=True`` only the unread,
    ``False`` only the read ones. ``unread`` in the answer counts all unread."""
    where = "account = {}"
    if unread is not None:
        where += " AND read_at IS NULL" if unread else " AND read_at IS NOT NULL"
    rows = await fetch_all(
        f"SELECT * FROM notification WHERE {where} "
        "ORDER BY CASE WHEN read_at IS NULL THEN 0 ELSE 1 END, id DESC LIMIT {} OFFSET {}",
        who.account_id,
        limit,
        offset,
    )
    total = await fetch_all(f"SELECT COUNT(*) AS n FROM notification WHERE {where}", who.account_id)
    return NotificationPage(
        items=[_out(r) for r in rows],
        total=int(total[0]["n"]),
        limit=limit,
        offset=offset,
        unread=await unread_count(who.account_id),
    )


async def mark_read(who: Principal, notification_id: int) -> NotificationOut:
    """Mark one of the caller's notifications read (read already: unchanged); another account's or
    none: 404."""
    async with write_transaction():
        await fetch_all(
            "UPDATE notification SET read_at = {} WHERE id = {} AND account = {} AND read_at IS NULL",
            utcnow(),
            notification_id,
            who.account_id,
        )
        rows = await fetch_all(
            "SELECT * FROM notification WHERE id = {} AND account = {}", notification_id, who.account_id
        )
    if not rows:
        raise NotFound(_("no notification {notification_id}", notification_id=notification_id))
    return _out(rows[0])


async def mark_all_read(who: Principal) -> ReadAllOut:
    """Mark every unread notification of the caller read."""
    async with write_transaction():
        marked = await fetch_all(
            "UPDATE notification SET read_at = {} WHERE account = {} AND read_at IS NULL RETURNING id",
            utcnow(),
            who.account_id,
        )
    return ReadAllOut(marked=len(marked), unread=await unread_count(who.account_id))
