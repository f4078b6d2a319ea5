"""A real server for the pages' browser tests and screenshots: uvicorn in a subprocess on a free
127.0.0.1 port against a database of its own, and headless Chromium (Debian's package) driven by
Playwright. Development tooling: the service itself never imports this module.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("REGISTRY_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def chromium_available() -> bool:
    return CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def registry_command(
    env: Mapping[str, str], *args: str, stdin: str | None = None, timeout: float = 900
) -> subprocess.CompletedProcess[str]:
    """Run ``registry ARGS`` (the CLI) against ``env``'s database; raises with its output on failure."""
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"registry {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as r:
            return bool(r.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_server(env: Mapping[str, str], startup_timeout: float = 60) -> Iterator[str]:
    """uvicorn serving ``create_app`` with ``env`` (its database, secret, var dir); yields the base URL
    and stops the server (and only it) afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = open(Path(env.get("REGISTRY_VAR_DIR", ".")) / f"uvicorn-{port}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "app.factory:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"the server exited with {proc.returncode}: see {log.name}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the server did not answer within {startup_timeout} s: see {log.name}")
            time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        log.close()


def launch_chromium(playwright: Any, extra_args: tuple[str, ...] = ()) -> Any:
    """Headless Debian Chromium through Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, *extra_args], headless=True)


def read_credentials(var_dir: Path) -> dict[str, tuple[str, str]]:
    """The demo logins (``registry demo load`` writes them): role → (username, password)."""
    out: dict[str, tuple[str, str]] = {}
    for line in (var_dir / "demo-credentials.txt").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        username, role, password = line.split("\t")
        out[role] = (username, password)
    return out


def log_in(page: Any, base_url: str, username: str, password: str) -> None:
    """Log in through the form, as a person would."""
    page.goto(f"{base_url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
