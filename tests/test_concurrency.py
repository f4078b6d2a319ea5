"""Long tasks and writers under load (issue 14): CPU-bound calls go to worker processes, a bounded
number at a time, and excess callers are refused with a 503 and Retry-After; SQLite writers of one
process queue in front of the database lock instead of polling SQLite's busy handler; a bounded number
of requests is worked on at once, the rest wait at the door."""

from __future__ import annotations

import asyncio
import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.sqlite import SQLiteEngine
from piccolo.querystring import QueryString

import kernel.db
from kernel.admission import admission, stepped_out
from kernel.db import write_transaction
from kernel.errors import Busy, DomainError, exception_handlers
from kernel.settings import get_settings
from kernel.workers import run_cpu

SQLITE = os.environ.get("REGISTRY_TEST_ENGINE", "sqlite") == "sqlite"


def test_long_tasks_beyond_the_queue_are_refused_with_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    monkeypatch.setattr(settings, "cpu_workers", 1)
    monkeypatch.setattr(settings, "cpu_queue", 1)

    async def main() -> None:  # a loop of its own: its slots follow the settings above
        running = asyncio.create_task(run_cpu(time.sleep, 1.0))
        await asyncio.sleep(0.1)
        waiting = asyncio.create_task(run_cpu(time.sleep, 0.1))
        await asyncio.sleep(0.1)
        with pytest.raises(Busy) as refused:
            await run_cpu(time.sleep, 0)
        assert refused.value.status == 503
        assert refused.value.extra["retry_after"] == settings.cpu_retry_after_seconds
        await asyncio.gather(running, waiting)  # the running and the waiting one both ran
        assert await run_cpu(divmod, 7, 2) == (3, 1)  # and a slot is free again

    asyncio.run(main())


def test_busy_is_a_503_problem_with_retry_after() -> None:
    response: Any = exception_handlers[DomainError](None, Busy("all busy", retry_after=5))  # type: ignore[index,arg-type]
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.content["type"].endswith("/busy")


@pytest.mark.skipif(not SQLITE, reason="the writers' queue is SQLite's")
def test_sqlite_writers_queue_in_the_process_not_in_the_busy_handler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forty concurrent read-then-write transactions on an engine whose busy timeout is 1 ms: every one
    commits (none waits in SQLite's busy handler, where it would fail at once with "database is
    locked"), and the counter they increment ends at 40."""
    engine = SQLiteEngine(path=str(tmp_path / "writers.db"), timeout=0.001)
    monkeypatch.setattr(kernel.db, "get_engine", lambda: engine)

    async def main() -> None:
        await engine.run_querystring(QueryString("CREATE TABLE counter (n INTEGER NOT NULL)"))
        await engine.run_querystring(QueryString("INSERT INTO counter (n) VALUES (0)"))

        async def bump() -> None:
            async with write_transaction():
                n = (await engine.run_querystring(QueryString("SELECT n FROM counter")))[0]["n"]
                await asyncio.sleep(0.001)  # other writers get the loop meanwhile
                await engine.run_querystring(QueryString("UPDATE counter SET n = {}", n + 1))

        await asyncio.gather(*(bump() for _ in range(40)))
        assert (await engine.run_querystring(QueryString("SELECT n FROM counter")))[0]["n"] == 40

    asyncio.run(main())


def test_admission_works_on_a_bounded_number_and_never_holds_the_health_probe() -> None:
    """Five requests against two places: at most two in progress at once, the others wait their turn;
    /health goes through while both places are taken; a request waiting in ``stepped_out`` (for a
    worker process) gives its place to a waiting one."""
    state = {"now": 0, "most": 0}
    release = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/health":
            return
        state["now"] += 1
        state["most"] = max(state["most"], state["now"])
        if scope["path"] == "/export":
            async with stepped_out():
                await release.wait()
        else:
            await asyncio.sleep(0.05)
        state["now"] -= 1

    gate = admission(2)(app)

    def call(path: str) -> Any:
        return gate({"type": "http", "path": path}, None, None)  # type: ignore[arg-type]

    async def main() -> None:
        exports = [asyncio.create_task(call("/export")) for _ in range(2)]  # both places, then stepped out
        await asyncio.sleep(0.01)
        short = [asyncio.create_task(call("/api/v1/staff")) for _ in range(5)]
        await asyncio.wait_for(asyncio.gather(*short), timeout=2)  # not held behind the exports
        await asyncio.wait_for(call("/health"), timeout=1)
        release.set()
        await asyncio.gather(*exports)
        assert state["most"] == 4  # two exports stepped out + two short requests at most
        state["most"] = 0
        await asyncio.gather(*(call("/api/v1/staff") for _ in range(5)))
        assert state["most"] == 2

    asyncio.run(main())


def test_a_worker_that_dies_is_replaced() -> None:
    """A worker process killed mid-task (out of memory, a signal) breaks its pool: the next call starts
    a new one, and the call that met the broken pool is tried once more there."""

    async def main() -> None:
        assert await run_cpu(divmod, 9, 4) == (2, 1)
        with pytest.raises(BrokenProcessPool):  # the task kills its own worker: the retry dies too
            await run_cpu(os._exit, 1)
        assert await run_cpu(divmod, 9, 4) == (2, 1)  # a fresh pool answers

    asyncio.run(main())


def test_a_request_cancelled_while_it_steps_back_in_frees_its_place_once() -> None:
    """A request cancelled (its client gone) while it queues to take its place back after a worker call
    must not give the place back twice: the bound stays the bound."""
    state = {"now": 0, "most": 0}
    hold = asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/export":
            async with stepped_out():
                await asyncio.sleep(0.01)
            return
        state["now"] += 1
        state["most"] = max(state["most"], state["now"])
        if scope["path"] == "/slow":
            await hold.wait()
        else:
            await asyncio.sleep(0.02)
        state["now"] -= 1

    gate = admission(1)(app)

    def call(path: str) -> Any:
        return gate({"type": "http", "path": path}, None, None)  # type: ignore[arg-type]

    async def main() -> None:
        export = asyncio.create_task(call("/export"))
        await asyncio.sleep(0)  # the export has stepped out
        slow = asyncio.create_task(call("/slow"))  # takes the one place
        await asyncio.sleep(0.05)  # the export queues to step back in, behind it
        export.cancel()
        await asyncio.gather(export, return_exceptions=True)
        hold.set()
        await slow
        state["most"] = 0
        await asyncio.gather(*(call("/api/v1/staff") for _ in range(4)))
        assert state["most"] == 1

    asyncio.run(main())
