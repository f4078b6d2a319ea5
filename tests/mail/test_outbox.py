"""Queueing (``enqueue``): inside the caller's transaction, only with REGISTRY_SMTP_URL set, only for
active accounts with an address, never the same source twice."""

from __future__ import annotations

import pytest

from kernel.db import write_transaction
from kernel.settings import Settings, get_settings
from registry.mail.outbox import MailItem, enqueue, outbox_rows
from tests.mail.conftest import account_with_email

pytestmark = pytest.mark.usefixtures("empty_outbox")


async def test_unset_smtp_url_queues_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGISTRY_SMTP_URL", raising=False)
    get_settings.cache_clear()
    account = await account_with_email()
    assert await enqueue([MailItem("notification:1", account, "主题", "正文")]) == 0
    assert await outbox_rows() == []


async def test_only_active_accounts_with_an_address_once_per_source(mail_settings: Settings) -> None:
    with_address = await account_with_email("wang.fang@example.org")
    without = await account_with_email(None)
    inactive = await account_with_email("gone@example.org", active=False)
    items = [
        MailItem("notification:10", with_address, "证书即将到期", "您的上岗证将于 30 天后到期。"),
        MailItem("notification:10", with_address, "again in the same call", "skipped"),
        MailItem("notification:11", without, "无地址", "no address: inbox only"),
        MailItem("notification:12", inactive, "停用", "inactive: nothing"),
        MailItem("notification:13", with_address, "第二封", "第二封的正文"),
    ]
    async with write_transaction():
        assert await enqueue(items) == 2
    assert await enqueue(items) == 0  # run again: nothing new
    rows = await outbox_rows()
    assert [(r["source"], r["account"], r["address"], r["status"], r["attempts"]) for r in rows] == [
        ("notification:10", with_address, "wang.fang@example.org", "pending", 0),
        ("notification:13", with_address, "wang.fang@example.org", "pending", 0),
    ]
    assert rows[0]["subject"] == "证书即将到期" and rows[0]["body"] == "您的上岗证将于 30 天后到期。"
    assert rows[0]["message_id"].endswith("@kg-chaoyang.cn>") and rows[0]["message_id"] != rows[1]["message_id"]
    assert rows[0]["lease_until"] is None and rows[0]["sent_at"] is None


async def test_rolled_back_with_its_event(mail_settings: Settings) -> None:
    account = await account_with_email()
    with pytest.raises(RuntimeError):
        async with write_transaction():
            assert await enqueue([MailItem("notification:20", account, "主题", "正文")]) == 1
            raise RuntimeError("the event's write failed")
    assert await outbox_rows() == []


async def test_many_items_in_few_statements(mail_settings: Settings) -> None:
    account = await account_with_email()
    items = [MailItem(f"sweep:2026-12-08:{n}", account, f"提醒 {n}", "正文") for n in range(1_203)]
    async with write_transaction():
        assert await enqueue(items) == 1_203
    assert len(await outbox_rows(status="pending")) == 1_203
