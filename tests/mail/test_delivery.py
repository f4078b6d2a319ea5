"""Delivery against a real SMTP server (aiosmtpd): delivered once with its headers; refusals (550 for
good, 451 retried with backoff); a connection dropped mid-message; the server down and back; two
deliverers at once; a crash between send and mark."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from kernel.common.time import utcnow
from kernel.db import write_transaction
from kernel.settings import Settings
from registry.mail import delivery
from registry.mail.delivery import DeliveryReport, deliver_all, deliver_due
from registry.mail.outbox import MailItem, enqueue, outbox_rows
from tests.mail.conftest import SmtpServer, account_with_email

pytestmark = pytest.mark.usefixtures("empty_outbox")

SUBJECT = "您的学分申报已通过"
BODY = "李静老师：\n您申报的“幼儿园游戏化教学”24 学时已由区教委认定为 2.4 学分。\n——朝阳区教委"


async def _queue(n: int = 1, address: str = "li.jing@example.org") -> list[dict[str, Any]]:
    account = await account_with_email(address)
    async with write_transaction():
        await enqueue([MailItem(f"notification:{account}:{k}", account, SUBJECT, BODY) for k in range(n)])
    return await outbox_rows(account=account)


def _report(report: DeliveryReport) -> tuple[int, int, int, int]:
    return report.claimed, report.sent, report.retried, report.failed


async def test_delivered_once_with_its_headers(smtp: SmtpServer, mail_settings: Settings) -> None:
    (row,) = await _queue(address="Li.Jing@example.org")
    now = utcnow()
    assert _report(await deliver_due(now)) == (1, 1, 0, 0)
    assert _report(await deliver_due(now + timedelta(days=1))) == (0, 0, 0, 0)  # sent: never again

    (message,) = smtp.box.received
    assert message["Subject"] == SUBJECT and message.get_content().strip() == BODY  # type: ignore[attr-defined]
    assert message.get_content_type() == "text/plain" and message.get_content_charset() == "utf-8"
    assert message["From"] == "registry@kg-chaoyang.cn"
    assert message["To"] == "Li.Jing@example.org" and message["X-Envelope-To"] == "Li.Jing@example.org"
    assert message["Message-ID"] == row["message_id"]
    assert abs((message["Date"].datetime - now).total_seconds()) < 1
    (after,) = await outbox_rows(id=row["id"])
    assert (after["status"], after["attempts"], after["lease_until"], after["last_error"]) == ("sent", 1, None, None)
    assert after["sent_at"] is not None


async def test_a_refused_recipient_fails_at_once(smtp: SmtpServer, mail_settings: Settings) -> None:
    (row,) = await _queue()
    smtp.box.rcpt_reply = "550 5.1.1 mailbox unavailable"
    assert _report(await deliver_due()) == (1, 0, 0, 1)
    (after,) = await outbox_rows(id=row["id"])
    assert after["status"] == "failed" and after["attempts"] == 1
    assert after["last_error"].startswith("550") and "mailbox unavailable" in after["last_error"]
    smtp.box.rcpt_reply = None
    assert _report(await deliver_due(utcnow() + timedelta(days=2))) == (0, 0, 0, 0)  # failed stays failed
    assert smtp.box.received == []


async def test_a_temporary_refusal_is_retried_with_backoff_then_delivered(
    smtp: SmtpServer, mail_settings: Settings
) -> None:
    (row,) = await _queue()
    smtp.box.rcpt_reply = "451 4.7.1 greylisted, try again later"
    now = utcnow()
    assert _report(await deliver_due(now)) == (1, 0, 1, 0)
    (after,) = await outbox_rows(id=row["id"])
    assert after["status"] == "pending" and after["attempts"] == 1 and after["lease_until"] is None
    assert after["last_error"].startswith("451")
    assert after["next_attempt_at"] == now + timedelta(seconds=60)  # the base backoff

    assert _report(await deliver_due(now + timedelta(seconds=59))) == (0, 0, 0, 0)  # not due yet
    assert _report(await deliver_due(now + timedelta(seconds=61))) == (1, 0, 1, 0)
    (after,) = await outbox_rows(id=row["id"])
    assert after["attempts"] == 2 and after["next_attempt_at"] == now + timedelta(seconds=61 + 120)  # doubled

    smtp.box.rcpt_reply = None
    assert _report(await deliver_due(now + timedelta(seconds=61 + 119))) == (0, 0, 0, 0)
    assert _report(await deliver_due(now + timedelta(seconds=61 + 121))) == (1, 1, 0, 0)
    assert smtp.box.message_ids() == [row["message_id"]]
    (after,) = await outbox_rows(id=row["id"])
    assert after["status"] == "sent" and after["attempts"] == 3


async def test_temporary_failures_fail_after_the_last_attempt(
    smtp: SmtpServer, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = mail_settings.model_copy(update={"mail_max_attempts": 3})
    (row,) = await _queue()
    smtp.box.rcpt_reply = "452 4.2.2 mailbox full"
    report = await deliver_all(utcnow() + timedelta(days=1), settings=settings)
    report.add(await deliver_all(utcnow() + timedelta(days=2), settings=settings))
    report.add(await deliver_all(utcnow() + timedelta(days=3), settings=settings))
    assert _report(report) == (3, 0, 2, 1)
    (after,) = await outbox_rows(id=row["id"])
    assert after["status"] == "failed" and after["attempts"] == 3 and after["last_error"].startswith("452")


async def test_a_connection_dropped_mid_message_is_retried_then_delivered_once(
    smtp: SmtpServer, mail_settings: Settings
) -> None:
    rows = await _queue(3)
    smtp.box.drop_data = 1  # the first message's DATA: the connection goes
    now = utcnow()
    assert _report(await deliver_due(now)) == (3, 2, 1, 0)  # the other two on a new connection
    assert smtp.box.dropped == 1
    first = (await outbox_rows(id=rows[0]["id"]))[0]
    assert first["status"] == "pending" and first["attempts"] == 1
    assert "Disconnected" in first["last_error"] or "closed" in first["last_error"].lower()

    assert _report(await deliver_due(now + timedelta(seconds=61))) == (1, 1, 0, 0)
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)  # each once
    assert {r["status"] for r in await outbox_rows()} == {"sent"}


async def test_a_server_down_then_restarted(smtp: SmtpServer, mail_settings: Settings) -> None:
    rows = await _queue(2)
    smtp.stop()
    now = utcnow()
    assert _report(await deliver_due(now)) == (2, 0, 2, 0)  # connection refused: both wait
    for row in await outbox_rows():
        assert row["status"] == "pending" and row["attempts"] == 1 and row["lease_until"] is None
    assert _report(await deliver_due(now + timedelta(seconds=30))) == (0, 0, 0, 0)

    smtp.start()  # the same port again
    assert _report(await deliver_due(now + timedelta(seconds=61))) == (2, 2, 0, 0)
    assert _report(await deliver_due(now + timedelta(days=1))) == (0, 0, 0, 0)
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)


async def test_two_deliverers_at_once_send_each_email_once(smtp: SmtpServer, mail_settings: Settings) -> None:
    rows = await _queue(12)
    now = utcnow()
    first, second = await asyncio.gather(deliver_due(now, limit=5), deliver_due(now, limit=5))
    third, fourth = await asyncio.gather(deliver_due(now, limit=50), deliver_due(now, limit=50))
    assert first.sent + second.sent + third.sent + fourth.sent == 12
    assert first.claimed == second.claimed == 5  # each its own five (one after the other, or SKIP LOCKED)
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)  # 12, each once

    # while one deliverer holds rows (its lease), another takes none of them
    more = await _queue(3)
    later = utcnow()
    taken = await delivery.claim(later, 10, timedelta(minutes=5))
    assert [r["id"] for r in taken] == [r["id"] for r in more]
    assert _report(await deliver_due(later + timedelta(minutes=4))) == (0, 0, 0, 0)
    assert _report(await deliver_due(later + timedelta(minutes=6))) == (3, 3, 0, 0)  # the lease ran out


async def test_a_crash_between_send_and_mark_resends_the_same_message_id_once(
    smtp: SmtpServer, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    (row,) = await _queue()
    real_mark = delivery.mark_sent
    crashes = []

    async def crash_once(claimed: dict[str, Any], now: datetime) -> None:
        if not crashes:
            crashes.append(claimed["id"])
            raise RuntimeError("the process died after the SMTP server took the message")
        await real_mark(claimed, now)

    monkeypatch.setattr(delivery, "mark_sent", crash_once)
    now = utcnow()
    with pytest.raises(RuntimeError):
        await deliver_due(now)
    assert len(smtp.box.received) == 1
    (held,) = await outbox_rows(id=row["id"])
    assert held["status"] == "pending" and held["lease_until"] is not None  # still leased

    lease = timedelta(seconds=mail_settings.mail_lease_seconds)
    assert _report(await deliver_due(now + lease - timedelta(seconds=1))) == (0, 0, 0, 0)
    assert _report(await deliver_due(now + lease + timedelta(seconds=1))) == (1, 1, 0, 0)
    assert _report(await deliver_due(now + timedelta(days=1))) == (0, 0, 0, 0)
    assert smtp.box.message_ids() == [row["message_id"], row["message_id"]]  # the same Message-ID, twice


async def test_unset_smtp_url_delivers_nothing(smtp: SmtpServer, mail_settings: Settings) -> None:
    await _queue()
    off = mail_settings.model_copy(update={"smtp_url": None})
    assert _report(await deliver_due(settings=off)) == (0, 0, 0, 0)
    assert smtp.box.received == [] and (await outbox_rows())[0]["status"] == "pending"


async def test_a_refused_sender_keeps_the_email_until_the_setting_is_fixed(
    smtp: SmtpServer, mail_settings: Settings
) -> None:
    """A relay refusing REGISTRY_MAIL_FROM (553) is the installation's to fix: every email waits, retried
    with backoff, none is failed for good; once fixed, each is sent once."""
    rows = await _queue(2)
    smtp.box.mail_reply = "553 5.7.1 sender address rejected"
    now = utcnow()
    assert _report(await deliver_due(now)) == (2, 0, 2, 0)
    for row in await outbox_rows(account=rows[0]["account"]):
        assert row["status"] == "pending" and row["last_error"].startswith("553")
    smtp.box.mail_reply = None  # the sender address fixed
    assert _report(await deliver_due(now + timedelta(minutes=5))) == (2, 2, 0, 0)
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)


async def test_failed_emails_are_made_due_again_on_request(smtp: SmtpServer, mail_settings: Settings) -> None:
    (row,) = await _queue()
    smtp.box.rcpt_reply = "550 5.1.1 mailbox unavailable"
    now = utcnow()
    assert _report(await deliver_due(now)) == (1, 0, 0, 1)
    smtp.box.rcpt_reply = None  # the account's address corrected at the relay
    assert _report(await deliver_due(now + timedelta(days=1))) == (0, 0, 0, 0), "failed stays failed"
    assert await delivery.requeue_failed(now) >= 1
    done = await deliver_due(now + timedelta(seconds=1), limit=500)
    assert done.failed == 0 and row["message_id"] in smtp.box.message_ids()


async def test_a_row_whose_lease_ran_out_mid_batch_is_left_to_its_new_holder(
    smtp: SmtpServer, mail_settings: Settings
) -> None:
    (row,) = await _queue()
    now = utcnow()
    mine = await delivery.claim(now, 10, timedelta(seconds=30))
    assert [r["id"] for r in mine] == [row["id"]]
    # this deliverer stalls past its lease; another takes the row and sends it
    theirs = await delivery.claim(now + timedelta(seconds=31), 10, timedelta(seconds=300))
    assert [r["id"] for r in theirs] == [row["id"]]
    target = delivery.target_of(mail_settings)
    assert target is not None
    late = await delivery.send_batch(mine, target, mail_settings, now)
    assert (late.claimed, late.sent) == (0, 0), "the stalled deliverer sends nothing"
    done = await delivery.send_batch(theirs, target, mail_settings, now + timedelta(seconds=31))
    assert done.sent == 1 and smtp.box.message_ids() == [row["message_id"]]
