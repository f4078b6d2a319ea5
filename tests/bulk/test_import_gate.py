"""Imports obey the dual-certificate rule (双证上岗) as POST /staff does: a staff row putting someone on
post without the certificates of their post is a row error, unless district HR records the staff as
found (``as_found``: a first load), which is audited and leaves them as dual-certificate violations."""

from __future__ import annotations

from typing import Any

from tests.bulk.helpers import API, counts, upload, xlsx
from tests.support import (
    World,
    approved,
    give_training,
    kindergarten_body,
    new_id_number,
    staff_body,
    teacher_qualification_number,
)

HR, ADMIN = "district_hr", "kindergarten_admin"
HEADERS = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "在岗状态"]
CERT_HEADERS = ["身份证号", "证书类型", "证书编号", "发证日期"]


def teacher_row(kg: dict[str, Any], status: str | None = "在岗", name: str = "王芳") -> list[Any]:
    return [new_id_number(), name, kg["code"], "专任教师", "编外合同", status]


async def staff_of(client: Any, world: World, id_number: str) -> dict[str, Any]:
    r = await client.get(f"{API}/staff", params={"search": id_number}, headers=world.h(HR))
    [person] = r.json()["items"]
    return dict(person)


async def test_an_on_post_row_without_certificates_is_a_row_error(client: Any, world: World) -> None:
    row = teacher_row(world.kg_a)
    before = await counts()
    r = await upload(client, world.h(HR), "staff", xlsx(HEADERS, [row]))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["row"], error["column"], error["field"]) == (2, "在岗状态", "status")
    # the API's own 409 for the same person, word for word (the same check)
    body = staff_body(world.kg_a["id"], id_number=row[0], name=row[1], status="on_post")
    api = await client.post(f"{API}/staff", json=body, headers=world.h(HR))
    assert api.status_code == 409
    assert error["message"] == api.json()["detail"]
    for missing in api.json()["missing"]:  # it names the missing certificates
        assert any(name in error["message"] for name in (missing, *CHINESE[missing]))
    assert "双证" in error["message"]
    assert await counts() == {**before, "import_run": before["import_run"] + 1}  # nothing written but the run


CHINESE = {"teacher_qualification": ("教师资格证",), "post_certificate": ("上岗证",)}


async def test_the_dry_run_and_valid_only_know_the_rule_too(client: Any, world: World) -> None:
    waiting, on_post = teacher_row(world.kg_a, "待岗培训"), teacher_row(world.kg_a)
    content = xlsx(HEADERS, [waiting, on_post])
    checked = await upload(client, world.h(ADMIN), "staff", content, dry_run=True)
    assert checked.status_code == 200 and checked.json()["imported"] == 1
    assert [e["row"] for e in checked.json()["errors"]] == [3]
    submitted = await upload(client, world.h(ADMIN), "staff", content, valid_only=True)
    partial = (await approved(client, world, submitted)).json()["result"]  # an admin's: reviewed (issue 15)
    assert partial["outcome"] == "partial" and [e["row"] for e in partial["errors"]] == [3]
    assert (await staff_of(client, world, waiting[0]))["status"] == "pending_induction"
    listed = await client.get(f"{API}/staff", params={"search": on_post[0]}, headers=world.h(HR))
    assert listed.json()["total"] == 0


async def test_the_normal_flow_staff_then_certificates_then_on_post(client: Any, world: World) -> None:
    """Staff waiting for their certificates, then the certificates, then the status change: after
    that the file's on-post row is the record as it stands (skipped, no error)."""
    hr = world.h(HR)
    on_post = teacher_row(world.kg_a)
    assert (await upload(client, hr, "staff", xlsx(HEADERS, [on_post]))).status_code == 422
    waiting = [*on_post[:5], "待岗培训"]
    assert (await upload(client, hr, "staff", xlsx(HEADERS, [waiting]))).json()["imported"] == 1
    person = await staff_of(client, world, on_post[0])
    await give_training(person["id"], "induction")
    certificates = [
        [on_post[0], "教师资格证", teacher_qualification_number(), "2012-07-01"],
        [on_post[0], "上岗证", f"SG-{person['id']}", "2024-08-01"],
    ]
    r = await upload(client, hr, "certificates", xlsx(CERT_HEADERS, certificates, text_columns=[0, 2]))
    assert r.status_code == 200 and r.json()["imported"] == 2, r.text
    r = await client.patch(f"{API}/staff/{person['id']}", json={"status": "on_post"}, headers=hr)
    assert r.status_code == 200, r.text
    again = await upload(client, hr, "staff", xlsx(HEADERS, [on_post]))
    assert again.status_code == 200, again.text
    assert (again.json()["skipped"], again.json()["errors"]) == (1, [])


