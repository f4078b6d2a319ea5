"""Credit claims and notifications (issue 16) in a real browser: headless Debian Chromium (Playwright)
against a real server on a database of its own, as in test_browser_forms.py. A teacher on a phone
(390×844, touch) reports a course with a photographed certificate (a JPEG through ``set_input_files``)
and finds it in 我的申报; her kindergarten's admin checks it (the image shown), district HR approves it
(and looks at a PDF claim in its frame); the teacher's bell shows the unread count and the inbox the
decision. Every page is checked with axe-core (no serious or critical violation), on the phone nothing
is wider than the screen, no content security policy is broken; screenshots go to REGISTRY_TEST_SHOTS
(default /tmp/claims-shots).
"""

from __future__ import annotations

import io
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image, ImageDraw

from kernel.common.time import today
from pages.devserver import DESKTOP, PHONE, chromium_available, launch_chromium, running_server
from tests.credits.claim_helpers import pdf
from tests.pages.helpers import assert_accessible
from tests.pages.test_browser_forms import PEOPLE, SETUP, _python
from tests.support import new_id_number

pytestmark = pytest.mark.browser

PASSWORD = "claims-test-" + secrets.token_hex(6)
API = "/api/v1"
SHOTS = Path(os.environ.get("REGISTRY_TEST_SHOTS", "/tmp/claims-shots"))
EVIDENCE_LIMIT = 1024 * 1024  # this server's REGISTRY_EVIDENCE_MAX_BYTES ("1 MB": a photo over it is cheap to make)


@dataclass
class Live:
    base: str
    kg: int
    staff_id: int
    teacher: httpx.Client  # the teacher's API client (the PDF claim)
    admin: httpx.Client
    hr: httpx.Client


def certificate_photo() -> bytes:
    """A phone camera's JPEG of a certificate (1200×900)."""
    image = Image.new("RGB", (1200, 900), (250, 246, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 1160, 860), outline=(150, 40, 40), width=12)
    for n, line in enumerate(("CERTIFICATE OF COMPLETION", "Preschool curriculum leadership", "24 hours", "2026")):
        draw.text((120, 200 + 110 * n), line, fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _client(base: str, username: str) -> httpx.Client:
    r = httpx.post(base + API + "/auth/token", json={"username": username, "password": PASSWORD}, timeout=60)
    assert r.status_code == 200, r.text
    return httpx.Client(
        base_url=base + API, headers={"Authorization": f"Bearer {r.json()['access_token']}"}, timeout=60
    )


def _build(base: str, env: dict[str, str]) -> Live:
    hr = _client(base, "hr")
    kg = hr.post(
        "/kindergartens",
        json={
            "code": "CL0001",
            "name": "申报测试幼儿园",
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
    assert kg.status_code == 201, kg.text
    kg_id = kg.json()["id"]
    idn = new_id_number()
    staff_id = json.loads(_python(env, PEOPLE, str(kg_id), json.dumps([["赵敏", idn]])))[idn]
    accounts = (
        {"username": "admin", "password": PASSWORD, "role": "kindergarten_admin", "kindergarten_code": "CL0001"},
        {"username": "zhaomin", "password": PASSWORD, "role": "teacher", "staff_id_number": idn},
        {"username": "inspector", "password": PASSWORD, "role": "inspector"},
    )
    for body in accounts:
        r = hr.post("/accounts", json=body)
        assert r.status_code == 201, r.text
    return Live(base, kg_id, staff_id, _client(base, "zhaomin"), _client(base, "admin"), hr)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    if os.environ.get("REGISTRY_TEST_ENGINE", "sqlite") == "postgres":
        pytest.skip("browser tests check the pages, not the engine: they run in the SQLite pass")
    if not chromium_available():
        if os.environ.get("REGISTRY_TEST_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium not found; REGISTRY_TEST_REQUIRE_BROWSER=1 requires it")
        pytest.skip("Chromium not found")
    tmp: Path = tmp_path_factory.mktemp("claims")
    (tmp / "var").mkdir()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp / 'claims.db'}",
        "REGISTRY_VAR_DIR": str(tmp / "var"),
        "REGISTRY_SECRET_KEY": secrets.token_urlsafe(48),
        "REGISTRY_LOG_LEVEL": "WARNING",
        "REGISTRY_EVIDENCE_MAX_BYTES": str(EVIDENCE_LIMIT),
    }
    _python(env, SETUP, PASSWORD)
    with running_server(env) as base:
        live = _build(base, env)
        yield live
        for c in (live.teacher, live.admin, live.hr):
            c.close()


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


def _phone(browser: Any) -> Any:
    return browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)


def _image_shown(page: Any) -> bool:
    script = "(() => { const i = document.getElementById('evidence-image'); return !!i && i.naturalWidth > 0; })()"
    return bool(page.evaluate(script))


