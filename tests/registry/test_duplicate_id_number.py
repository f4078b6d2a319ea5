"""A second record for a registered ID number is a 409 that says where the person is registered: to
district HR (the kindergarten, the record and its status); to a kindergarten admin only that the
number is registered elsewhere in the district (another kindergarten's staff are not theirs to see)."""

from __future__ import annotations

from typing import Any

from tests.bulk.helpers import upload, xlsx
from tests.support import World, staff_body

API = "/api/v1"
HR, ADMIN = "district_hr", "kindergarten_admin"
HEADERS = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "在岗状态"]


async def registered_at(client: Any, world: World, kg: dict[str, Any]) -> dict[str, Any]:
    r = await client.post(f"{API}/staff", json=staff_body(kg["id"]), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_district_hr_learns_where_the_person_is_registered(client, world: World) -> None:
    person = await registered_at(client, world, world.kg_b)
    again = staff_body(world.kg_a["id"], id_number=person["id_number"], name="另一个名字")
    r = await client.post(f"{API}/staff", json=again, headers=world.h(HR))
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "duplicate-id-number"
    assert body["existing"] == {
        "staff_id": person["id"],
        "kindergarten_id": world.kg_b["id"],
        "kindergarten_code": world.kg_b["code"],
        "kindergarten_name": "乙幼儿园",
        "status": "pending_induction",
    }
    assert body["detail"] == (
        f"该身份证号已登记：{world.kg_b['code']} 乙幼儿园 的教职工记录 {person['id']}，状态 待岗培训"
        "（一人一条记录；调往其他园所请办理调动）"
    )
    assert body["errors"] == [{"field": "id_number", "message": f"已登记（教职工记录 {person['id']}）"}]
    english = await client.post(f"{API}/staff", json=again, headers={**world.h(HR), "Accept-Language": "en"})
    assert english.json()["detail"] == (
        f"this ID number is registered already: staff record {person['id']} at {world.kg_b['code']} 乙幼儿园, "
        "status pending_induction (one person, one record; a move is a transfer)"
    )
    assert english.json()["code"] == "duplicate-id-number"


async def test_correcting_an_id_number_to_a_registered_one_names_it_too(client, world: World) -> None:
    person = await registered_at(client, world, world.kg_b)
    other = await registered_at(client, world, world.kg_a)
    r = await client.patch(f"{API}/staff/{other['id']}", json={"id_number": person["id_number"]}, headers=world.h(HR))
    assert r.status_code == 409 and r.json()["existing"]["staff_id"] == person["id"]


async def test_a_kindergarten_admin_learns_only_that_it_is_registered_elsewhere(client, world: World) -> None:
    person = await registered_at(client, world, world.kg_b)
    again = staff_body(world.kg_a["id"], id_number=person["id_number"])
    r = await client.post(f"{API}/staff", json=again, headers=world.h(ADMIN))
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "duplicate-id-number" and "existing" not in body
    assert body["detail"] == "该身份证号已在本区其他园所登记（一人一条记录）：请联系区教委人事核实或办理调动"
    assert world.kg_b["code"] not in r.text and "乙幼儿园" not in r.text and str(person["id"]) not in r.text
    # the import says the same on the row
    row = [person["id_number"], "王芳", world.kg_a["code"], "专任教师", "编外合同", "待岗培训"]
    imported = await upload(client, world.h(ADMIN), "staff", xlsx(HEADERS, [row]))
    assert imported.status_code == 422
    [error] = imported.json()["errors"]
    assert (error["field"], error["message"]) == ("id_number", body["detail"])
    assert world.kg_b["code"] not in imported.text and "乙幼儿园" not in imported.text


async def test_a_kindergarten_admin_is_told_about_their_own_kindergartens_record(client, world: World) -> None:
    person = await registered_at(client, world, world.kg_a)
    again = staff_body(world.kg_a["id"], id_number=person["id_number"])
    r = await client.post(f"{API}/staff", json=again, headers=world.h(ADMIN))
    assert r.status_code == 409 and r.json()["existing"]["staff_id"] == person["id"]
