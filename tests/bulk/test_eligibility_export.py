"""The eligibility export: HR prepares a title-evaluation (or award) round from a spreadsheet of the
batch answer, every person of the selection with the rules not met in words; scoped and masked like
every export."""

from __future__ import annotations

from typing import Any

import pytest

from eligibility.files import ELIGIBILITY
from kernel.codes import label
from registry.staff.codes import Post, Title
from tests.bulk.helpers import API, read_csv, read_xlsx
from tests.credits.test_eligibility_api import compliant_teacher, twice_the_requirement
from tests.support import World, insert_staff

HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"
COLUMN = {c.key: i for i, c in enumerate(ELIGIBILITY.exported)}
ON = "2024-12-20"


async def export(client: Any, world: World, name: str, who: str = HR, **params: Any) -> Any:
    return await client.get(f"{API}/exports/{name}", params=params, headers=world.h(who))


async def test_the_sheet_is_the_batch_answer(client: Any, world: World) -> None:
    good = await compliant_teacher(client, world)
    await twice_the_requirement(client, world, good)
    bare = await insert_staff(world.kg_a["id"], name="缺证者")
    params = {"purpose": "award", "on": ON, "kindergarten_id": world.kg_a["id"]}
    r = await export(client, world, "eligibility.xlsx", **params)
    assert r.status_code == 200, r.text
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    assert "%E8%AF%84%E5%AE%A1%E8%B5%84%E6%A0%BC" in r.headers["content-disposition"]  # 评审资格
    sheet = read_xlsx(r.content)
    assert sheet[0] == [c.header for c in ELIGIBILITY.exported]
    batch = (await client.get(f"{API}/eligibility", params={**params, "limit": 500}, headers=world.h(HR))).json()
    assert len(sheet) - 1 == batch["total"]
    assert sum(1 for row in sheet[1:] if row[COLUMN["eligible"]] == "是") == batch["eligible"] >= 1
    ids = {x["staff_id"]: x for x in batch["items"]}
    rows_by_name = {row[COLUMN["name"]]: row for row in sheet[1:]}
    bare_row = rows_by_name["缺证者"]
    assert bare_row[COLUMN["eligible"]] == "否"
    assert bare_row[COLUMN["kindergarten_code"]] == world.kg_a["code"]
    assert bare_row[COLUMN["post"]] == label(Post, "teacher") != "teacher"  # the Chinese label, not the code
    assert bare_row[COLUMN["title"]] == label(Title, "level2") != "level2"
    failing = bare_row[COLUMN["failing"]]
    assert (
        failing == "双证上岗：专任教师岗位缺少：教师资格证、上岗证；"
        "年度最低学分：2023 年已认定 0 学分，年度最低 4 学分，还差 4 学分"
    )
    assert [f["rule"] for f in ids[bare]["failing"]] == ["dual_certificate", "credits_yearly_minimum"]
    # HR sees ID numbers in full, as text (an 18-digit ID is never turned into a number)
    assert len(str(bare_row[COLUMN["id_number"]])) == 18 and "*" not in str(bare_row[COLUMN["id_number"]])
    assert good in ids and ids[good]["eligible"] is True


async def test_scope_masking_and_csv(client: Any, world: World) -> None:
    await insert_staff(world.kg_a["id"], name="园内者")
    await insert_staff(world.kg_b["id"], name="别园者")
    own = read_csv((await export(client, world, "eligibility.csv", ADMIN, purpose="title", on=ON)).content)
    assert own[0] == [c.header for c in ELIGIBILITY.exported]
    assert {row[COLUMN["kindergarten_code"]] for row in own[1:]} == {world.kg_a["code"]}
    assert "别园者" not in {row[COLUMN["name"]] for row in own[1:]}
    assert all("*" in row[COLUMN["id_number"]] for row in own[1:])  # masked for everyone but HR
    other = await export(client, world, "eligibility.xlsx", ADMIN, purpose="title", kindergarten_id=world.kg_b["id"])
    assert other.status_code == 404
    district = read_csv((await export(client, world, "eligibility.csv", INSPECTOR, purpose="title")).content)
    assert {world.kg_a["code"], world.kg_b["code"]} <= {row[COLUMN["kindergarten_code"]] for row in district[1:]}


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("eligibility.xlsx", {}, "purpose"),  # the purpose is required
        ("eligibility.xlsx", {"purpose": "lottery"}, "purpose"),
        ("staff.xlsx", {"purpose": "title"}, "purpose"),  # not a parameter of other exports
        ("credits.csv", {"on": ON}, "on"),
        ("eligibility.csv", {"purpose": "title", "on": "2024-13-01"}, "on"),
    ],
)
async def test_bad_parameters_name_the_field(
    client: Any, world: World, name: str, params: dict[str, Any], field: str
) -> None:
    r = await export(client, world, name, **params)
    assert r.status_code == 400, r.text
    body = r.json()
    assert field in r.text and body["status"] == 400


ROLES = (HR, ADMIN, TEACHER, INSPECTOR, ANON)


@pytest.mark.parametrize(("role", "status"), list(zip(ROLES, (200, 200, 403, 200, 401), strict=True)))
@pytest.mark.parametrize("name", ["eligibility.xlsx", "eligibility.csv"])
async def test_role_matrix(client: Any, world: World, name: str, role: str, status: int) -> None:
    r = await export(client, world, name, role, purpose="award", on=ON)
    assert r.status_code == status, r.text
