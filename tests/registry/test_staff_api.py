"""The staff register through the API: validation, duplicates, masking, transfers, one transaction."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kernel.common.privacy import mask_id_number
from registry.staff import writes
from registry.staff.rules import check_character, make_id_number
from registry.staff.tables import Staff, StaffAssignment
from tests.support import World, kindergarten_body, new_id_number, staff_body

API = "/api/v1"


async def test_create_derives_sex_and_birth_date_and_stores_upper_case_x(client, world: World) -> None:
    first17 = "11010519850607123"

    # Find a sequence whose check character is X, to exercise the lower-case x path.
    seq = next(s for s in range(1000) if check_character(f"11010519850607{s:03d}") == "X")
    idn = f"11010519850607{seq:03d}X"
    assert first17  # the area and date part stay as written
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], id_number=idn.lower()), headers=world.h("district_hr")
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id_number"] == idn
    assert body["birth_date"] == "1985-06-07"
    assert body["sex"] == ("male" if seq % 2 else "female")
    assert body["assignments"][0]["kindergarten_id"] == world.kg_a["id"]


@pytest.mark.parametrize(
    ("id_number", "reason"),
    [("1101051985060712", "length"), ("110105198502301230", "date"), ("11010519850607123", "length")],
)
async def test_invalid_id_number_is_422_naming_field_and_reason(
    client, world: World, id_number: str, reason: str
) -> None:
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], id_number=id_number), headers=world.h("district_hr")
    )
    assert r.status_code == 422
    problem = r.json()
    assert problem["errors"][0]["field"] == "id_number"
    assert f"（{ {'length': '位数', 'date': '出生日期'}[reason] }）" in problem["errors"][0]["message"]
    english = await client.post(
        f"{API}/staff",
        json=staff_body(world.kg_a["id"], id_number=id_number),
        headers={**world.h("district_hr"), "Accept-Language": "en"},
    )
    assert english.json()["errors"][0]["message"].startswith("invalid ID number (")


async def test_full_width_id_number_is_422_and_not_a_second_person(client, world: World) -> None:
    """The same person typed with full-width digits is refused (422 naming the characters), so one
    person can't be registered twice under two spellings."""
    good = new_id_number()
    full_width = good.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], id_number=full_width), headers=world.h("district_hr")
    )
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == "id_number" and "（字符）" in error["message"] and "半角" in error["message"]


async def test_wrong_check_character_is_422(client, world: World) -> None:
    good = new_id_number()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], id_number=bad), headers=world.h("district_hr")
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"].startswith("身份证号无效（校验位）：校验位应为")


async def test_duplicate_person_is_409_even_at_another_kindergarten(client, world: World) -> None:
    body = staff_body(world.kg_a["id"])
    first = await client.post(f"{API}/staff", json=body, headers=world.h("district_hr"))
    assert first.status_code == 201
    again = {**body, "kindergarten_id": world.kg_b["id"], "name": "另一个名字"}
    r = await client.post(f"{API}/staff", json=again, headers=world.h("district_hr"))
    assert r.status_code == 409 and r.json()["code"] == "duplicate-id-number"
    # the field's message names the record (tests/registry/test_duplicate_id_number.py: who learns what)
    assert r.json()["errors"] == [{"field": "id_number", "message": f"已登记（教职工记录 {first.json()['id']}）"}]


async def test_unknown_kindergarten_is_422(client, world: World) -> None:
    r = await client.post(f"{API}/staff", json=staff_body(999_999), headers=world.h("district_hr"))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "kindergarten_id"


