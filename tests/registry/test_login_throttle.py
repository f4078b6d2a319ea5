"""Logins that can't be raced or used to lock people out (issue 14), through the API.

- parallel wrong passwords are each counted by the database, and no password is checked once the
  wait is set (no login through it);
- a stranger guessing from his address cannot keep the owner out: she gets in from her usual
  address, or from any other, at once; guessing spread over many addresses makes only the addresses
  she has never logged in from wait, and only for the (growing) delay;
- an unknown username and a known one with a wrong password get the same answers (status, body,
  wait), and both are checked against an argon2 hash: the dummy one for the unknown name.

(Hashing in bounded worker threads: test_password_hashing.py.)
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import anyio
import httpx
import pytest

from kernel.settings import get_settings
from registry.accounts import rules, throttle
from registry.accounts.tables import Account
from tests.support import PASSWORD, LoginClock, World, client_at, make_account, new_username

API = "/api/v1"
TOKEN = f"{API}/auth/token"
STRANGER = "203.0.113.9"
USUAL = "198.51.100.7"


async def attempt(c: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await c.post(TOKEN, json={"username": username, "password": password})


async def stream(
    c: httpx.AsyncClient,
    username: str,
    n: int,
    password: str = "wrong-password",
    gap: float = 0.002,
    seen: list[httpx.Response] | None = None,
) -> list[httpx.Response]:
    """``n`` attempts started ``gap`` seconds apart, all in flight together (as parallel clients do);
    each answer is also appended to ``seen`` as it arrives."""

    async def one(i: int) -> httpx.Response:
        await asyncio.sleep(i * gap)
        answer = await attempt(c, username, password)
        if seen is not None:
            seen.append(answer)
        return answer

    return list(await asyncio.gather(*(one(i) for i in range(n))))


def statuses(answers: list[httpx.Response]) -> list[int]:
    return [r.status_code for r in answers]


class HasherSpy:
    """Stands in for the argon2 hasher: records which hash each check verified, and on which thread."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self.verified: list[str] = []
        self.threads: set[int] = set()

    def verify(self, stored: str, plain: str) -> bool:
        self.verified.append(stored)
        self.threads.add(threading.get_ident())
        return bool(self.real.verify(stored, plain))

    def hash(self, plain: str) -> str:
        return str(self.real.hash(plain))


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> HasherSpy:
    spy = HasherSpy(rules._hasher)
    monkeypatch.setattr(rules, "_hasher", spy)
    return spy


async def new_account(role: str = "inspector") -> str:
    username = new_username("throttle")
    await make_account(role, username)
    return username


# --- (a) the race -----------------------------------------------------------------------------------------


async def test_parallel_wrong_passwords_are_each_counted_and_none_gets_through_the_wait(
    app: Any, client: Any, login_clock: LoginClock, hasher: HasherSpy
) -> None:
    """100 wrong passwords in flight at once: exactly the limit is checked (and counted; the count is
    never reset by reaching it), every other one is refused unchecked, and right passwords sent once
    the wait is set, while wrong ones are still arriving, are refused too."""
    limit = get_settings().login_max_failures
    username = await new_account()
    async with client_at(app, STRANGER) as c:
        seen: list[httpx.Response] = []
        wrong = asyncio.ensure_future(stream(c, username, 100, seen=seen))
        with anyio.fail_after(120):
            while statuses(seen).count(401) < limit and not wrong.done():  # noqa: ASYNC110
                await asyncio.sleep(0.001)  # until the limit's worth of wrong passwords was refused
        right = await stream(c, username, 10, password=PASSWORD, gap=0.005)  # while the wrong ones arrive
        answers = await wrong
        assert statuses(answers).count(401) == limit
        assert set(statuses(answers)) == {401, 429}
        assert statuses(right) == [429] * 10  # no login through the wait
        assert len(hasher.verified) == limit  # nothing else was checked
        refused = next(r for r in answers if r.status_code == 429)
        assert int(refused.headers["retry-after"]) == get_settings().login_delay_seconds
        row = await throttle.state(username, STRANGER)
        assert row is not None and row["failures"] == limit  # every checked attempt counted

        # The wait over, one more guess is checked, and the next wait is twice as long.
        login_clock.advance(get_settings().login_delay_seconds)
        again = await stream(c, username, 20)
        assert statuses(again).count(401) == 1 and statuses(again).count(429) == 19
        assert len(hasher.verified) == limit + 1
        waits = {int(r.headers["retry-after"]) for r in again if r.status_code == 429}
        assert waits == {2 * get_settings().login_delay_seconds}

        # After that wait the right password gets in, and the count starts again.
        login_clock.advance(2 * get_settings().login_delay_seconds)
        assert (await attempt(c, username, PASSWORD)).status_code == 200
    row = await throttle.state(username, STRANGER)
    assert row is not None and row["failures"] == 0 and row["blocked_until"] is None


