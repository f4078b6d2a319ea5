"""Every role (and no token) against every certificate endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.guards import past_the_guard
from tests.support import World, teacher_qualification_number

HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


CASES = [
    *_case("GET", "/staff/{sa}/certificates", None, {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}),
    *_case("GET", "/staff/{sb}/certificates", None, {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}),
    *_case("POST", "/staff/{sa}/certificates", "cert", {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case("POST", "/staff/{sb}/certificates", "cert", {HR: 201, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case(
        "PATCH",
        "/certificates/{ca}",
        {"issuer": "北京市教委"},
        {HR: 200, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case(
        "PATCH",
        "/certificates/{cb}",
        {"issuer": "北京市教委"},
        {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case(
        "PATCH",
        "/certificates/{ca}",
        {"status": "suspended", "reason": "核查中"},
        {ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case(
        "POST",
        "/certificates/{ca}/registrations",
        {"registered_on": "2021-01-01", "result": "passed"},
        {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401},
    ),
    *_case("GET", "/staff/{sa}/dual-certificate", None, {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}),
    *_case("GET", "/staff/{sb}/dual-certificate", None, {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}),
    *_case(
        "GET",
        "/compliance/dual-certificate?by=street",
        None,
        {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401},
    ),
    *_case(
        "GET",
        "/certificates/expiring?within_days=30",
        None,
        {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401},
    ),
]


@pytest.fixture(scope="module")
async def certs(client, world: World) -> dict[str, int]:
    out = {}
    for key, staff in (("ca", world.staff_a), ("cb", world.staff_b)):
        r = await client.post(
            f"/api/v1/staff/{staff['id']}/certificates",
            json={"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2015-07-01"},
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text
        out[key] = r.json()["id"]
    return out


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_certificate_role_matrix(
    client, world: World, certs: dict[str, int], method: str, path: str, body: Any, role: str, expected: int
) -> None:
    url = "/api/v1" + path.format(sa=world.staff_a["id"], sb=world.staff_b["id"], **certs)
    if body == "cert":
        body = {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2016-07-01"}
    r = await client.request(method, url, json=body, headers=world.h(role))
    assert r.status_code == expected, r.text


async def test_a_teacher_sees_only_their_own_expiring_certificates(client, world: World, certs) -> None:
    r = await client.get("/api/v1/certificates/expiring?within_days=366", headers=world.h(TEACHER))
    assert all(item["staff_id"] == world.staff_a["id"] for item in r.json()["items"])
