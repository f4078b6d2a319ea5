"""Admission: at most ``REGISTRY_MAX_CONCURRENT_REQUESTS`` requests are worked on at once; the rest wait at
the door in arrival order, not on the event loop's ready queue.

Under more load than the machine can serve, every request in progress shares the event loop: each of
its awaits waits its turn behind all the others'. A write holds SQLite's single write lock across
several awaits (read, update, audit, read back), so with 32 requests in progress a write held the lock
for several loop turns of ~30 requests each, and the writers queued behind it for seconds while reads,
which hold nothing, stayed quick (issue 14: writes' p99 7.8 s, reads 0.3 s). With a bounded number in
progress a loop turn is short, a write holds the lock briefly, and waiting is shared fairly: every
request, read or write, waits its turn once, at the door.

The health probe is never held. A request waiting for a worker process (an export, a PDF:
``kernel.workers.run_cpu``) gives its place up while it waits (``stepped_out``) and queues again for
it when the file is back, so long work does not take the places of short requests.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar

from litestar.types import ASGIApp, Receive, Scope, Send

EXEMPT = ("/health",)

_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


class _Place:
    """A request's place: held or given up (released exactly once, even when the request is cancelled
    while it queues to take its place back)."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self.slots = slots
        self.held = False

    async def take(self) -> None:
        await self.slots.acquire()
        self.held = True

    def give(self) -> None:
        if self.held:
            self.held = False
            self.slots.release()


_holding: ContextVar[_Place | None] = ContextVar("admission_place", default=None)


def admission(limit: int) -> Callable[[ASGIApp], ASGIApp]:
    """The ASGI middleware (a factory of it, as Litestar's ``middleware`` takes them)."""

    def middleware(app: ASGIApp) -> ASGIApp:
        async def gate(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"] in EXEMPT:
                await app(scope, receive, send)
                return
            loop = asyncio.get_running_loop()
            slots = _gates.get(loop)
            if slots is None:
                slots = _gates[loop] = asyncio.Semaphore(limit)
            place = _Place(slots)
            await place.take()
            token = _holding.set(place)
            try:
                await app(scope, receive, send)
            finally:
                _holding.reset(token)
                place.give()

        return gate

    return middleware


@asynccontextmanager
async def stepped_out() -> AsyncIterator[None]:
    """Give the current request's place up while waiting for something that is not the event loop's
    work (a worker process); queue for it again afterwards."""
    place = _holding.get()
    if place is None or not place.held:
        yield
        return
    place.give()
    try:
        yield
    finally:
        await place.take()