async def test_a_right_password_racing_the_wrong_ones_is_checked_only_within_the_limit(
    app: Any, client: Any, login_clock: LoginClock, hasher: HasherSpy
) -> None:
    """Right and wrong passwords interleaved from one address: a right one gets in only when it was
    among the attempts admitted before the wait; each admitted attempt is checked once."""
    limit = get_settings().login_max_failures
    username = await new_account()
    async with client_at(app, STRANGER) as c:
        wrong = asyncio.ensure_future(stream(c, username, 60))
        right = asyncio.ensure_future(stream(c, username, 10, password=PASSWORD, gap=0.01))
        answers, rights = await wrong, await right
    admitted = statuses(answers).count(401) + statuses(rights).count(200)
    assert len(hasher.verified) == admitted
    assert set(statuses(answers)) <= {401, 429} and set(statuses(rights)) <= {200, 429}
    if 200 not in statuses(rights):
        assert admitted == limit  # no right password was admitted: exactly the limit was checked


# --- (b) a stranger cannot keep the owner out --------------------------------------------------------------


async def test_a_stranger_cannot_keep_the_owner_out(app: Any, client: Any) -> None:
    """Someone guessing an account's password from his address, in parallel and past the limit, is
    refused; its owner logs in at once from her usual address and from a new one."""
    username = await new_account("district_hr")
    async with client_at(app, USUAL) as owner:
        assert (await attempt(owner, username, PASSWORD)).status_code == 200  # her usual address
    async with client_at(app, STRANGER) as stranger:
        answers = await stream(stranger, username, 30)
        assert statuses(answers).count(401) == get_settings().login_max_failures
        assert statuses(answers).count(429) == 30 - get_settings().login_max_failures
        # he is refused even with the right password: it is his address that waits
        assert (await attempt(stranger, username, PASSWORD)).status_code == 429
    async with client_at(app, USUAL) as owner:
        assert (await attempt(owner, username, PASSWORD)).status_code == 200
    async with client_at(app, "192.0.2.44") as elsewhere:  # an address she never used
        assert (await attempt(elsewhere, username, PASSWORD)).status_code == 200


async def test_a_stranger_repeating_his_guesses_never_locks_the_owner_out(
    app: Any, client: Any, login_clock: LoginClock
) -> None:
    """The stranger comes back whenever his wait is over, for hours: the owner is never refused,
    from her usual address or from new ones, and his waits grow to the longest."""
    settings = get_settings()
    username = await new_account("district_hr")
    async with client_at(app, USUAL) as owner:
        assert (await attempt(owner, username, PASSWORD)).status_code == 200
    waits: list[int] = []
    for day_part in range(8):
        async with client_at(app, STRANGER) as stranger:
            answers = await stream(stranger, username, 10)
            assert 429 in statuses(answers)
            waits.append(max(int(r.headers["retry-after"]) for r in answers if r.status_code == 429))
        async with client_at(app, USUAL) as owner:
            assert (await attempt(owner, username, PASSWORD)).status_code == 200
        async with client_at(app, f"192.0.2.{100 + day_part}") as elsewhere:
            assert (await attempt(elsewhere, username, PASSWORD)).status_code == 200
        login_clock.advance(waits[-1])
    assert waits == sorted(waits) and waits[-1] == settings.login_lock_minutes * 60