def test_a_teacher_reports_a_course_from_her_phone_and_it_is_approved(live: Live, browser: Any) -> None:
    day = today() - timedelta(days=20)
    title = "北京市学前教育课程领导力研修班"

    # the teacher, on her phone: the form, a mistake, then the photographed certificate
    context = _phone(browser)
    page = context.new_page()
    csp = _csp_errors(page)
    _log_in(page, live.base, "zhaomin")
    page.locator("#claim-links").get_by_role("link", name="报告培训").click()  # from her home page
    page.wait_for_url("**/my/claims/new")
    assert page.locator("#photo").is_visible()  # the camera's own input on a touch screen
    check(page, "claims-01-form-phone")
    # a full-page screenshot drops the touch emulation (the camera input hides): this one is the screen
    page.locator("#photo").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "claims-01b-form-camera-phone.png"))
    page.get_by_label("培训名称").fill(title)
    page.get_by_label("主办单位").fill("北京教育学院")
    page.get_by_label("开始日期").fill((day - timedelta(days=2)).isoformat())
    page.get_by_label("结束日期").fill(day.isoformat())
    page.get_by_label("学时").fill("0")
    page.get_by_label("类别").select_option("general")
    page.get_by_label("学分来源").select_option("training")
    page.locator("#photo").set_input_files(
        files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": certificate_photo()}]
    )
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_load_state("load")
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#hours-error").inner_text().startswith("学时：")
    assert page.evaluate("document.activeElement.id") == "hours"
    assert page.get_by_label("培训名称").input_value() == title  # typed values kept (not the file)
    check(page, "claims-02-form-error-phone")
    page.get_by_label("学时").fill("24")
    page.locator("#photo").set_input_files(
        files=[{"name": "IMG_0412.jpg", "mimeType": "image/jpeg", "buffer": certificate_photo()}]
    )
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_url("**/my/claims/*")
    claim_id = int(page.url.rsplit("/", 1)[1])
    assert "本园审核" in page.locator(".flash[role=status]").inner_text()
    page.wait_for_function("document.getElementById('evidence-image').complete")
    assert _image_shown(page)
    check(page, "claims-03-claim-phone")
    page.get_by_role("link", name="我的申报").click()
    page.wait_for_url("**/my/claims")
    assert "已提交" in page.locator(f"#claim-{claim_id}").inner_text()
    check(page, "claims-04-mine-phone")
    assert csp == []

    # a PDF claim from the API (the teacher's computer), which her admin checks at once
    files = {"file": ("结业证书.pdf", pdf(), "application/pdf")}
    body = {
        "title": "幼儿园安全管理专题培训",
        "provider": "区教师研修中心",
        "date_from": day.isoformat(),
        "date_to": day.isoformat(),
        "hours": "8",
        "category": "safety",
        "source": "training",
    }
    r = live.teacher.post("/me/credit-claims", data=body, files=files)
    assert r.status_code == 201, r.text
    pdf_claim = r.json()["id"]
    assert live.admin.post(f"/credit-claims/{pdf_claim}/review", json={"decision": "approve"}).status_code == 200

    # the admin, on a desktop: the queue counts what waits, the claim shows the photo, checked
    admin = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    admin_csp = _csp_errors(admin)
    _log_in(admin, live.base, "admin")
    admin.get_by_role("link", name="学分申报审核（1）").click()
    admin.wait_for_url("**/claims")
    check(admin, "claims-05-admin-queue", phone=False)
    admin.get_by_role("link", name=title).click()
    admin.wait_for_url(f"**/claims/{claim_id}")
    admin.wait_for_function("document.getElementById('evidence-image').complete")
    assert _image_shown(admin)
    check(admin, "claims-06-admin-claim-image", phone=False)
    admin.get_by_role("button", name="审核通过").click()
    admin.wait_for_url("**/claims")
    assert title in admin.locator(".flash[role=status]").inner_text()
    assert admin_csp == []

    # district HR: the PDF in its frame, then the photo claim approved
    hr = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    hr_csp = _csp_errors(hr)
    _log_in(hr, live.base, "hr")
    hr.get_by_role("link", name="学分申报审核（2）").click()
    hr.wait_for_url("**/claims")
    check(hr, "claims-07-hr-queue", phone=False)
    hr.goto(f"{live.base}/claims/{pdf_claim}")
    frame = hr.locator("#evidence-pdf")
    assert frame.get_attribute("src") == f"/claims/{pdf_claim}/evidence"
    assert hr.locator("#evidence-download").get_attribute("href") == f"/claims/{pdf_claim}/evidence?download=1"
    hr.wait_for_timeout(500)
    check(hr, "claims-08-hr-claim-pdf", phone=False)
    hr.goto(f"{live.base}/claims/{claim_id}")
    hr.wait_for_function("document.getElementById('evidence-image').complete")
    assert _image_shown(hr)
    hr.get_by_role("button", name="认定通过").click()
    hr.wait_for_url("**/claims")
    assert title in hr.locator(".flash[role=status]").inner_text()
    assert hr_csp == [], hr_csp
    claim = live.hr.get(f"/credit-claims/{claim_id}").json()
    assert claim["status"] == "approved" and claim["credits"] == 2.4

    # the teacher again: the bell counts the unread, the inbox shows the decision
    page.goto(f"{live.base}/my/claims")
    bell = page.get_by_role("link", name="通知（3 条未读）")  # checked twice (photo, PDF), approved once
    assert bell.is_visible()
    assert "区级已认定" in page.locator(f"#claim-{claim_id}").inner_text()
    bell.click()
    page.wait_for_url("**/notifications")
    first = page.locator("#notifications > li").first
    assert title in first.inner_text() and "2.4" in first.inner_text()
    check(page, "claims-09-inbox-phone")
    page.get_by_role("button", name="全部标为已读").click()
    page.wait_for_url("**/notifications")
    assert page.get_by_role("link", name="通知", exact=True).is_visible()
    check(page, "claims-10-inbox-read-phone")
    assert csp == []
    context.close()


