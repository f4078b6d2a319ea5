"""Exports: headers, scope and ID masking per role, filters, formula safety; export -> import changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest

from bulk.columns import KINDS
from tests.bulk.helpers import API, XLSX, counts, read_csv, read_xlsx, upload
from tests.credits.helpers import add_entry
from tests.support import World, teacher_qualification_number
from tests.training.helpers import HR, new_staff

ADMIN, TEACHER, INSPECTOR = "kindergarten_admin", "teacher", "inspector"


@pytest.fixture(scope="module")
async def filled(client: Any, world: World) -> dict[str, Any]:
    """People in both kindergartens with certificates and credit entries, one with a formula-like name."""
    a = await new_staff(client, world, world.kg_a["id"], name="=1+2")
    b = await new_staff(client, world, world.kg_b["id"], name="孙丽")
    for person in (a, b):
        r = await client.post(
            f"{API}/staff/{person['id']}/certificates",
            json={"type": "teacher_qualification", "number": teacher_qualification_number(), "issued_on": "2012-07-01"},
            headers=world.h(HR),
        )
        assert r.status_code == 201, r.text
        await add_entry(client, world, person["id"], date="2024-03-01")
        await add_entry(client, world, person["id"], date="2023-03-01", reason="")
    return {"a": a, "b": b}


async def export(client: Any, world: World, name: str, who: str = HR, **params: Any) -> Any:
    return await client.get(f"{API}/exports/{name}", params=params, headers=world.h(who))


async def test_staff_export_has_the_import_headers_and_full_ids_for_hr(
    client: Any, world: World, filled: dict[str, Any]
) -> None:
    r = await export(client, world, "staff.xlsx")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(XLSX)
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    rows = read_xlsx(r.content)
    assert rows[0] == [c.header for c in KINDS["staff"].exported]
    ids = {row[0] for row in rows[1:]}
    assert filled["a"]["id_number"] in ids and filled["b"]["id_number"] in ids


@pytest.mark.parametrize("who", [INSPECTOR, ADMIN])
async def test_others_get_masked_ids_and_no_birth_dates(
    client: Any, world: World, filled: dict[str, Any], who: str
) -> None:
    for name in ("staff.xlsx", "certificates.xlsx", "credits.xlsx"):
        r = await export(client, world, name, who)
        assert r.status_code == 200, (name, r.text)
        rows = read_xlsx(r.content)
        header = rows[0]
        ids = [row[0] for row in rows[1:]]
        assert ids and all("********" in i for i in ids), (name, ids[:3])
        if "出生日期" in header:
            assert all(row[header.index("出生日期")] in ("", None) for row in rows[1:])
        codes = {row[header.index("园所代码")] for row in rows[1:]}
        if who == ADMIN:
            assert codes == {world.kg_a["code"]}, name
        else:
            assert {world.kg_a["code"], world.kg_b["code"]} <= codes, name


async def test_teachers_and_strangers_get_no_export(client: Any, world: World) -> None:
    assert (await export(client, world, "staff.xlsx", TEACHER)).status_code == 403
    assert (await client.get(f"{API}/exports/staff.xlsx")).status_code == 401


async def test_csv_export_is_utf8_with_bom_and_formula_safe(client: Any, world: World, filled: dict[str, Any]) -> None:
    r = await export(client, world, "staff.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = read_csv(r.content)
    assert rows[0] == [c.header for c in KINDS["staff"].exported]
    names = {row[1] for row in rows[1:]}
    assert "'=1+2" in names and "=1+2" not in names


async def test_xlsx_export_writes_formula_like_text_as_text(client: Any, world: World, filled: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO((await export(client, world, "staff.xlsx")).content)).worksheets[0]
    cells = [row[1] for row in ws.iter_rows(min_row=2) if row[1].value == "=1+2"]
    assert cells and all(c.data_type == "s" for c in cells)


async def test_filters(client: Any, world: World, filled: dict[str, Any]) -> None:
    only_b = read_xlsx((await export(client, world, "staff.xlsx", kindergarten_id=world.kg_b["id"])).content)
    assert {row[2] for row in only_b[1:]} == {world.kg_b["code"]}
    year = read_xlsx((await export(client, world, "credits.xlsx", year=2024)).content)
    header = year[0]
    assert year[1:] and all(str(row[header.index("日期")])[:4] == "2024" for row in year[1:])
    assert (await export(client, world, "staff.xlsx", ADMIN, kindergarten_id=world.kg_b["id"])).status_code == 404
    assert (await export(client, world, "staff.xlsx", year=2024)).status_code == 400
    assert (await export(client, world, "staff.pdf")).status_code == 404
    assert (await export(client, world, "payroll.xlsx")).status_code == 404
    assert (await export(client, world, "staff.xlsx", colour="red")).status_code == 400


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["kindergartens", "staff", "certificates", "credits"])
async def test_export_then_import_changes_nothing(
    client: Any, world: World, filled: dict[str, Any], kind: str, fmt: str
) -> None:
    r = await export(client, world, f"{kind}.{fmt}")
    assert r.status_code == 200, r.text
    before = await counts()
    back = await upload(client, world.h(HR), kind, r.content, f"{kind}.{fmt}")
    assert back.status_code == 200, back.text[:2000]
    body = back.json()
    assert body["errors"] == [] and body["imported"] == 0
    assert body["skipped"] == body["rows"] > 0
    assert body["ignored_columns"] == []
    after = await counts()
    changed = {k for k in after if after[k] != before[k]}
    assert changed <= {"audit_event", "import_run"}  # the import's own record only
    assert after["audit_event"] - before["audit_event"] == 1
