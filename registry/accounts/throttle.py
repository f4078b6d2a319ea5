"""Login throttling: failed logins counted by the database, per username and client address and per
username from every address, with growing delays.

The anchor is OWASP's Authentication Cheat Sheet ("Account Lockout"): count failures against the
account, not only the address; lock with growing (exponential) delays rather than for a fixed time;
and keep the lockout from becoming a way to shut the owner out. Two counters, one row each in
``login_throttle``:

- **username × address**: after ``REGISTRY_LOGIN_MAX_FAILURES`` failures in a row from one address,
  each further attempt from there waits ``REGISTRY_LOGIN_DELAY_SECONDS``, doubling with every further
  failure up to ``REGISTRY_LOGIN_LOCK_MINUTES``. A stranger guessing from his address slows only
  himself: the owner, from any other address, is not held up by him.
- **username, every address** (``address`` = '*'): after ``REGISTRY_LOGIN_ACCOUNT_MAX_FAILURES``
  failures in a row from anywhere (guessing spread over many addresses), attempts from addresses the
  username has not logged in from in the last ``REGISTRY_LOGIN_TRUSTED_DAYS`` wait too, with the same
  growing delays. Its usual addresses never do.

Every attempt first **reserves** its place in both counters, in one write transaction: one
``INSERT ... ON CONFLICT (username, address) DO UPDATE ... WHERE <not waiting> RETURNING`` per counter,
so the database itself decides, on the row as it is at that moment, whether the attempt may be checked,
counts it, and sets the next wait when the count reaches the limit. An attempt it refuses changes
nothing and is never checked, so parallel attempts cannot slip past a wait or share a count, and no
password is checked after the wait was set. A right password then clears its address's count and the
username's count (and makes the address a usual one); a wrong one has been counted already.

The counters key on the username as typed, whether an account has it or not: an unknown name is
throttled exactly like a known one, so neither the status, the body nor the wait tells them apart.
Times are seconds since the epoch from ``clock`` (tests move it). Failures older than
``REGISTRY_LOGIN_WINDOW_HOURS`` are forgotten; stale rows are deleted now and then.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from piccolo.querystring import QueryString

from kernel.db import get_engine, is_sqlite, write_transaction
from kernel.errors import TooManyAttempts
from kernel.i18n import _
from kernel.settings import Settings
from registry.accounts.rules import ThrottlePolicy, delay_after, delay_steps

log = logging.getLogger("registry.login")

EVERY_ADDRESS = "*"  # the address of the username's count from every address
UNKNOWN_ADDRESS = "unknown"  # a request without a client address (never on TCP)
PRUNE_EVERY_SECONDS = 600.0

clock: Callable[[], float] = time.time  # seconds since the epoch; the tests replace it


def policy_of(settings: Settings) -> ThrottlePolicy:
    return ThrottlePolicy(
        max_failures=settings.login_max_failures,
        first_delay=settings.login_delay_seconds,
        longest_delay=settings.login_lock_minutes * 60,
        account_max_failures=settings.login_account_max_failures,
        window=settings.login_window_hours * 3600,
        trusted_for=settings.login_trusted_days * 86400,
    )


def _count(policy: ThrottlePolicy, max_failures: int, exempt: bool) -> str:
    """The upsert that counts one attempt if the row is not waiting (``exempt``: even if it is).

    ``failures`` restarts at 1 when the last failure is older than the window; ``blocked_until`` is
    the new count's wait (``rules.delay_after``) as a CASE over the counts below the longest delay.
    The policy's numbers are integers from the settings, written into the statement; the username,
    the address, the time and a new row's wait (``_first_wait``) are parameters."""
    now = "excluded.last_failure_at"
    stale = f"t.last_failure_at IS NULL OR t.last_failure_at < {now} - {policy.window}"
    new = f"(CASE WHEN {stale} THEN 1 ELSE t.failures + 1 END)"

    def blocked(failures: str, at: str) -> str:
        steps = delay_steps(max_failures, policy.first_delay, policy.longest_delay)
        whens = " ".join(f"WHEN {failures} = {n} THEN {at} + {delay}" for n, delay in steps)
        return f"(CASE WHEN {failures} < {max_failures} THEN NULL {whens} ELSE {at} + {policy.longest_delay} END)"

    where = "" if exempt else f" WHERE t.blocked_until IS NULL OR t.blocked_until <= {now}"
    return (
        "INSERT INTO login_throttle AS t (username, address, failures, last_failure_at, blocked_until) "
        "VALUES ({}, {}, 1, CAST({} AS DOUBLE PRECISION), CAST({} AS DOUBLE PRECISION)) "
        "ON CONFLICT (username, address) DO UPDATE SET "
        f"failures = {new}, last_failure_at = {now}, blocked_until = {blocked(new, now)}{where} "
        "RETURNING failures, blocked_until, last_success_at"
    )


