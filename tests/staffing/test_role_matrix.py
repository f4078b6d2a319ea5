"""Every role (and no token) against every staffing, plan and pool endpoint.

Gaps, projection, planned places and plan progress: district HR and inspectors see the district, a
kindergarten admin their own kindergarten (another one is a 404; plan progress is district totals
only, so they see it); teachers none. The pool (ID numbers): HR reads and writes, inspectors read
with masked ID numbers, admins only see matches for their own kindergarten (masked); placement is HR's.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.guards import past_the_guard
from tests.staffing.helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER, candidate_body, make_candidate, street
from tests.support import World

READ = {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: 401}
READ_OWN = {HR: 200, ADMIN: 404, TEACHER: 403, INSPECTOR: 200, ANON: 401}
POOL_READ = {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 200, ANON: 401}
HR_CREATES = {HR: 201, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}
HR_CHANGES = {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: 401}


def _case(method: str, path: str, body: Any, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, body, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


CASES = [
    *_case("GET", "/staffing/gaps?by=kindergarten", None, READ),
    *_case("GET", "/staffing/gaps?by=street&kindergarten_id={ka}", None, READ),
    *_case("GET", "/staffing/gaps?by=kindergarten&kindergarten_id={kb}", None, READ_OWN),
    *_case("POST", "/staffing/requirement", "requirement", READ),
    *_case("GET", "/staffing/projection?on=2027-09-01", None, READ),
    *_case("GET", "/staffing/planned-places", None, READ),
    *_case("GET", "/staffing/planned-places/{pa}", None, READ),
    *_case("GET", "/staffing/planned-places/{pb}", None, READ_OWN),
    *_case("POST", "/staffing/planned-places", "planned", HR_CREATES),
    *_case("PATCH", "/staffing/planned-places/{pa}", "planned_change", HR_CHANGES),
    *_case("GET", "/plan/progress", None, READ),
    *_case("GET", "/pool/candidates", None, POOL_READ),
    *_case("GET", "/pool/candidates/{c}", None, POOL_READ),
    *_case("POST", "/pool/candidates", "candidate", HR_CREATES),
    *_case("PATCH", "/pool/candidates/{c}", "candidate_change", HR_CHANGES),
    *_case("POST", "/pool/candidates/{fresh}/placement", "placement", HR_CREATES),
    *_case("GET", "/kindergartens/{ka}/pool-matches?post=teacher", None, READ),
    *_case("GET", "/kindergartens/{kb}/pool-matches?post=teacher", None, READ_OWN),
]


@pytest.fixture(scope="module")
async def things(client: Any, world: World) -> dict[str, int]:
    ids: dict[str, int] = {}
    for key, kg in (("pa", world.kg_a), ("pb", world.kg_b)):
        r = await client.post(
            f"{API}/staffing/planned-places",
            json={
                "name": "增班",
                "kind": "expansion",
                "kindergarten_id": kg["id"],
                "places": 30,
                "opens_on": "2027-09-01",
            },
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text
        ids[key] = r.json()["id"]
    ids["c"] = (await make_candidate(client, world))["id"]
    return ids


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
async def test_staffing_role_matrix(
    client: Any, world: World, things: dict[str, int], method: str, path: str, body: Any, role: str, expected: int
) -> None:
    ids = {"ka": world.kg_a["id"], "kb": world.kg_b["id"], **things}
    if "{fresh}" in path:  # a candidate of their own for every role, so HR's placement is a first one
        ids["fresh"] = (await make_candidate(client, world))["id"]
    bodies = {
        "requirement": {"classes": {"small": 2, "middle": 2}, "children": 110},
        "planned": {
            "name": "新园",
            "kind": "new_kindergarten",
            "street": street(),
            "ownership": "public",
            "places": 180,
            "opens_on": "2027-09-01",
        },
        "planned_change": {"note": "推迟一年"},
        "candidate": candidate_body(),
        "candidate_change": {"note": "电话已核实"},
        "placement": {"kindergarten_id": world.kg_b["id"], "post": "teacher"},
    }
    r = await client.request(method, API + path.format(**ids), json=bodies.get(body), headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected == 200 and role in (ADMIN, INSPECTOR) and "/pool" in path:
        items = r.json().get("items", [r.json()])
        assert all("*" in i["id_number"] for i in items if "id_number" in i)  # masked for everyone but HR
