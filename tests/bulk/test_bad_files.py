"""Files refused as a whole: a clear 4xx, and nothing written (every table counted before and after)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest

from kernel.settings import get_settings
from tests.bulk.helpers import counts, upload, xlsx
from tests.support import World, new_id_number

HEADERS = ["身份证号", "姓名", "园所代码", "岗位", "用工形式", "在岗状态"]


def good_rows(world: World, n: int = 2) -> list[list[Any]]:
    return [[new_id_number(), "王芳", world.kg_a["code"], "专任教师", "编外合同", "待岗培训"] for _ in range(n)]


def with_formula(world: World) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADERS)
    ws.append([new_id_number(), "王芳", world.kg_a["code"], "专任教师", "编外合同", "待岗培训"])
    ws.append([new_id_number(), '=CONCAT("王","静")', world.kg_a["code"], "专任教师", "编外合同", "待岗培训"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def with_merged(world: World, cells: str, title: bool = False) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append(["2025年教职工名单"])
    ws.append(HEADERS)
    for row in good_rows(world, 3):
        ws.append(row)
    ws.merge_cells(cells)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def a_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("readme.txt", "hello")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n\x00\x00binary"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512


CASES = {
    "png named .xlsx": (lambda w: PNG, "photo.xlsx", 415, "不是电子表格"),
    "pdf named .csv": (lambda w: PDF, "report.csv", 415, "不是电子表格"),
    "zip, not a workbook": (lambda w: a_zip(), "data.xlsx", 415, "是压缩包"),
    "old .xls": (lambda w: XLS, "old.xls", 415, ".xls"),
    "empty file": (lambda w: b"", "empty.csv", 422, "文件为空"),
    "blank workbook": (lambda w: xlsx([], []), "blank.xlsx", 422, "没有任何行"),
    "header only": (lambda w: xlsx(HEADERS, []), "header.xlsx", 422, "没有数据行"),
    "missing required columns": (
        lambda w: xlsx(["身份证号", "姓名", "岗位"], [[new_id_number(), "王芳", "专任教师"]]),
        "missing.xlsx",
        422,
        "缺少必填列：园所代码, 用工形式",
    ),
    "missing columns (csv)": (lambda w: "身份证号,姓名\n1,2\n".encode(), "missing.csv", 422, "园所代码"),
    "a column twice": (
        lambda w: xlsx([*HEADERS, "姓名"], [[*r, "李静"] for r in good_rows(w)]),
        "twice.xlsx",
        422,
        "出现了两次",
    ),
    "formula": (with_formula, "formula.xlsx", 422, "含公式（B3）"),
    "merged header cells": (lambda w: with_merged(w, "A1:B1"), "merged.xlsx", 422, "表头行有合并单元格"),
    "merged data cells": (lambda w: with_merged(w, "C2:C4"), "merged.xlsx", 422, "数据区有合并单元格"),
}


@pytest.mark.parametrize("case", list(CASES))
async def test_bad_files_are_refused_whole(client: Any, world: World, case: str) -> None:
    make, filename, status, text = CASES[case]
    before = await counts()
    r = await upload(client, world.h("district_hr"), "staff", make(world), filename)
    assert r.status_code == status, r.text
    body = r.json()
    assert r.headers["content-type"].startswith("application/problem+json")
    assert text in body["detail"], body["detail"]
    assert body["errors"], body
    assert await counts() == before


async def test_a_merged_title_above_the_header_is_fine(client: Any, world: World) -> None:
    r = await upload(client, world.h("district_hr"), "staff", with_merged(world, "A1:F1", title=True), "title.xlsx")
    assert r.status_code == 200, r.text
    assert r.json()["imported"] == 3


async def test_a_file_over_the_limit_is_413_and_writes_nothing(client: Any, world: World) -> None:
    limit = get_settings().import_max_bytes
    before = await counts()
    # over the route's body limit: refused before the body is read
    r = await upload(client, world.h("district_hr"), "staff", b"a" * (limit + 200_000), "big.csv")
    assert r.status_code == 413, r.text
    # within the body limit (the file plus multipart framing), but the file itself over the limit
    r = await upload(client, world.h("district_hr"), "staff", b"a" * (limit + 10), "big.csv")
    assert r.status_code == 413, r.text
    assert "REGISTRY_IMPORT_MAX_BYTES" in r.json()["detail"]
    assert await counts() == before


async def test_no_file_part_is_a_400(client: Any, world: World) -> None:
    r = await client.post("/api/v1/imports/staff", data={"other": "x"}, headers=world.h("district_hr"))
    assert r.status_code == 400, r.text


async def test_an_unknown_kind_is_404(client: Any, world: World) -> None:
    r = await upload(client, world.h("district_hr"), "payroll", xlsx(HEADERS, good_rows(world)))
    assert r.status_code == 404, r.text


async def test_a_refusal_is_chinese_by_default_and_english_when_asked(client: Any, world: World) -> None:
    content = xlsx(HEADERS, [])
    zh = await upload(client, world.h("district_hr"), "staff", content, "header.xlsx")
    en = await upload(client, {**world.h("district_hr"), "Accept-Language": "en"}, "staff", content, "header.xlsx")
    assert (zh.status_code, zh.json()["code"], en.json()["code"]) == (422, "invalid", "invalid")
    assert zh.json()["detail"] == "文件只有表头行，没有数据行"
    assert en.json()["detail"] == "the file has a header row but no data rows"
    assert en.json()["errors"] == [{"field": "file", "message": "no data rows"}]