async def test_guessing_from_many_addresses_makes_only_new_addresses_wait(
    app: Any, client: Any, login_clock: LoginClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Guesses spread over many addresses reach the count from every address: then an address the
    owner never logged in from waits too (growing delays), her usual address never does, and after
    the wait the owner gets in from a new address as well."""
    settings = get_settings()
    monkeypatch.setattr(settings, "login_account_max_failures", 2 * settings.login_max_failures)
    username = await new_account()
    async with client_at(app, USUAL) as owner:
        assert (await attempt(owner, username, PASSWORD)).status_code == 200

    async def guess_from(addresses: list[str]) -> None:
        for address in addresses:
            async with client_at(app, address) as c:
                await stream(c, username, settings.login_max_failures)

    await guess_from([f"203.0.113.{i}" for i in range(1, 4)])
    every = await throttle.state(username, throttle.EVERY_ADDRESS)
    assert every is not None and every["failures"] == settings.login_account_max_failures
    async with client_at(app, "192.0.2.7") as new_place:
        refused = await attempt(new_place, username, PASSWORD)
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) == settings.login_delay_seconds
        assert (await throttle.state(username, "192.0.2.7") or {}).get("failures", 0) == 0  # not counted there
    async with client_at(app, USUAL) as owner:
        assert (await attempt(owner, username, PASSWORD)).status_code == 200  # her usual address: at once

    await guess_from([f"203.0.113.{i}" for i in range(11, 14)])  # the guessing goes on
    async with client_at(app, "192.0.2.8") as new_place:
        refused = await attempt(new_place, username, PASSWORD)
        assert refused.status_code == 429
        login_clock.advance(int(refused.headers["retry-after"]))
        assert (await attempt(new_place, username, PASSWORD)).status_code == 200  # after the delay


# --- (c) unknown and known usernames answer alike -------------------------------------------------------


async def test_unknown_and_known_usernames_get_the_same_answers(
    app: Any, client: Any, login_clock: LoginClock, hasher: HasherSpy
) -> None:
    """Attempt by attempt, a wrong password for a known username and any password for an unknown one
    get the same status, body and Retry-After, past the limit too; both are checked against an
    argon2 hash, the unknown one against the dummy hash."""
    limit = get_settings().login_max_failures
    known = await new_account()
    stored = await Account.select(Account.password_hash).where(Account.username == known).first()
    assert stored is not None
    unknown = new_username("nobody")
    async with client_at(app, STRANGER) as c:
        for n in range(limit + 3):
            hasher.verified.clear()
            a = await attempt(c, known, "wrong-password")
            checked_known = list(hasher.verified)
            hasher.verified.clear()
            b = await attempt(c, unknown, "wrong-password")
            checked_unknown = list(hasher.verified)
            assert (a.status_code, a.json()) == (b.status_code, b.json()), n
            assert a.headers.get("retry-after") == b.headers.get("retry-after")
            assert a.headers["content-type"] == b.headers["content-type"]
            if n < limit:
                assert a.status_code == 401 and a.json()["detail"] == "用户名或密码错误"
                assert checked_known == [stored["password_hash"]]
                assert checked_unknown == [rules.DUMMY_HASH]  # the same work for a name that does not exist
            else:
                assert a.status_code == 429
                assert checked_known == checked_unknown == []  # refused before any check
    assert hasher.threads and threading.get_ident() not in hasher.threads  # never on the event loop's thread


async def test_an_inactive_account_answers_like_an_unknown_name(
    app: Any, client: Any, hasher: HasherSpy, world: World
) -> None:
    username = await new_account()
    row = await Account.select(Account.id).where(Account.username == username).first()
    assert row is not None
    r = await client.post(f"{API}/accounts/{row['id']}/deactivate", headers=world.h("district_hr"))
    assert r.status_code == 200, r.text
    async with client_at(app, "192.0.2.60") as c:
        hasher.verified.clear()
        r = await attempt(c, username, PASSWORD)
        assert r.status_code == 401 and r.json()["detail"] == "用户名或密码错误"
        assert hasher.verified == [rules.DUMMY_HASH]


async def test_rows_with_nothing_left_to_remember_are_deleted(
    app: Any, client: Any, login_clock: LoginClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    policy = throttle.policy_of(get_settings())
    guessed, owned = new_username("guessed"), await new_account()
    async with client_at(app, "192.0.2.80") as c:
        assert (await attempt(c, guessed, "wrong-password")).status_code == 401
        assert (await attempt(c, owned, PASSWORD)).status_code == 200

    async def prune(after: float) -> None:
        monkeypatch.setattr(throttle, "_next_prune", 0.0)
        await throttle.prune_now_and_then(login_clock.now + after, policy)

    await prune(policy.window - 1)  # within the window: everything is kept
    assert await throttle.state(guessed, "192.0.2.80") is not None
    await prune(policy.window + 1)  # the guessed name's failure is forgotten; the login is remembered
    assert await throttle.state(guessed, "192.0.2.80") is None
    assert await throttle.state(guessed, throttle.EVERY_ADDRESS) is None
    assert await throttle.state(owned, "192.0.2.80") is not None
    await prune(policy.trusted_for + 1)  # and no longer a usual address
    assert await throttle.state(owned, "192.0.2.80") is None
