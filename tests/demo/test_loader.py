"""The demo loader end to end, in a subprocess against a scratch database of its own (loading the
demo into the shared test database would disturb the other tests): the database agrees with the
load's summary, and ``--reset`` clears the history (append-only certificate events included)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import scratch_database_env

SCRIPT = Path(__file__).with_name("loader_script.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def scratch_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with scratch_database_env(tmp_path_factory.mktemp("demo"), "demo") as env:
        env["PYTHONPATH"] = str(ROOT)
        yield env


def test_load_matches_summary_and_reset_clears_history(scratch_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, str(SCRIPT)], env=scratch_env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
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

    # reset: the same rows again, the audit trail kept (one more demo.load event), triggers back
    after = found["after_reset"]
    assert {k: v for k, v in after.items() if k != "audit_event"} == {
        k: v for k, v in counts.items() if k != "audit_event"
    }
    assert after["audit_event"] == counts["audit_event"] + 1
    assert found["reset_figures_same"]
    assert found["event_delete_refused"]
    assert found["delete_refused"] == dict.fromkeys(found["delete_refused"], True)
    assert set(found["delete_refused"]) == {"certificate_event", "credit_entry", "ethics_evaluation", "ethics_sanction"}
    assert found["new_course_id"] == s["courses"] + 1
