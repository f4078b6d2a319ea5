"""The pages' tests: the ``browser`` marker (tests that drive headless Chromium; see test_browser.py)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives headless Chromium against a real server (skipped without /usr/bin/chromium)"
    )
