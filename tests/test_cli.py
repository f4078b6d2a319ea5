"""The `registry` command end to end, in subprocesses, on a scratch database of the run's engine."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import scratch_database_env

REGISTRY = str(Path(sys.executable).with_name("registry"))


@pytest.fixture(scope="module")
def scratch_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with scratch_database_env(tmp_path_factory.mktemp("cli"), "cli") as env:
        yield env


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGISTRY, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)


def test_migrate_and_user_create(scratch_env: dict[str, str]) -> None:
    """(The demo load is tested on its own scratch database in tests/demo/test_district.py.)"""
    assert run(scratch_env, "migrate").returncode == 0

    # user create reads the password from stdin and validates the scope arguments.
    made = run(
        scratch_env,
        "user",
        "create",
        "--username",
        "hr2",
        "--role",
        "district_hr",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert made.returncode == 0, made.stderr
    short = run(
        scratch_env, "user", "create", "--username", "hr3", "--role", "district_hr", "--password-stdin", stdin="short\n"
    )
    assert short.returncode != 0 and "密码：至少需要 10 个字符" in short.stderr
    no_kg = run(
        scratch_env,
        "user",
        "create",
        "--username",
        "adm",
        "--role",
        "kindergarten_admin",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert no_kg.returncode != 0 and "kindergarten" in no_kg.stderr
    bad_id = run(
        scratch_env,
        "user",
        "create",
        "--username",
        "t1",
        "--role",
        "teacher",
        "--staff",
        "110105199001011234",
        "--password-stdin",
        stdin="a-long-password\n",
    )
    assert bad_id.returncode != 0 and "校验位" in bad_id.stderr


def test_notifications_sweep_prints_counts_per_kind_and_writes_nothing_twice(scratch_env: dict[str, str]) -> None:
    assert run(scratch_env, "migrate").returncode == 0
    first = run(scratch_env, "notifications", "sweep", "--on", "2026-05-31")
    assert first.returncode == 0, first.stderr
    for kind in ("certificate.expiring", "registration.due", "credits.behind"):
        assert kind in first.stdout
    assert "0 new notification(s)" in first.stdout  # an empty registry: nobody to tell
    bad = run(scratch_env, "notifications", "sweep", "--on", "31.05.2026")
    assert bad.returncode != 0
