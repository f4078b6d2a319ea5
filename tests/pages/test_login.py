"""The login page (issue 14): throttled like the API's login, so a stranger guessing from his address
cannot keep the owner out, and an unknown username reads exactly like a wrong password; when too many
log in at once, a 503 page with Retry-After."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from kernel.settings import get_settings
from registry.accounts import hashing
from tests.pages.helpers import SESSION_COOKIE, csrf_of, log_in, page_client
from tests.support import LoginClock, make_account, new_username

STRANGER = "203.0.113.19"
USUAL = "198.51.100.17"


async def guesses(c: httpx.AsyncClient, username: str, n: int) -> list[int]:
    """``n`` wrong passwords posted at once from one browser (one form, one CSRF token)."""
    token = csrf_of((await c.get("/login")).text)
    form = {"username": username, "password": "wrong-password", "next": "", "_csrf_token": token}
    answers = await asyncio.gather(*(c.post("/login", data=form) for _ in range(n)))
    return [r.status_code for r in answers]


async def test_a_stranger_cannot_keep_the_owner_out_of_the_login_page(
    app: Any, client: Any, login_clock: LoginClock
) -> None:
    username = new_username("page_owner")
    await make_account("district_hr", username)
    async with page_client(app, address=USUAL) as owner:
        assert (await log_in(owner, username)).status_code == 303  # her usual address
    for round_ in range(3):
        async with page_client(app, address=STRANGER) as stranger:
            codes = await guesses(stranger, username, 12)
            assert set(codes) == {401, 429}
            r = await log_in(stranger, username)  # even the right password: his address waits
            assert r.status_code == 429 and "账户已暂时锁定" in r.text
            assert int(r.headers["retry-after"]) > 0 and SESSION_COOKIE not in stranger.cookies
            wait = int(r.headers["retry-after"])
        async with page_client(app, address=USUAL) as owner:
            r = await log_in(owner, username)
            assert r.status_code == 303 and SESSION_COOKIE in owner.cookies
        async with page_client(app, address=f"192.0.2.{20 + round_}") as elsewhere:  # a new address
            assert (await log_in(elsewhere, username)).status_code == 303
        login_clock.advance(wait)


async def test_the_login_page_answers_an_unknown_username_like_a_wrong_password(
    app: Any, client: Any, login_clock: LoginClock
) -> None:
    limit = get_settings().login_max_failures
    known, unknown = new_username("page_known"), new_username("page_nobody")
    await make_account("inspector", known)
    async with page_client(app, address=STRANGER) as c:
        for n in range(limit + 2):
            a = await log_in(c, known, password="wrong-password")
            b = await log_in(c, unknown, password="wrong-password")
            assert a.status_code == b.status_code == (401 if n < limit else 429), n
            assert a.headers.get("retry-after") == b.headers.get("retry-after")
            # the same page but for the username echoed into the form (and the form's CSRF token)
            assert _without(a.text, known) == _without(b.text, unknown)


def _without(html: str, username: str) -> str:
    text = html.replace(f'value="{username}"', 'value=""')
    return text.replace(csrf_of(html), "")


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
