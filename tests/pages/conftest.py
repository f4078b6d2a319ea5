"""The pages' tests: the ``browser`` marker (tests that drive headless Chromium; see test_browser.py),
and the data-entry pages' world (``entry``: tests/pages/entry_world.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import pytest

from tests.pages.entry_world import EntryWorld, build_entry_world
from tests.support import World


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium against a real server (skipped without /usr/bin/chromium)"
    )


@pytest.fixture(scope="session")
async def entry(app: Any, client: httpx.AsyncClient, world: World) -> AsyncIterator[EntryWorld]:
    """A kindergarten of the data-entry tests' own with its admin, teachers on post, a session they are
    enrolled in, and a logged-in page client per role (so the rows these tests add change no figure
    another test reads)."""
    async with AsyncExitStack() as stack:
        yield await build_entry_world(app, client, world, stack)
