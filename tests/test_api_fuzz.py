"""The fuzzing pass (issue 14): schemathesis over the app's OpenAPI schema, through the ASGI app, as
district HR, on the run's engine: no answer is a 5xx or breaks the schema (``api_fuzz_script.py``,
in a subprocess against a scratch database, since the fuzzer writes). About 4,000 requests, under a
minute per engine.

To run it alone: ``.venv/bin/pytest tests/test_api_fuzz.py`` (``REGISTRY_TEST_ENGINE=postgres`` too);
to explore further, the script with more cases against a scratch database, e.g.
``FUZZ_EXAMPLES=60 FUZZ_INVALID=1000 python -m tests.api_fuzz_script`` (see its docstring).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api_fuzz_script import PASSWORD, USERNAME
from tests.support import scratch_database_env

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = str(Path(sys.executable).with_name("registry"))
BUDGET_SECONDS = 600  # the pass takes well under two minutes; this only stops a hang


def test_no_request_the_schema_allows_or_refuses_gets_a_5xx_or_breaks_the_schema(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    with scratch_database_env(tmp_path_factory.mktemp("fuzz"), "fuzz") as env:
        env["PYTHONPATH"] = str(ROOT)
        migrated = subprocess.run([REGISTRY, "migrate"], env=env, capture_output=True, text=True, timeout=300)
        assert migrated.returncode == 0, migrated.stderr[-3000:]
        user = subprocess.run(
            [REGISTRY, "user", "create", "--username", USERNAME, "--role", "district_hr", "--password-stdin"],
            env=env,
            input=PASSWORD + "\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert user.returncode == 0, user.stderr[-3000:]
        done = subprocess.run(
            [sys.executable, "-m", "tests.api_fuzz_script"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=BUDGET_SECONDS,
        )
    assert done.stdout.strip(), done.stderr[-5000:]
    report = json.loads(done.stdout)
    failures = "\n\n".join(f"{f['operation']} ({f['phase']}):\n{f['failure']}" for f in report["failures"])
    assert not report["failures"], failures
    assert done.returncode == 0, done.stderr[-5000:]
    ran = {k: v for k, v in report.items() if k != "failures"}
    assert report["operations"] >= 70 and report["requests"] >= 3000, ran
