"""Every kindergarten's staffing report at once, over a process pool (one worker per core).

Each worker process is started fresh (``spawn``: no database connection or thread is inherited),
keeps one event loop and, on PostgreSQL, a small connection pool, and renders one kindergarten per
task: the same ``reports.services`` calls as the API, as district HR, with the verification code
recorded under the CLI's user name. The parent only lists the kindergartens, shows progress and
writes what comes back into a folder or a zip file, with ``manifest.csv`` (code, name, file,
verification code, pages).
"""

from __future__ import annotations

import asyncio
import atexit
import csv
import io
import os
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from kernel.auth import Principal
from kernel.codes import Role
from kernel.db import close_pool, start_pool
from kernel.workers import run_inline
from registry.kindergartens.tables import Kindergarten as K
from reports import services

MANIFEST = "manifest.csv"


def usable_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def cli_principal(username: str) -> Principal:
    """Who the command line acts as: district HR, recorded as ``username`` (``cli:<login>``)."""
    return Principal(account_id=0, username=username[:64], role=Role.district_hr)


@dataclass(frozen=True)
class Kindergarten:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class Rendered:
    kindergarten: Kindergarten
    filename: str
    pdf: bytes
    code: str
    pages: int


@dataclass
class BatchResult:
    written: list[Rendered] = field(default_factory=list)  # the PDFs are dropped once written
    failed: list[tuple[Kindergarten, str]] = field(default_factory=list)
    target: Path | None = None


async def kindergartens(codes: list[str] | None = None) -> list[Kindergarten]:
    """Every kindergarten (or those with the given codes), in code order."""

    query = K.select(K.id, K.code, K.name).order_by(K.code)
    if codes:
        query = query.where(K.code.is_in(codes))
    return [Kindergarten(r["id"], r["code"], r["name"]) for r in await query]


# --- the worker process ----------------------------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None
_who: Principal | None = None


def _init_worker(username: str) -> None:

    global _loop, _who
    run_inline()  # this process is the worker: a document renders here, not in a pool of its own
    _loop = asyncio.new_event_loop()
    asyncio.set_event_loop(_loop)
    _who = cli_principal(username)
    _loop.run_until_complete(start_pool(2))
    atexit.register(lambda: _loop.run_until_complete(close_pool()) if _loop else None)


def render_one(kg: Kindergarten) -> Rendered:
    """One kindergarten's report (in a worker; also usable in-process after ``_init_worker``)."""

    assert _loop is not None and _who is not None, "worker not initialised"
    doc = _loop.run_until_complete(services.kindergarten_staffing(_who, kg.id))
    issued = _loop.run_until_complete(services.issue(_who, doc))
    return Rendered(kg, issued.filename, issued.pdf, issued.code, issued.pages)


# --- the parent -------------------------------------------------------------------------------------


class _Sink:
    """Where the PDFs go: a folder, or a zip file (stored, not deflated: PDFs are compressed already)."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.zip: zipfile.ZipFile | None = None
        if target.suffix.lower() == ".zip":
            target.parent.mkdir(parents=True, exist_ok=True)
            self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED)
        else:
            target.mkdir(parents=True, exist_ok=True)

    def write(self, name: str, content: bytes) -> None:
        if self.zip is not None:
            self.zip.writestr(name, content)
        else:
            (self.target / name).write_bytes(content)

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _manifest(rows: list[Rendered]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["kindergarten_code", "kindergarten_name", "file", "verification_code", "pages"])
    for r in sorted(rows, key=lambda r: r.kindergarten.code):
        writer.writerow([r.kindergarten.code, r.kindergarten.name, r.filename, r.code, r.pages])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # with a BOM, so Excel reads the Chinese names


@contextmanager
def _pool(workers: int, username: str) -> Iterator[ProcessPoolExecutor]:
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_init_worker, initargs=(username,)
    )
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run(
    todo: list[Kindergarten],
    target: Path,
    *,
    workers: int,
    username: str,
    progress: Callable[[Kindergarten, bool], None] | None = None,
) -> BatchResult:
    """Render ``todo`` with ``workers`` processes into ``target`` (a folder, or a ``.zip`` file)."""
    result = BatchResult(target=target)
    sink = _Sink(target)
    try:
        with _pool(workers, username) as pool:
            # at most a few tasks in flight per worker: results (PDF bytes) do not pile up in memory
            queue = list(reversed(todo))
            running: dict[Future[Rendered], Kindergarten] = {}
            while queue or running:
                while queue and len(running) < workers * 2:
                    kg = queue.pop()
                    running[pool.submit(render_one, kg)] = kg
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    kg = running.pop(future)
                    try:
                        rendered = future.result()
                    except Exception as exc:  # one kindergarten's failure does not stop the batch
                        result.failed.append((kg, f"{type(exc).__name__}: {exc}"))
                        if progress:
                            progress(kg, False)
                        continue
                    sink.write(rendered.filename, rendered.pdf)
                    result.written.append(Rendered(kg, rendered.filename, b"", rendered.code, rendered.pages))
                    if progress:
                        progress(kg, True)
        sink.write(MANIFEST, _manifest(result.written))
    finally:
        sink.close()
    return result


def summary(result: BatchResult) -> dict[str, Any]:
    return {
        "written": len(result.written),
        "failed": len(result.failed),
        "pages": sum(r.pages for r in result.written),
        "target": str(result.target),
    }
