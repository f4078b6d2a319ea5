"""Baselines of bench_demo_load.py, each run as its own process so it is timed like the real load.

    python bench/plain_load.py generate --scale district --seed 2017
    python bench/plain_load.py copy --source URL --target URL

``generate``: the pure generation alone, as the loader does it: ``demo.generator.generate``
(every staff chunk made) and, where the generator has it, ``DemoData.iter_history()`` (the training
and certificate history of every chunk); in-process times.

``copy``: exactly the rows that ``registry demo load`` wrote into ``--source`` (every table that
has rows there and none in the freshly migrated ``--target``), read first (not timed), then
written into ``--target`` in one transaction with the plainest driver call, parents before
children: sqlite3 ``executemany`` with foreign keys on (as Piccolo's connections have them), or
asyncpg ``copy_records_to_table``. No Piccolo, no argon2, no progress bar, no figures. Because
it copies whatever the loader wrote, it stays the same-rows baseline when the loader grows.

URLs are ``sqlite:///PATH`` or ``postgresql://...``. Prints one JSON line (``BENCHJSON {...}``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import time
from graphlib import TopologicalSorter
from typing import Any

Rows = list[tuple[Any, ...]]
Tables = list[tuple[str, list[str], Rows]]


def parents_first(deps: dict[str, set[str]]) -> list[str]:
    return list(
        TopologicalSorter({t: {p for p in ps if p != t and p in deps} for t, ps in deps.items()}).static_order()
    )


# --------------------------------------------------------------------------- SQLite


def _sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def _sqlite_schema(con: sqlite3.Connection) -> dict[str, set[str]]:
    names = [
        r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    ]
    return {t: {r[2] for r in con.execute(f'PRAGMA foreign_key_list("{t}")')} for t in names}


def _sqlite_count(con: sqlite3.Connection, table: str) -> int:
    return int(con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0])


def read_sqlite(source: str, target: str) -> Tables:
    src, dst = sqlite3.connect(_sqlite_path(source)), sqlite3.connect(_sqlite_path(target))
    try:
        tables: Tables = []
        for table in parents_first(_sqlite_schema(src)):
            if _sqlite_count(src, table) == 0 or _sqlite_count(dst, table) > 0:
                continue  # empty, or filled by the migrations in both
            cursor = src.execute(f'SELECT * FROM "{table}"')
            rows = cursor.fetchall()
            tables.append((table, [d[0] for d in cursor.description], rows))
        return tables
    finally:
        src.close()
        dst.close()


def write_sqlite(target: str, tables: Tables) -> None:
    con = sqlite3.connect(_sqlite_path(target), isolation_level=None)
    try:
        con.execute("PRAGMA foreign_keys = 1")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("BEGIN IMMEDIATE")
        for table, columns, rows in tables:
            cols = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" for _ in columns)
            con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
        con.execute("COMMIT")
    finally:
        con.close()


# --------------------------------------------------------------------------- PostgreSQL

PG_TABLES = (
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
)
PG_FOREIGN_KEYS = """
SELECT c.relname AS child, p.relname AS parent
FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
WHERE k.contype = 'f'
"""


async def read_postgres(source: str, target: str) -> Tables:
    import asyncpg

    src, dst = await asyncpg.connect(source), await asyncpg.connect(target)
    try:
        deps: dict[str, set[str]] = {r["table_name"]: set() for r in await src.fetch(PG_TABLES)}
        for r in await src.fetch(PG_FOREIGN_KEYS):
            deps.setdefault(r["child"], set()).add(r["parent"])
        tables: Tables = []
        for table in parents_first(deps):
            if await dst.fetchval(f'SELECT COUNT(*) FROM "{table}"'):
                continue  # filled by the migrations in both
            records = await src.fetch(f'SELECT * FROM "{table}"')
            if records:
                tables.append((table, list(records[0].keys()), [tuple(r) for r in records]))
        return tables
    finally:
        await src.close()
        await dst.close()


async def write_postgres(target: str, tables: Tables) -> None:
    import asyncpg

    con = await asyncpg.connect(target)
    try:
        async with con.transaction():
            for table, columns, rows in tables:
                await con.copy_records_to_table(table, records=rows, columns=columns)
    finally:
        await con.close()


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["generate", "copy"])
    parser.add_argument("--scale", default="district")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--source", help="copy: the database the demo was loaded into")
    parser.add_argument("--target", help="copy: a migrated, empty database")
    args = parser.parse_args()
    started = time.perf_counter()
    result: dict[str, Any] = {"mode": args.mode}
    if args.mode == "generate":
        from demo.generator import generate

        data = generate(args.scale, args.seed)
        result["staff"] = sum(len(chunk.staff) for chunk in data.iter_chunks())
        generated = time.perf_counter()
        result["generate_s"] = generated - started
        if hasattr(data, "iter_history"):  # training and certificate history, made chunk by chunk
            result["history_chunks"] = sum(1 for _ in data.iter_history())
            result["history_s"] = time.perf_counter() - generated
        result["total_s"] = time.perf_counter() - started
    else:
        if not args.source or not args.target:
            parser.error("copy needs --source and --target")
        sqlite = args.target.startswith("sqlite:///")
        tables = (
            read_sqlite(args.source, args.target) if sqlite else asyncio.run(read_postgres(args.source, args.target))
        )
        read = time.perf_counter()
        if sqlite:
            write_sqlite(args.target, tables)
        else:
            asyncio.run(write_postgres(args.target, tables))
        result |= {
            "read_s": read - started,
            "insert_s": time.perf_counter() - read,
            "rows": {table: len(rows) for table, _, rows in tables},
        }
    print("BENCHJSON " + json.dumps(result))


if __name__ == "__main__":
    main()
