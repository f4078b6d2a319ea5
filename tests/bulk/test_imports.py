"""Imports through the API: good files of every kind, CSV in UTF-8 and GBK, identifiers kept as text,
importing twice, all-or-nothing and valid-only, dry runs, the error workbook, the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.bulk.helpers import API, XLSX, counts, csv_file, read_xlsx, upload, xlsx
from tests.support import World, approved, kindergarten_body, new_code, new_id_number, teacher_qualification_number
from tests.training.helpers import HR, enrolled, make_course, make_session, new_staff

STAFF_HEADERS = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "职称", "荣誉称号", "入职日期", "在岗状态"]


def staff_row(world: World, id_number: str | None = None, **over: Any) -> list[Any]:
    row = {
        "身份证号": id_number or new_id_number(),
        "姓名": "王芳",
        "园所代码": world.kg_a["code"],
        "岗位": "专任教师",
        "用工形式": "编外合同",
        "职称": "二级",
        "荣誉称号": "区级骨干教师",
        "入职日期": date(2016, 9, 1),
        "在岗状态": "待岗培训",
    }
    row.update(over)
    return [row[h] for h in STAFF_HEADERS]


def id_ending_in_x() -> str:
    while True:
        candidate = new_id_number()
        if candidate.endswith("X"):
            return candidate


async def staff_by_id_number(client: Any, world: World, id_number: str) -> dict[str, Any]:
    r = await client.get(f"{API}/staff", params={"search": id_number}, headers=world.h(HR))
    items = r.json()["items"]
    assert len(items) == 1, items
    return dict(items[0])


async def test_staff_xlsx_import_creates_people_assignments_and_audit(client: Any, world: World) -> None:
    before = await counts()
    x_id = id_ending_in_x()
    rows = [staff_row(world, x_id), staff_row(world, 姓名="李静", 职称="一级", 荣誉称号=None)]
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, rows, text_columns=[0]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["imported"], body["skipped"], body["errors"], body["outcome"]) == (2, 0, [], "imported")
    after = await counts()
    assert after["staff"] - before["staff"] == 2
    assert after["staff_assignment"] - before["staff_assignment"] == 2
    assert after["audit_event"] - before["audit_event"] == 3  # two creates and the import
    assert after["import_run"] - before["import_run"] == 1
    person = await staff_by_id_number(client, world, x_id)
    assert person["id_number"] == x_id and person["id_number"].endswith("X")
    assert (person["post"], person["title"], person["honours"], person["status"]) == (
        "teacher",
        "level2",
        ["district_backbone"],
        "pending_induction",
    )
    detail = (await client.get(f"{API}/staff/{person['id']}", headers=world.h(HR))).json()
    assert detail["assignments"][0]["starts_on"] == "2016-09-01"
    audit = (
        await client.get(f"{API}/audit", params={"entity": "staff", "entity_id": person["id"]}, headers=world.h(HR))
    ).json()
    assert audit["items"][0]["action"] == "create" and audit["items"][0]["after"]["id_number"] == x_id
    runs = (await client.get(f"{API}/audit", params={"entity": "import_run"}, headers=world.h(HR))).json()
    assert runs["items"][0]["after"]["imported"] >= 2


async def test_a_lower_case_x_is_stored_upper_case(client: Any, world: World) -> None:
    x_id = id_ending_in_x()
    r = await upload(client, world.h(HR), "staff", csv_file(STAFF_HEADERS, [staff_row(world, x_id.lower())]), "s.csv")
    assert r.status_code == 200, r.text
    assert (await staff_by_id_number(client, world, x_id))["id_number"] == x_id


async def test_full_width_and_superscript_digits_are_row_errors(client: Any, world: World) -> None:
    """Full-width digits (a Chinese input method) and a superscript digit: row errors naming the
    reason, nothing written, never a crash."""
    before = await counts()
    good = new_id_number()
    full_width = good.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    superscript = good[:16] + "²" + good[17]
    rows = [staff_row(world, full_width), staff_row(world, superscript)]
    r = await upload(client, world.h(HR), "staff", csv_file(STAFF_HEADERS, rows), "s.csv")
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "身份证号"), (3, "身份证号")]
    assert all("半角" in e["message"] for e in errors)
    assert {k: v for k, v in (await counts()).items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }


async def test_utf8_and_gbk_csv(client: Any, world: World) -> None:
    for encoding, bom in (("utf-8", True), ("utf-8", False), ("gbk", False)):
        id_number = new_id_number()
        rows = [staff_row(world, id_number, 姓名="端木晓燕", 入职日期="2016/9/1")]
        content = csv_file(STAFF_HEADERS, rows, encoding=encoding)
        if bom:
            content = "\ufeff".encode() + content
        r = await upload(client, world.h(HR), "staff", content, f"staff-{encoding}.csv")
        assert r.status_code == 200, (encoding, r.text)
        assert r.json()["imported"] == 1
        person = await staff_by_id_number(client, world, id_number)
        assert person["name"] == "端木晓燕", encoding
        assert person["hired_on"] == "2016-09-01"


async def test_importing_the_same_file_twice_adds_nothing(client: Any, world: World) -> None:
    content = xlsx(STAFF_HEADERS, [staff_row(world) for _ in range(3)])
    first = await upload(client, world.h(HR), "staff", content)
    assert first.json()["imported"] == 3
    before = await counts()
    second = await upload(client, world.h(HR), "staff", content)
    assert second.status_code == 200, second.text
    assert (second.json()["imported"], second.json()["skipped"]) == (0, 3)
    after = await counts()
    assert {k: v for k, v in after.items() if k not in ("audit_event", "import_run")} == {
        k: v for k, v in before.items() if k not in ("audit_event", "import_run")
    }


async def test_a_row_differing_from_the_existing_record_is_an_error(client: Any, world: World) -> None:
    id_number = new_id_number()
    await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, [staff_row(world, id_number)]))
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, [staff_row(world, id_number, 姓名="王芳芳")]))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["row"], error["column"], error["field"]) == (2, "姓名", "name")
    assert "不修改已有记录" in error["message"]


async def test_numbers_in_identifier_columns_are_errors(client: Any, world: World) -> None:
    before = await counts()
    rows = [staff_row(world), staff_row(world, 110105199001011234)]
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, rows))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["imported"] == 0 and body["outcome"] == "rejected"
    [error] = body["errors"]
    assert (error["row"], error["column"]) == (3, "身份证号") and "以数字形式保存" in error["message"]
    assert {k: v for k, v in (await counts()).items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }


async def test_every_bad_row_is_listed_and_nothing_written(client: Any, world: World) -> None:
    before = await counts()
    dup = new_id_number()
    rows = [
        staff_row(world),
        staff_row(world, "110105199001011230"),  # wrong check character
        staff_row(world, 岗位="教师"),  # unknown label
        staff_row(world, dup),
        staff_row(world, dup),  # repeats row 5
        staff_row(world, 园所代码="NOPE"),
        staff_row(world, 入职日期="2099-01-01"),
    ]
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, rows))
    assert r.status_code == 422, r.text
    body = r.json()
    got = {(e["row"], e["column"]) for e in body["errors"]}
    assert got == {(3, "身份证号"), (4, "岗位"), (6, "身份证号"), (7, "园所代码"), (8, "入职日期")}, body["errors"]
    assert "身份证号无效（校验位）" in next(e["message"] for e in body["errors"] if e["row"] == 3)
    assert "与第 5 行的身份证号重复" in next(e["message"] for e in body["errors"] if e["row"] == 6)
    assert body["errors_url"] == f"{API}/imports/runs/{body['id']}/errors.xlsx"
    after = await counts()
    assert after["import_run"] == before["import_run"] + 1  # the rejected run is kept, for its errors
    assert {k: v for k, v in after.items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }

    # the errors as a workbook: the bad rows as given, each with its errors, then the list
    r = await client.get(body["errors_url"], headers=world.h(HR))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(XLSX)
    sheet = read_xlsx(r.content)
    assert sheet[0][0] == "原行号" and sheet[0][-1] == "错误说明" and sheet[0][1:-1] == STAFF_HEADERS
    assert [row[0] for row in sheet[1:]] == [3, 4, 6, 7, 8]
    assert "岗位" in sheet[2][-1] and "教师" in sheet[2][-1]

    # valid-only: the good rows go in, the bad ones are listed
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, rows), valid_only=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["imported"], body["outcome"], body["mode"]) == (2, "partial", "valid_only")
    assert {e["row"] for e in body["errors"]} == {3, 4, 6, 7, 8}
    assert (await counts())["staff"] == before["staff"] + 2


async def test_the_error_workbook_imports_again_once_fixed(client: Any, world: World) -> None:
    rows = [staff_row(world, 岗位="教师")]
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, rows))
    book = read_xlsx((await client.get(r.json()["errors_url"], headers=world.h(HR))).content)
    fixed = [row[1:-1] for row in book[1:]]
    fixed[0][STAFF_HEADERS.index("岗位")] = "专任教师"
    again = await upload(
        client, world.h(HR), "staff", xlsx(["原行号", *book[0][1:-1], "错误说明"], [[0, *f, ""] for f in fixed])
    )
    assert again.status_code == 200, again.text
    assert again.json()["imported"] == 1 and again.json()["ignored_columns"] == ["原行号", "错误说明"]


async def test_a_dry_run_writes_nothing(client: Any, world: World) -> None:
    before = await counts()
    r = await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, [staff_row(world)]), dry_run=True)
    assert r.status_code == 200, r.text
    assert (r.json()["imported"], r.json()["outcome"], r.json()["mode"]) == (1, "checked", "dry_run")
    after = await counts()
    assert after["import_run"] == before["import_run"] + 1
    assert after["staff"] == before["staff"] and after["audit_event"] == before["audit_event"]


async def test_a_kindergarten_admin_imports_their_own_kindergarten_only(client: Any, world: World) -> None:
    before = await counts()
    rows = [staff_row(world), staff_row(world, 园所代码=world.kg_b["code"])]
    r = await upload(client, world.h("kindergarten_admin"), "staff", xlsx(STAFF_HEADERS, rows))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["row"], error["column"]) == (3, "园所代码")
    assert error["message"] == "园所管理员只能为本园添加教职工"
    r = await upload(client, world.h("kindergarten_admin"), "staff", xlsx(STAFF_HEADERS, rows), valid_only=True)
    assert r.status_code == 202 and r.json()["kind"] == "import.staff"  # an admin's import: reviewed (issue 15)
    assert (await counts())["staff"] == before["staff"]
    assert (await approved(client, world, r)).json()["result"]["imported"] == 1
    assert (await counts())["staff"] == before["staff"] + 1
    # someone registered at another kindergarten is not theirs to import
    other = await upload(
        client,
        world.h("kindergarten_admin"),
        "staff",
        xlsx(STAFF_HEADERS, [staff_row(world, world.staff_b["id_number"])]),
    )
    assert other.status_code == 422
    assert "一人一条记录" in other.json()["errors"][0]["message"]
    # and the runs of others are not theirs to read
    hr_run = (await upload(client, world.h(HR), "staff", xlsx(STAFF_HEADERS, [staff_row(world)]))).json()["id"]
    assert (await client.get(f"{API}/imports/runs/{hr_run}", headers=world.h("kindergarten_admin"))).status_code == 404


async def test_kindergartens_import(client: Any, world: World) -> None:
    code = new_code("K")
    headers = [
        "园所代码",
        "园所名称",
        "街乡",
        "协作组",
        "办园性质",
        "级类",
        "小班数",
        "中班数",
        "大班数",
        "在园幼儿数",
        "核定学位数",
        "开办日期",
    ]
    rows = [[code, "新建幼儿园", "望京街道", 5, "普惠性民办", "一级二类", 2, 2, 1, 140, 150, "2019-09-01"]]
    r = await upload(client, world.h(HR), "kindergartens", xlsx(headers, rows))
    assert r.status_code == 200, r.text
    kg = [
        k
        for k in (await client.get(f"{API}/kindergartens", params={"search": code}, headers=world.h(HR))).json()[
            "items"
        ]
    ]
    assert len(kg) == 1
    assert (kg[0]["ownership"], kg[0]["grade"], kg[0]["classes"]["large"], kg[0]["opened_on"]) == (
        "inclusive_private",
        "1-2",
        1,
        "2019-09-01",
    )
    again = await upload(client, world.h(HR), "kindergartens", xlsx(headers, rows))
    assert again.json()["skipped"] == 1
    bad = await upload(
        client,
        world.h(HR),
        "kindergartens",
        xlsx(headers, [[new_code("K"), "x", "y", 16, "公办", None, 1, 1, 1, 1, 1, None]]),
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["column"] == "协作组"
    assert (
        await upload(client, world.h("kindergarten_admin"), "kindergartens", xlsx(headers, rows))
    ).status_code == 403


CERT_HEADERS = ["身份证号", "姓名", "证书类型", "证书编号", "发证机构", "发证日期", "有效期至"]


async def test_certificates_import_keeps_numbers_as_text(client: Any, world: World) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    tq = teacher_qualification_number()
    number = f"00{new_code('')}"  # leading zeros
    rows = [
        [person["id_number"], person["name"], "教师资格证", tq, "北京市朝阳区教育委员会", "2012-07-01", None],
        [
            person["id_number"],
            person["name"],
            "保育员上岗证",
            number,
            "朝阳区人力社保局",
            date(2020, 5, 1),
            date(2030, 4, 30),
        ],
    ]
    r = await upload(client, world.h(HR), "certificates", xlsx(CERT_HEADERS, rows, text_columns=[0, 3]))
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2
    certs = (await client.get(f"{API}/staff/{person['id']}/certificates", headers=world.h(HR))).json()
    assert {c["number"] for c in certs} == {tq, number}
    again = await upload(client, world.h(HR), "certificates", csv_file(CERT_HEADERS, rows), "c.csv")
    assert again.status_code == 200, again.text
    assert again.json()["skipped"] == 2


async def test_a_post_certificate_needs_passed_training(client: Any, world: World) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    rows = [[person["id_number"], person["name"], "上岗证", new_code("SG"), "朝阳区教委", "2021-09-01", None]]
    r = await upload(client, world.h(HR), "certificates", xlsx(CERT_HEADERS, rows))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["column"] == "证书类型" and "不培训不上岗" in error["message"]


CREDIT_HEADERS = ["身份证号", "姓名", "日期", "类别", "来源", "学时", "学分", "编号", "说明"]


async def test_credit_entries_import_and_reimport(client: Any, world: World) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    rows = [
        [
            person["id_number"],
            person["name"],
            "2024-03-01",
            "通识培训",
            "课题研究",
            40,
            None,
            new_code("KT"),
            "区级课题",
        ],
        [person["id_number"], person["name"], "2024-05-01", "家园共育", "名师工作室", 20, None, None, "工作室活动"],
    ]
    submitted = await upload(client, world.h("kindergarten_admin"), "credits", xlsx(CREDIT_HEADERS, rows))
    r = await approved(client, world, submitted)  # an admin's import: reviewed (issue 15)
    assert r.json()["result"]["imported"] == 2
    transcript = (
        await client.get(f"{API}/staff/{person['id']}/credits", params={"cycle": "2021-2025"}, headers=world.h(HR))
    ).json()
    by_ref = {e["reference"]: e for e in transcript["entries"]}
    assert by_ref[rows[0][7]]["credits"] == 2.0  # 40 h / 20 h per credit
    assert any(ref.startswith("import:") for ref in by_ref)
    again = await upload(client, world.h(HR), "credits", xlsx(CREDIT_HEADERS, rows))
    assert (again.json()["imported"], again.json()["skipped"]) == (0, 2)


async def test_only_district_hr_sets_credits_by_hand(client: Any, world: World) -> None:
    person = await new_staff(client, world, world.kg_a["id"])
    rows = [[person["id_number"], person["name"], "2024-03-01", "通识培训", "课题研究", 40, 3, new_code("KT"), ""]]
    r = await upload(client, world.h("kindergarten_admin"), "credits", xlsx(CREDIT_HEADERS, rows))
    assert r.status_code == 422
    assert r.json()["errors"][0]["column"] == "学分"
    assert (await upload(client, world.h(HR), "credits", xlsx(CREDIT_HEADERS, rows))).status_code == 200


RESULT_HEADERS = ["身份证号", "姓名", "课程代码", "开班日期", "学时", "是否合格", "成绩", "完成日期"]


async def test_training_results_go_through_the_training_service(client: Any, world: World) -> None:
    course = await make_course(client, world, category="safety", hours=12)
    session = await make_session(client, world, course["id"], starts_on="2024-03-01", ends_on="2024-03-03")
    a = await new_staff(client, world, world.kg_a["id"])
    b = await new_staff(client, world, world.kg_a["id"])
    c = await new_staff(client, world, world.kg_a["id"])  # not enrolled
    await enrolled(client, world, session["id"], a["id"])
    await enrolled(client, world, session["id"], b["id"])
    rows = [
        [a["id_number"], a["name"], course["code"], "2024-03-01", 12, "是", 92, None],
        [b["id_number"], b["name"], course["code"], "2024-03-01", 6, "否", 40, "2024-03-03"],
    ]
    before = await counts()
    bad = [*rows, [c["id_number"], c["name"], course["code"], "2024-03-01", 12, "是", 90, None]]
    r = await upload(client, world.h(HR), "training-results", xlsx(RESULT_HEADERS, bad))
    assert r.status_code == 422, r.text
    assert [(e["row"], e["field"]) for e in r.json()["errors"]] == [(4, "enrolment_id")]
    assert {k: v for k, v in (await counts()).items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }
    over = [*rows, [c["id_number"], c["name"], course["code"], "2024-03-01", 13, "是", 90, None]]
    await enrolled(client, world, session["id"], c["id"])
    r = await upload(client, world.h(HR), "training-results", xlsx(RESULT_HEADERS, over))
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert (error["row"], error["column"]) == (4, "学时")
    assert error["message"].startswith("超过课程学时（12")  # the training service's own message
    r = await upload(client, world.h(HR), "training-results", xlsx(RESULT_HEADERS, rows))
    assert r.status_code == 200, r.text
    after = await counts()
    assert after["training_result"] == before["training_result"] + 2
    assert after["credit_entry"] == before["credit_entry"] + 1  # the passed one, through the training service
    again = await upload(client, world.h(HR), "training-results", xlsx(RESULT_HEADERS, rows))
    assert (again.json()["imported"], again.json()["skipped"]) == (0, 2)
    assert (
        await upload(client, world.h("kindergarten_admin"), "training-results", xlsx(RESULT_HEADERS, rows))
    ).status_code == 403


async def test_templates_read_back_as_empty_files_of_their_kind(client: Any, world: World) -> None:
    from bulk.columns import importable

    for kind in importable():
        r = await client.get(f"{API}/imports/templates/{kind}.xlsx", headers=world.h(HR))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith(XLSX)
        assert "attachment" in r.headers["content-disposition"]
        back = await upload(client, world.h(HR), kind, r.content, f"{kind}.xlsx")
        assert back.status_code == 422 and "没有数据行" in back.json()["detail"], back.text
    assert (await client.get(f"{API}/imports/templates/staff.csv", headers=world.h(HR))).status_code == 404


async def test_a_filled_template_imports(client: Any, world: World) -> None:
    import io

    from openpyxl import load_workbook

    template = (await client.get(f"{API}/imports/templates/staff.xlsx", headers=world.h(HR))).content
    wb = load_workbook(io.BytesIO(template))
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    values = dict(zip(STAFF_HEADERS, staff_row(world), strict=True))
    for i, h in enumerate(headers, start=1):
        if h in values:
            ws.cell(row=2, column=i, value=values[h])
    buffer = io.BytesIO()
    wb.save(buffer)
    r = await upload(client, world.h(HR), "staff", buffer.getvalue())
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 1


async def test_kindergarten_body_helper_matches_the_import_columns() -> None:
    # the import's column list covers every field of the API's create body
    from registry.kindergartens.files import KINDERGARTENS

    fields = {c.schema_field.split(".")[0] for c in KINDERGARTENS.imported}
    assert set(kindergarten_body()) <= fields


async def test_the_endpoints_are_in_the_openapi_schema(client: Any) -> None:
    paths = (await client.get(f"{API}/schema/openapi.json")).json()["paths"]
    post = paths["/api/v1/imports/{kind}"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"200", "401", "403", "413", "415", "422"} <= set(post["responses"])
    assert "/api/v1/exports/{filename}" in paths
    assert "/api/v1/imports/templates/{filename}" in paths
    assert "/api/v1/imports/runs/{run_id}/errors.xlsx" in paths