def _first_wait(now: float, max_failures: int, policy: ThrottlePolicy) -> float | None:
    """A new row's wait: it counts one failure (a wait only when the limit is 1)."""
    delay = delay_after(1, max_failures, policy.first_delay, policy.longest_delay)
    return None if delay is None else now + delay


async def _run(sql: str, *args: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await get_engine().run_querystring(QueryString(sql, *args))
    return rows


async def _refuse(username: str, address: str, now: float) -> TooManyAttempts:
    rows = await _run(
        "SELECT blocked_until FROM login_throttle WHERE username = {} AND address = {}", username, address
    )
    until = float(rows[0]["blocked_until"] or now) if rows else now
    retry = max(1, math.ceil(round(until - now, 3)))  # whole seconds, not 16 for 15.000000001
    return TooManyAttempts(_("too many failed logins; try again in {seconds} s", seconds=retry), retry_after=retry)


async def reserve(username: str, address: str, now: float, policy: ThrottlePolicy) -> None:
    """Count this attempt as a failure before its password is checked, or refuse it (TooManyAttempts
    with retry_after) when its address, or — from an address the username has not logged in from —
    the username, is waiting. Both counters in one transaction: a refusal by the second undoes the
    first."""
    address = address or UNKNOWN_ADDRESS
    async with write_transaction():
        sql = _count(policy, policy.max_failures, exempt=False)
        pair = await _run(sql, username, address, now, _first_wait(now, policy.max_failures, policy))
        if not pair:
            raise await _refuse(username, address, now)
        usual = pair[0]["last_success_at"] is not None and float(pair[0]["last_success_at"]) >= now - policy.trusted_for
        sql = _count(policy, policy.account_max_failures, exempt=usual)
        every = await _run(sql, username, EVERY_ADDRESS, now, _first_wait(now, policy.account_max_failures, policy))
        if not every:
            raise await _refuse(username, EVERY_ADDRESS, now)
    failures, everywhere = int(pair[0]["failures"]), int(every[0]["failures"])
    if failures == policy.max_failures or everywhere == policy.account_max_failures:
        log.warning(
            "login throttled: username %r, %d failures from %s, %d from every address",
            username,
            failures,
            address,
            everywhere,
        )


async def succeeded(username: str, address: str, now: float) -> None:
    """A right password: this address's count and the username's count start again, and the address
    is a usual one of the username (exempt from the count from every address)."""
    address = address or UNKNOWN_ADDRESS
    async with write_transaction():
        await _run(
            "UPDATE login_throttle SET failures = 0, blocked_until = NULL, last_success_at = {} "
            "WHERE username = {} AND address = {}",
            now,
            username,
            address,
        )
        await _run(
            "UPDATE login_throttle SET failures = 0, blocked_until = NULL WHERE username = {} AND address = {}",
            username,
            EVERY_ADDRESS,
        )


async def refund(username: str, address: str, policy: ThrottlePolicy) -> None:
    """An attempt ``reserve`` counted but that was never checked (no hashing worker free: 503): take
    it off both counts again, and the wait with it when a count falls below its limit."""
    address = address or UNKNOWN_ADDRESS
    async with write_transaction():
        for where, limit in ((address, policy.max_failures), (EVERY_ADDRESS, policy.account_max_failures)):
            await _run(
                "UPDATE login_throttle SET failures = failures - 1, "
                f"blocked_until = CASE WHEN failures - 1 < {limit} THEN NULL ELSE blocked_until END "
                "WHERE username = {} AND address = {} AND failures > 0",
                username,
                where,
            )


_next_prune = 0.0


async def prune_now_and_then(now: float, policy: ThrottlePolicy) -> None:
    """At most every ten minutes per process: forget rows with nothing left to remember (failures
    outside the window, no wait, no recent login), so guessed names do not pile up."""
    global _next_prune
    if now < _next_prune:
        return
    _next_prune = now + PRUNE_EVERY_SECONDS
    stale = (
        "(last_failure_at IS NULL OR last_failure_at < {}) AND (blocked_until IS NULL OR blocked_until <= {}) "
        "AND (last_success_at IS NULL OR last_success_at < {})"
    )
    if not is_sqlite():  # rows a login holds are left for next time: the delete never waits (or deadlocks)
        stale = f"id IN (SELECT id FROM login_throttle WHERE {stale} FOR UPDATE SKIP LOCKED)"
    async with write_transaction():
        await _run(f"DELETE FROM login_throttle WHERE {stale}", now - policy.window, now, now - policy.trusted_for)


async def state(username: str, address: str) -> dict[str, Any] | None:
    """The row of a username and address (for the tests and for support)."""
    rows = await _run(
        "SELECT failures, last_failure_at, blocked_until, last_success_at FROM login_throttle "
        "WHERE username = {} AND address = {}",
        username,
        address,
    )
    return rows[0] if rows else None
