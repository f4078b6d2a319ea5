"""Who may do what on every training endpoint: each role, and no token.

2xx allowed; 401 no token; 403 the role may not; 404 the person is outside the caller's scope
(another kindergarten, another person), so their existence is hidden.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import World
from tests.training.helpers import (
    API,
    HR,
    course_body,
    enrolled,
    make_course,
    make_session,
    new_staff,
)

ANON = "anonymous"
ADMIN, TEACHER, INSPECTOR = "kindergarten_admin", "teacher", "inspector"
ALL_READ = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}
HR_ONLY_CREATE = {HR: 201, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}") for role, code in expected.items()
    ]


# Placeholders: {c} a course, {s} a session, {r} a result, {sa}/{sb} the world's staff of kindergartens A and B.
CASES = [
    *_case("GET", "/training/courses", None, ALL_READ),
    *_case("GET", "/training/courses/{c}", None, ALL_READ),
    *_case("POST", "/training/courses", "course", HR_ONLY_CREATE),
    *_case("GET", "/training/sessions", None, ALL_READ),
    *_case("GET", "/training/sessions/{s}", None, ALL_READ),
    *_case("POST", "/training/sessions", "session", HR_ONLY_CREATE),
    *_case("GET", "/training/sessions/{s}/enrolments", None, ALL_READ),
    *_case(
        "POST",
        "/training/sessions/{s}/enrolments",
        "new_staff_a",
        {HR: 201, ADMIN: 201, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case(
        "POST",
        "/training/sessions/{s}/enrolments",
        "new_staff_b",
        {HR: 201, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case("POST", "/training/results", "result", {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case(
        "POST",
        "/training/results/{r}/correction",
        {"hours": 11, "reason": "录入有误"},
        {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case("GET", "/staff/{sa}/training", None, ALL_READ),
    *_case("GET", "/staff/{sb}/training", None, {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}),
    *_case("GET", "/training/coverage", None, {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401}),
    *_case(
        "GET", "/training/coverage?year=2024&category=safety", None, {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200}
    ),
]


@pytest.fixture(scope="module")
async def fixtures(client: Any, world: World) -> dict[str, Any]:
    course = await make_course(client, world)
    session = await make_session(client, world, course["id"])  # unlimited seats
    person = await new_staff(client, world, world.kg_a["id"])
    enrolment_id = await enrolled(client, world, session["id"], person["id"])
    r = await client.post(
        f"{API}/training/results",
        json={"enrolment_id": enrolment_id, "hours": 12, "passed": True, "score": 75},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    return {"course": course, "session": session, "result": r.json()}


async def _body(kind: Any, client: Any, world: World, fixtures: dict[str, Any]) -> Any:
    if kind == "course":
        return course_body()
    if kind == "session":
        return {"course_id": fixtures["course"]["id"], "starts_on": "2024-05-01", "ends_on": "2024-05-01"}
    if kind == "new_staff_a":
        return {"staff_id": (await new_staff(client, world, world.kg_a["id"]))["id"]}
    if kind == "new_staff_b":
        return {"staff_id": (await new_staff(client, world, world.kg_b["id"]))["id"]}
    if kind == "result":
        person = await new_staff(client, world, world.kg_a["id"])
        enrolment_id = await enrolled(client, world, fixtures["session"]["id"], person["id"])
        return {"enrolment_id": enrolment_id, "hours": 12, "passed": True, "score": 75}
    return kind


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_training_role_matrix(
    client: Any, world: World, fixtures: dict[str, Any], method: str, path: str, body: Any, role: str, expected: int
) -> None:
    url = API + path.format(
        c=fixtures["course"]["id"],
        s=fixtures["session"]["id"],
        r=fixtures["result"]["id"],
        sa=world.staff_a["id"],
        sb=world.staff_b["id"],
    )
    payload = await _body(body, client, world, fixtures)
    r = await client.request(method, url, json=payload, headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected >= 400:
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == expected and problem["detail"]


async def test_every_training_route_is_in_the_matrix(app: Any) -> None:
    """A new training endpoint without a row here fails this test."""
    covered = {(m, "/api/v1" + p.split("?")[0]) for m, p, *_ in (c.values for c in CASES)}
    normalised = {
        (
            m,
            p.replace("{c}", "{course_id:int}")
            .replace("{s}", "{session_id:int}")
            .replace("{r}", "{result_id:int}")
            .replace("{sa}", "{staff_id:int}"),
        )
        for m, p in covered
    }
    routes = {
        (method, route.path)
        for route in app.routes
        if route.path.startswith("/api/v1/training") or route.path.endswith("/training")
        for method in getattr(route, "methods", set())
        if method not in ("OPTIONS", "HEAD")
    }
    assert routes and routes <= normalised, routes - normalised
