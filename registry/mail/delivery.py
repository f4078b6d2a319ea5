"""Delivery: claim the emails that are due, send them over SMTP (aiosmtplib), mark each one.

1. **Claim** (one short write transaction): the due rows (pending, ``next_attempt_at`` passed, no
   lease or an expired one) get ``lease_until = now + REGISTRY_MAIL_LEASE_SECONDS`` by a conditional
   UPDATE that repeats the condition. The UPDATE alone decides: on PostgreSQL a second deliverer's
   UPDATE of a row another one is claiming waits for it and re-checks the condition on the new row (a
   lease now held: skipped), and the candidates are read ``FOR NO KEY UPDATE SKIP LOCKED`` so that it
   takes other rows instead; on SQLite writers run one at a time. So two deliverers (the server and
   cron) never send a row at once.
2. **Send**, outside any transaction: one SMTP connection for the batch (made again after a failure).
3. **Mark** each row in its own short transaction: sent; or, after a failure, attempts + 1 and either
   retried after the backoff (temporary: a refused or dropped connection, a timeout, a 4xx) or failed
   (a 5xx, or the last attempt), the lease released.

A crash (or a failed mark) between a send and its mark leaves the row pending under its lease: when the
lease expires the row is sent again, with the same Message-ID (made when the row was written), so a
reader's mail program shows it once. That is at most one extra send per crash of a deliverer holding
the row; nothing is ever lost.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiosmtplib

from kernel.common.time import utcnow
from kernel.db import is_sqlite, write_transaction
from kernel.settings import Settings, get_settings
from registry.mail.codes import MailStatus
from registry.mail.rules import (
    Outcome,
    SmtpTarget,
    after_failure,
    backoff,
    build_message,
    is_permanent,
    parse_smtp_url,
)
from registry.mail.tables import MailOutbox

log = logging.getLogger("registry.mail")


@dataclass
class DeliveryReport:
    """What one delivery run did: rows claimed, and of them sent, retried later, failed for good."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def add(self, other: DeliveryReport) -> None:
        self.claimed += other.claimed
        self.sent += other.sent
        self.retried += other.retried
        self.failed += other.failed


# refusals of this email (its recipient, its content): a 5xx among them is final; a refused sender,
# login or connection is the installation's to fix, and the email waits (retried with backoff)
RECIPIENT_OR_MESSAGE = (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)


def target_of(settings: Settings) -> SmtpTarget | None:
    """Where to send, or None when REGISTRY_SMTP_URL is unset (no email at all)."""
    if settings.smtp_url is None:
        return None
    return parse_smtp_url(settings.smtp_url.get_secret_value())


async def claim(now: datetime, limit: int, lease: timedelta) -> list[dict[str, Any]]:
    """Take up to ``limit`` due rows for this deliverer until ``now + lease``; the rows taken, by id."""
    free = MailOutbox.lease_until.is_null() | (MailOutbox.lease_until <= now)
    due = (MailOutbox.status == MailStatus.pending.value) & (MailOutbox.next_attempt_at <= now) & free
    async with write_transaction():
        query = MailOutbox.select(MailOutbox.id).where(due).order_by(MailOutbox.next_attempt_at, MailOutbox.id)
        if not is_sqlite():  # concurrent deliverers pass over each other's rows instead of waiting for them
            query = query.lock_rows("NO KEY UPDATE", skip_locked=True)
        found = await query.limit(limit)
        if not found:
            return []
        rows: list[dict[str, Any]] = (
            await MailOutbox.update({MailOutbox.lease_until: now + lease})
            .where(MailOutbox.id.is_in([r["id"] for r in found]), due)
            .returning(*MailOutbox.all_columns())
        )
    return sorted(rows, key=lambda r: int(r["id"]))


