"""The server delivers in the background while REGISTRY_SMTP_URL is set (a lifespan task that logs an
error and goes on, cancelled on shutdown); ``registry notifications deliver`` for cron; HR's outbox."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app import factory
from app.factory import create_app
from kernel.db import write_transaction
from kernel.settings import Settings
from registry.mail import delivery
from registry.mail.outbox import MailItem, enqueue, outbox_rows
from tests.mail.conftest import SmtpServer, account_with_email
from tests.support import World

pytestmark = pytest.mark.usefixtures("empty_outbox")
REGISTRY = str(Path(sys.executable).with_name("registry"))
ROOT = Path(__file__).resolve().parents[2]


async def _queue(n: int) -> list[dict[str, Any]]:
    account = await account_with_email()
    async with write_transaction():
        await enqueue([MailItem(f"bg:{account}:{k}", account, "后台发送", "正文") for k in range(n)])
    return await outbox_rows(account=account)


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _until(condition: Any, seconds: float = 10) -> None:
    for _tick in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("not within the time")


async def test_the_servers_lifespan_delivers_in_the_background_and_stops_cleanly(
    smtp: SmtpServer, mail_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the test client's pool is the one the app would open: leave it alone
    monkeypatch.setattr(factory, "start_pool", lambda _size: asyncio.sleep(0))
    monkeypatch.setattr(factory, "close_pool", lambda: asyncio.sleep(0))
    real = delivery.deliver_all
    calls: list[int] = []

    async def failing_first(*args: Any, **kwargs: Any) -> delivery.DeliveryReport:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the database went away for a moment")
        return await real(*args, **kwargs)

    monkeypatch.setattr(delivery, "deliver_all", failing_first)
    app = create_app(mail_settings.model_copy(update={"mail_deliver_interval_seconds": 0.05}))
    rows = await _queue(2)
    logged = Records()
    logger = logging.getLogger("registry.mail")
    logger.addHandler(logged)  # (create_app configures the root logger: pytest's caplog is gone)
    try:
        async with app.lifespan():
            await _until(lambda: len(smtp.box.received) == 2)
            tasks = [t for t in asyncio.all_tasks() if t.get_name() == "mail-delivery"]
            assert len(tasks) == 1
        assert tasks[0].done() and tasks[0].cancelled()  # cancelled and awaited on shutdown
    finally:
        logger.removeHandler(logged)
    errors = [r for r in logged.records if r.levelno == logging.ERROR]
    assert errors and "delivery failed" in errors[0].getMessage()  # logged; the loop went on
    assert errors[0].exc_info and "went away" in str(errors[0].exc_info[1])
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)


async def test_no_background_task_without_an_smtp_url(mail_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(factory, "start_pool", lambda _size: asyncio.sleep(0))
    monkeypatch.setattr(factory, "close_pool", lambda: asyncio.sleep(0))
    app = create_app(mail_settings.model_copy(update={"smtp_url": None}))
    async with app.lifespan():
        assert not [t for t in asyncio.all_tasks() if t.get_name() == "mail-delivery"]


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([REGISTRY, *args], env=environ, capture_output=True, text=True, timeout=120, cwd=ROOT)


async def test_the_cli_delivers_what_is_due_and_says_so(smtp: SmtpServer, mail_settings: Settings) -> None:
    rows = await _queue(3)
    done = await asyncio.to_thread(_cli, "notifications", "deliver")
    assert done.returncode == 0, done.stderr
    assert "3 sent, 0 to retry later, 0 failed" in done.stdout
    assert sorted(smtp.box.message_ids()) == sorted(r["message_id"] for r in rows)
    again = await asyncio.to_thread(_cli, "notifications", "deliver")
    assert again.returncode == 0 and "0 sent" in again.stdout and len(smtp.box.received) == 3

    smtp.stop()
    await _queue(1)
    down = await asyncio.to_thread(_cli, "notifications", "deliver")
    assert down.returncode == 0 and "0 sent, 1 to retry later" in down.stdout


async def test_the_cli_without_an_smtp_url_exits_2_and_hides_a_password(mail_settings: Settings) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "REGISTRY_SMTP_URL"}
    unset = await asyncio.to_thread(
        subprocess.run,
        [REGISTRY, "notifications", "deliver"],
        env={**environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert unset.returncode == 2 and "REGISTRY_SMTP_URL is not set" in unset.stdout
    bad = await asyncio.to_thread(
        _cli, "notifications", "deliver", REGISTRY_SMTP_URL="smtp://registry:s3cret@relay.example.org?security=ssl"
    )
    assert bad.returncode == 2 and "security must be one of" in bad.stdout
    assert "s3cret" not in bad.stdout + bad.stderr


async def test_hr_sees_the_failed_deliveries(
    client: Any, world: World, smtp: SmtpServer, mail_settings: Settings
) -> None:
    rows = await _queue(2)
    smtp.box.rcpt_reply = "550 5.1.1 no such user"
    await delivery.deliver_due(limit=1)
    r = await client.get("/api/v1/mail/outbox?status=failed", headers=world.h("district_hr"))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 1
    (failed,) = r.json()["items"]
    assert failed["id"] == rows[0]["id"] and failed["status"] == "failed" and failed["last_error"].startswith("550")
    assert "body" not in failed
    everything = (await client.get("/api/v1/mail/outbox", headers=world.h("district_hr"))).json()
    assert [m["status"] for m in everything["items"]] == ["pending", "failed"]  # newest first
    bad = await client.get("/api/v1/mail/outbox?status=lost", headers=world.h("district_hr"))
    assert bad.status_code == 400 or bad.status_code == 422


@pytest.mark.parametrize(
    ("role", "expected"),
    [("district_hr", 200), ("kindergarten_admin", 403), ("teacher", 403), ("inspector", 403), ("anonymous", 401)],
)
async def test_role_matrix_outbox(client: Any, world: World, role: str, expected: int) -> None:
    r = await client.get("/api/v1/mail/outbox?status=failed", headers=world.h(role))
    assert r.status_code == expected, r.text