async def test_the_templates_default_status_works_for_a_compliant_row(client: Any, world: World) -> None:
    """No 在岗状态 column: on post, the template's default; fine for a post that needs no certificate,
    a row error for a teacher."""
    headers = HEADERS[:5]
    other = [new_id_number(), "刘强", world.kg_a["code"], "其他", "编外合同"]
    r = await upload(client, world.h(HR), "staff", xlsx(headers, [other]))
    assert r.status_code == 200 and r.json()["imported"] == 1, r.text
    assert (await staff_of(client, world, other[0]))["status"] == "on_post"
    teacher = teacher_row(world.kg_a, status=None)[:5]
    r = await upload(client, world.h(HR), "staff", xlsx(headers, [teacher]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


async def test_as_found_by_hr_loads_the_staff_as_they_are(client: Any, world: World) -> None:
    hr = world.h(HR)
    kg = (await client.post(f"{API}/kindergartens", json=kindergarten_body(), headers=hr)).json()
    rows = [teacher_row(kg, name="孙丽"), teacher_row(kg, "待岗培训", name="周敏")]
    r = await upload(client, hr, "staff", xlsx(HEADERS, rows), as_found=True)
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["errors"]) == (2, [])
    found = await staff_of(client, world, rows[0][0])
    assert found["status"] == "on_post"
    compliance = (
        await client.get(f"{API}/compliance/dual-certificate", params={"kindergarten_id": kg["id"]}, headers=hr)
    ).json()
    assert compliance["violations_total"] == 1
    [violation] = compliance["violations"]
    assert (violation["staff_id"], violation["missing"]) == (found["id"], ["teacher_qualification", "post_certificate"])
    # the run's event says the rows were recorded as found; the person's own trail says why
    run = (
        await client.get(f"{API}/audit", params={"entity": "import_run", "entity_id": str(r.json()["id"])}, headers=hr)
    ).json()["items"]
    assert [e["action"] for e in run] == ["import"]
    assert run[0]["after"]["as_found"] is True and run[0]["after"]["recorded_as_found"] == 1
    trail = (
        await client.get(f"{API}/audit", params={"entity": "staff", "entity_id": str(found["id"])}, headers=hr)
    ).json()["items"]
    assert [e["action"] for e in reversed(trail)] == ["create", "import.as_found"]
    assert trail[0]["actor"] == "w_hr"
    assert trail[0]["after"] | {"on": None} == {
        "import_run": r.json()["id"],
        "row": 2,
        "post": "teacher",
        "missing": ["teacher_qualification", "post_certificate"],
        "on": None,
    }
    waiting = await staff_of(client, world, rows[1][0])  # not on post: nothing found about her
    trail = (
        await client.get(f"{API}/audit", params={"entity": "staff", "entity_id": str(waiting["id"])}, headers=hr)
    ).json()["items"]
    assert [e["action"] for e in trail] == ["create"]


async def test_as_found_is_for_district_hr_only(client: Any, world: World) -> None:
    before = await counts()
    r = await upload(client, world.h(ADMIN), "staff", xlsx(HEADERS, [teacher_row(world.kg_a)]), as_found=True)
    assert r.status_code == 403 and r.json()["code"] == "as-found"
    assert r.json()["detail"] == "只有区教委人事可以按现状登记人员（as_found）"
    english = await upload(
        client,
        {**world.h(ADMIN), "Accept-Language": "en"},
        "staff",
        xlsx(HEADERS, [teacher_row(world.kg_a)]),
        as_found=True,
    )
    assert english.json()["detail"] == "only district HR records staff as found (as_found)"
    assert await counts() == before


async def test_as_found_is_for_staff_imports_only(client: Any, world: World) -> None:
    r = await upload(
        client, world.h(HR), "certificates", xlsx(CERT_HEADERS, [["x", "教师资格证", "1", "2020-01-01"]]), as_found=True
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "as_found"


async def test_a_dry_run_as_found_writes_nothing(client: Any, world: World) -> None:
    before = await counts()
    r = await upload(
        client, world.h(HR), "staff", xlsx(HEADERS, [teacher_row(world.kg_a)]), as_found=True, dry_run=True
    )
    assert r.status_code == 200 and r.json()["imported"] == 1 and r.json()["errors"] == []
    assert await counts() == {**before, "import_run": before["import_run"] + 1}
