"""The import page (issue 15) over HTTP: the kinds a role may import and their templates, a file checked
first (a dry run: counts and each bad row with its column's Chinese header, the error workbook), then
imported on the same file kept on the server (only the valid rows, or all), by this session only."""

from __future__ import annotations

import re
from typing import Any

import httpx

from app.changes import app_changes
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.time import today
from kernel.settings import get_settings
from pages.imports import UPLOADS
from registry.changes.codes import ChangeKind, ChangeStatus
from registry.changes.services import list_changes
from tests.pages.entry_world import ADMIN, HR, EntryWorld
from tests.pages.helpers import CSRF_COOKIE, log_in, page_client

HEADER = "身份证号,姓名,日期,类别,来源,学时,说明\n"


def credits_csv(entry: EntryWorld, rows: list[tuple[int, str, str]]) -> bytes:
    day = today().isoformat()
    lines = [f"{entry.id_numbers[s]},{entry.names[s]},{day},通识培训,课题研究,{h},{why}" for s, h, why in rows]
    return (HEADER + "\n".join(lines) + "\n").encode("utf-8-sig")


async def upload(c: httpx.AsyncClient, token: str, kind: str, name: str, content: bytes) -> httpx.Response:
    return await c.post(
        "/imports",
        data={"_csrf_token": token, "kind": kind},
        files={"file": (name, content, "text/csv")},
    )


def count(html: str, key: str) -> int:
    m = re.search(rf'id="count-{key}">(\d+)<', html)
    assert m, key
    return int(m.group(1))


async def reasons(entry: EntryWorld, staff_id: int) -> list[str]:
    body = await entry.get_api(f"/staff/{staff_id}/credits")
    return [e["reason"] for e in body["entries"]]


