"""The outbox: emails written in the same transaction as the event they tell of, so an event is mailed
if and only if it was committed (the transactional outbox pattern). ``delivery`` sends them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.querystring import QueryString

from kernel.common.schemas import Page
from kernel.common.time import utcnow
from kernel.db import get_engine, write_transaction
from kernel.settings import get_settings
from registry.accounts.services import mail_addresses
from registry.mail.codes import MailStatus
from registry.mail.rules import message_id
from registry.mail.schemas import MailOut
from registry.mail.tables import MailOutbox


@dataclass(frozen=True)
class MailItem:
    """One email to one account. ``source`` is a unique key of what it is for (``"notification:123"``):
    an item whose source is queued already is skipped, so the same thing is never mailed twice.
    ``subject`` and ``body`` are the text as sent (Chinese: render it before queueing)."""

    source: str
    account_id: int
    subject: str
    body: str


COLUMNS = (
    "account",
    "address",
    "subject",
    "body",
    "message_id",
    "source",
    "status",
    "attempts",
    "next_attempt_at",
    "created_at",
)
CHUNK = 500  # rows per INSERT: 10 values each, well under SQLite's 32,766 variables


async def enqueue(items: Sequence[MailItem]) -> int:
    """Queue ``items`` for delivery, inside the caller's write transaction (one is opened when there
    is none). Writes nothing when REGISTRY_SMTP_URL is unset; otherwise one row per item whose account
    is active and has an email address, and whose ``source`` is not queued yet (one INSERT … ON
    CONFLICT (source) DO NOTHING per 500 rows, on both engines). Returns the number of rows written."""
    settings = get_settings()
    if settings.smtp_url is None or not items:
        return 0
    addresses = await mail_addresses(item.account_id for item in items)
    now = utcnow()
    seen: set[str] = set()
    rows: list[tuple[Any, ...]] = []
    for item in items:
        address = addresses.get(item.account_id)
        if address is None or item.source in seen:
            continue
        seen.add(item.source)
        rows.append(
            (
                item.account_id,
                address,
                item.subject,
                item.body,
                message_id(item.source, settings.mail_from),
                item.source,
                MailStatus.pending.value,
                0,
                now,
                now,
            )
        )
    if not rows:
        return 0
    written = 0
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    one = "(" + ", ".join("{}" for _c in COLUMNS) + ")"
    async with write_transaction():
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            sql = (
                f'INSERT INTO "mail_outbox" ({cols}) VALUES {", ".join(one for _r in chunk)} '
                'ON CONFLICT ("source") DO NOTHING RETURNING "id"'
            )
            done = await get_engine().run_querystring(QueryString(sql, *(v for row in chunk for v in row)))
            written += len(done)
    return written


def mail_out(row: dict[str, Any]) -> MailOut:
    return MailOut(
        id=row["id"],
        account_id=row["account"],
        address=row["address"],
        subject=row["subject"],
        message_id=row["message_id"],
        source=row["source"],
        status=MailStatus(row["status"]),
        attempts=row["attempts"],
        next_attempt_at=row["next_attempt_at"],
        last_error=row["last_error"],
        created_at=row["created_at"],
        sent_at=row["sent_at"],
    )


async def list_mail(status: MailStatus | None, limit: int, offset: int) -> Page[MailOut]:
    """The outbox, newest first (district HR: what failed, what waits)."""
    where: list[Any] = []
    if status is not None:
        where.append(MailOutbox.status == status.value)
    rows = await MailOutbox.select().where(*where).order_by(MailOutbox.id, ascending=False).limit(limit).offset(offset)
    total = await MailOutbox.count().where(*where)
    return Page[MailOut](items=[mail_out(r) for r in rows], total=total, limit=limit, offset=offset)


async def outbox_rows(**equal: Any) -> list[dict[str, Any]]:
    """Rows of the outbox whose columns equal the given values, by id (for the CLI and the tests)."""
    where = [getattr(MailOutbox, name) == value for name, value in equal.items()]
    rows: list[dict[str, Any]] = await MailOutbox.select().where(*where).order_by(MailOutbox.id)
    return rows
