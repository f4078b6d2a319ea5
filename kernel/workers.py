"""CPU-bound work off the event loop: a small pool of worker processes shared by the process.

Spreadsheets (openpyxl), CSV of tens of thousands of rows, PDFs (WeasyPrint, matplotlib) are pure
Python for most of their time. In a thread they still hold the interpreter lock for most of it, so
the event loop answers a health probe or a staff detail in seconds, not milliseconds, while a large
export runs (issue 14 measured a 9.4 s wait). In a worker process they take none of the server's
interpreter. ``run_cpu`` sends one call to the pool and awaits it:

- at most ``cpu_workers`` calls run at once (one per worker process); up to ``cpu_queue`` more wait
  their turn, in order; beyond that the call is refused at once with ``Busy`` (503 with Retry-After)
  rather than piling up requests that would time out anyway;
- the function and its arguments must pickle (module-level functions, plain data); the result
  comes back the same way. Pickling runs in one C call that never lets go of the interpreter lock:
  tens of thousands of rows sent over stall the event loop for seconds. Work over many rows reads
  them in the worker instead (``in_worker``: the worker's own event loop and database pool) and
  sends back only the file;
- the processes are started with ``spawn`` (never ``fork``: the server has threads and open database
  connections) on first use and kept for the life of the process (``concurrent.futures`` joins them at
  exit): the first call pays their start (about a second), the rest do not.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from multiprocessing import get_context
from typing import ParamSpec, TypeVar

from kernel.admission import stepped_out
from kernel.db import start_pool
from kernel.errors import Busy
from kernel.i18n import _, current_locale, use_locale
from kernel.settings import get_settings

P = ParamSpec("P")
T = TypeVar("T")


@dataclass
class _Gate:
    """Per event loop: the slots of running calls and the number waiting for one."""

    running: asyncio.Semaphore
    waiting: int = 0


_pool: ProcessPoolExecutor | None = None
_inline = False  # this process is itself a worker (a report batch's): run the calls in place
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gate] = weakref.WeakKeyDictionary()


def _executor() -> ProcessPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ProcessPoolExecutor(max_workers=get_settings().cpu_workers, mp_context=get_context("spawn"))
    return _pool


def _discard(pool: ProcessPoolExecutor | None) -> None:
    global _pool
    if pool is not None and pool is _pool:
        _pool = None
        pool.shutdown(wait=False, cancel_futures=True)


def _gate() -> _Gate:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = _Gate(asyncio.Semaphore(get_settings().cpu_workers))
    return gate


@asynccontextmanager
async def _turn() -> AsyncIterator[None]:
    """A running slot for one call: the request steps out of its admission place meanwhile
    (``kernel.admission``); ``Busy`` when the slots are taken and the queue is full."""
    settings, gate = get_settings(), _gate()
    async with stepped_out():
        if gate.running.locked() and gate.waiting >= settings.cpu_queue:
            raise Busy(
                _(
                    "{running} long tasks are running and {waiting} are waiting: try again shortly",
                    running=settings.cpu_workers,
                    waiting=gate.waiting,
                ),
                retry_after=settings.cpu_retry_after_seconds,
            )
        gate.waiting += 1
        try:
            await gate.running.acquire()
        finally:
            gate.waiting -= 1
        try:
            yield
        finally:
            gate.running.release()


def _in_locale(locale: str, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """In the worker process: ``fn`` with its messages in the caller's language (a context variable
    does not cross into another process)."""
    with use_locale(locale):
        return fn(*args, **kwargs)


async def run_cpu(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn(*args, **kwargs)`` in a worker process, awaited, its messages in the caller's language;
    ``Busy`` when too many calls wait already."""
    if _inline:
        return fn(*args, **kwargs)
    call = partial(_in_locale, current_locale(), fn, *args, **kwargs)
    async with _turn():
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(_executor(), call)
        except BrokenProcessPool:  # a worker died (killed, out of memory): a new pool, one more try
            _discard(_pool)
            return await loop.run_in_executor(_executor(), call)


_worker_loop: asyncio.AbstractEventLoop | None = None


def in_worker(fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
    """Inside a worker process: run an async function (a database read) to completion on the worker's
    own event loop, with its own small connection pool (started on first use)."""
    global _worker_loop
    if _worker_loop is None:
        _worker_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(_worker_loop)
        _worker_loop.run_until_complete(start_pool(2))
    return _worker_loop.run_until_complete(fn(*args, **kwargs))


async def run_in_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """``fn`` in a worker thread, under the same bound as ``run_cpu`` (the same slots, the same 503):
    for work whose input or output is too large to pickle cheaply (an upload's rows read by pandas, the
    rows an import checks), until issue 18 runs such work as jobs in worker processes from the start."""
    async with _turn():
        return await asyncio.to_thread(fn, *args, **kwargs)


def run_inline() -> None:
    """Called by a process that is a worker itself (a report batch's, one document at a time): its calls
    run in place instead of starting a pool of its own."""
    global _inline
    _inline = True
