"""Who may do what past the guard: every role against every endpoint of the foundation.

The guard's 401 and 403 answers are checked for every route by tests/test_role_matrix.py, from
the permission table; these cases keep what the data decides.

Expected codes: 2xx allowed; 401 no/invalid token; 403 the role may not; 404 the row is
outside the caller's scope (another kindergarten, another person), so its existence is hidden.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import World, kindergarten_body, new_code, staff_body

ANON = "anonymous"
HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}") for role, code in expected.items()
    ]


# Paths use placeholders filled from the world: {A}/{B} kindergartens, {sa}/{sb} staff of A and B.
CASES = [
    *_case("GET", "/me", None, {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200}),
    *_case("GET", "/kindergartens", None, {HR: 200, ADMIN: 200, INSPECTOR: 200}),
    *_case("GET", "/kindergartens/{A}", None, {HR: 200, ADMIN: 200, INSPECTOR: 200}),
    *_case("GET", "/kindergartens/{B}", None, {HR: 200, ADMIN: 404, INSPECTOR: 200}),
    *_case("POST", "/kindergartens", "kg", {HR: 201}),
    *_case(
        "PATCH",
        "/kindergartens/{A}",
        {"children": 171},
        {HR: 200},
    ),
    *_case("GET", "/staff", None, {HR: 200, ADMIN: 200, INSPECTOR: 200}),
    *_case("GET", "/staff/{sa}", None, {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200}),
    *_case("GET", "/staff/{sb}", None, {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200}),
    *_case("POST", "/staff", "staff_a", {HR: 201, ADMIN: 202}),  # an admin's: reviewed (issue 15)
    *_case("POST", "/staff", "staff_b", {HR: 201, ADMIN: 403}),
    *_case(
        "PATCH",
        "/staff/{sa}",
        {"education": "bachelor"},
        {HR: 200, ADMIN: 202},
    ),
    *_case(
        "PATCH",
        "/staff/{sb}",
        {"education": "bachelor"},
        {HR: 200, ADMIN: 404},
    ),
    *_case(
        "POST",
        "/staff/{sa}/transfer",
        "transfer",
        {HR: 409},
    ),
    *_case("GET", "/audit", None, {HR: 200, INSPECTOR: 200}),
    *_case("POST", "/accounts", "account", {HR: 201}),
]


def _body(kind: Any, world: World) -> Any:
    if kind == "kg":
        return kindergarten_body()
    if kind == "staff_a":
        return staff_body(world.kg_a["id"])
    if kind == "staff_b":
        return staff_body(world.kg_b["id"])
    if kind == "transfer":  # to the kindergarten the person already works at: a 409 once allowed
        return {"kindergarten_id": world.kg_a["id"]}
    if kind == "account":
        return {"username": new_code("u").lower(), "password": "long-enough-password", "role": "inspector"}
    return kind


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_role_matrix(client, world: World, method: str, path: str, body: Any, role: str, expected: int) -> None:
    url = "/api/v1" + path.format(
        A=world.kg_a["id"], B=world.kg_b["id"], sa=world.staff_a["id"], sb=world.staff_b["id"]
    )
    r = await client.request(method, url, json=_body(body, world), headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected >= 400:
        problem = r.json()
        assert r.headers["content-type"].startswith("application/problem+json")
        assert problem["status"] == expected and problem["detail"]


async def test_admin_lists_only_their_own_kindergarten_and_staff(client, world: World) -> None:
    kgs = (await client.get("/api/v1/kindergartens", headers=world.h(ADMIN))).json()
    assert {k["id"] for k in kgs["items"]} == {world.kg_a["id"]}
    staff = (await client.get("/api/v1/staff?limit=500", headers=world.h(ADMIN))).json()
    assert staff["items"] and {s["kindergarten_id"] for s in staff["items"]} == {world.kg_a["id"]}
    other = (await client.get(f"/api/v1/staff?kindergarten_id={world.kg_b['id']}", headers=world.h(ADMIN))).json()
    assert other["total"] == 0


async def test_token_problems_are_401(client, world: World) -> None:
    import jwt

    from kernel.settings import get_settings

    token = world.tokens[HR]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"})).status_code == 401
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["extras"]["role"] = "district_hr"
    forged = jwt.encode(claims, "not-the-secret-but-32-bytes-long-at-least", algorithm="HS256")
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"})).status_code == 401
    claims["exp"] = claims["iat"] - 10
    expired = jwt.encode(claims, get_settings().jwt_secret(), algorithm="HS256")
    r = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401
    assert (await client.get("/api/v1/me", headers={"Authorization": "Basic abc"})).status_code == 401
