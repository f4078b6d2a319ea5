"""A kindergarten admin's transfer (issue 15): submitted for review though it moves the person out of
the admin's own scope, and applied in the admin's name on district HR's approval."""

from __future__ import annotations

from typing import Any

from tests.support import World, staff_body

API = "/api/v1"
HR, ADMIN = "district_hr", "kindergarten_admin"


async def test_an_admins_transfer_out_is_reviewed_and_applied(client: Any, world: World) -> None:
    body = staff_body(world.kg_a["id"], hired_on="2021-09-01")
    person = (await client.post(f"{API}/staff", json=body, headers=world.h(HR))).json()
    r = await client.post(
        f"{API}/staff/{person['id']}/transfer",
        json={"kindergarten_id": world.kg_b["id"], "reason": "工作需要"},
        headers=world.h(ADMIN),
    )
    assert r.status_code == 202, r.text
    change = r.json()
    assert change["kind"] == "staff.transfer" and change["kindergarten_id"] == world.kg_a["id"]
    still = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    assert still["kindergarten_id"] == world.kg_a["id"]
    approved = await client.post(f"{API}/changes/{change['id']}/approve", headers=world.h(HR))
    assert approved.status_code == 200, approved.text
    result = approved.json()["result"]
    assert result["kindergarten_id"] == world.kg_b["id"] and result["name"] == person["name"]
    # the admin no longer sees the person: now the other kindergarten's
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h(ADMIN))).status_code == 404
