"""Engine construction, write transactions and fast bulk inserts.

Everything that touches the engine's connections directly lives here, so services and
loaders never need to know which engine they run on.
"""

from __future__ import annotations

import asyncio
import sqlite3
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.querystring import QueryString

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from kernel.settings import Settings


def make_engine(settings: Settings) -> Engine:
    if settings.engine_kind == "postgres":
        assert settings.database_url is not None
        # JIT compilation costs ~0.4 s on the registry's report queries and saves nothing on queries
        # over tens of thousands of rows: this workload is OLTP-sized, so it is off.
        return PostgresEngine(config={"dsn": settings.database_url, "server_settings": {"jit": "off"}})
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    _prepare_sqlite_file(str(path))
    return SQLiteEngine(path=str(path), timeout=settings.sqlite_timeout_seconds)


def _prepare_sqlite_file(path: str) -> None:
    """WAL is a property of the file: set it once, it persists for every connection."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    finally:
        con.close()


def get_engine() -> Engine:
    engine = engine_finder()
    if engine is None:  # pragma: no cover - piccolo_conf always defines DB
        raise RuntimeError("piccolo_conf.DB is not configured")
    return engine


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or get_engine(), SQLiteEngine)


_writers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


def _writer_lock() -> asyncio.Lock:
    loop = asyncio.get_running_loop()
    lock = _writers.get(loop)
    if lock is None:
        lock = _writers[loop] = asyncio.Lock()
    return lock


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """One request, one transaction.

    On SQLite the transaction is IMMEDIATE, so concurrent writers queue on the lock instead of
    failing with "database is locked" half-way through a read-then-write; and the writers of this
    process queue first on an asyncio lock, in arrival order, so only one of them at a time waits
    on the database's lock. Without it every writer sleeps in SQLite's busy handler, which polls
    with growing sleeps: at 32 clients the unlucky ones slept for seconds while the lock was free
    (issue 14). Another process (a CLI import) still meets the busy handler. Nested use joins the
    outer transaction (and does not take the lock again).
    """
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        if engine.current_transaction.get() is not None:
            async with engine.transaction(transaction_type=TransactionType.immediate):
                yield
            return
        async with _writer_lock(), engine.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with engine.transaction():
            yield


async def start_pool(max_size: int) -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.start_connection_pool(min_size=1, max_size=max_size)


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine):
        await engine.close_connection_pool()


async def bulk_insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert many rows fast: COPY on PostgreSQL, executemany on SQLite.

    Joins the current transaction when there is one. Returns the number of rows written.
    """
    engine = get_engine()
    records = [tuple(r) for r in rows]
    if not records:
        return 0
    current = engine.current_transaction.get()
    if isinstance(engine, PostgresEngine):
        if current is not None:
            await current.connection.copy_records_to_table(table, records=records, columns=list(columns))
        else:
            conn = await engine.get_new_connection()
            try:
                await conn.copy_records_to_table(table, records=records, columns=list(columns))
            finally:
                await conn.close()
        return len(records)
    placeholders = ", ".join("?" for _ in columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    sql = f'INSERT INTO "{table}" ({cols}) VALUES ({placeholders})'
    if current is not None:
        await current.connection.executemany(sql, records)
    else:
        assert isinstance(engine, SQLiteEngine)
        conn = await engine.get_connection()
        try:
            await conn.executemany(sql, records)
            await conn.commit()
        finally:
            await conn.close()
    return len(records)


R = TypeVar("R", bound=tuple[Any, ...])
WRITE_BATCH = 5_000


@dataclass(frozen=True)
class RowTable(Generic[R]):
    """A table as its domain writes it in bulk: the table's name and its row type, a ``NamedTuple``
    whose fields are the columns written (in order). The domain owns the row type; every writer
    (the domain's own write functions, the demo loader) builds rows of it, so the column list is
    written once."""

    name: str
    row: type[R]

    @property
    def columns(self) -> tuple[str, ...]:
        fields: tuple[str, ...] = self.row._fields  # type: ignore[attr-defined]
        return fields


async def reserve_ids(table: str, n: int) -> list[int]:
    """Ids for ``n`` new rows of ``table``, so rows can be bulk-written with their children and audit
    events. PostgreSQL: taken from the table's sequence (safe beside concurrent inserts). SQLite: after
    the largest id (writes hold the write lock, so nobody else inserts meanwhile)."""
    if n == 0:
        return []
    if is_sqlite():
        rows = await fetch_all(f'SELECT COALESCE(MAX(id), 0) AS last FROM "{table}"')
        first = int(rows[0]["last"]) + 1
        return list(range(first, first + n))
    rows = await fetch_all(
        f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) AS id FROM generate_series(1, {{}})", n
    )
    return [int(r["id"]) for r in rows]


async def insert_rows(
    table: RowTable[Any], rows: Iterable[tuple[Any, ...]], on_batch: Callable[[int], None] | None = None
) -> int:
    """``bulk_insert`` of a domain's rows in batches of ``WRITE_BATCH``; ``on_batch(n)`` after each.
    Returns the number of rows written."""
    done = 0
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == WRITE_BATCH:
            done += await bulk_insert(table.name, table.columns, batch)
            if on_batch is not None:
                on_batch(len(batch))
            batch = []
    if batch:
        done += await bulk_insert(table.name, table.columns, batch)
        if on_batch is not None:
            on_batch(len(batch))
    return done


async def fetch_all(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a read-only SQL statement written with ``{}`` placeholders (Piccolo's style)."""

    engine = get_engine()
    result: list[dict[str, Any]] = await engine.run_querystring(QueryString(sql, *args))
    return result


@dataclass(frozen=True)
class Param:
    """A named placeholder for a value, in a query compiled once by ``Prepared``."""

    name: str


class Prepared:
    """A Piccolo query compiled to SQL once, then run with new values.

    Piccolo rebuilds a query's SQL on every call (joins, aliases, where clauses); on the busiest
    read paths that costs more than the database does. Build the query once with ``Param`` markers
    where the values go; ``run(**values)`` binds them and runs the SQL through the same engine
    (and the current transaction, if any). Rows come back as the driver gives them (JSON columns
    as text; the caller decodes). ``paged=True`` adds ``LIMIT {limit} OFFSET {offset}``.
    """

    def __init__(self, query: Any, paged: bool = False) -> None:
        querystring = query.querystrings[0]
        _, fragments, args = querystring.bundle(start_index=1, bundled=[], combined_args=[])
        self.template = "".join(f.prefix + ("" if f.no_arg else "{}") for f in fragments)
        self.args: list[Any] = list(args)
        if paged:
            self.template += " LIMIT {} OFFSET {}"
            self.args += [Param("limit"), Param("offset")]

    async def run(self, **values: Any) -> list[dict[str, Any]]:

        args = [values[a.name] if isinstance(a, Param) else a for a in self.args]
        result: list[dict[str, Any]] = await get_engine().run_querystring(QueryString(self.template, *args))
        return result
