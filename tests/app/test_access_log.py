"""The access log keeps no query strings (issue 14): a searched ID number must not land in it.

End to end: ``registry serve`` in a subprocess (uvicorn as configured for production), a search by ID
number, and the server's own output read back."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.access_log import DropQueryString
from pages.devserver import ROOT, free_port
from tests.support import scratch_database_env

ID_NUMBER = "110105199001011234"


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with scratch_database_env(tmp_path_factory.mktemp("access-log"), "accesslog") as env:
        yield {**env, "PYTHONPATH": str(ROOT), "REGISTRY_LOG_LEVEL": "INFO"}


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def test_the_served_access_log_has_no_query_string(server_env: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = tmp_path / "server.log"
    with out.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
            env=server_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if _get(base + "/health") == 200:
                        break
                except (urllib.error.URLError, OSError):
                    pass
                assert proc.poll() is None and time.monotonic() < deadline, out.read_text()
                time.sleep(0.1)
            assert _get(f"{base}/api/v1/staff?search={ID_NUMBER}") == 401
            assert _get(f"{base}/api/v1/pool/candidates?search={ID_NUMBER}&limit=5") == 401
            # the pages' search box (a GET form): nobody logged in is sent to the login page, whose
            # next= carries the search; neither request's query reaches the log
            assert _get(f"{base}/search?q={ID_NUMBER}") == 200
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    text = out.read_text()
    lines = [line for line in text.splitlines() if "/api/v1/" in line]
    assert len(lines) == 2, text  # the access log is on, one line per request
    assert ID_NUMBER not in text
    assert "search=" not in text
    assert '"GET /api/v1/staff?… HTTP/1.1" 401' in lines[0]
    assert '"GET /search?… HTTP/1.1" 303' in text and '"GET /login?… HTTP/1.1" 200' in text


def test_the_filter_keeps_the_path_and_other_records() -> None:
    access = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/api/v1/staff?search={ID_NUMBER}", "1.1", 200),
        None,
    )
    assert DropQueryString().filter(access)
    assert access.getMessage() == '127.0.0.1:5000 - "GET /api/v1/staff?… HTTP/1.1" 200'
    plain = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '"GET %s" %d', ("/health", 200), None)
    assert DropQueryString().filter(plain)
    assert plain.getMessage() == '"GET /health" 200'
