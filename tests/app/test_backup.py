"""``registry backup`` while the service writes, ``registry restore`` into a fresh database (issue 14).

A real server (uvicorn, in a subprocess) on a scratch database of the run's engine; a writer thread adds
staff members through the API one after another (each request one transaction: the person, their first
assignment and the audit event, which must be all present or all absent); ``registry backup`` runs in
the middle of it. The backup must be a snapshot: the writer's people in it are exactly its first m
writes, each with its assignment and audit event, and every table of the restored database equals the
source's after the writes stopped, less the rows of writes m+1 … n. ``registry migrate`` on the restored
database has nothing to do (the migrations' state came along), and a second restore into it is refused.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from pages.devserver import ROOT, running_server
from tests.support import kindergarten_body, scratch_database_env, staff_body

PASSWORD = "backup-test-" + secrets.token_hex(6)
Rows = dict[str, list[dict[str, Any]]]


def registry(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def read_all(url: str) -> Rows:
    """Every table's rows, through the engine's own driver."""
    if url.startswith("sqlite:///"):
        con = sqlite3.connect(url.removeprefix("sqlite:///"))
        con.row_factory = sqlite3.Row
        try:
            tables = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            names = [r[0] for r in con.execute(tables)]
            return {n: [dict(r) for r in con.execute(f'SELECT * FROM "{n}"')] for n in names}
        finally:
            con.close()

    async def read() -> Rows:
        conn = await asyncpg.connect(url)
        try:
            names = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            return {r[0]: [dict(x) for x in await conn.fetch(f'SELECT * FROM "{r[0]}"')] for r in names}
        finally:
            await conn.close()

    return asyncio.run(read())


def canonical(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(repr(sorted(r.items())) for r in rows)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    tmp = tmp_path_factory.mktemp("backup-source")
    with scratch_database_env(tmp, "bksource") as env:
        env = {**env, "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48), "REGISTRY_LOG_LEVEL": "WARNING"}
        Path(env["REGISTRY_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        assert registry(env, "migrate").returncode == 0
        made = registry(
            env, "user", "create", "--username", "hr", "--role", "district_hr", "--password-stdin", stdin=PASSWORD
        )
        assert made.returncode == 0, made.stderr
        yield env


class Writer(threading.Thread):
    """Adds one staff member per request, one request after the other, until told to stop."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        token = httpx.post(f"{base}/api/v1/auth/token", json={"username": "hr", "password": PASSWORD}, timeout=60)
        self.http = httpx.Client(
            base_url=f"{base}/api/v1", headers={"Authorization": f"Bearer {token.json()['access_token']}"}, timeout=60
        )
        kg = self.http.post("/kindergartens", json=kindergarten_body(name="备份幼儿园"))
        assert kg.status_code == 201, kg.text
        self.kindergarten = kg.json()["id"]
        self.ids: list[int] = []  # in commit order
        self.stop = threading.Event()
        self.error: str | None = None

    def run(self) -> None:
        while not self.stop.is_set():
            r = self.http.post("/staff", json=staff_body(self.kindergarten, name="备份"))
            if r.status_code != 201:
                self.error = r.text
                return
            self.ids.append(int(r.json()["id"]))

    def wait_for(self, n: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.ids) < n:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, f"only {len(self.ids)} writes"
            time.sleep(0.01)


def rows_of_writes(table: str, rows: list[dict[str, Any]], ids: set[int]) -> list[dict[str, Any]]:
    """The rows that the writes of the staff members ``ids`` added to ``table``."""
    if table == "staff":
        return [r for r in rows if r["id"] in ids]
    if table == "staff_assignment":
        return [r for r in rows if r["staff"] in ids]
    if table == "audit_event":
        return [r for r in rows if r["entity"] == "staff" and r["entity_id"] in {str(i) for i in ids}]
    return []


def test_a_backup_taken_during_writes_restores_a_consistent_snapshot(
    source: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    file = tmp_path_factory.mktemp("backup-file") / "registry.backup"
    with running_server(source) as base:
        writer = Writer(base)
        writer.start()
        try:
            writer.wait_for(5)
            taken = registry(source, "backup", str(file))
            assert taken.returncode == 0, taken.stderr
            writer.wait_for(len(writer.ids) + 5)  # and on after it
        finally:
            writer.stop.set()
            writer.join(timeout=60)
        assert writer.error is None, writer.error
    assert file.stat().st_mode & 0o077 == 0  # personal data: the owner's only
    source_rows = read_all(source["REGISTRY_DATABASE_URL"])

    with scratch_database_env(tmp_path_factory.mktemp("backup-target"), "bktarget") as target:
        restored = registry(target, "restore", str(file))
        assert restored.returncode == 0, restored.stderr
        migrated = registry(target, "migrate")  # nothing to do: the migrations' state came along
        assert migrated.returncode == 0, migrated.stderr
        assert "Running" not in migrated.stdout, migrated.stdout
        again = registry(target, "restore", str(file))
        assert again.returncode != 0 and "not empty" in again.stderr
        target_rows = read_all(target["REGISTRY_DATABASE_URL"])

    # the snapshot holds the writer's first m writes, each whole, and none after
    written = writer.ids
    in_backup = {r["id"] for r in target_rows["staff"]} & set(written)
    m = len(in_backup)
    assert in_backup == set(written[:m]), "the backup is not a prefix of the writes"
    assert 5 <= m <= len(written) - 5, (m, len(written))
    later = set(written[m:])
    assert sorted(source_rows) == sorted(target_rows)  # every table, the migration table too
    for table, rows in source_rows.items():
        expected = [r for r in rows if r not in rows_of_writes(table, rows, later)]
        assert canonical(target_rows[table]) == canonical(expected), table
    for table in ("staff_assignment", "audit_event"):
        assert len(rows_of_writes(table, target_rows[table], in_backup)) == m, table  # pairs: both or neither


def test_restore_refuses_what_it_cannot_restore(source: dict[str, str], tmp_path: Path) -> None:
    before = {t: len(r) for t, r in read_all(source["REGISTRY_DATABASE_URL"]).items()}
    file = tmp_path / "copy.backup"
    assert registry(source, "backup", str(file)).returncode == 0
    exists = registry(source, "backup", str(file))
    assert exists.returncode != 0 and "exists already" in exists.stderr
    assert registry(source, "backup", "--overwrite", str(file)).returncode == 0

    into_itself = registry(source, "restore", str(file))
    assert into_itself.returncode != 0 and "not empty" in into_itself.stderr
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a backup at all")
    refused = registry(source, "restore", str(junk))
    assert refused.returncode != 0 and "not a registry backup" in refused.stderr
    assert {t: len(r) for t, r in read_all(source["REGISTRY_DATABASE_URL"]).items()} == before
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".partial")]
