"""The events that fill the inbox (issue 16), each once per person and occasion: a change request
decided (to its submitter), a placement (to the kindergarten's admins), a veto (to the person)."""

from __future__ import annotations

from typing import Any

from tests.notifications.helpers import notifications_of, person_with_account
from tests.staffing.helpers import make_candidate, make_kindergarten, street, teacher_certificates
from tests.support import World, login, make_account, new_username, staff_body

API = "/api/v1"
HR, ADMIN = "district_hr", "kindergarten_admin"


async def submit(client: Any, world: World) -> int:
    r = await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], name="孙悦"), headers=world.h(ADMIN))
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


async def change_notices(change_id: int) -> list[dict[str, Any]]:
    rows = await notifications_of("w_admin", "change.decided")
    return [r for r in rows if r["occasion"].startswith(f"change:{change_id}:")]


async def test_an_approved_change_is_told_to_its_submitter_once(client: Any, world: World) -> None:
    change = await submit(client, world)
    assert await change_notices(change) == []
    r = await client.post(f"{API}/changes/{change}/approve", headers=world.h(HR))
    assert r.status_code == 200, r.text
    again = await client.post(f"{API}/changes/{change}/approve", headers=world.h(HR))
    assert again.status_code == 409
    [notice] = await change_notices(change)
    assert notice["occasion"] == f"change:{change}:approved" and notice["link"] == "/my/changes"
    inbox = (await client.get(f"{API}/me/notifications?unread=true&limit=500", headers=world.h(ADMIN))).json()
    shown = next(n for n in inbox["items"] if n["id"] == notice["id"])
    assert shown["message"] == f"您的变更申请 {change}（新增人员：{r.json()['change']['summary']}）已审核通过"
    en = await client.get(f"{API}/me/notifications?limit=500", headers={**world.h(ADMIN), "Accept-Language": "en"})
    assert any(n["message"].startswith(f"your change request {change} (staff.create: ") for n in en.json()["items"])


async def test_a_rejected_change_is_told_with_its_reason_and_a_withdrawn_one_not(client: Any, world: World) -> None:
    rejected = await submit(client, world)
    r = await client.post(f"{API}/changes/{rejected}/reject", json={"reason": "身份证号有误"}, headers=world.h(HR))
    assert r.status_code == 200, r.text
    assert (
        await client.post(f"{API}/changes/{rejected}/reject", json={"reason": "x"}, headers=world.h(HR))
    ).status_code == 409
    [notice] = await change_notices(rejected)
    assert notice["occasion"] == f"change:{rejected}:rejected" and "身份证号有误" in notice["params"]
    withdrawn = await submit(client, world)
    r = await client.post(f"{API}/changes/{withdrawn}/withdraw", headers=world.h(ADMIN))
    assert r.status_code == 200, r.text
    assert await change_notices(withdrawn) == []


async def test_a_placement_is_told_to_the_kindergartens_admins(client: Any, world: World) -> None:
    kg = await make_kindergarten(client, world, street=street(), classes={"small": 2}, children=50, places=60)
    admin = new_username("kgadmin")
    await make_account("kindergarten_admin", admin, kindergarten_code=kg["code"])
    c = await make_candidate(client, world, name="钱多多", certificates=teacher_certificates())
    r = await client.post(
        f"{API}/pool/candidates/{c['id']}/placement",
        json={"kindergarten_id": kg["id"], "post": "teacher"},
        headers=world.h(HR),
    )
    assert r.status_code == 201, r.text
    [notice] = await notifications_of(admin, "placement")
    assert notice["occasion"] == f"placement:{r.json()['id']}" and notice["link"] == f"/staff/{r.json()['staff_id']}"
    assert "钱多多" in notice["params"]
    assert [n for n in await notifications_of("w_admin", "placement") if n["occasion"] == notice["occasion"]] == []


async def test_an_unqualified_evaluation_is_a_veto_told_to_the_person(client: Any, world: World) -> None:
    staff_id, person = await person_with_account(world.kg_a["id"])
    url = f"{API}/staff/{staff_id}/ethics/evaluations"
    body = {"school_year": "2025-2026", "grade": "qualified", "evaluated_on": "2026-07-01"}
    assert (await client.post(url, json=body, headers=world.h(HR))).status_code == 201
    assert await notifications_of(person, "veto") == []  # qualified: nothing to tell
    body = {"school_year": "2024-2025", "grade": "unqualified", "evaluated_on": "2025-07-01"}
    r = await client.post(url, json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    [notice] = await notifications_of(person, "veto")
    assert notice["occasion"] == f"veto:evaluation:{r.json()['id']}" and notice["link"] == "/me"


async def test_a_sanction_in_force_is_a_veto_told_to_the_person_and_an_old_one_not(client: Any, world: World) -> None:
    staff_id, person = await person_with_account(world.kg_a["id"])
    url = f"{API}/staff/{staff_id}/ethics/sanctions"
    body = {"violation": 6, "facts": "体罚幼儿", "sanction": "warning", "revoke_qualification": False}
    old = await client.post(url, json={**body, "decided_on": "2020-01-10"}, headers=world.h(HR))
    assert old.status_code == 201, old.text
    assert await notifications_of(person, "veto") == []  # its bar ended long ago
    r = await client.post(url, json={**body, "sanction": "demerit", "decided_on": "2026-11-20"}, headers=world.h(HR))
    assert r.status_code == 201, r.text
    [notice] = await notifications_of(person, "veto")
    assert notice["occasion"] == f"veto:sanction:{r.json()['id']}"
    inbox = (await client.get(f"{API}/me/notifications", headers=await _headers(client, person))).json()
    assert "记过" in inbox["items"][0]["message"] and "2026-11-20" in inbox["items"][0]["message"]


async def _headers(client: Any, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await login(client, username)}"}
