"""Helpers shared by the benchmarks: child processes, servers, scratch databases, clean-up.

Every child is started by the benchmark and stopped by it (by its own pid), also on failure,
Ctrl-C or SIGTERM; servers also get SIGTERM from the kernel if the benchmark itself dies.
"""

from __future__ import annotations

import ctypes
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432"
LOOPBACK = "127.0.0.1"


def raise_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit so that every ``finally`` (servers, scratch databases) runs."""

    def handler(signum: int, _: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def registry_cmd(*args: str) -> list[str]:
    """The project's CLI from the running virtualenv."""
    script = Path(sys.executable).with_name("registry")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "app.cli", *args]


def bench_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("REGISTRY_")}
    env.update(
        REGISTRY_DATABASE_URL=database_url,
        REGISTRY_VAR_DIR=str(var_dir),
        REGISTRY_LOG_LEVEL="WARNING",
        REGISTRY_NOTIFY_SWEEP_AT="",  # no notification sweep at start-up in the middle of a measurement
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return env


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def run(cmd: Sequence[str], env: dict[str, str] | None = None, timeout: float = 300.0) -> str:
    """Run a command to completion (bounded); its output on failure."""
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}") from exc
    if done.returncode != 0:
        raise RuntimeError(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    return done.stdout


def machine() -> dict[str, str]:
    return {
        "cores": str(os.cpu_count()),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, between fork and exec
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


@dataclass
class Child:
    """A child that may be measured: wall time and its own rusage (os.wait4)."""

    cmd: list[str]
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_mib: float
    stdout: str
    stderr: str


def timed_child(cmd: Sequence[str], env: dict[str, str], timeout: float, workdir: Path) -> Child:
    """Run ``cmd`` to completion; wall time, CPU time and peak RSS of that one process tree."""
    out_path = workdir / f"child-{uuid.uuid4().hex[:8]}.out"
    err_path = out_path.with_suffix(".err")
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=ROOT, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        deadline = started + timeout
        reaped = False
        try:
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid == proc.pid:
                    reaped = True
                    break
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"timed out after {timeout:.0f} s: {' '.join(cmd)}")
                time.sleep(0.002)
            wall = time.perf_counter() - started
        finally:
            if not reaped:
                proc.kill()
                proc.wait(timeout=10)
        proc.returncode = os.waitstatus_to_exitcode(status)
    stdout, stderr = out_path.read_text(errors="replace"), err_path.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"failed ({proc.returncode}): {' '.join(cmd)}\n{stdout[-2000:]}\n{stderr[-4000:]}")
    return Child(
        cmd=list(cmd),
        wall_s=wall,
        user_s=usage.ru_utime,
        sys_s=usage.ru_stime,
        maxrss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
        stdout=stdout,
        stderr=stderr,
    )


class Server:
    """A uvicorn server in a child process, on a loopback port; stopped by pid."""

    def __init__(self, name: str, cmd: list[str], env: dict[str, str], port: int, log_dir: Path) -> None:
        self.name = name
        self.cmd = cmd
        self.env = env
        self.port = port
        self.base_url = f"http://{LOOPBACK}:{port}"
        self.log_path = log_dir / f"{name}-{port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, ready_timeout: float = 60.0) -> None:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
        )
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} server exited ({self.proc.returncode}):\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} server not ready after {ready_timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def check_alive(self) -> None:
        """Raise, with the server's exit status and log, if it has stopped."""
        code = None if self.proc is None else self.proc.poll()
        if code is not None:
            how = f"killed by signal {-code}" if code < 0 else f"exit status {code}"
            raise RuntimeError(f"{self.name} server stopped ({how}); its log:\n{self.log_tail()}")

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def __enter__(self) -> Server:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def http_json(method: str, url: str, body: Any = None, token: str | None = None, timeout: float = 30.0) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=timeout) as r:
        return json.loads(r.read())


def demo_password(var_dir: Path, username: str = "hr") -> str:
    """From <var_dir>/demo-credentials.txt: ``username\\trole\\tpassword`` lines after a ``#`` header."""
    for line in (var_dir / "demo-credentials.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _role, password = line.split("\t")
        if name == username:
            return password
    raise RuntimeError(f"no demo account {username!r} in {var_dir / 'demo-credentials.txt'}")


@contextmanager
def scratch_postgres(server_url: str = DEFAULT_PG, label: str = "bench") -> Iterator[str]:
    """A fresh database on the PostgreSQL server; dropped afterwards, whatever happens."""
    parts = urlsplit(server_url)
    host, port, user = parts.hostname or LOOPBACK, str(parts.port or 5432), parts.username or "postgres"
    name = f"registry_{label}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conn = ["-h", host, "-p", port, "-U", user]
    run(["createdb", *conn, name], timeout=60)
    try:
        yield f"postgresql://{user}@{host}:{port}/{name}"
    finally:
        try:
            run(["dropdb", *conn, "--if-exists", "--force", name], timeout=60)
        except RuntimeError as exc:  # pragma: no cover - report, do not mask the original error
            print(f"warning: could not drop scratch database {name}: {exc}", file=sys.stderr)


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def save_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}-{time.strftime('%Y%m%d-%H%M%S')}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
    return path
