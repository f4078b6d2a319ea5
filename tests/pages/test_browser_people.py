"""The forms that write and the review, in a real browser (issue 15): headless Debian Chromium through
Playwright against a real server on a database of its own (as test_browser.py). (The data-entry
forms of the same issue are test_browser_forms.py.)

The issue's "done when": a kindergarten admin, on a phone-sized browser, registers a new teacher with
her certificates and induction result; district HR approves it from the review queue; every message
met on the way is Chinese. Then each of the other forms is submitted at least once (the admin's on
the phone), with axe-core run on every page and form state visited (empty, with errors, after
success) and a screenshot of each in /tmp/forms1-shots.
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from pages.devserver import DESKTOP, launch_chromium, running_server
from tests.pages.helpers import assert_accessible
from tests.pages.test_browser import PASSWORD, _prepare_database, _require_browser
from tests.support import new_id_number, teacher_qualification_number

pytestmark = pytest.mark.browser

API = "/api/v1"
PHONE = {"width": 375, "height": 812}
SHOTS = Path(os.environ.get("REGISTRY_SHOTS", "/tmp/forms1-shots"))
SUBMITTED = "已提交，等待区教委审核"
ENGLISH = re.compile(r"[A-Za-z]{4,}")  # an English word in a message (codes like SG-0001 are shorter)


@dataclass
class Live:
    base: str
    kindergarten: dict[str, Any]
    other: dict[str, Any]
    session: dict[str, Any]
    hr: httpx.Client
    messages: list[str] = field(default_factory=list)


def _world(base: str) -> Live:
    r = httpx.post(base + API + "/auth/token", json={"username": "hr", "password": PASSWORD}, timeout=60)
    hr = httpx.Client(base_url=base + API, headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=60)

    def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        answer = hr.post(path, json=body)
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    def kindergarten(code: str, name: str) -> dict[str, Any]:
        body = {
            "code": code,
            "name": name,
            "street": "望京街道",
            "group": 3,
            "ownership": "public",
            "grade": "1-1",
            "service_type": "full_day",
            "classes": {"small": 2, "middle": 2, "large": 2},
            "children": 170,
            "places": 180,
        }
        return post("/kindergartens", body)

    kg = kindergarten("BF0001", "向阳花幼儿园")
    other = kindergarten("BF0002", "朝露幼儿园")
    course = post(
        "/training/courses",
        {
            "code": "BF-IND",
            "title": "新教师岗前培训",
            "category": "induction",
            "level": "district",
            "mode": "in_person",
            "hours": 120,
        },
    )
    dates = {"starts_on": "2026-07-01", "ends_on": "2026-07-20"}
    session = post("/training/sessions", {"course_id": course["id"], **dates})
    post(
        "/accounts",
        {"username": "kgadmin", "password": PASSWORD, "role": "kindergarten_admin", "kindergarten_code": kg["code"]},
    )
    return Live(base=base, kindergarten=kg, other=other, session=session, hr=hr)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    _require_browser()
    tmp: Path = tmp_path_factory.mktemp("browser-forms")
    (tmp / "var").mkdir()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp / 'forms.db'}",
        "REGISTRY_VAR_DIR": str(tmp / "var"),
        "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48),
        "REGISTRY_LOG_LEVEL": "WARNING",
    }
    _prepare_database(env)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with running_server(env) as base:
        world = _world(base)
        yield world
        world.hr.close()


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        try:
            yield b
        finally:
            b.close()


def _open(browser: Any, viewport: dict[str, int], username: str, live: Live) -> Any:
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations (data-confirm)
    page.goto(live.base + "/login")
    page.locator("main").get_by_label("用户名").fill(username)
    page.locator("main").get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    return page


def _seen(page: Any, live: Live, shot: str) -> None:
    """The page as it is now: accessible (axe), no sideways scrolling on a phone, its messages kept
    (every one must be Chinese), a screenshot."""
    assert_accessible(page)
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{shot}: wider than the screen"
    for selector in (".flash", ".field-error", ".error-summary li", "#review-message"):
        live.messages += [t.strip() for t in page.locator(selector).all_inner_texts() if t.strip()]
    page.screenshot(path=str(SHOTS / f"{shot}.png"), full_page=True)


def _all_chinese(live: Live, strict: bool = True) -> None:
    """Every message met is Chinese (``strict``: no English word in it either; otherwise a domain
    rule's own words may still be English where its package's messages are not yet in the catalogue,
    but the page's part of the message is Chinese)."""
    assert live.messages
    for message in live.messages:
        assert re.search(r"[\u4e00-\u9fff]", message), message
        assert not strict or not ENGLISH.search(message), message


def test_an_admin_registers_a_new_teacher_on_a_phone_and_hr_approves_it(live: Live, browser: Any) -> None:
    live.messages.clear()
    page = _open(browser, PHONE, "kgadmin", live)
    assert page.url == f"{live.base}/kindergartens/{live.kindergarten['id']}"
    page.get_by_role("link", name="登记新教职工").click()
    page.wait_for_url("**/staff/new?kindergarten_id=*")
    _seen(page, live, "01-new-person-empty")
    assert page.locator('fieldset[data-row="cert"]').count() == 3
    page.get_by_role("button", name="再添加一份证书").click()  # JavaScript adds a row; left blank
    assert page.locator('fieldset[data-row="cert"]').count() == 4
    assert page.evaluate("document.activeElement.id") == "cert-3-type"

    id_number = new_id_number(born=date(1998, 3, 14))
    page.locator("main").get_by_label("姓名").fill("林小雨")
    page.locator("main").get_by_label("身份证号").fill(id_number)
    page.locator("main").get_by_label("岗位").select_option("teacher")
    page.locator("main").get_by_label("用工形式").select_option("contract")
    page.locator("main").get_by_label("学历").select_option("bachelor")
    page.locator("main").get_by_label("入职日期").fill("2026-09-01")
    page.locator("main").get_by_label("登记后状态").select_option("on_post")
    first = page.locator('fieldset[data-row="cert"]').nth(0)
    first.get_by_label("证书类型").select_option("teacher_qualification")
    first.get_by_label("证书编号").fill(teacher_qualification_number(2025))
    first.get_by_label("发证机关").fill("北京市教育委员会")
    first.get_by_label("发证日期").fill("2025-06-30")
    second = page.locator('fieldset[data-row="cert"]').nth(1)
    second.get_by_label("证书类型").select_option("post_certificate")
    second.get_by_label("证书编号").fill("SG20260901")
    second.get_by_label("发证机关").fill("朝阳区教育委员会")
    second.get_by_label("发证日期").fill("2026-08-01")
    training = page.locator('fieldset[data-row="train"]').nth(0)
    training.get_by_label("培训班次").select_option(str(live.session["id"]))
    training.get_by_label("学时").fill("一百二十")  # a mistake: not a number
    training.get_by_label("成绩").fill("88")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_load_state("load")

    # the form again, as typed, the error next to its field, focused
    _seen(page, live, "02-new-person-error")
    assert page.locator("#train-0-hours-error").text_content() == "错误：学时：应为数字"
    assert page.evaluate("document.activeElement.id") == "train-0-hours"
    assert page.locator("main").get_by_label("姓名").input_value() == "林小雨"
    assert page.locator("#cert-1-number").input_value() == "SG20260901"
    page.locator("#train-0-hours").fill("120")
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_url("**/my/changes")
    _seen(page, live, "03-submitted")
    flash = page.locator(".flash").inner_text()
    assert flash == f"{SUBMITTED} 查看我的提交"
    change = page.locator("li.change").first
    assert "新教师入职（含证书与培训）" in change.inner_text() and "待审核" in change.inner_text()
    assert "林小雨" in change.inner_text()
    page.context.close()

    # district HR: the queue from the navigation, the change's fields, approve
    hr = _open(browser, DESKTOP, "hr", live)
    hr.get_by_role("link", name="审核（1）").click()
    hr.wait_for_url("**/review")
    _seen(hr, live, "04-review-queue")
    card = hr.locator("li.change").first
    text = card.inner_text()
    for expected in ("林小雨", "专任教师", "教师资格证", "SG20260901", "新教师岗前培训", "向阳花幼儿园"):
        assert expected in text, expected
    card.get_by_role("button", name=re.compile("^通过")).click()
    hr.wait_for_load_state("load")
    _seen(hr, live, "05-approved")
    assert hr.locator(".flash").inner_text() == "已通过：新入职 林小雨（专任教师），含 2 个证书、1 项培训成绩"
    assert hr.get_by_role("link", name="审核", exact=True).count() == 1  # nothing waits now
    staff = live.hr.get("/staff", params={"search": "林小雨"}).json()["items"]
    assert [(s["name"], s["status"]) for s in staff] == [("林小雨", "on_post")]
    dual = live.hr.get(f"/staff/{staff[0]['id']}/dual-certificate").json()
    assert dual["compliant"] is True
    hr.context.close()

    # the admin sees it approved
    page = _open(browser, PHONE, "kgadmin", live)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的提交").click()
    page.wait_for_url("**/my/changes")
    assert "已通过" in page.locator("li.change").first.inner_text()
    _seen(page, live, "06-my-changes-approved")
    page.context.close()
    _all_chinese(live)


def _submit(page: Any, name: str) -> None:
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state("load")


def test_the_other_forms(live: Live, browser: Any) -> None:
    """Each other form once: empty, with an error, after success (the admin's on the phone)."""
    live.messages.clear()
    person = live.hr.post(
        "/staff",
        json={
            "id_number": new_id_number(),
            "name": "赵小敏",
            "kindergarten_id": live.kindergarten["id"],
            "post": "teacher",
            "employment": "contract",
            "hired_on": "2020-09-01",
            "status": "pending_induction",
        },
    ).json()
    base = f"{live.base}/staff/{person['id']}"
    page = _open(browser, PHONE, "kgadmin", live)

    # edit: an error, then a change submitted
    page.goto(base)
    page.get_by_role("link", name="修改信息").click()
    _seen(page, live, "10-edit-empty")
    page.locator("main").get_by_label("姓名").fill("")
    _submit(page, "保存或提交审核")
    _seen(page, live, "11-edit-error")
    assert page.locator("#name-error").text_content().startswith("错误：姓名：")
    page.locator("main").get_by_label("姓名").fill("赵小敏")
    page.locator("main").get_by_label("学历").select_option("master")
    _submit(page, "保存或提交审核")
    _seen(page, live, "12-edit-submitted")
    assert page.locator(".flash").inner_text().startswith(SUBMITTED)

    # status: on post without certificates is refused; on leave submitted
    page.get_by_role("link", name="变更在岗状态").click()
    _seen(page, live, "13-status-empty")
    page.locator("main").get_by_label("在岗状态").select_option("on_post")
    _submit(page, "提交审核")
    _seen(page, live, "14-status-error")
    assert page.locator("#status-error").count() == 1
    page.locator("main").get_by_label("在岗状态").select_option("on_leave")
    _submit(page, "提交审核")
    assert page.locator(".flash").inner_text().startswith(SUBMITTED)

    # a certificate: an error, then submitted
    page.get_by_role("link", name="新增证书").click()
    _seen(page, live, "15-certificate-empty")
    page.locator("main").get_by_label("证书类型").select_option("childcare_certificate")
    _submit(page, "提交审核")
    _seen(page, live, "16-certificate-error")
    assert page.locator("#number-error").count() == 1 and page.locator("#issued_on-error").count() == 1
    page.locator("main").get_by_label("证书编号").fill("BY-2020-0001")
    page.locator("main").get_by_label("发证日期").fill("2020-07-01")
    _submit(page, "提交审核")
    assert page.locator(".flash").inner_text().startswith(SUBMITTED)

    # transfer: an unknown code, then submitted
    page.get_by_role("link", name="调动").click()
    _seen(page, live, "17-transfer-empty")
    page.locator("main").get_by_label("调入幼儿园代码").fill("XX9999")
    _submit(page, "提交审核")
    _seen(page, live, "18-transfer-error")
    unknown = page.locator("#kindergarten_code-error").text_content()
    assert unknown == "错误：调入幼儿园代码：没有代码为 XX9999 的幼儿园"
    page.locator("main").get_by_label("调入幼儿园代码").fill(live.other["code"])
    _submit(page, "提交审核")
    assert page.locator(".flash").inner_text().startswith(SUBMITTED)

    # my submissions: withdraw the transfer
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="我的提交").click()
    transfer = page.locator('li.change[data-kind="staff.transfer"]').first
    transfer.get_by_role("button", name=re.compile("^撤回")).click()
    page.wait_for_load_state("load")
    _seen(page, live, "19-withdrawn")
    assert page.locator(".flash").inner_text().startswith("已撤回：")
    page.context.close()

    # district HR: record the teacher qualification, register it, suspend it; reject the admin's edit
    number = teacher_qualification_number(2019)
    recorded = live.hr.post(
        f"/staff/{person['id']}/certificates",
        json={"type": "teacher_qualification", "number": number, "issued_on": "2019-07-01"},
    ).json()
    hr = _open(browser, DESKTOP, "hr", live)
    hr.goto(base)
    _seen(hr, live, "20-person-hr")
    hr.get_by_role("link", name=re.compile(f"^定期注册.*{number}")).click()
    _seen(hr, live, "21-registration-empty")
    hr.locator("main").get_by_label("注册日期").fill("")
    _submit(hr, "登记")
    _seen(hr, live, "22-registration-error")
    hr.locator("main").get_by_label("注册日期").fill("2024-05-01")
    hr.locator("main").get_by_label("本周期培训学时").fill("360")
    _submit(hr, "登记")
    assert hr.locator(".flash").inner_text() == "定期注册已登记"
    hr.get_by_role("link", name=re.compile(f"^暂停、撤销或恢复.*{number}")).click()
    _seen(hr, live, "23-certificate-status-empty")
    hr.locator("main").get_by_label("办理事项").select_option("suspended")
    _submit(hr, "确认办理")
    _seen(hr, live, "24-certificate-status-error")
    hr.locator("main").get_by_label("原因").fill("学历材料待核查")
    _submit(hr, "确认办理")
    assert hr.locator(".flash").inner_text() == "证书状态已变更"
    _seen(hr, live, "25-certificate-suspended")
    certificates = live.hr.get(f"/staff/{person['id']}/certificates").json()
    assert [(c["id"], c["status"]) for c in certificates] == [(recorded["id"], "suspended")]

    # a transfer made today by mistake: undone from the person's page
    moved = live.hr.post(f"/staff/{person['id']}/transfer", json={"kindergarten_id": live.other["id"]})
    assert moved.status_code == 200, moved.text
    hr.goto(base)
    hr.get_by_role("button", name="撤销今日调动").click()
    hr.wait_for_load_state("load")
    _seen(hr, live, "26a-transfer-undone")
    assert hr.locator(".flash").inner_text() == "已撤销赵小敏今天的调动"
    assert live.hr.get(f"/staff/{person['id']}").json()["kindergarten_id"] == live.kindergarten["id"]

    hr.goto(f"{live.base}/review?kind=staff.update")
    edit = hr.locator('li.change[data-kind="staff.update"]').first
    assert "硕士" in edit.locator("tr.changed").inner_text()
    edit.get_by_role("button", name=re.compile("^退回")).click()
    hr.wait_for_load_state("load")
    _seen(hr, live, "26-reject-error")
    hr.locator("li.change textarea").first.fill("学历证书未上传，请补充后重新提交")
    hr.locator('li.change[data-kind="staff.update"]').first.get_by_role("button", name=re.compile("^退回")).click()
    hr.wait_for_load_state("load")
    _seen(hr, live, "27-rejected")
    assert hr.locator(".flash").inner_text().startswith("已退回：")
    hr.context.close()

    page = _open(browser, PHONE, "kgadmin", live)
    page.goto(f"{live.base}/my/changes?status=rejected")
    assert "学历证书未上传，请补充后重新提交" in page.locator("li.change").first.inner_text()
    _seen(page, live, "28-my-changes-rejected")
    page.context.close()
    _all_chinese(live, strict=False)