# every role's pages on a phone: the header compact (the navigation one row that scrolls sideways)
PHONE_PAGES = {
    "zhaomin": ["/", "/my/claims", "/my/claims/new", "/notifications", "/me/account"],
    "admin": ["/", "/claims", "/notifications", "/me/account"],
    "hr": ["/dashboard", "/claims", "/notifications", "/me/account"],
    "inspector": ["/dashboard", "/claims", "/me/account"],
}
HEADER_MAX = 200  # px of the phone's 844 before the content (the admin's was ~260)


def _header(page: Any) -> dict[str, float]:
    return dict(
        page.evaluate(
            """(() => {
              const box = (sel) => {
                const e = document.querySelector(sel);
                return e ? e.getBoundingClientRect() : null;
              };
              const nav = document.querySelector('.site nav ul');
              const items = nav ? [...nav.querySelectorAll('li')].map((li) => li.getBoundingClientRect().top) : [];
              const bell = box('#bell');
              return {
                header: box('header.site').height,
                rows: new Set(items.map(Math.round)).size,
                scrolls: nav ? nav.scrollWidth > nav.clientWidth : false,
                bellRight: bell ? window.innerWidth - bell.right : 99,
                bellHeight: bell ? bell.height : 99,
              };
            })()"""
        )
    )


@pytest.mark.parametrize("username", list(PHONE_PAGES))
def test_every_role_s_pages_on_a_phone_have_a_compact_header(live: Live, browser: Any, username: str) -> None:
    context = _phone(browser)
    page = context.new_page()
    csp = _csp_errors(page)
    _log_in(page, live.base, username)
    for n, path in enumerate(PHONE_PAGES[username]):
        page.goto(live.base + path)
        page.wait_for_load_state("load")
        header = _header(page)
        assert header["header"] <= HEADER_MAX, (path, header)
        assert header["rows"] <= 1, (path, header)  # the navigation is one row
        assert header["bellRight"] >= 12, (path, header)  # not flush against the edge
        current = page.locator('.site nav a[aria-current="page"]')
        if current.count():  # the current page's entry is scrolled into sight (app.js)
            box = current.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (path, box)
        check(page, f"phone-{username}-{n}{path.replace('/', '-').rstrip('-')}")
    page.get_by_role("link", name="我的账号").first.click()
    page.wait_for_url("**/me/account")
    assert csp == []
    context.close()


def test_a_photo_over_the_limit_is_said_before_it_is_sent(live: Live, browser: Any) -> None:
    context = _phone(browser)
    page = context.new_page()
    _log_in(page, live.base, "zhaomin")
    page.goto(live.base + "/my/claims/new")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_label("培训名称").fill("超大照片")
    big = certificate_photo() + b"\0" * EVIDENCE_LIMIT
    page.locator("#photo").set_input_files(files=[{"name": "IMG_9999.jpg", "mimeType": "image/jpeg", "buffer": big}])
    warning = page.locator("#photo-size")
    assert warning.is_visible() and "1 MB" in warning.inner_text()
    assert page.locator("#photo").get_attribute("aria-invalid") == "true"
    page.get_by_role("button", name="提交申报").click()
    page.wait_for_timeout(300)
    assert posts == [] and page.url.endswith("/my/claims/new")  # not sent
    assert page.evaluate("document.activeElement.id") == "photo"
    assert page.get_by_role("button", name="提交申报").is_enabled()  # not left disabled
    page.locator("#photo").scroll_into_view_if_needed()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "claims-11-photo-too-large-phone.png"))
    page.locator("#photo").set_input_files(
        files=[{"name": "IMG_1000.jpg", "mimeType": "image/jpeg", "buffer": certificate_photo()}]
    )
    assert not warning.is_visible() and page.locator("#photo").get_attribute("aria-invalid") is None
    context.close()


def test_the_fixed_pages_on_a_desktop(live: Live, browser: Any) -> None:
    """The queue (category, credits), a decided claim (who did what), the account page, at 1280."""
    for username, paths in (("hr", ["/claims?status=approved", "/me/account"]), ("zhaomin", ["/my/claims"])):
        page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
        _log_in(page, live.base, username)
        for n, path in enumerate(paths):
            page.goto(live.base + path)
            check(page, f"desktop-{username}-{n}", phone=False)
        if username == "zhaomin":
            page.locator("#claims a").first.click()
            page.wait_for_load_state("load")
            check(page, "desktop-zhaomin-claim", phone=False)
        page.context.close()
