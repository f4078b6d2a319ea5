"""The data-entry forms (issue 15) in a real browser: headless Debian Chromium (Playwright) against a
real server on a database of its own, as in test_browser.py. A kindergarten admin on a phone-sized
screen (375×812) submits the training roster, the ethics roster, a credit entry and an import; district
HR, on a desktop, records a sanction and a roster result at once. Every page and form state visited
(empty, with errors, after success) is checked with axe-core (no serious or critical violation) and
fits the phone without sideways scrolling; screenshots go to REGISTRY_TEST_SHOTS (default
/tmp/forms2-shots).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from kernel.common.time import today
from pages.devserver import DESKTOP, ROOT, chromium_available, launch_chromium, running_server
from tests.pages.helpers import assert_accessible
from tests.support import new_id_number

pytestmark = pytest.mark.browser

PASSWORD = "forms-test-" + secrets.token_hex(6)
API = "/api/v1"
PHONE = {"width": 375, "height": 812}
COURSE_HOURS = 24
SHOTS = Path(os.environ.get("REGISTRY_TEST_SHOTS", "/tmp/forms2-shots"))
REVIEW = "已提交，等待区教委审核"

SETUP = """
import asyncio, sys
from registry.accounts.schemas import AccountCreate
from registry.accounts.services import SYSTEM, create_account
from app.cli import _migrate
from kernel.codes import Role

async def main() -> None:
    await _migrate()
    await create_account(SYSTEM, AccountCreate(username="hr", password=sys.argv[1], role=Role.district_hr))

asyncio.run(main())
"""

# teachers on post written straight to the tables (as an import of existing records does)
PEOPLE = """
import asyncio, json, sys
from datetime import date
from tests.support import insert_staff

async def main() -> None:
    kg = int(sys.argv[1])
    out = {}
    for name, idn in json.loads(sys.argv[2]):
        out[idn] = await insert_staff(kg, name=name, id_number=idn, hired_on=date(2015, 9, 1))
    print(json.dumps(out))