async def renew(row: dict[str, Any], now: datetime, lease: timedelta) -> dict[str, Any] | None:
    """Hold a claimed row for one more lease just before sending it, if this deliverer's lease still
    stands (its ``lease_until`` unchanged): a long batch never sends a row whose lease ran out and which
    another deliverer may have taken meanwhile. The row with its new lease, or None (skip it)."""
    until = max(now, utcnow()) + lease
    async with write_transaction():
        held = (
            await MailOutbox.update({MailOutbox.lease_until: until})
            .where(
                MailOutbox.id == row["id"],
                MailOutbox.status == MailStatus.pending.value,
                MailOutbox.lease_until == row["lease_until"],
            )
            .returning(MailOutbox.id)
        )
    return {**row, "lease_until": until} if held else None


async def mark_sent(row: dict[str, Any], now: datetime) -> None:
    """The row was handed to the SMTP server (it answered 250 to the message)."""
    async with write_transaction():
        await MailOutbox.update(
            {
                MailOutbox.status: MailStatus.sent.value,
                MailOutbox.sent_at: now,
                MailOutbox.attempts: int(row["attempts"]) + 1,
                MailOutbox.lease_until: None,
                MailOutbox.last_error: None,
            }
        ).where(MailOutbox.id == row["id"], MailOutbox.status == MailStatus.pending.value)


async def requeue_failed(now: datetime | None = None) -> int:
    """Every failed email made due again with its attempts counted afresh (after the setting that
    failed them, a sender address or an account, is fixed): ``registry notifications deliver
    --retry-failed``. Returns how many."""
    async with write_transaction():
        rows = (
            await MailOutbox.update(
                {
                    MailOutbox.status: MailStatus.pending.value,
                    MailOutbox.attempts: 0,
                    MailOutbox.next_attempt_at: now or utcnow(),
                    MailOutbox.lease_until: None,
                }
            )
            .where(MailOutbox.status == MailStatus.failed.value)
            .returning(MailOutbox.id)
        )
    return len(rows)


async def mark_failure(row: dict[str, Any], error: str, permanent: bool, now: datetime, settings: Settings) -> Outcome:
    """A failed attempt: retried after the backoff, or failed for good; the lease released. Written
    only while this deliverer's lease stands (its ``lease_until`` unchanged)."""
    attempts = int(row["attempts"])
    outcome = after_failure(attempts, permanent, settings.mail_max_attempts)
    values: dict[Any, Any] = {
        MailOutbox.attempts: attempts + 1,
        MailOutbox.last_error: error[:1000],
        MailOutbox.lease_until: None,
    }
    if outcome is Outcome.retry:
        values[MailOutbox.next_attempt_at] = now + backoff(
            attempts + 1, settings.mail_backoff_seconds, settings.mail_backoff_max_seconds
        )
    else:
        values[MailOutbox.status] = MailStatus.failed.value
    async with write_transaction():
        await MailOutbox.update(values).where(
            MailOutbox.id == row["id"],
            MailOutbox.status == MailStatus.pending.value,
            MailOutbox.lease_until == row["lease_until"],
        )
    return outcome


def _smtp(target: SmtpTarget, settings: Settings) -> aiosmtplib.SMTP:
    """A client for the target. ``starttls`` requires STARTTLS (a server that does not offer it is a
    failure, never a silent downgrade to plain text); certificates and the server's name are checked,
    against REGISTRY_SMTP_CA_FILE when set."""
    context = ssl.create_default_context(cafile=settings.smtp_ca_file) if settings.smtp_ca_file else None
    return aiosmtplib.SMTP(
        hostname=target.host,
        port=target.port,
        username=target.username,
        password=target.password,
        use_tls=target.security == "tls",
        start_tls=target.security == "starttls",
        tls_context=context,
        timeout=settings.smtp_timeout_seconds,
    )