async def test_bad_codes_and_hire_before_working_age(client, world: World) -> None:
    r = await client.post(
        f"{API}/staff", json=staff_body(world.kg_a["id"], post="cook"), headers=world.h("district_hr")
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "post"
    young = staff_body(world.kg_a["id"], id_number=new_id_number(born=date(2000, 1, 1)), hired_on="2010-09-01")
    r = await client.post(f"{API}/staff", json=young, headers=world.h("district_hr"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "hired_on"


async def test_masking_for_everyone_but_hr_and_the_person(client, world: World) -> None:
    sid, full = world.staff_a["id"], world.staff_a["id_number"]
    masked = mask_id_number(full)
    seen = {}
    for role in ("district_hr", "kindergarten_admin", "inspector", "teacher"):
        seen[role] = (await client.get(f"{API}/staff/{sid}", headers=world.h(role))).json()["id_number"]
    assert seen == {"district_hr": full, "kindergarten_admin": masked, "inspector": masked, "teacher": full}
    listed = (await client.get(f"{API}/staff?search={world.staff_a['name']}", headers=world.h("inspector"))).json()
    assert all("********" in s["id_number"] for s in listed["items"])
    audit = (await client.get(f"{API}/audit?entity=staff&entity_id={sid}", headers=world.h("inspector"))).json()
    assert audit["items"] and all(
        e["after"] is None or e["after"].get("id_number", masked) == masked for e in audit["items"]
    )


async def test_list_filters_and_search(client, world: World) -> None:
    hr = world.h("district_hr")
    kg = (
        await client.post(f"{API}/kindergartens", json=kindergarten_body(street="金盏地区", group=12), headers=hr)
    ).json()
    idn = new_id_number()
    await client.post(
        f"{API}/staff",
        json=staff_body(kg["id"], name="欧阳娜", title="senior", id_number=idn, honours=["district_backbone"]),
        headers=hr,
    )
    await client.post(f"{API}/staff", json=staff_body(kg["id"], name="钱多", post="childcare_worker"), headers=hr)
    by_street = (await client.get(f"{API}/staff?street=金盏地区", headers=hr)).json()
    assert by_street["total"] == 2
    assert (await client.get(f"{API}/staff?group=12&title=senior", headers=hr)).json()["total"] == 1
    assert (await client.get(f"{API}/staff?street=金盏地区&post=childcare_worker", headers=hr)).json()["total"] == 1
    # (other tests create people named 欧阳… too: the shared database is never empty)
    found = (await client.get(f"{API}/staff?search=欧阳&street=金盏地区", headers=hr)).json()
    assert found["total"] == 1 and found["items"][0]["id_number"] == idn
    # a prefix (17 of 18 characters: tests.support.new_id_number repeats shorter prefixes in a long run)
    assert (await client.get(f"{API}/staff?search={idn[:17]}", headers=hr)).json()["total"] == 1
    assert (await client.get(f"{API}/staff?honour=district_backbone&street=金盏地区", headers=hr)).json()["total"] == 1
    page = (await client.get(f"{API}/staff?limit=1&offset=1&street=金盏地区", headers=hr)).json()
    assert (page["limit"], page["offset"], page["total"], len(page["items"])) == (1, 1, 2, 1)


@pytest.mark.parametrize("query", ["streeet=x", "limit=501", "limit=0", "offset=-1", "group=16", "post=cook"])
async def test_bad_query_parameters_are_400(client, world: World, query: str) -> None:
    r = await client.get(f"{API}/staff?{query}", headers=world.h("district_hr"))
    assert r.status_code == 400, r.text
    assert r.json()["errors"][0]["field"] == query.split("=")[0]


async def test_malformed_json_400_and_too_large_413(client, world: World) -> None:
    hr = {**world.h("district_hr"), "content-type": "application/json"}
    assert (await client.post(f"{API}/staff", content=b'{"name": ', headers=hr)).status_code == 400
    big = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    r = await client.post(f"{API}/staff", content=big, headers=hr)
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("application/problem+json")


async def test_kindergarten_id_cannot_be_patched_use_transfer(client, world: World) -> None:
    r = await client.patch(
        f"{API}/staff/{world.staff_a['id']}", json={"kindergarten_id": world.kg_b["id"]}, headers=world.h("district_hr")
    )
    assert r.status_code == 422 and "transfer" in r.json()["detail"]


async def test_only_hr_corrects_an_id_number(client, world: World) -> None:
    created = (
        await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=world.h("district_hr"))
    ).json()
    fixed = make_id_number("110105", date(1991, 3, 4), 13)
    r = await client.patch(
        f"{API}/staff/{created['id']}", json={"id_number": fixed}, headers=world.h("kindergarten_admin")
    )
    assert r.status_code == 403
    r = await client.patch(f"{API}/staff/{created['id']}", json={"id_number": fixed}, headers=world.h("district_hr"))
    assert r.status_code == 200
    assert (r.json()["id_number"], r.json()["birth_date"], r.json()["sex"]) == (fixed, "1991-03-04", "male")


async def test_transfer_keeps_record_and_history(client, world: World) -> None:
    hr = world.h("district_hr")
    person = (
        await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"], hired_on="2016-09-01"), headers=hr)
    ).json()
    on = date.today() - timedelta(days=30)
    r = await client.post(
        f"{API}/staff/{person['id']}/transfer",
        json={"kindergarten_id": world.kg_b["id"], "on": on.isoformat(), "reason": "支援新园"},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    moved = r.json()
    assert moved["id"] == person["id"] and moved["kindergarten_id"] == world.kg_b["id"]
    history = moved["assignments"]
    assert [(a["kindergarten_id"], a["starts_on"], a["ends_on"]) for a in history] == [
        (world.kg_b["id"], on.isoformat(), None),
        (world.kg_a["id"], "2016-09-01", (on - timedelta(days=1)).isoformat()),
    ]
    # The admin of A no longer sees the person; the same kindergarten again is a conflict.
    assert (await client.get(f"{API}/staff/{person['id']}", headers=world.h("kindergarten_admin"))).status_code == 404
    again = await client.post(
        f"{API}/staff/{person['id']}/transfer", json={"kindergarten_id": world.kg_b["id"]}, headers=hr
    )
    assert again.status_code == 409


async def test_leaving_closes_the_assignment_and_rehire_opens_one(client, world: World) -> None:
    hr = world.h("district_hr")
    person = (await client.post(f"{API}/staff", json=staff_body(world.kg_a["id"]), headers=hr)).json()
    left = (
        await client.patch(f"{API}/staff/{person['id']}", json={"status": "left", "left_on": "2026-07-31"}, headers=hr)
    ).json()
    assert left["left_on"] == "2026-07-31" and left["assignments"][0]["ends_on"] == "2026-07-31"
    refused = await client.patch(f"{API}/staff/{person['id']}", json={"status": "on_post"}, headers=hr)
    assert refused.status_code == 409  # no certificates: not on post (the dual-certificate rule)
    back = (await client.patch(f"{API}/staff/{person['id']}", json={"status": "pending_induction"}, headers=hr)).json()
    assert back["left_on"] is None and back["assignments"][0]["ends_on"] is None and len(back["assignments"]) == 2


async def test_a_failure_after_the_first_write_leaves_nothing(client, world: World, monkeypatch) -> None:
    """One request is one transaction: force the audit write (the last step) to fail."""

    async def broken_record(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writes, "record_many", broken_record)
    body = staff_body(world.kg_a["id"])
    r = await client.post(f"{API}/staff", json=body, headers=world.h("district_hr"))
    assert r.status_code == 500
    assert r.json()["detail"] == "发生了意外错误" and r.json()["code"] == "internal"
    assert not await Staff.exists().where(Staff.id_number == body["id_number"])
    assert await StaffAssignment.count().where(StaffAssignment.staff.id_number == body["id_number"]) == 0
    monkeypatch.undo()
    assert (await client.post(f"{API}/staff", json=body, headers=world.h("district_hr"))).status_code == 201


async def test_no_hire_before_the_legal_working_age(client, world: World) -> None:
    """劳动法 第15条 (the policy's employment.min_working_age, 16): a hire the day before the 16th
    birthday is refused naming hired_on; on the birthday it is accepted."""
    born = date(2000, 3, 15)
    early = staff_body(world.kg_a["id"], id_number=new_id_number(born=born), hired_on="2016-03-14")
    r = await client.post("/api/v1/staff", json=early, headers=world.h("district_hr"))
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "hired_on" and "未满 16 周岁" in r.json()["errors"][0]["message"]
    ok = staff_body(world.kg_a["id"], id_number=new_id_number(born=born), hired_on="2016-03-15")
    r = await client.post("/api/v1/staff", json=ok, headers=world.h("district_hr"))
    assert r.status_code == 201, r.text