asyncio.run(main())
"""


@dataclass
class Live:
    base: str
    kg: int
    session_id: int
    people: dict[str, int]  # name → staff id
    id_numbers: dict[str, str]  # name → ID number
    hr: httpx.Client
    enrolments: dict[str, int] = field(default_factory=dict)


def _python(env: dict[str, str], script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _build(base: str, env: dict[str, str]) -> Live:
    r = httpx.post(base + API + "/auth/token", json={"username": "hr", "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    hr = httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=60)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = hr.post(path, json=body)
        assert r.status_code == 201, r.text
        return dict(r.json())

    kg = post(
        "/kindergartens",
        {
            "code": "FM0001",
            "name": "表单测试幼儿园",
            "street": "望京街道",
            "group": 3,
            "ownership": "public",
            "grade": "1-1",
            "service_type": "full_day",
            "classes": {"small": 2, "middle": 2, "large": 2},
            "children": 170,
            "places": 180,
        },
    )
    names = ["王芳", "李娜", "刘洋"]
    id_numbers = {name: new_id_number() for name in names}
    made = json.loads(_python(env, PEOPLE, str(kg["id"]), json.dumps([[n, id_numbers[n]] for n in names])))
    people = {name: made[id_numbers[name]] for name in names}
    course = post(
        "/training/courses",
        {
            "code": "FM-GEN",
            "title": "保育教育通识培训",
            "category": "general",
            "level": "district",
            "mode": "in_person",
            "hours": COURSE_HOURS,
        },
    )
    start = today() - timedelta(days=10)
    session = post(
        "/training/sessions",
        {
            "course_id": course["id"],
            "starts_on": start.isoformat(),
            "ends_on": start.isoformat(),
            "place": "区教师研修中心",
        },
    )
    live = Live(base=base, kg=kg["id"], session_id=session["id"], people=people, id_numbers=id_numbers, hr=hr)
    for name, staff_id in people.items():
        live.enrolments[name] = post(f"/training/sessions/{session['id']}/enrolments", {"staff_id": staff_id})["id"]
    post(
        "/accounts",
        {"username": "admin", "password": PASSWORD, "role": "kindergarten_admin", "kindergarten_code": kg["code"]},
    )
    return live


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if os.environ.get("REGISTRY_TEST_ENGINE", "sqlite") == "postgres":
        pytest.skip("browser tests check the pages, not the engine: they run in the SQLite pass")
    if not chromium_available():
        if os.environ.get("REGISTRY_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found; REGISTRY_TEST_REQUIRE_BROWSER=1 requires it")
        pytest.skip("Chromium not found")
    tmp: Path = tmp_path_factory.mktemp("forms")
    (tmp / "var").mkdir()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp / 'forms.db'}",
        "REGISTRY_VAR_DIR": str(tmp / "var"),
        "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    _python(env, SETUP, PASSWORD)
    with running_server(env) as base:
        live = _build(base, env)
        yield live
        live.hr.close()


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        try:
            yield b
        finally:
            b.close()


def _log_in(page: Any, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")


def check(page: Any, shot: str, phone: bool = True) -> None:
    """axe-core on the page as it is; on a phone, nothing wider than the screen; a screenshot."""
    assert_accessible(page)
    if phone:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{page.url} is {width}px wide on a {PHONE['width']}px phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_admin_on_a_phone_submits_the_rosters_a_credit_entry_and_an_import(live: Live, browser: Any) -> None:
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True, is_mobile=True, has_touch=True)
    page = context.new_page()
    csp = _csp_errors(page)
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, live.base, "admin")

    # training results: the sessions, the roster, a bad row, then the roster submitted for review
    page.get_by_role("link", name="培训成绩").click()
    page.wait_for_url("**/training/sessions")
    check(page, "admin-01-sessions")
    page.get_by_role("link", name="录入成绩").first.click()
    page.wait_for_url(f"**/training/sessions/{live.session_id}/results")
    check(page, "admin-02-roster")
    wang, li = live.enrolments["王芳"], live.enrolments["李娜"]
    page.locator(f"#e{wang}-hours").fill("20")
    page.locator(f"#e{wang}-passed").select_option("yes")
    page.locator(f"#e{wang}-score").fill("92")
    page.locator(f"#e{li}-hours").fill(str(COURSE_HOURS + 8))
    page.locator(f"#e{li}-passed").select_option("yes")
    page.get_by_role("button", name="提交成绩").click()
    page.wait_for_load_state("load")
    assert page.locator("#error-summary").is_visible()
    assert page.locator(f"#e{li}-hours-error").inner_text().startswith("学时：")
    assert page.evaluate("document.activeElement.id") == f"e{li}-hours"  # the focus on the first error
    assert page.locator(f"#e{wang}-score").input_value() == "92"  # what was typed is kept
    check(page, "admin-03-roster-error")
    page.locator(f"#e{li}-hours").fill("16")
    page.get_by_role("button", name="提交成绩").click()
    page.wait_for_load_state("load")
    flash = page.locator(".flash[role=status]")
    assert REVIEW in flash.inner_text()
    assert flash.get_by_role("link", name="查看我的提交").get_attribute("href") == "/my/changes"
    check(page, "admin-04-roster-submitted")

    # the ethics roster: a note without a grade, then grades submitted for review
    page.goto(f"{live.base}/kindergartens/{live.kg}/ethics-evaluations")
    check(page, "admin-05-ethics")
    ids = live.people
    page.locator(f"#s{ids['刘洋']}-note").fill("待定")
    page.locator(f"#s{ids['王芳']}-grade").select_option("excellent")
    page.get_by_role("button", name="提交考核结果").click()
    page.wait_for_load_state("load")
    assert page.locator(f"#s{ids['刘洋']}-grade-error").inner_text() == "考核等次：请选择考核等次，或清空备注"
    assert page.locator(f"#s{ids['王芳']}-grade").input_value() == "excellent"
    check(page, "admin-06-ethics-error")
    page.locator(f"#s{ids['刘洋']}-note").fill("")
    page.locator(f"#s{ids['李娜']}-grade").select_option("qualified")
    page.get_by_role("button", name="提交考核结果").click()
    page.wait_for_load_state("load")
    assert f"{REVIEW}（共 2 条）" in page.locator(".flash[role=status]").inner_text()
    check(page, "admin-07-ethics-submitted")

    # a credit entry: a bad number, then submitted for review
    page.goto(f"{live.base}/staff/{ids['王芳']}/credits/new")
    check(page, "admin-08-credit")
    page.get_by_label("类别").select_option("general")
    page.get_by_label("来源").select_option("research")
    page.get_by_label("学时").fill("六")
    page.get_by_label("说明（可不填）").fill("区级课题《幼儿阅读》")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("load")
    assert page.locator("#hours-error").inner_text() == "学时：应为数字"
    assert page.evaluate("document.activeElement.id") == "hours"
    check(page, "admin-09-credit-error")
    page.get_by_label("学时").fill("6")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url(f"**/staff/{ids['王芳']}/credits")
    assert REVIEW in page.locator(".flash[role=status]").inner_text()

    # an import: the template, a file with a bad row, the check, then only the valid rows
    page.get_by_role("link", name="批量导入").click()
    page.wait_for_url("**/imports")
    check(page, "admin-10-imports")
    with page.expect_download() as download:
        page.get_by_role("link", name="继续教育学分导入模板（.xlsx）").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    day = today().isoformat()
    rows = [
        "身份证号,姓名,日期,类别,来源,学时,说明",
        f"{live.id_numbers['刘洋']},刘洋,{day},通识培训,课题研究,4,导入的课题",
        f"{live.id_numbers['李娜']},李娜,{day},通识培训,课题研究,很多,导入的错行",
    ]
    page.get_by_label("导入内容").select_option("credits")
    page.locator("#file").set_input_files(
        files=[{"name": "学分.csv", "mimeType": "text/csv", "buffer": ("\n".join(rows) + "\n").encode("utf-8-sig")}]
    )
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/imports/checks/**")
    assert page.locator("#count-bad").inner_text() == "1"
    assert "第 3 行 · 学时：" in page.locator("#import-errors").inner_text()
    check(page, "admin-11-import-check")
    with page.expect_download() as download:
        page.locator("#errors-download").click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"
    page.get_by_role("button", name="只导入无误的 1 行").click()
    page.wait_for_url("**/imports/runs/**")
    assert "已导入 1 条记录" in page.locator(".flash[role=status]").inner_text()
    check(page, "admin-12-import-done")
    entries = live.hr.get(f"/staff/{ids['刘洋']}/credits").json()["entries"]
    assert [e["reason"] for e in entries] == ["导入的课题"]

    assert csp == []
    context.close()


def test_hr_records_a_sanction_and_a_result_at_once(live: Live, browser: Any) -> None:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    csp = _csp_errors(page)
    page.on("dialog", lambda dialog: dialog.accept())
    _log_in(page, live.base, "hr")
    person = live.people["刘洋"]

    page.goto(f"{live.base}/staff/{person}/sanctions")
    check(page, "hr-01-sanctions", phone=False)
    page.get_by_label("处理方式").select_option("warning")
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state("load")
    assert page.locator("#violation-error").inner_text().startswith("违规行为：")
    assert page.locator("#sanction").input_value() == "warning"
    check(page, "hr-02-sanction-error", phone=False)
    page.get_by_label("违规行为").select_option("4")
    page.get_by_label("违规事实（可不填）").fill("多次未经批准找人替班")
    page.get_by_role("button", name="记录").click()
    page.wait_for_load_state("load")
    assert "已记录师德处理" in page.locator(".flash[role=status]").inner_text()
    check(page, "hr-03-sanction-done", phone=False)
    assert [s["sanction"] for s in live.hr.get(f"/staff/{person}/ethics").json()["sanctions"]] == ["warning"]

    page.goto(f"{live.base}/training/sessions/{live.session_id}/results")
    liu = live.enrolments["刘洋"]
    page.locator(f"#e{liu}-hours").fill(str(COURSE_HOURS))
    page.locator(f"#e{liu}-passed").select_option("yes")
    page.get_by_role("button", name="提交成绩").click()
    page.wait_for_load_state("load")
    assert "已录入 1 条培训成绩" in page.locator(".flash[role=status]").inner_text()
    check(page, "hr-04-roster-done", phone=False)
    assert csp == []
    context.close()
