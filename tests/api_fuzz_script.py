"""Run by test_api_fuzz.py in a subprocess, against a scratch database of the run's engine (the
fuzzer writes: the shared test database must not see it), already migrated and with a district HR
account ``fuzz_hr`` made by ``registry user create``.

Schemathesis makes requests for every operation of the app's OpenAPI schema and sends them through
the ASGI app (no server: the app runs in schemathesis' own event loop, lifespan and database pool
included), logged in as district HR, after one record of each kind has been seeded:

1. its coverage cases (deterministic: each property's boundaries, ``null`` where allowed, each enum
   value): every valid one, with the path ids of the seeded records so updates reach real rows
   (``{"number": null}`` on a certificate), and an even sample of the invalid ones;
2. Hypothesis-generated cases, valid and invalid, half of them on the seeded records.

Every answer must be no 5xx, of a declared status and content type, and match its documented body
schema. Deterministic: Hypothesis derandomised, the operations
in schema order, a bounded number of cases each (``FUZZ_EXAMPLES``, ``FUZZ_INVALID``; ``FUZZ_ONLY``
runs the operations whose label contains it). Prints one JSON object: the operations run, requests
sent, seconds, and each failure (the operation, the phase, the failed checks, a curl command to
reproduce it). Exits 1 when anything failed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.factory import create_app
from tests.support import kindergarten_body, new_id_number, staff_body, teacher_qualification_number

API = "/api/v1"
USERNAME, PASSWORD = "fuzz_hr", "fuzz-password-for-the-api"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))  # generated, per operation and mode
SLOW_EXAMPLES = 3  # PDFs and spreadsheets take 0.1-1 s each
INVALID_COVERAGE = int(os.environ.get("FUZZ_INVALID", "25"))  # invalid coverage cases per operation (of 8-150)
SLOW = (".pdf", ".xlsx", "/exports/", "/imports/")
# Ends every token of the account: the rest of the run would only see 401s.
SKIP = {"POST /api/v1/auth/logout"}
POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance, status_code_conformance]


def seed(client: Any) -> tuple[dict[str, str], dict[str, int]]:
    """Log in and record one of each kind of record; their ids, by path parameter name."""
    r = client.post(f"{API}/auth/token", json={"username": USERNAME, "password": PASSWORD})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}

    def made(path: str, body: dict[str, Any]) -> int:
        answer = client.post(API + path, json=body, headers=auth)
        assert answer.status_code == 201, f"{path}: {answer.status_code} {answer.text}"
        return int(answer.json()["id"])

    kg = made("/kindergartens", kindergarten_body())
    made("/kindergartens", kindergarten_body(street="双井街道"))
    staff = made("/staff", staff_body(kg))
    made("/staff", staff_body(kg, name="赵敏"))
    cert = {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2014-07-01"}
    certificate = made(f"/staff/{staff}/certificates", cert)
    course_body = {"code": "FUZZ1", "title": "安全", "category": "safety", "level": "district", "mode": "online"}
    course = made("/training/courses", {**course_body, "hours": 8})
    session = made("/training/sessions", {"course_id": course, "starts_on": "2024-03-01", "ends_on": "2024-03-02"})
    enrolment = made(f"/training/sessions/{session}/enrolments", {"staff_id": staff})
    result = made("/training/results", {"enrolment_id": enrolment, "hours": 8, "passed": True})
    entry = {
        "staff_id": staff,
        "date": "2024-03-01",
        "category": "general",
        "source": "research",
        "hours": 40,
        "reference": "FUZZ-1",
        "reason": "区级课题结题",
    }
    entry_id = made("/credits/entries", entry)
    candidate = {
        "id_number": new_id_number(),
        "name": "王晓雨",
        "source": "university",
        "posts": ["teacher"],
        "streets": [],
        "available_from": "2026-01-01",
    }
    candidate_id = made("/pool/candidates", candidate)
    expansion = {"name": "扩建", "kind": "expansion", "kindergarten_id": kg, "places": 60, "opens_on": "2027-03-01"}
    planned = made("/staffing/planned-places", expansion)
    ids = {
        "kindergarten_id": kg,
        "staff_id": staff,
        "certificate_id": certificate,
        "course_id": course,
        "session_id": session,
        "entry_id": entry_id,
        "candidate_id": candidate_id,
        "planned_id": planned,
        "account_id": 1,
        "result_id": result,
        "run_id": 1,
    }
    return auth, ids


def send(case: Any, auth: dict[str, str]) -> None:
    """One request through the app, its answer checked (raises the failed checks)."""
    response = case.call(headers=auth)
    case.validate_response(response, checks=CHECKS, headers=auth)


def coverage(schema: Any, operation: Any, known: dict[str, int]) -> list[Any]:
    """Schemathesis' coverage cases (deterministic: each property's boundaries, ``null`` where the
    schema allows it, each enum value, missing and wrong-typed values): every valid one, pointed at
    the seeded records, and an even sample of the invalid ones."""
    config = schema.config.generation_for(operation=operation)
    valid = list(schema.iter_coverage_cases(operation, generation_modes=[POSITIVE], generation_config=config))
    for case in valid:
        case.path_parameters = {**(case.path_parameters or {}), **known}
    invalid = list(schema.iter_coverage_cases(operation, generation_modes=[NEGATIVE], generation_config=config))
    step = max(1, len(invalid) // INVALID_COVERAGE)
    return valid + invalid[::step][:INVALID_COVERAGE]


def fuzz(schema: Any, operation: Any, auth: dict[str, str], ids: dict[str, int]) -> tuple[int, list[dict[str, Any]]]:
    """One operation: its coverage cases, then generated ones in both modes; the requests sent and the
    failures (at most one per operation and phase)."""
    names = [p.name for p in operation.path_parameters]
    known = {name: ids[name] for name in names if name in ids}
    slow = any(mark in operation.path for mark in SLOW)
    sent = 0
    failures: list[dict[str, Any]] = []

    def failed(phase: str, exc: BaseException) -> None:
        failures.append({"operation": operation.label, "phase": phase, "failure": str(exc)[:4000]})

    for case in coverage(schema, operation, known):
        sent += 1
        try:
            send(case, auth)
        except (Exception, BaseExceptionGroup) as exc:  # failed checks (a group), or an error sending
            failed("coverage", exc)
            break
    for mode in (POSITIVE, NEGATIVE):
        strategy = operation.as_strategy(generation_mode=mode)
        if known and len(known) == len(names):
            strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=known))

        @settings(
            max_examples=SLOW_EXAMPLES if slow else EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            report_multiple_bugs=False,
        )
        @given(case=strategy)
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            send(case, auth)

        try:
            run()
        except Unsatisfiable:
            pass  # no invalid value exists (e.g. negative cases of a free-text path parameter)
        except (Exception, BaseExceptionGroup) as exc:
            failed(mode.value, exc)
    return sent, failures


def main() -> int:
    app = create_app()
    schema = schemathesis.openapi.from_asgi(f"{API}/schema/openapi.json", app)
    with asgi.get_client(app) as client:
        auth, ids = seed(client)
    started = time.monotonic()
    report: dict[str, Any] = {"operations": 0, "requests": 0, "failures": []}
    only = os.environ.get("FUZZ_ONLY", "")
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.label in SKIP or only not in operation.label:
            continue
        sent, failures = fuzz(schema, operation, auth, ids)
        report["operations"] += 1
        report["requests"] += sent
        report["failures"] += failures
    report["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
