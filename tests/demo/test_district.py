"""The demo district end to end, loaded once by ``registry demo load`` into a scratch database of the
run's engine (loading it into the shared test database would disturb the other tests), then:

1. the command printed the demo logins, refuses a second load and skips with ``--if-empty``;
2. a fixed list of answers, pages and exports on the demo district is what it was when the
   snapshot was recorded (``snapshot_script.py``): a change meant to keep behaviour keeps it;
3. the database agrees with the load's summary, and ``--reset`` loads the same district again,
   keeping the audit trail and the append-only triggers (``loader_script.py``);
4. rows inserted after the (re)load get fresh ids.

The tests run in this order (pytest keeps a module's order) and share the one load.

To re-record the snapshot after a change that is meant to change answers (say why in the commit):
``REGISTRY_TEST_ENGINE=sqlite SNAPSHOT_RECORD=1 .venv/bin/pytest tests/demo/test_district.py``
and the same with ``postgres``.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from demo import claims as demo_claims
from tests.support import scratch_database_env

REGISTRY = str(Path(sys.executable).with_name("registry"))
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
ENGINE = os.environ.get("REGISTRY_TEST_ENGINE", "sqlite")
SNAPSHOT = HERE / "snapshots" / f"answers-{ENGINE}.json"

District = tuple[dict[str, str], subprocess.CompletedProcess[str]]


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([REGISTRY, *args], env=env, input=stdin, capture_output=True, text=True, timeout=600)


def script(env: dict[str, str], module: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=900
    )


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Iterator[District]:
    with scratch_database_env(tmp_path_factory.mktemp("district"), "district") as env:
        env["PYTHONPATH"] = str(ROOT)
        assert run(env, "migrate").returncode == 0
        loaded = run(env, "demo", "load", "--scale", "district", "--seed", "2017")
        assert loaded.returncode == 0, loaded.stderr[-3000:]
        yield env, loaded


def test_demo_load_prints_the_logins_and_refuses_a_second_load(district: District) -> None:
    env, loaded = district
    assert "315" in loaded.stdout and "43 / 15" in loaded.stdout
    creds = Path(env["REGISTRY_VAR_DIR"]) / "demo-credentials.txt"
    assert oct(creds.stat().st_mode & 0o777) == "0o600"
    lines = [line.split("\t") for line in creds.read_text().splitlines() if not line.startswith("#")]
    assert sorted(line[1] for line in lines) == ["district_hr", "inspector", "kindergarten_admin", "teacher"]
    for username, _, password in lines:
        assert password in loaded.stdout, username  # printed when the demo is loaded

    # A second load refuses; --if-empty skips and shows the saved logins again.
    again = run(env, "demo", "load")
    assert again.returncode != 0 and "数据库中已有 315 所幼儿园" in (again.stderr + again.stdout)
    skipped = run(env, "demo", "load", "--if-empty")
    assert skipped.returncode == 0 and "skipped" in skipped.stdout and lines[0][2] in skipped.stdout


def test_answers_and_exports_are_as_recorded(district: District) -> None:
    env, _ = district
    done = script(env, "tests.demo.snapshot_script")
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    if os.environ.get("SNAPSHOT_RECORD") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    recorded = json.loads(SNAPSHOT.read_text())
    assert sorted(found) == sorted(recorded), "the list of requests changed: re-record the snapshot"
    changed = {key: (recorded[key], found[key]) for key in recorded if recorded[key] != found[key]}
    assert not changed, f"{len(changed)} of {len(recorded)} answers changed:\n" + "\n".join(
        f"{key}: {was} -> {now}" for key, (was, now) in sorted(changed.items())[:40]
    )
    # the snapshot covers every role's refusals as well as its answers
    statuses = {(key.split()[0], v["status"]) for key, v in recorded.items()}
    assert {("anonymous", 401), ("teacher", 403), ("kindergarten_admin", 404), ("district_hr", 200)} <= statuses


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(env: dict[str, str]) -> Iterator[str]:
    """``registry serve`` on the district, on a free loopback port; its base URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [REGISTRY, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**env, "REGISTRY_LOG_LEVEL": "WARNING"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise AssertionError("the server did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_event_loop_answers_during_the_largest_export(district: District) -> None:
    """Issue 14: the credits workbook of the whole district (every entry, ~200,000 rows, as an inspector:
    masked) is read and written off the event loop (a worker process): from the moment it is asked for
    until it arrives, a health probe and a staff detail, asked in turn, answer in under 200 ms (95 % of
    them; none over 1 s). Written in a thread, the loop waited 9.4 s; with the rows pickled over to a
    worker, 3.7 s."""
    env, _ = district
    creds = Path(env["REGISTRY_VAR_DIR"]) / "demo-credentials.txt"
    logins = {line.split("\t")[0]: line.split("\t")[2] for line in creds.read_text().splitlines() if "\t" in line}

    async def probe(base: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=600) as http:
            body = {"username": "inspector", "password": logins["inspector"]}
            token = (await http.post("/api/v1/auth/token", json=body)).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            sid = (await http.get("/api/v1/staff?limit=1", headers=auth)).json()["items"][0]["id"]
            await http.get("/api/v1/exports/kindergartens.csv", headers=auth)  # the worker processes are up
            export = asyncio.create_task(http.get("/api/v1/exports/credits.xlsx", headers=auth))
            took: list[float] = []
            paths = ["/health", f"/api/v1/staff/{sid}"]
            while not export.done():
                started = time.perf_counter()
                r = await http.get(paths[len(took) % 2], headers=auth)
                took.append(time.perf_counter() - started)
                assert r.status_code == 200, r.text[:200]
                await asyncio.sleep(0.05)
            done = await export
            assert done.status_code == 200 and len(done.content) > 1_000_000
            took.sort()
            assert len(took) >= 20, "the export was too quick to probe"
            p95 = took[int(0.95 * (len(took) - 1))]
            assert p95 < 0.2 and took[-1] < 1.0, (len(took), p95, took[-5:])

    with serving(env) as base:
        asyncio.run(probe(base))


def test_load_matches_summary_and_reset_clears_history(district: District) -> None:
    env, _ = district
    done = script(env, "tests.demo.loader_script")
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    s = found["summary"]
    counts = found["counts"]
    assert counts["training_course"] == s["courses"]
    assert counts["training_session"] == s["sessions"]
    assert counts["training_enrolment"] == s["enrolments"]
    assert counts["training_result"] == s["results"]
    assert counts["certificate"] == s["certificates"]
    assert counts["certificate_event"] == s["certificate_events"] > 0
    assert counts["certificate_registration"] == s["registrations"] > 0
    assert counts["credit_entry"] == s["credit_entries"] > s["results_passed"]
    assert counts["ethics_evaluation"] == s["ethics_evaluations"] > 0
    assert counts["ethics_sanction"] == s["ethics_sanctions"] > 0
    assert s["ethics_sanctions_lifted"] == 1
    assert found["training_entries_unmatched"] == 0
    assert found["standing_flagged"] > 0

    # the figures the README quotes are what the registry's own reports find in the database
    assert found["violations"] == s["violations"] > 0
    for post, (on_post, compliant) in found["by_post"].items():
        assert [on_post, compliant] == [
            s["compliance_by_post"][post]["on_post"],
            s["compliance_by_post"][post]["compliant"],
        ]
    assert found["coverage"] == s["coverage"]
    assert found["without_family_instructor"] == s["kindergartens_without_family_instructor"] > 0
    assert found["expiring"] == s["expiring"] > 0
    assert found["untrained_post_certificates"] == 0

    # reset: the same rows again, the audit trail kept (one more demo.load event, and the events of the
    # demo teacher's claims: each submitted, one checked, one returned), triggers back
    after = found["after_reset"]
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in counts.items() if k != "audit_event"
    }
    assert after["audit_event"] == counts["audit_event"] + 1 + len(demo_claims.COURSES) + 2
    assert found["reset_figures_same"]
    assert found["event_delete_refused"]
    assert found["delete_refused"] == dict.fromkeys(found["delete_refused"], True)
    assert set(found["delete_refused"]) == {"certificate_event", "credit_entry", "ethics_evaluation", "ethics_sanction"}
    assert found["new_course_id"] == s["courses"] + 1


def test_rows_inserted_after_the_demo_get_fresh_ids(district: District) -> None:
    env, _ = district
    code = (
        "import asyncio, datetime\n"
        "from registry.kindergartens.tables import Kindergarten as K\n"
        "from registry.staff.tables import Staff as S\n"
        "async def main():\n"
        "    k = await K.insert(K(code='NEW1', name='新园', street='望京街道', collab_group=1,"
        " ownership='public')).returning(K.id)\n"
        "    s = await S.insert(S(id_number='110105199001011240', name='新人', sex='female',"
        " birth_date=datetime.date(1990, 1, 1), kindergarten=k[0]['id'], post='teacher',"
        " employment='contract')).returning(S.id)\n"
        "    print(k[0]['id'], s[0]['id'])\n"
        "asyncio.run(main())\n"
    )
    fresh = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert fresh.returncode == 0, fresh.stderr
    kg_id, staff_id = map(int, fresh.stdout.split())
    assert kg_id == 316 and staff_id > 11_000