async def test_the_kinds_and_templates_follow_the_role(entry: EntryWorld) -> None:
    admin = (await entry.clients[ADMIN].get("/imports")).text
    hr = (await entry.clients[HR].get("/imports")).text
    for kind in ("staff", "certificates", "credits"):
        assert f'<option value="{kind}"' in admin and f'href="/imports/templates/{kind}.xlsx"' in admin
    for kind in ("kindergartens", "training-results", "pool-candidates"):
        assert f'<option value="{kind}"' not in admin
        assert f'<option value="{kind}"' in hr
    r = await entry.clients[ADMIN].get("/imports/templates/credits.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert "attachment" in r.headers["content-disposition"]
    assert 'enctype="multipart/form-data"' in admin and '<label for="file">' in admin


async def test_a_form_without_kind_or_file_and_a_file_that_is_no_spreadsheet(entry: EntryWorld) -> None:
    c = entry.clients[ADMIN]
    empty = {"file": ("", b"", "text/csv")}
    r = await c.post("/imports", data={"_csrf_token": entry.token(ADMIN), "kind": ""}, files=empty)
    assert r.status_code == 422, r.text
    assert "导入内容：请选择导入内容" in r.text and "文件：请选择要导入的文件" in r.text
    # a kind the role may not import is not offered, nor taken
    r = await upload(c, entry.token(ADMIN), "kindergartens", "k.csv", b"a,b\n1,2\n")
    assert r.status_code == 422 and "导入内容：请选择导入内容" in r.text
    r = await upload(c, entry.token(ADMIN), "credits", "scan.pdf", b"%PDF-1.4 not a spreadsheet")
    assert 400 <= r.status_code < 500, r.text
    assert 'id="file-error"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="credits" selected' in r.text  # what was chosen is kept


REVIEWER = Principal(account_id=0, username="test-reviewer", role=Role.district_hr)


async def test_check_then_import_the_valid_rows(app: Any, entry: EntryWorld) -> None:
    c = entry.clients[ADMIN]
    staff_id = entry.people[0]
    content = credits_csv(entry, [(staff_id, "5", "导入测试甲"), (staff_id, "abc", "导入测试乙")])
    r = await upload(c, entry.token(ADMIN), "credits", "学分.csv", content)
    assert r.status_code == 303, r.text
    check_url = r.headers["location"]
    assert check_url.startswith("/imports/checks/")
    token = check_url.rsplit("/", 1)[1]
    kept = get_settings().var_dir / UPLOADS
    assert (kept / f"{token}.data").read_bytes() == content
    page = (await c.get(check_url)).text
    assert (count(page, "rows"), count(page, "imported"), count(page, "bad")) == (2, 1, 1)
    assert re.search(r'<li data-row="3"><strong>第 3 行</strong> · 学时：', page), page
    assert "导入测试甲" not in await reasons(entry, staff_id)  # a check writes nothing
    m = re.search(r'id="errors-download" href="([^"]+)"', page)
    assert m
    workbook = await c.get(m.group(1))
    assert workbook.status_code == 200 and workbook.content[:2] == b"PK"
    assert "只导入无误的 1 行" in page

    # the token is this session's: another account, or another login of the same account, cannot use it
    assert (await entry.clients[HR].get(check_url)).status_code == 404
    async with page_client(app) as other:
        assert (await log_in(other, entry.usernames[ADMIN])).status_code == 303
        assert (await other.get(check_url)).status_code == 404
        r = await other.post(check_url, data={"_csrf_token": str(other.cookies[CSRF_COOKIE]), "valid_only": "yes"})
        assert r.status_code == 404

    # an admin's import is kept for district HR's review (issue 15): nothing imported yet
    r = await c.post(check_url, data={"_csrf_token": entry.token(ADMIN), "valid_only": "yes"})
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/my/changes"
    assert "导入测试甲" not in await reasons(entry, staff_id)
    assert not (kept / f"{token}.data").exists()
    assert (await c.get(check_url)).status_code == 404  # handed over: gone
    pending = await list_changes(REVIEWER, status=ChangeStatus.pending, kind=ChangeKind.import_credits)
    [change] = [ch for ch in pending.items if ch.payload["filename"] == "学分.csv"]
    decision = await app_changes().approve(REVIEWER, change.id)
    assert decision.result["imported"] == 1 and decision.result["actor"] == entry.usernames[ADMIN]
    found = await reasons(entry, staff_id)
    assert "导入测试甲" in found and "导入测试乙" not in found


async def test_hr_imports_at_once_from_the_page(app: Any, entry: EntryWorld) -> None:
    c = entry.clients[HR]
    staff_id = entry.people[0]
    r = await upload(c, entry.token(HR), "credits", "学分.csv", credits_csv(entry, [(staff_id, "7", "导入测试丙")]))
    assert r.status_code == 303, r.text
    check_url = r.headers["location"]
    r = await c.post(check_url, data={"_csrf_token": entry.token(HR)})
    assert r.status_code == 303 and r.headers["location"].startswith("/imports/runs/"), (await c.get(check_url)).text
    page = (await c.get(r.headers["location"])).text
    assert "已导入 1 条记录" in page
    assert count(page, "imported") == 1
    assert "导入测试丙" in await reasons(entry, staff_id)


async def test_a_clean_file_imports_whole_and_twice_adds_nothing(entry: EntryWorld) -> None:
    c = entry.clients[HR]
    staff_id = entry.people[1]
    content = credits_csv(entry, [(staff_id, "2", "整份导入")])
    r = await upload(c, entry.token(HR), "credits", "all.csv", content)
    check_url = r.headers["location"]
    page = (await c.get(check_url)).text
    assert (count(page, "imported"), count(page, "bad")) == (1, 0)
    assert "导入 1 条" in page and "valid_only" not in page
    r = await c.post(check_url, data={"_csrf_token": entry.token(HR)})
    assert r.status_code == 303
    assert "整份导入" in await reasons(entry, staff_id)
    # the same file again: its row is in the registry already, nothing to import
    r = await upload(c, entry.token(HR), "credits", "all.csv", content)
    page = (await c.get(r.headers["location"])).text
    assert (count(page, "imported"), count(page, "skipped"), count(page, "bad")) == (0, 1, 0)
    assert "文件中没有需要导入的新记录" in page and "导入 0 条" not in page
