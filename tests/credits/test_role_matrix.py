"""Every role (and no token) against every credits and eligibility endpoint."""

from __future__ import annotations

from typing import Any

import pytest

from tests.credits.helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER, add_entry, entry_body
from tests.guards import past_the_guard
from tests.support import World


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


ALL_200 = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}
OWN_ONLY = {HR: 200, ADMIN: 404, TEACHER: 404, INSPECTOR: 200, ANON: 401}
CASES = [
    *_case("GET", "/staff/{sa}/credits", None, ALL_200),
    *_case("GET", "/staff/{sb}/credits", None, OWN_ONLY),
    *_case("GET", "/me/credits", None, {HR: 404, ADMIN: 404, TEACHER: 200, INSPECTOR: 404, ANON: 401}),
    *_case("POST", "/credits/entries", "entry_a", {HR: 201, ADMIN: 202, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case("POST", "/credits/entries", "entry_b", {HR: 201, ADMIN: 404, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case("POST", "/credits/entries/{ea}/reversal", "reason", {HR: 201, ADMIN: 201, TEACHER: 403, INSPECTOR: 403}),
    *_case("POST", "/credits/entries/{eb}/reversal", "reason", {HR: 201, ADMIN: 404, TEACHER: 403, INSPECTOR: 403}),
    *_case("POST", "/credits/entries/{ea}/reversal", "reason", {ANON: 401}),
    *_case("GET", "/credits/policies", None, ALL_200),
    # HR may add policies (this one overlaps the seeded version: 409, so nothing changes)
    *_case("POST", "/credits/policies", "policy", {HR: 409, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}),
    *_case("GET", "/staff/{sa}/eligibility?purpose=award", None, ALL_200),
    *_case("GET", "/staff/{sb}/eligibility?purpose=title", None, OWN_ONLY),
    *_case("GET", "/eligibility?purpose=title", None, {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401}),
    *_case(
        "GET",
        "/eligibility?purpose=title&limit=1&offset=0",
        None,
        {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401},
    ),
    *_case(
        "GET",
        "/eligibility?purpose=title&kindergarten_id={kb}",
        None,
        {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 200, ANON: 401},
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_credits_role_matrix(
    client: Any, world: World, method: str, path: str, body: Any, role: str, expected: int
) -> None:
    from tests.credits.test_transcript_api import policy_body

    ids = {"sa": world.staff_a["id"], "sb": world.staff_b["id"], "kb": world.kg_b["id"]}
    if "{ea}" in path:  # a fresh entry each time, so every role reverses an unreversed one
        ids["ea"] = (await add_entry(client, world, world.staff_a["id"]))["id"]
    if "{eb}" in path:
        ids["eb"] = (await add_entry(client, world, world.staff_b["id"]))["id"]
    url = API + path.format(**ids)
    if body == "entry_a":
        body = entry_body(world.staff_a["id"])
    elif body == "entry_b":
        body = entry_body(world.staff_b["id"])
    elif body == "reason":
        body = {"reason": "录入错误"}
    elif body == "policy":
        body = policy_body(effective_from="2018-01-01")
    r = await client.request(method, url, json=body, headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected == 200 and path.startswith("/eligibility?"):  # a page: the counts are the whole selection's
        page = r.json()
        assert len(page["items"]) <= page["limit"] and page["eligible"] <= page["total"]
        assert page["total"] >= len(page["items"]) + page["offset"] or not page["items"]
