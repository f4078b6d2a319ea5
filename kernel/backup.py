"""Backups of the whole registry, taken while the service runs, and restores into an empty database.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database in one step, inside
  one read transaction: a consistent snapshot (in WAL mode readers do not block writers, so the service
  keeps writing meanwhile). The copy is checked (``PRAGMA quick_check``) and kept as one self-contained
  file (rollback journal, no ``-wal``/``-shm`` beside it).
- PostgreSQL: ``pg_dump`` in its custom format (``-Fc``: compressed, restored by ``pg_restore``), which
  reads every table in one repeatable-read snapshot; the restore runs ``pg_restore`` in a single
  transaction (all or nothing), objects owned by the restoring role.

Both copy everything: the tables, the triggers that keep the audit trail append-only, the sequences, and
Piccolo's ``migration`` table, so ``registry migrate`` after a restore has nothing to do. A restore
only goes into an EMPTY database (no tables): it never merges into or overwrites a registry.

A backup is written to a temporary file beside the target (mode 0600: it holds personal data) and
renamed into place when complete, so a failed or interrupted backup never leaves a half file under the
target's name.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from kernel.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"
PG_TABLE_ENTRY = re.compile(r"^\d+; \d+ \d+ TABLE (?!DATA )\S+ (\S+) ", re.MULTILINE)


class BackupError(Exception):
    """A backup or a restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Done:
    file: Path
    engine: str
    bytes: int
    seconds: float
    tables: int


# --- where PostgreSQL's tools are ------------------------------------------------------------------


def pg_tool(name: str, settings: Settings) -> str:
    """``pg_dump`` or ``pg_restore``: from REGISTRY_PG_BIN_DIR, else the PATH, else the newest
    ``/usr/lib/postgresql/*/bin`` (Debian's layout)."""
    if settings.pg_bin_dir is not None:
        found = settings.pg_bin_dir / name
        if not os.access(found, os.X_OK):
            raise BackupError(f"{name} not found in REGISTRY_PG_BIN_DIR ({settings.pg_bin_dir})")
        return str(found)
    on_path = shutil.which(name)
    if on_path:
        return on_path
    candidates = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    if candidates:
        return str(candidates[-1])
    raise BackupError(
        f"{name} not found: install PostgreSQL's client programs (Debian: postgresql-client) of the server's "
        "major version or newer, or set REGISTRY_PG_BIN_DIR"
    )


def _libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The connection URL without its password (which would show in the process list) and the
    environment that carries the password instead."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        host = parts.hostname or ""
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        user = parts.username or ""
        netloc = f"{user}@{host}" if user else host
        if parts.port is not None:
            netloc += f":{parts.port}"
        url = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url, env


def _run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what} failed ({Path(args[0]).name} exit {done.returncode}):\n{done.stderr.strip()}")


# --- backup ----------------------------------------------------------------------------------------


def _temporary_beside(target: Path) -> Path:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.partial")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    return tmp


