"""The login page (issue 14): when too many log in at once, a 503 page with Retry-After."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from kernel.settings import get_settings
from registry.accounts import hashing
from tests.pages.helpers import log_in, page_client
from tests.support import make_account, new_username


async def test_the_login_page_says_when_too_many_log_in_at_once(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "password_hash_workers", 1)
    monkeypatch.setattr(settings, "password_hash_wait_seconds", 0.05)
    username = new_username("page_busy")
    await make_account("inspector", username)
    held, done = asyncio.Event(), asyncio.Event()

    async def hold_the_only_worker() -> None:
        async with hashing.worker():
            held.set()
            await done.wait()

    holder = asyncio.ensure_future(hold_the_only_worker())
    try:
        await held.wait()
        async with page_client(app, address="192.0.2.90") as c:
            r = await log_in(c, username)
            assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
            assert "登录人数较多" in r.text
    finally:
        done.set()
        await holder
    async with page_client(app, address="192.0.2.90") as c:
        assert (await log_in(c, username)).status_code == 303
