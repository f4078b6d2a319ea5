"""The bulk path and the API agree: the same bad input is refused by both, naming the same field with
the same message (the import validates with the API's schemas and the services' rule functions)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.bulk.helpers import API, upload, xlsx
from tests.support import World, new_code, new_id_number, staff_body, teacher_qualification_number
from tests.training.helpers import HR, new_staff

ADMIN = "kindergarten_admin"
FUTURE = (date.today() + timedelta(days=30)).isoformat()


def api_errors(response: Any) -> set[tuple[str, str]]:
    body = response.json()
    if body.get("errors"):
        return {(e["field"], e["message"]) for e in body["errors"]}
    return {("", body["detail"])}


def import_errors(response: Any) -> set[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return {(e["field"], e["message"]) for e in response.json()["errors"]}


def assert_agree(imported: set[tuple[str, str]], api: set[tuple[str, str]]) -> None:
    """Same fields, same messages; except an unknown code, which a file may give as a Chinese label:
    the import's message then lists the labels where the API's lists the codes (same field)."""
    unknown = {(f, m) for f, m in imported if m.startswith("未知的取值")}
    assert {f for f, _ in unknown} == {f for f, m in api if m.startswith("应为以下之一")}
    assert imported - unknown == {(f, m) for f, m in api if not m.startswith("应为以下之一")}


STAFF_FIELDS = {
    "id_number": "身份证号",
    "name": "姓名",
    "post": "岗位",
    "employment": "用工形式",
    "title": "职称",
    "hired_on": "入职日期",
    "status": "在岗状态",
    "left_on": "离职日期",
}


def wrong_check(id_number: str) -> str:
    return id_number[:-1] + ("0" if id_number[-1] != "0" else "1")


STAFF_CASES = {
    "wrong check character": {"id_number": wrong_check(new_id_number())},
    "bad birth date": {"id_number": "110105199002301234"},
    "too short": {"id_number": "11010519900101"},
    "name too long": {"name": "王" * 65},
    "unknown post code": {"post": "janitor"},
    "unknown title code": {"title": "master"},
    "hired before the working age": {"id_number": new_id_number(born=date(2000, 5, 1)), "hired_on": "2010-09-01"},
    "hired in the future": {"hired_on": FUTURE},
    "left before hired": {"status": "left", "hired_on": "2016-09-01", "left_on": "2015-01-01"},
    "left in the future": {"status": "left", "left_on": FUTURE},
}


@pytest.mark.parametrize("case", list(STAFF_CASES))
async def test_staff(client: Any, world: World, case: str) -> None:
    body = staff_body(world.kg_a["id"], **{"hired_on": "2020-09-01", **STAFF_CASES[case]})
    api = await client.post(f"{API}/staff", json=body, headers=world.h(HR))
    assert api.status_code == 422, api.text
    headers = ["园所代码", *STAFF_FIELDS.values()]
    row = [world.kg_a["code"], *(body.get(field) for field in STAFF_FIELDS)]
    imported = await upload(client, world.h(HR), "staff", xlsx(headers, [row], text_columns=[1]))
    assert_agree(import_errors(imported), api_errors(api))


async def test_staff_at_another_kindergarten_for_an_admin(client: Any, world: World) -> None:
    body = staff_body(world.kg_b["id"], hired_on="2020-09-01")
    api = await client.post(f"{API}/staff", json=body, headers=world.h(ADMIN))
    assert api.status_code == 403
    row = [world.kg_b["code"], *(body.get(field) for field in STAFF_FIELDS)]
    imported = await upload(client, world.h(ADMIN), "staff", xlsx(["园所代码", *STAFF_FIELDS.values()], [row]))
    assert {m for _, m in import_errors(imported)} == {api.json()["detail"]}


async def test_staff_duplicate(client: Any, world: World) -> None:
    """The API refuses a second record for a person; an import skips an identical one, and refuses
    one that differs (it never changes a record)."""
    body = staff_body(world.kg_a["id"], hired_on="2020-09-01")
    assert (await client.post(f"{API}/staff", json=body, headers=world.h(HR))).status_code == 201
    assert (await client.post(f"{API}/staff", json=body, headers=world.h(HR))).status_code == 409
    row = [world.kg_a["code"], *(body.get(field) for field in STAFF_FIELDS)]
    headers = ["园所代码", *STAFF_FIELDS.values()]
    same = await upload(client, world.h(HR), "staff", xlsx(headers, [row]))
    assert same.json()["skipped"] == 1
    row[2] = "李雷"
    assert import_errors(await upload(client, world.h(HR), "staff", xlsx(headers, [row])))


async def test_staff_on_post_without_certificates(client: Any, world: World) -> None:
    """The dual-certificate check (双证上岗) refuses the same person on post through both: the import's
    row error is the API's 409, its message on the field the API names."""
    body = staff_body(world.kg_a["id"], hired_on="2020-09-01", status="on_post")
    api = await client.post(f"{API}/staff", json=body, headers=world.h(HR))
    assert api.status_code == 409, api.text
    row = [world.kg_a["code"], *(body.get(field) for field in STAFF_FIELDS)]
    imported = await upload(client, world.h(HR), "staff", xlsx(["园所代码", *STAFF_FIELDS.values()], [row]))
    assert import_errors(imported) == {(f, api.json()["detail"]) for f, _ in api_errors(api)}


