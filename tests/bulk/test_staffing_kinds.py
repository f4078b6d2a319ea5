"""Pool candidates in (through the staffing service) and staffing gaps out (the staffing service's figures)."""

from __future__ import annotations

from typing import Any

from staffing.files import GAPS
from tests.bulk.helpers import API, counts, read_csv, read_xlsx, upload, xlsx
from tests.support import World, new_code, new_id_number, teacher_qualification_number

HR, ADMIN = "district_hr", "kindergarten_admin"
POOL_HEADERS = [
    "身份证号",
    "姓名",
    "来源渠道",
    "意向岗位",
    "意向街乡",
    "学历",
    "可到岗日期",
    "备注",
    "证书1类型",
    "证书1编号",
    "证书1发证日期",
    "证书2类型",
    "证书2编号",
    "证书2发证日期",
]


def candidate(**over: Any) -> list[Any]:
    row = {
        "身份证号": new_id_number(),
        "姓名": "赵雪",
        "来源渠道": "高校实习就业",
        "意向岗位": "专任教师、保育员",
        "意向街乡": "望京街道、酒仙桥街道",
        "学历": "本科",
        "可到岗日期": "2026-09-01",
        "备注": "",
        "证书1类型": "教师资格证",
        "证书1编号": teacher_qualification_number(),
        "证书1发证日期": "2024-07-01",
        "证书2类型": "保育员上岗证",
        "证书2编号": new_code("BY"),
        "证书2发证日期": "2024-05-01",
    }
    row.update(over)
    return [row[h] for h in POOL_HEADERS]


async def test_pool_candidates_import_and_reimport(client: Any, world: World) -> None:
    rows = [candidate(), candidate(证书2类型=None, 证书2编号=None, 证书2发证日期=None, 意向街乡=None)]
    r = await upload(client, world.h(HR), "pool-candidates", xlsx(POOL_HEADERS, rows))
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 2
    found = (await client.get(f"{API}/pool/candidates", params={"search": rows[0][0]}, headers=world.h(HR))).json()
    [one] = found["items"]
    assert (one["source"], one["posts"], one["streets"], one["education"]) == (
        "university",
        ["teacher", "childcare_worker"],
        ["望京街道", "酒仙桥街道"],
        "bachelor",
    )
    assert {c["type"] for c in one["certificates"]} == {"teacher_qualification", "childcare_certificate"}
    again = await upload(client, world.h(HR), "pool-candidates", xlsx(POOL_HEADERS, rows))
    assert (again.json()["imported"], again.json()["skipped"]) == (0, 2)
    changed = await upload(
        client, world.h(HR), "pool-candidates", xlsx(POOL_HEADERS, [[*rows[0][:1], "赵雪梅", *rows[0][2:]]])
    )
    assert changed.status_code == 422 and changed.json()["errors"][0]["column"] == "姓名"


async def test_pool_rules_come_from_the_staffing_service(client: Any, world: World) -> None:
    before = await counts()
    rows = [
        candidate(),
        candidate(身份证号=world.staff_a["id_number"]),  # works at a kindergarten already
        candidate(证书2类型="教师资格证", 证书2编号="12345"),  # a bad number in the second group
        candidate(可到岗日期=None),
    ]
    r = await upload(client, world.h(HR), "pool-candidates", xlsx(POOL_HEADERS, rows))
    assert r.status_code == 422, r.text
    errors = {(e["row"], e["column"]): e["message"] for e in r.json()["errors"]}
    assert "换园请办理调动" in errors[(3, "身份证号")]  # the staffing service's own words
    assert errors[(4, "证书2编号")].startswith("教师资格证书编号")
    assert (5, "可到岗日期") in errors
    assert len(errors) == 3
    assert {k: v for k, v in (await counts()).items() if k != "import_run"} == {
        k: v for k, v in before.items() if k != "import_run"
    }
    # the API says the same about the certificate (as certificates[1].number)
    body = {
        "id_number": new_id_number(),
        "name": "赵雪",
        "source": "university",
        "posts": ["teacher"],
        "available_from": "2026-09-01",
        "certificates": [
            {"type": "childcare_certificate", "number": new_code("BY"), "issued_on": "2024-05-01"},
            {"type": "teacher_qualification", "number": "12345", "issued_on": "2024-07-01"},
        ],
    }
    api = await client.post(f"{API}/pool/candidates", json=body, headers=world.h(HR))
    assert api.status_code == 422
    assert {(e["field"], e["message"]) for e in api.json()["errors"]} == {
        ("certificates[1].number", errors[(4, "证书2编号")])
    }
    assert (await upload(client, world.h(ADMIN), "pool-candidates", xlsx(POOL_HEADERS, rows))).status_code == 403


async def test_gaps_export_matches_the_json_figures(client: Any, world: World) -> None:
    r = await client.get(f"{API}/exports/gaps.xlsx", headers=world.h(HR))
    assert r.status_code == 200, r.text
    sheet = read_xlsx(r.content)
    assert sheet[0] == [c.header for c in GAPS.exported]
    assert sheet[-1][1] == "合计"
    figures = (
        await client.get(f"{API}/staffing/gaps", params={"by": "kindergarten", "limit": 500}, headers=world.h(HR))
    ).json()
    by_key = {row[0]: row for row in sheet[1:-1]}
    assert len(by_key) == figures["rows_total"]
    mine = next(row for row in figures["rows"] if row["key"] == world.kg_a["code"])
    line = by_key[world.kg_a["code"]]
    assert line[GAPS.exported.index(GAPS.column("gap"))] == mine["gap"]
    teacher = next(p for p in mine["posts"] if p["post"] == "teacher")
    assert line[GAPS.exported.index(GAPS.column("teacher_required"))] == teacher["required"]
    assert sheet[-1][GAPS.exported.index(GAPS.column("gap"))] == figures["total"]["gap"]


async def test_gaps_export_scope_and_grouping(client: Any, world: World) -> None:
    own = read_xlsx((await client.get(f"{API}/exports/gaps.xlsx", headers=world.h(ADMIN))).content)
    assert [row[0] for row in own[1:]] == [world.kg_a["code"], "total"]
    streets = read_csv(
        (await client.get(f"{API}/exports/gaps.csv", params={"by": "street"}, headers=world.h(HR))).content
    )
    assert world.kg_b["street"] in {row[0] for row in streets[1:]}
    assert (
        await client.get(f"{API}/exports/gaps.xlsx", params={"by": "planet"}, headers=world.h(HR))
    ).status_code == 400
    assert (
        await client.get(f"{API}/exports/staff.xlsx", params={"by": "street"}, headers=world.h(HR))
    ).status_code == 400
    assert (await client.get(f"{API}/exports/gaps.xlsx", headers=world.h("teacher"))).status_code == 403
    other = await client.get(
        f"{API}/exports/gaps.xlsx", params={"kindergarten_id": world.kg_b["id"]}, headers=world.h(ADMIN)
    )
    assert other.status_code == 404