def _describe(exc: BaseException) -> tuple[str, int | None]:
    """The failure as last_error says it, and its SMTP reply code (None: no reply, e.g. a dropped
    connection)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) and exc.recipients:
        first = exc.recipients[0]
        return f"{first.code} {first.message}", first.code
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return f"{exc.code} {exc.message}", exc.code
    return f"{type(exc).__name__}: {exc}", None


async def _close(smtp: aiosmtplib.SMTP | None) -> None:
    if smtp is None:
        return
    try:
        if smtp.is_connected:
            await smtp.quit()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        smtp.close()


async def send_batch(
    rows: Sequence[dict[str, Any]], target: SmtpTarget, settings: Settings, now: datetime
) -> DeliveryReport:
    """Send claimed rows over one connection (made again after a failure; once a connection cannot be
    made, the rest of the batch counts that as its attempt) and mark each."""
    report = DeliveryReport(claimed=len(rows))
    smtp: aiosmtplib.SMTP | None = None
    unreachable: str | None = None
    lease = timedelta(seconds=settings.mail_lease_seconds)
    try:
        for claimed in rows:
            row = await renew(claimed, now, lease)
            if row is None:  # the lease ran out during the batch and the row is someone else's now
                report.claimed -= 1
                continue
            if smtp is None and unreachable is None:
                candidate = _smtp(target, settings)
                try:
                    await candidate.connect()
                    smtp = candidate
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                    # a refused login is a setting to fix, not the email's fault: temporary too
                    unreachable = _describe(exc)[0]
                    log.warning("mail: cannot connect to %s: %s", target, unreachable)
                    candidate.close()
            if smtp is None:
                outcome = await mark_failure(row, unreachable or "not connected", False, now, settings)
            else:
                message = build_message(
                    mail_from=settings.mail_from,
                    to=row["address"],
                    subject=row["subject"],
                    body=row["body"],
                    message_id=row["message_id"],
                    date=now,
                )
                try:
                    await smtp.send_message(message)
                except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
                    error, code = _describe(exc)
                    log.warning("mail %s to account %s: %s", row["id"], row["account"], error)
                    await _close(smtp)  # start the next one on a fresh connection
                    smtp = None
                    about_this_email = isinstance(exc, RECIPIENT_OR_MESSAGE)
                    outcome = await mark_failure(row, error, is_permanent(code, about_this_email), now, settings)
                else:
                    await mark_sent(row, now)
                    outcome = Outcome.sent
            if outcome is Outcome.sent:
                report.sent += 1
            elif outcome is Outcome.retry:
                report.retried += 1
            else:
                report.failed += 1
    finally:
        await _close(smtp)
    return report


async def deliver_due(
    now: datetime | None = None, limit: int | None = None, settings: Settings | None = None
) -> DeliveryReport:
    """One batch: claim up to ``limit`` (REGISTRY_MAIL_BATCH) due emails and send them. Nothing when
    REGISTRY_SMTP_URL is unset."""
    settings = settings or get_settings()
    target = target_of(settings)
    if target is None:
        return DeliveryReport()
    now = now or utcnow()
    rows = await claim(now, limit or settings.mail_batch, timedelta(seconds=settings.mail_lease_seconds))
    if not rows:
        return DeliveryReport()
    return await send_batch(rows, target, settings, now)


async def deliver_all(now: datetime | None = None, settings: Settings | None = None) -> DeliveryReport:
    """Batch after batch until nothing is due (a retried row is due later, so this ends)."""
    total = DeliveryReport()
    while True:
        done = await deliver_due(now, settings=settings)
        total.add(done)
        if done.claimed == 0:
            return total


async def deliver_forever(settings: Settings) -> None:
    """The server's background delivery: everything due, every REGISTRY_MAIL_DELIVER_INTERVAL_SECONDS.
    An error is logged and the loop goes on; cancelling the task stops it."""
    log.info("mail: delivering to %s every %s s", target_of(settings), settings.mail_deliver_interval_seconds)
    while True:
        try:
            done = await deliver_all(settings=settings)
            if done.claimed:
                log.info("mail: %s sent, %s retried, %s failed", done.sent, done.retried, done.failed)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("mail: delivery failed; trying again in %s s", settings.mail_deliver_interval_seconds)
        await asyncio.sleep(settings.mail_deliver_interval_seconds)
