"""Every role (and no token) against every ethics endpoint; admin on another kindergarten's person → 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.guards import past_the_guard
from tests.support import World

HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


SANCTION = {"violation": 3, "facts": "散布不实信息", "sanction": "warning", "decided_on": "2020-01-10"}

CASES = [
    *_case("GET", "/staff/{sa}/ethics", None, {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}),
    *_case("GET", "/staff/{sb}/ethics", None, {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}),
    *_case(
        "POST", "/staff/{sa}/ethics/evaluations", "ev", {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401}
    ),
    *_case(
        "POST", "/staff/{sb}/ethics/evaluations", "ev", {HR: 201, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: 401}
    ),
    *_case(
        "POST", "/staff/{sa}/ethics/sanctions", SANCTION, {HR: 201, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}
    ),
    *_case(
        "POST", "/staff/{sb}/ethics/sanctions", SANCTION, {HR: 201, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}
    ),
    *_case("GET", "/ethics/standing", None, {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401}),
    *_case("GET", "/staff/999999999/ethics", None, {HR: 404, ADMIN: 404, TEACHER: 404, INSPECTOR: 404}),
    *_case("POST", "/staff/999999999/ethics/evaluations", "ev", {HR: 404, ADMIN: 404}),
    *_case("POST", "/staff/999999999/ethics/sanctions", SANCTION, {HR: 404}),
]

_years = iter(range(1990, 2020))  # each accepted evaluation takes its own school year: no 409s


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_ethics_role_matrix(
    client, world: World, method: str, path: str, body: Any, role: str, expected: int
) -> None:
    url = "/api/v1" + path.format(sa=world.staff_a["id"], sb=world.staff_b["id"])
    if body == "ev":
        y = next(_years)
        body = {"school_year": f"{y}-{y + 1}", "grade": "qualified", "evaluated_on": f"{y + 1}-06-30"}
    r = await client.request(method, url, json=body, headers=world.h(role))
    assert r.status_code == expected, r.text
