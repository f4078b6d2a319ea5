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


def test_migrate_demo_load_and_user_create(scratch_env: dict[str, str]) -> None:
    assert run(scratch_env, "migrate").returncode == 0
    loaded = run(scratch_env, "demo", "load", "--scale", "district", "--seed", "7")
    assert loaded.returncode == 0, loaded.stderr
    assert "315" in loaded.stdout and "43 / 15" in loaded.stdout
    creds = Path(scratch_env["REGISTRY_VAR_DIR"]) / "demo-credentials.txt"
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    lines = [line.split("\t") for line in creds.read_text().splitlines() if not line.startswith("#")]
    assert sorted(line[1] for line in lines) == ["district_hr", "inspector", "kindergarten_admin", "teacher"]
    for username, _, password in lines:
        assert password in loaded.stdout, username  # printed when the demo is loaded

    # A second load refuses; --if-empty skips and shows the saved logins again.
    again = run(scratch_env, "demo", "load")
    assert again.returncode != 0 and "already" in (again.stderr + again.stdout)
    skipped = run(scratch_env, "demo", "load", "--if-empty")
    assert skipped.returncode == 0 and "skipped" in skipped.stdout and lines[0][2] in skipped.stdout

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
    assert short.returncode != 0 and "password" in short.stderr
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
    assert bad_id.returncode != 0 and "check character" in bad_id.stderr

    # Rows inserted after the demo get fresh ids (the loader moves PostgreSQL's sequences on).
    script = (
        "import asyncio\n"
        "from registry.kindergartens.tables import Kindergarten as K\n"
        "from registry.staff.tables import Staff as S\n"
        "async def main():\n"
        "    k = await K.insert(K(code='NEW1', name='新园', street='望京街道', collab_group=1,"
        " ownership='public')).returning(K.id)\n"
        "    s = await S.insert(S(id_number='110105199001011240', name='新人', sex='female',"
        " birth_date=__import__('datetime').date(1990, 1, 1), kindergarten=k[0]['id'], post='teacher',"
        " employment='contract'))"
        ".returning(S.id)\n"
        "    print(k[0]['id'], s[0]['id'])\n"
        "asyncio.run(main())\n"
    )
    fresh = subprocess.run([sys.executable, "-c", script], env=scratch_env, capture_output=True, text=True, timeout=60)
    assert fresh.returncode == 0, fresh.stderr
    kg_id, staff_id = map(int, fresh.stdout.split())
    assert kg_id == 316 and staff_id > 11_000
