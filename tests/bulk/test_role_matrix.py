"""Every role (and no token) against every import and export endpoint: the rows past the guard
(tests/guards.py; the guard's own answers are tests/test_role_matrix.py's)."""

from __future__ import annotations

from typing import Any

import pytest

from bulk.columns import KINDS as COLUMNS
from tests.bulk.helpers import API, upload, xlsx
from tests.guards import roles_past_the_guard
from tests.support import World, new_id_number

HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"
ROLES = (HR, ADMIN, TEACHER, INSPECTOR, ANON)
KINDS = ("kindergartens", "staff", "certificates", "training-results", "credits", "pool-candidates")
ADMIN_IMPORTS = {"staff", "certificates", "credits"}


def expect(hr: int, admin: int, teacher: int, inspector: int, anon: int = 401) -> dict[str, int]:
    return dict(zip(ROLES, (hr, admin, teacher, inspector, anon), strict=True))


def header_only(kind: str) -> bytes:

    return xlsx([c.header for c in COLUMNS[kind].required], [])


@pytest.mark.parametrize("role", roles_past_the_guard("POST", "/imports/staff", ROLES, expect(422, 422, 403, 403)))
@pytest.mark.parametrize("kind", KINDS)
async def test_post_import(client: Any, world: World, kind: str, role: str) -> None:
    """The role check comes first; allowed roles then get the file's own answer (no data rows: 422)."""
    allowed = 422 if kind in ADMIN_IMPORTS else 403
    wanted = expect(422, allowed, 403, 403)[role]
    r = await upload(client, world.h(role), kind, header_only(kind))
    assert r.status_code == wanted, r.text


@pytest.mark.parametrize("role", roles_past_the_guard("POST", "/imports/staff", ROLES, expect(200, 200, 403, 403)))
async def test_post_import_dry_run_of_a_good_file(client: Any, world: World, role: str) -> None:
    headers = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "在岗状态"]
    content = xlsx(headers, [[new_id_number(), "王芳", world.kg_a["code"], "专任教师", "编外合同", "待岗培训"]])
    r = await upload(client, world.h(role), "staff", content, dry_run=True)
    assert r.status_code == expect(200, 200, 403, 403)[role], r.text


@pytest.mark.parametrize(
    "role", roles_past_the_guard("GET", "/imports/templates/staff.xlsx", ROLES, expect(200, 200, 403, 403))
)
@pytest.mark.parametrize("kind", KINDS)
async def test_templates(client: Any, world: World, kind: str, role: str) -> None:
    admin = 200 if kind in ADMIN_IMPORTS else 403
    r = await client.get(f"{API}/imports/templates/{kind}.xlsx", headers=world.h(role))
    assert r.status_code == expect(200, admin, 403, 403)[role], r.text


@pytest.fixture(scope="module")
async def runs(client: Any, world: World) -> dict[str, int]:
    """A rejected run by district HR (it has errors) and a dry run by the kindergarten admin."""
    headers = ["身份证号", "姓名", "园所代码", "岗位", "用工形式"]
    bad = await upload(client, world.h(HR), "staff", xlsx(headers, [["x", "王芳", world.kg_a["code"], "教师", "在编"]]))
    assert bad.status_code == 422
    # waiting for her certificates: on post (the template's default) a teacher needs them (双证上岗)
    good = xlsx([*headers, "在岗状态"], [[new_id_number(), "王芳", world.kg_a["code"], "专任教师", "在编", "待岗培训"]])
    mine = await upload(client, world.h(ADMIN), "staff", good, dry_run=True)
    assert mine.status_code == 200
    return {"hr": bad.json()["id"], "admin": mine.json()["id"]}


@pytest.mark.parametrize("role", roles_past_the_guard("GET", "/imports/runs", ROLES, expect(200, 200, 403, 403)))
async def test_run_list(client: Any, world: World, runs: dict[str, int], role: str) -> None:
    r = await client.get(f"{API}/imports/runs", headers=world.h(role))
    assert r.status_code == expect(200, 200, 403, 403)[role], r.text
    if role == ADMIN:
        assert {item["actor"] for item in r.json()["items"]} == {"w_admin"}


@pytest.mark.parametrize("role", roles_past_the_guard("GET", "/imports/runs/1", ROLES, expect(200, 200, 403, 403)))
@pytest.mark.parametrize("whose", ["hr", "admin"])
async def test_run_detail(client: Any, world: World, runs: dict[str, int], whose: str, role: str) -> None:
    r = await client.get(f"{API}/imports/runs/{runs[whose]}", headers=world.h(role))
    admin = 200 if whose == "admin" else 404
    assert r.status_code == expect(200, admin, 403, 403)[role], r.text


@pytest.mark.parametrize(
    "role", roles_past_the_guard("GET", "/imports/runs/1/errors.xlsx", ROLES, expect(200, 404, 403, 403))
)
async def test_error_workbook(client: Any, world: World, runs: dict[str, int], role: str) -> None:
    r = await client.get(f"{API}/imports/runs/{runs['hr']}/errors.xlsx", headers=world.h(role))
    assert r.status_code == expect(200, 404, 403, 403)[role], r.text


async def test_error_workbook_of_a_run_without_errors(client: Any, world: World, runs: dict[str, int]) -> None:
    r = await client.get(f"{API}/imports/runs/{runs['admin']}/errors.xlsx", headers=world.h(HR))
    assert r.status_code == 404


@pytest.mark.parametrize("role", roles_past_the_guard("GET", "/exports/staff.csv", ROLES, expect(200, 200, 403, 200)))
@pytest.mark.parametrize(
    "name", ["kindergartens.xlsx", "staff.csv", "certificates.xlsx", "credits.csv", "gaps.xlsx", "gaps.csv"]
)
async def test_exports(client: Any, world: World, name: str, role: str) -> None:
    r = await client.get(f"{API}/exports/{name}", headers=world.h(role))
    assert r.status_code == expect(200, 200, 403, 200)[role], r.text