def backup(settings: Settings, target: Path, overwrite: bool = False) -> Done:
    """A consistent copy of the configured database in ``target``."""
    target = target.resolve()
    if target.exists() and not overwrite:
        raise BackupError(f"{target} exists already: choose another name (or --overwrite)")
    if not target.parent.is_dir():
        raise BackupError(f"no such directory: {target.parent}")
    started = time.monotonic()
    tmp = _temporary_beside(target)
    try:
        if settings.engine_kind == "postgres":
            _pg_dump(settings, tmp)
        else:
            _sqlite_backup(settings.sqlite_path, tmp)
        tables = len(_pg_archive_tables(settings, tmp)) if settings.engine_kind == "postgres" else _sqlite_tables(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return Done(target, settings.engine_kind, target.stat().st_size, time.monotonic() - started, tables)


def _sqlite_backup(source: Path, tmp: Path) -> None:
    if not source.is_file():
        raise BackupError(f"no database at {source}")
    src = sqlite3.connect(source, timeout=60)
    dest = sqlite3.connect(tmp)
    try:
        src.backup(dest)  # all pages in one step: one read transaction, one snapshot
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = [row[0] for row in dest.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise BackupError(f"the copy failed its check: {'; '.join(problems[:5])}")
    finally:
        dest.close()
        src.close()


def _pg_dump(settings: Settings, tmp: Path) -> None:
    assert settings.database_url is not None
    url, env = _libpq_target(settings.database_url)
    # -Fc: custom format (compressed; pg_restore reads it); the dump is one repeatable-read snapshot
    _run_tool([pg_tool("pg_dump", settings), "-Fc", "--file", str(tmp), "--dbname", url], env, "pg_dump")


# --- restore ---------------------------------------------------------------------------------------


def backup_engine(file: Path) -> str:
    """``sqlite`` or ``postgres``, from the file's first bytes."""
    if not file.is_file():
        raise BackupError(f"no such file: {file}")
    with file.open("rb") as fh:
        head = fh.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PG_CUSTOM_MAGIC):
        return "postgres"
    raise BackupError(f"{file} is not a registry backup (neither a SQLite database nor a pg_dump custom archive)")


def restore(settings: Settings, file: Path) -> Done:
    """Brings the backup in ``file`` into the configured database, which must be empty."""
    file = file.resolve()
    kind = backup_engine(file)
    if kind != settings.engine_kind:
        raise BackupError(
            f"{file} is a {kind} backup, and the registry is configured for {settings.engine_kind} "
            "(REGISTRY_DATABASE_URL): restore it into a database of the same engine"
        )
    existing = count_tables(settings)
    if existing:
        raise BackupError(
            f"the database is not empty ({existing} tables): a restore only goes into an empty database. "
            "Create a new one (PostgreSQL: createdb; SQLite: a new file name in REGISTRY_DATABASE_URL) "
            "and restore into it; nothing was changed"
        )
    started = time.monotonic()
    if kind == "postgres":
        _pg_restore(settings, file)
    else:
        _sqlite_restore(file, settings.sqlite_path)
    return Done(file, kind, file.stat().st_size, time.monotonic() - started, count_tables(settings))


def _sqlite_restore(file: Path, target: Path) -> None:
    src = sqlite3.connect(f"{file.as_uri()}?mode=ro", uri=True)
    try:
        if "migration" not in _sqlite_table_names(src):
            raise BackupError(f"{file} holds no registry (no migration table)")
        target.parent.mkdir(parents=True, exist_ok=True)
        dest = sqlite3.connect(target, timeout=60)
        try:
            dest.execute("PRAGMA journal_mode=DELETE")  # page size and journal as the copy has them
            src.backup(dest)
            dest.execute("PRAGMA journal_mode=WAL")  # as the service runs it (kernel.db)
        finally:
            dest.close()
    finally:
        src.close()


def _pg_archive_tables(settings: Settings, file: Path) -> list[str]:
    """The tables in a pg_dump archive (``pg_restore --list``: also a check that the archive reads)."""
    done = subprocess.run(
        [pg_tool("pg_restore", settings), "--list", str(file)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{file} does not read as a pg_dump archive:\n{done.stderr.strip()}")
    # a table's entry: "215; 1259 16390 TABLE public account owner" (its rows: "... TABLE DATA ...")
    return [m.group(1) for m in PG_TABLE_ENTRY.finditer(done.stdout)]


def _pg_restore(settings: Settings, file: Path) -> None:
    assert settings.database_url is not None
    if "migration" not in _pg_archive_tables(settings, file):
        raise BackupError(f"{file} holds no registry (no migration table)")
    url, env = _libpq_target(settings.database_url)
    args = [
        pg_tool("pg_restore", settings),
        "--dbname",
        url,
        "--single-transaction",  # all or nothing
        "--exit-on-error",
        "--no-owner",  # objects belong to the role that restores (the registry's)
        "--no-privileges",
        str(file),
    ]
    _run_tool(args, env, "pg_restore")


# --- what a database holds -------------------------------------------------------------------------


def _sqlite_table_names(con: sqlite3.Connection) -> list[str]:
    rows = con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [str(r[0]) for r in rows]


def _sqlite_tables(path: Path) -> int:
    con = sqlite3.connect(path, timeout=60)
    try:
        return len(_sqlite_table_names(con))
    finally:
        con.close()


PG_TABLES = """
SELECT count(*) FROM pg_catalog.pg_tables
WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg_toast%'
"""


async def _pg_count_tables(url: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(PG_TABLES))
    finally:
        await conn.close()


def count_tables(settings: Settings) -> int:
    """How many tables the configured database has (0: empty; a new SQLite file counts as empty)."""
    if settings.engine_kind == "postgres":
        assert settings.database_url is not None
        return asyncio.run(_pg_count_tables(settings.database_url))
    path = settings.sqlite_path
    if not path.exists() or path.stat().st_size == 0:
        return 0
    return _sqlite_tables(path)