CERT_FIELDS = {
    "type": "证书类型",
    "number": "证书编号",
    "issuer": "发证机构",
    "issued_on": "发证日期",
    "expires_on": "有效期至",
}
CERT_CASES = {
    "teacher qualification number not 17 digits": {"type": "teacher_qualification", "number": "12345"},
    "teacher qualification type digit": {"type": "teacher_qualification", "number": "20121100192000001"},
    "expires before issued": {"expires_on": "2019-01-01"},
    "issued in the future": {"issued_on": FUTURE},
    "unknown type": {"type": "driving_licence"},
    "post certificate without training": {"type": "post_certificate"},
}


@pytest.mark.parametrize("case", list(CERT_CASES))
async def test_certificates(client: Any, world: World, case: str) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    body = {
        "type": "childcare_certificate",
        "number": new_code("C"),
        "issuer": "朝阳区",
        "issued_on": "2020-01-01",
        **CERT_CASES[case],
    }
    api = await client.post(f"{API}/staff/{person['id']}/certificates", json=body, headers=world.h(HR))
    assert api.status_code in (409, 422), api.text
    row = [person["id_number"], *(body.get(f) for f in CERT_FIELDS)]
    imported = await upload(client, world.h(HR), "certificates", xlsx(["身份证号", *CERT_FIELDS.values()], [row]))
    got = import_errors(imported)
    if api.status_code == 409 and case.startswith("post"):
        # the rule's own message, on the field the API names
        assert got == {(f, api.json()["detail"]) for f, _ in api_errors(api)}
    else:
        assert_agree(got, api_errors(api))


async def test_certificate_duplicate_number(client: Any, world: World) -> None:
    a = await new_staff(client, world, world.kg_a["id"])
    b = await new_staff(client, world, world.kg_a["id"])
    body = {"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2012-07-01"}
    assert (await client.post(f"{API}/staff/{a['id']}/certificates", json=body, headers=world.h(HR))).status_code == 201
    api = await client.post(f"{API}/staff/{b['id']}/certificates", json=body, headers=world.h(HR))
    assert api.status_code == 409
    row = [b["id_number"], "教师资格证", body["number"], None, "2012-07-01", None]
    imported = await upload(client, world.h(HR), "certificates", xlsx(["身份证号", *CERT_FIELDS.values()], [row]))
    assert {m for _, m in import_errors(imported)} == {api.json()["detail"]}


CREDIT_FIELDS = {
    "date": "日期",
    "category": "类别",
    "source": "来源",
    "hours": "学时",
    "credits": "学分",
    "reference": "编号",
    "reason": "说明",
}
CREDIT_CASES = {
    "zero hours": ({"hours": 0}, HR),
    "negative hours": ({"hours": -5}, HR),
    "hours with two decimals": ({"hours": "1.25"}, HR),
    "a future date": ({"date": FUTURE}, HR),
    "a reserved reference": ({"reference": "training_result:1"}, HR),
    "unknown source": ({"source": "gossip"}, HR),
    "credits set by an admin": ({"credits": 3}, ADMIN),
    "negative credits": ({"credits": -1}, HR),
}


@pytest.mark.parametrize("case", list(CREDIT_CASES))
async def test_credit_entries(client: Any, world: World, case: str) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    over, who = CREDIT_CASES[case]
    body = {
        "staff_id": person["id"],
        "date": "2024-03-01",
        "category": "general",
        "source": "research",
        "hours": 40,
        "reference": new_code("KT"),
        "reason": "课题",
        **over,
    }
    api = await client.post(f"{API}/credits/entries", json=body, headers=world.h(who))
    assert api.status_code in (403, 422), api.text
    row = [person["id_number"], *(body.get(f) for f in CREDIT_FIELDS)]
    imported = await upload(client, world.h(who), "credits", xlsx(["身份证号", *CREDIT_FIELDS.values()], [row]))
    got = import_errors(imported)
    if api.status_code == 403:
        assert {m for _, m in got} == {api.json()["detail"]}
    else:
        assert_agree(got, api_errors(api))


async def test_credits_after_leaving(client: Any, world: World) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    r = await client.patch(
        f"{API}/staff/{person['id']}", json={"status": "left", "left_on": "2023-06-30"}, headers=world.h(HR)
    )
    assert r.status_code == 200, r.text
    body = {"staff_id": person["id"], "date": "2024-03-01", "category": "general", "source": "research", "hours": 40}
    api = await client.post(f"{API}/credits/entries", json=body, headers=world.h(HR))
    assert api.status_code == 409
    row = [person["id_number"], *(body.get(f) for f in CREDIT_FIELDS)]
    imported = await upload(client, world.h(HR), "credits", xlsx(["身份证号", *CREDIT_FIELDS.values()], [row]))
    assert import_errors(imported) == api_errors(api)


async def test_a_person_outside_the_admins_kindergarten(client: Any, world: World) -> None:
    body = {
        "staff_id": world.staff_b["id"],
        "date": "2024-03-01",
        "category": "general",
        "source": "research",
        "hours": 4,
    }
    api = await client.post(f"{API}/credits/entries", json=body, headers=world.h(ADMIN))
    assert api.status_code == 404
    row = [world.staff_b["id_number"], *(body.get(f) for f in CREDIT_FIELDS)]
    imported = await upload(client, world.h(ADMIN), "credits", xlsx(["身份证号", *CREDIT_FIELDS.values()], [row]))
    [(field, message)] = import_errors(imported)
    assert field == "id_number" and message.startswith("没有身份证号为")
