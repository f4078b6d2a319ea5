"""Password hashing off the event loop, a bounded number at once.

An argon2id hash or check takes 0.1–0.4 s of CPU and 64 MiB: on the event loop it would stall every
other request, and unbounded it would let a burst of logins take all memory. So each one runs in a
worker thread, at most ``REGISTRY_PASSWORD_HASH_WORKERS`` at a time per process (the default thread
pool has room for them); a login or account creation that cannot start within
``REGISTRY_PASSWORD_HASH_WAIT_SECONDS`` is answered 503 with ``Retry-After`` (``Busy``).
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread

from kernel.admission import stepped_out
from kernel.errors import Busy
from kernel.i18n import _
from kernel.settings import get_settings
from registry.accounts import rules

# one limiter per event loop (the tests and the CLI run several loops one after the other)
_LIMITER: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None


def limiter() -> anyio.CapacityLimiter:
    """This event loop's bound on concurrent hashing (its size follows the setting)."""
    global _LIMITER
    loop = asyncio.get_running_loop()
    workers = get_settings().password_hash_workers
    if _LIMITER is None or _LIMITER[0] is not loop:
        _LIMITER = (loop, anyio.CapacityLimiter(workers))
    elif _LIMITER[1].total_tokens != workers:
        _LIMITER[1].total_tokens = workers
    return _LIMITER[1]


@asynccontextmanager
async def worker() -> AsyncIterator[None]:
    """A place among the hashing workers, waited for at most ``password_hash_wait_seconds`` (then
    Busy: 503 with Retry-After). While it waits and hashes, the request gives up its place in the
    admission queue (``kernel.admission.stepped_out``, as ``kernel.workers.run_cpu`` does): logins
    waiting for argon2 never keep short requests out."""
    bound = limiter()
    wait = get_settings().password_hash_wait_seconds
    async with stepped_out():  # the request's admission place goes to short requests meanwhile
        try:
            with anyio.fail_after(wait):
                await bound.acquire()
        except TimeoutError:
            raise Busy(_("too many logins at once; try again shortly"), retry_after=max(1, math.ceil(wait))) from None
        try:
            yield
        finally:
            bound.release()


async def check_password(stored_hash: str | None, plain: str) -> bool:
    """``rules.verify_password`` in a worker thread (the caller holds a ``worker()`` place): None (no
    such account) checks the dummy hash."""
    return await anyio.to_thread.run_sync(rules.verify_password, stored_hash, plain)


async def new_hash(plain: str) -> str:
    """``rules.hash_password`` in a worker thread, in a ``worker()`` place."""
    async with worker():
        return await anyio.to_thread.run_sync(rules.hash_password, plain)
