"""A record outside the caller's scope answers exactly as one that does not exist (issue 14): the same
404 problem document, and nothing about whose it is (it used to say "no staff member 50", the holder,
for another kindergarten's certificate or credit entry, and a missing credit entry was a 409)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.credits.helpers import add_entry
from tests.support import World, insert_staff, teacher_qualification_number

API = "/api/v1"
MISSING = 987654321


async def a_certificate(client: Any, world: World, staff_id: int) -> int:
    body = {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2014-07-01"}
    r = await client.post(f"{API}/staff/{staff_id}/certificates", json=body, headers=world.h("district_hr"))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def records(client: Any, world: World) -> dict[str, int]:
    """Records of a person in kindergarten B, which the admin (of A) and the teacher (in A) may not see."""
    holder = await insert_staff(world.kg_b["id"])
    return {
        "staff": holder,
        "certificate": await a_certificate(client, world, holder),
        "entry": (await add_entry(client, world, holder))["id"],
        "kindergarten": world.kg_b["id"],
    }


CASES = [
    ("kindergarten_admin", "PATCH", "/certificates/{certificate}", {"issuer": "朝阳区教委"}),
    (
        "kindergarten_admin",
        "POST",
        "/certificates/{certificate}/registrations",
        {"registered_on": "2020-10-01", "result": "passed", "hours": 372},
    ),
    ("kindergarten_admin", "POST", "/credits/entries/{entry}/reversal", {"reason": "录入错误"}),
    ("kindergarten_admin", "GET", "/staff/{staff}", None),
    ("kindergarten_admin", "GET", "/staff/{staff}/certificates", None),
    ("kindergarten_admin", "GET", "/kindergartens/{kindergarten}", None),
    ("teacher", "GET", "/staff/{staff}", None),
    ("teacher", "GET", "/staff/{staff}/credits", None),
]


@pytest.mark.parametrize(("role", "method", "path", "body"), CASES, ids=[f"{c[0]} {c[1]} {c[2]}" for c in CASES])
async def test_out_of_scope_answers_as_missing(
    client: Any, world: World, role: str, method: str, path: str, body: dict[str, Any] | None
) -> None:
    ids = await records(client, world)
    key = path.split("{")[1].split("}")[0]
    kwargs: dict[str, Any] = {"headers": world.h(role)}
    if body is not None:
        kwargs["json"] = body
    hidden = await client.request(method, API + path.format(**ids), **kwargs)
    missing = await client.request(method, API + path.format(**{**ids, key: MISSING}), **kwargs)
    assert missing.status_code == 404, missing.text
    assert hidden.status_code == 404, hidden.text
    expected = missing.json()
    expected["detail"] = expected["detail"].replace(str(MISSING), str(ids[key]))
    assert hidden.json() == expected
    if key != "staff":
        assert "staff" not in hidden.json()["detail"]
    assert hidden.headers["content-type"] == missing.headers["content-type"]


async def test_hr_still_reverses_and_a_missing_entry_is_404(client: Any, world: World) -> None:
    ids = await records(client, world)
    hr = world.h("district_hr")
    r = await client.post(f"{API}/credits/entries/{ids['entry']}/reversal", json={"reason": "录入错误"}, headers=hr)
    assert r.status_code == 201, r.text
    r = await client.post(f"{API}/credits/entries/{MISSING}/reversal", json={"reason": "录入错误"}, headers=hr)
    assert r.status_code == 404 and r.json()["detail"] == f"没有编号为 {MISSING} 的学分条目"
