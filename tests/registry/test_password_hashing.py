"""Password hashing off the event loop, a bounded number at once (issue 14): argon2 runs in worker
threads; past ``REGISTRY_PASSWORD_HASH_WORKERS`` busy for ``REGISTRY_PASSWORD_HASH_WAIT_SECONDS``, a
login or an account creation is a 503 with Retry-After (and a login is not counted as a failure)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest

from kernel.settings import get_settings
from registry.accounts import hashing, rules, throttle
from tests.support import PASSWORD, World, client_at, make_account, new_username

API = "/api/v1"
TOKEN = f"{API}/auth/token"


@asynccontextmanager
async def one_worker_held(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """One hashing worker, held by another task; a login waits 0.05 s for it."""
    settings = get_settings()
    monkeypatch.setattr(settings, "password_hash_workers", 1)
    monkeypatch.setattr(settings, "password_hash_wait_seconds", 0.05)
    held, done = anyio.Event(), anyio.Event()

    async def hold_the_only_worker() -> None:
        async with hashing.worker():
            held.set()
            await done.wait()

    async with anyio.create_task_group() as tg:
        tg.start_soon(hold_the_only_worker)
        await held.wait()
        yield
        done.set()


async def test_password_checks_run_in_worker_threads(app: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[int] = []
    real = rules.verify_password

    def spy(stored: str | None, plain: str) -> bool:
        threads.append(threading.get_ident())
        return real(stored, plain)

    monkeypatch.setattr(rules, "verify_password", spy)
    username = new_username("hashing")
    await make_account("inspector", username)
    async with client_at(app, "192.0.2.71") as c:
        assert (await c.post(TOKEN, json={"username": username, "password": PASSWORD})).status_code == 200
        assert (await c.post(TOKEN, json={"username": username, "password": "wrong-one!"})).status_code == 401
    assert len(threads) == 2 and threading.get_ident() not in threads  # never on the event loop's thread


async def test_logins_past_the_hashing_bound_get_503_and_are_not_counted(
    app: Any, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    username = new_username("hashing")
    await make_account("inspector", username)
    async with client_at(app, "192.0.2.70") as c:
        async with one_worker_held(monkeypatch):
            r = await c.post(TOKEN, json={"username": username, "password": PASSWORD})
            assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
            assert r.json()["type"].endswith("/busy") and r.json()["retry_after"] >= 1
            row = await throttle.state(username, "192.0.2.70")
            assert row is not None and row["failures"] == 0  # not checked, so not counted
        assert (await c.post(TOKEN, json={"username": username, "password": PASSWORD})).status_code == 200


async def test_account_creation_past_the_hashing_bound_gets_503(
    client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = {"username": new_username("hashing"), "password": PASSWORD, "role": "inspector"}
    async with one_worker_held(monkeypatch):
        r = await client.post(f"{API}/accounts", json=body, headers=world.h("district_hr"))
        assert r.status_code == 503 and int(r.headers["retry-after"]) >= 1
    r = await client.post(f"{API}/accounts", json=body, headers=world.h("district_hr"))
    assert r.status_code == 201, r.text


async def test_logins_waiting_for_a_hashing_worker_leave_their_admission_place(
    app: Any, client: Any, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More logins waiting for argon2 than the app works on at once (REGISTRY_MAX_CONCURRENT_REQUESTS)
    do not keep a short request out: they wait outside the admission queue."""
    settings = get_settings()
    logins = settings.max_concurrent_requests + 4
    username = new_username("hashing")
    await make_account("inspector", username)

    async def log_in(address: str) -> Any:
        async with client_at(app, address) as c:  # each from its own address (not throttled)
            return await c.post(TOKEN, json={"username": username, "password": PASSWORD})

    async with one_worker_held(monkeypatch):
        monkeypatch.setattr(settings, "password_hash_wait_seconds", 30.0)  # they wait rather than get 503
        waiting = [asyncio.ensure_future(log_in(f"192.0.2.{120 + i}")) for i in range(logins)]
        await asyncio.sleep(0.2)  # all of them in, waiting for the one worker
        with anyio.fail_after(2):
            me = await client.get(f"{API}/me", headers=world.h("teacher"))
        assert me.status_code == 200
        assert not any(w.done() for w in waiting), [w.result().status_code for w in waiting if w.done()]
    answers = await asyncio.gather(*waiting)  # the worker free again: each is checked in turn
    assert {r.status_code for r in answers} == {200}
