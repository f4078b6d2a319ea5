"""Test set-up: one fresh database per run, on the engine named by REGISTRY_TEST_ENGINE.

REGISTRY_TEST_ENGINE=sqlite (default): a temporary SQLite file.
REGISTRY_TEST_ENGINE=postgres: a new database on REGISTRY_TEST_PG_URL's server
(default postgresql://postgres@127.0.0.1:5432/test), dropped at the end.

The environment is set before any registry module is imported, because Piccolo binds the
engine on first use.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from pathlib import Path

ENGINE = os.environ.get("REGISTRY_TEST_ENGINE", "sqlite")
_TMP = Path(tempfile.mkdtemp(prefix="registry-test-"))
_PG_ADMIN_URL = os.environ.get("REGISTRY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
_PG_DB = f"registry_test_{uuid.uuid4().hex[:10]}"

if ENGINE == "postgres":
    import asyncpg

    async def _create() -> None:
        conn = await asyncpg.connect(_PG_ADMIN_URL)
        try:
            await conn.execute(f'CREATE DATABASE "{_PG_DB}"')
        finally:
            await conn.close()

    asyncio.run(_create())
    base = _PG_ADMIN_URL.rsplit("/", 1)[0]
    os.environ["REGISTRY_DATABASE_URL"] = f"{base}/{_PG_DB}"
else:
    os.environ["REGISTRY_DATABASE_URL"] = f"sqlite:///{_TMP / 'registry.db'}"
os.environ["REGISTRY_VAR_DIR"] = str(_TMP / "var")
# servers started by the tests do not sweep notifications on their own (the sweep's tests call it)
os.environ["REGISTRY_NOTIFY_SWEEP_AT"] = ""
os.environ.setdefault("REGISTRY_SECRET_KEY", "test-secret-key-" + uuid.uuid4().hex)

import pytest  # noqa: E402

from registry.accounts import throttle  # noqa: E402
from tests.support import LoginClock, World, build_world  # noqa: E402


def pytest_report_header() -> str:
    return f"registry test engine: {ENGINE} ({os.environ['REGISTRY_DATABASE_URL']})"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if ENGINE == "postgres":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (REGISTRY_TEST_ENGINE=postgres)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if ENGINE != "postgres":
        return
    import asyncpg

    async def _drop() -> None:
        conn = await asyncpg.connect(_PG_ADMIN_URL)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{_PG_DB}" WITH (FORCE)')
        finally:
            await conn.close()

    asyncio.run(_drop())


@pytest.fixture(scope="session")
async def migrated() -> None:
    from app.cli import _migrate

    await _migrate()


@pytest.fixture(scope="session")
async def app(migrated: None):
    from app.factory import create_app

    return create_app()


@pytest.fixture(scope="session")
async def client(app):
    """An HTTP client on the app, in the tests' own event loop.

    (Litestar's AsyncTestClient runs the app's lifespan in a portal thread with its own loop;
    a PostgreSQL pool opened there cannot serve queries made from the tests' loop.)
    """
    import httpx

    from kernel.db import close_pool, start_pool

    await start_pool(5)  # what the app's lifespan does
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c
    await close_pool()


@pytest.fixture(scope="session")
async def world(client) -> World:
    return await build_world(client)


@pytest.fixture
def login_clock(monkeypatch: pytest.MonkeyPatch) -> LoginClock:
    """The login throttle's clock, stopped at the current time; ``advance`` moves it."""
    clock = LoginClock(time.time())
    monkeypatch.setattr(throttle, "clock", clock)
    return clock
