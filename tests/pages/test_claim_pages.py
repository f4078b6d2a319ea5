"""The credit-claim and notification pages (issue 16) through the app: who gets each page (the role
matrix), the teacher's form (multipart with the CSRF token; each refusal next to its input, the typed
values kept; a file or a photo), 我的申报 and amending a returned claim, the queue and a claim's
decision (a reason needed, a 409 shown with the claim unchanged, HR's credits by hand), the evidence
route's headers (framed by this site only), the navigation's entries and counts, and the bell and inbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from kernel.common.time import today
from pages.notifications import local_path
from tests.credits.claim_helpers import jpeg, pdf, png
from tests.pages.form_helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER, admin_of, flash_of, own_kindergarten
from tests.pages.helpers import CSRF_COOKIE, log_in, page_client
from tests.support import World, insert_staff, login, make_account, new_id_number, new_username

OTHER_TEACHER = "other_teacher"  # the world's teacher, of another kindergarten
OTHER_ADMIN = "other_admin"  # the world's admin, of another kindergarten


@dataclass
class Claims:
    kg: dict[str, Any]
    staff_id: int
    c: dict[str, httpx.AsyncClient]  # page clients by role (the teacher and admin: this kindergarten's)
    api: dict[str, dict[str, str]]  # API headers: the teacher, the admin and HR

    def token(self, role: str) -> str:
        return str(self.c[role].cookies[CSRF_COOKIE])


@pytest.fixture(scope="module")
async def cw(app: Any, client: httpx.AsyncClient, world: World) -> AsyncIterator[Claims]:
    """A kindergarten of its own with a teacher (an account linked to her staff record) and an admin,
    so the claims these tests make are counted by nobody else's test."""
    kg = await own_kindergarten(client, world, "申报测试幼儿园")
    idn = new_id_number()
    staff_id = await insert_staff(kg["id"], name="赵敏", id_number=idn)
    teacher = new_username("cl_teacher")
    await make_account("teacher", teacher, staff_id_number=idn)
    admin = await admin_of(kg, new_username("cl_admin"))
    users = {HR: "w_hr", ADMIN: admin, TEACHER: teacher, INSPECTOR: "w_inspector"}
    users |= {OTHER_TEACHER: "w_teacher", OTHER_ADMIN: "w_admin"}
    async with AsyncExitStack() as stack:
        clients: dict[str, httpx.AsyncClient] = {}
        for role, username in users.items():
            c = await stack.enter_async_context(page_client(app))
            r = await log_in(c, username)
            assert r.status_code == 303, r.text
            clients[role] = c
        anon = await stack.enter_async_context(page_client(app))
        await anon.get("/login")
        clients[ANON] = anon
        api = {
            TEACHER: {"Authorization": f"Bearer {await login(client, teacher)}"},
            ADMIN: {"Authorization": f"Bearer {await login(client, admin)}"},
            HR: world.h(HR),
        }
        yield Claims(kg, staff_id, clients, api)


def fields(**over: Any) -> dict[str, str]:
    day = today() - timedelta(days=30)
    body = {
        "title": "全国学前教育学术年会",
        "provider": "中国学前教育研究会",
        "date_from": (day - timedelta(days=2)).isoformat(),
        "date_to": day.isoformat(),
        "hours": "24",
        "category": "general",
        "source": "training",
        "note": "线下会议，三天",
    }
    body.update({k: str(v) for k, v in over.items()})
    return body


async def post_claim(
    cw: Claims,
    url: str = "/my/claims/new",
    content: bytes | None = None,
    name: str = "证书.jpg",
    media_type: str = "image/jpeg",
    field: str = "file",
    role: str = TEACHER,
    files: dict[str, Any] | None = None,
    **over: Any,
) -> httpx.Response:
    """The form posted as a browser posts it: multipart, with the CSRF token."""
    if files is None:
        files = {field: (name, jpeg() if content is None else content, media_type)}
    data = {**fields(**over), "_csrf_token": cw.token(role)}
    return await cw.c[role].post(url, data=data, files=files)


async def new_claim(cw: Claims, content: bytes | None = None, **over: Any) -> int:
    r = await post_claim(cw, content=content, **over)
    assert r.status_code == 303, r.text[:3000]
    m = re.fullmatch(r"/my/claims/(\d+)", r.headers["location"])
    assert m, r.headers["location"]
    return int(m.group(1))


async def decide(cw: Claims, role: str, claim_id: int, decision: str, **form: str) -> httpx.Response:
    data = {"decision": decision, "_csrf_token": cw.token(role), **form}
    return await cw.c[role].post(f"/claims/{claim_id}/review", data=data)


async def status_of(client: httpx.AsyncClient, cw: Claims, claim_id: int) -> str:
    r = await client.get(f"{API}/credit-claims/{claim_id}", headers=cw.api[HR])
    return str(r.json()["status"])


def error_text(page: str, name: str) -> str:
    """The error shown next to an input (the data-entry forms' ``error-text``)."""
    m = re.search(rf'<p class="error-text" id="{re.escape(name)}-error">(.*?)</p>', page, re.S)
    assert m, f"no error next to {name}"
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def value_of(page: str, name: str) -> str:
    m = re.search(rf'<input [^>]*\bid="{re.escape(name)}"[^>]*>', page)
    assert m, f"no input {name}"
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return v.group(1) if v else ""


# --- who gets the pages ----------------------------------------------------------------------------------

LOGIN = "login"
MATRIX: list[tuple[str, str, dict[str, int | str]]] = [
    ("GET", "/my/claims", {HR: 403, ADMIN: 403, TEACHER: 200, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/my/claims/new", {HR: 403, ADMIN: 403, TEACHER: 200, INSPECTOR: 403, ANON: LOGIN}),
    ("POST", "/my/claims/new", {HR: 403, ADMIN: 403, TEACHER: 422, INSPECTOR: 403, ANON: LOGIN}),
    ("GET", "/my/claims/{id}", {HR: 403, ADMIN: 403, TEACHER: 200, INSPECTOR: 403, OTHER_TEACHER: 404, ANON: LOGIN}),
    ("POST", "/my/claims/{id}/amend", {HR: 403, ADMIN: 403, INSPECTOR: 403, OTHER_TEACHER: 404, ANON: LOGIN}),
    ("GET", "/claims", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, ANON: LOGIN}),
    ("GET", "/claims/{id}", {HR: 200, ADMIN: 200, TEACHER: 403, INSPECTOR: 200, OTHER_ADMIN: 404, ANON: LOGIN}),
    ("POST", "/claims/{id}/review", {TEACHER: 403, INSPECTOR: 403, OTHER_ADMIN: 404, ANON: LOGIN}),
    (
        "GET",
        "/claims/{id}/evidence",
        {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, OTHER_TEACHER: 404, OTHER_ADMIN: 404, ANON: LOGIN},
    ),
    ("GET", "/notifications", {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: LOGIN}),
    ("POST", "/notifications/read-all", {HR: 303, ADMIN: 303, TEACHER: 303, INSPECTOR: 303, ANON: LOGIN}),
]


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"),
    [
        pytest.param(method, path, role, code, id=f"{method} {path} as {role}")
        for method, path, codes in MATRIX
        for role, code in codes.items()
    ],
)
async def test_who_gets_the_claim_and_notification_pages(
    cw: Claims, client: httpx.AsyncClient, method: str, path: str, role: str, expected: int | str
) -> None:
    claim_id = await new_claim(cw)
    url = path.replace("{id}", str(claim_id))
    c = cw.c[role]
    if method == "GET":
        r = await c.get(url)
    else:
        r = await c.post(url, data={"decision": "return", "reason": "请补充", "_csrf_token": c.cookies[CSRF_COOKIE]})
    if expected == LOGIN:
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
    else:
        assert r.status_code == expected, r.text[:2000]
    if method == "POST" and "/claims/" in url:
        assert await status_of(client, cw, claim_id) == "submitted"  # nobody refused changed it
    # out of the way of the queue's other tests
    body = {"decision": "reject", "reason": "测试用"}
    done = await client.post(f"{API}/credit-claims/{claim_id}/review", json=body, headers=cw.api[ADMIN])
    assert done.status_code == 200, done.text


# --- the teacher's form ------------------------------------------------------------------------------------


async def test_the_form_names_its_fields_in_chinese_with_the_policy_s_rates(cw: Claims) -> None:
    page = (await cw.c[TEACHER].get("/my/claims/new")).text
    assert 'enctype="multipart/form-data"' in page and 'name="_csrf_token"' in page
    assert 'accept="image/jpeg,image/png,application/pdf"' in page
    photo = '<input type="file" id="photo" name="photo" accept="image/jpeg,image/png" capture="environment"'
    assert photo in page
    assert '<option value="training">培训（10 学时 = 1 学分）</option>' in page
    assert f'max="{today().isoformat()}"' in page


async def test_a_bad_claim_is_answered_next_to_its_fields_with_the_values_kept(cw: Claims) -> None:
    future = (today() + timedelta(days=3)).isoformat()
    r = await post_claim(cw, hours="0", date_to=future, title="保育员技能大赛培训")
    assert r.status_code == 422
    assert error_text(r.text, "hours") == "学时：必须大于 0"
    assert error_text(r.text, "date_to").startswith("结束日期：")
    assert value_of(r.text, "title") == "保育员技能大赛培训" and value_of(r.text, "date_to") == future
    assert 'id="error-summary"' in r.text and '<a href="#hours">' in r.text
    assert re.search(r'id="hours"[^>]*aria-invalid="true"', r.text)


async def test_the_file_is_judged_by_its_content(cw: Claims) -> None:
    r = await post_claim(cw, content=b"MZ\x90\x00 not a certificate", name="证书.jpg")
    assert r.status_code == 415
    assert error_text(r.text, "file").startswith("证书文件：")
    assert value_of(r.text, "provider") == "中国学前教育研究会"
    missing = await post_claim(cw, files={})
    assert missing.status_code == 422 and error_text(missing.text, "file").startswith("证书文件：")


async def test_the_same_file_twice_names_the_first_claim(cw: Claims) -> None:
    content = png()
    first = await new_claim(cw, content=content, name="a.png", media_type="image/png")
    again = await post_claim(cw, content=content, name="b.png", media_type="image/png")
    assert again.status_code == 409
    assert str(first) in error_text(again.text, "file")


async def test_a_photo_or_a_file_but_not_both(cw: Claims, client: httpx.AsyncClient) -> None:
    photo = await post_claim(cw, field="photo", title="相机拍的证书")
    assert photo.status_code == 303
    claim_id = int(photo.headers["location"].rsplit("/", 1)[1])
    r = await client.get(f"{API}/credit-claims/{claim_id}", headers=cw.api[HR])
    assert r.json()["evidence"]["media_type"] == "image/jpeg"
    both = {"file": ("a.jpg", jpeg(), "image/jpeg"), "photo": ("b.jpg", jpeg(), "image/jpeg")}
    r2 = await post_claim(cw, files=both)
    assert r2.status_code == 422 and "只选一个" in error_text(r2.text, "file")
    # a file input left empty sends an empty part: the other one counts
    empty_file = {"file": ("", b"", "application/octet-stream"), "photo": ("c.jpg", jpeg(), "image/jpeg")}
    assert (await post_claim(cw, files=empty_file)).status_code == 303


async def test_a_submitted_claim_shows_its_evidence_and_is_listed(cw: Claims) -> None:
    r = await post_claim(cw, title="幼儿园课程游戏化研修")
    page = await cw.c[TEACHER].get(r.headers["location"])
    claim_id = int(r.headers["location"].rsplit("/", 1)[1])
    assert "本园审核" in flash_of(page.text)
    assert f'<img id="evidence-image" src="/claims/{claim_id}/evidence"' in page.text
    assert "按政策折算</dt><dd>2.4 学分" in page.text
    evidence = await cw.c[TEACHER].get(f"/claims/{claim_id}/evidence")
    assert evidence.headers["content-type"] == "image/jpeg" and evidence.content[:2] == b"\xff\xd8"
    mine = (await cw.c[TEACHER].get("/my/claims")).text
    item = re.search(rf'<li class="claim" id="claim-{claim_id}">.*?</li>', mine, re.S)
    assert item and "幼儿园课程游戏化研修" in item.group(0) and "已提交" in item.group(0)


# --- the queue and the decision ----------------------------------------------------------------------------


async def test_the_admin_checks_and_hr_approves_from_the_pages(cw: Claims, client: httpx.AsyncClient) -> None:
    claim_id = await new_claim(cw, title="学前融合教育专题研修", hours="30")
    queue = (await cw.c[ADMIN].get("/claims")).text  # the admin's default: the submitted ones
    assert f'href="/claims/{claim_id}"' in queue and '<option value="submitted" selected>' in queue
    page = (await cw.c[ADMIN].get(f"/claims/{claim_id}")).text
    assert "审核通过" in page and 'name="credits"' not in page  # only HR sets credits
    r = await decide(cw, ADMIN, claim_id, "approve")
    assert r.status_code == 303 and r.headers["location"] == "/claims"
    assert "学前融合教育专题研修" in flash_of((await cw.c[ADMIN].get("/claims")).text)
    assert await status_of(client, cw, claim_id) == "checked"
    hr_queue = (await cw.c[HR].get("/claims")).text  # HR's default: the checked ones
    assert f'href="/claims/{claim_id}"' in hr_queue and '<option value="checked" selected>' in hr_queue
    bad = await decide(cw, HR, claim_id, "approve", credits="2")
    assert bad.status_code == 422 and error_text(bad.text, "reason").startswith("理由：")
    assert value_of(bad.text, "credits") == "2"
    ok = await decide(cw, HR, claim_id, "approve", credits="2", reason="其中 10 学时为线上")
    assert ok.status_code == 303
    claim = (await client.get(f"{API}/credit-claims/{claim_id}", headers=cw.api[HR])).json()
    assert claim["status"] == "approved" and claim["credits"] == 2 and claim["entry_id"]
    mine = (await cw.c[TEACHER].get("/my/claims")).text
    item = re.search(rf'<li class="claim" id="claim-{claim_id}">.*?</li>', mine, re.S)
    assert item and "区级已认定" in item.group(0) and "已认定 2 学分" in item.group(0)


async def test_return_and_reject_need_a_reason(cw: Claims, client: httpx.AsyncClient) -> None:
    claim_id = await new_claim(cw)
    for decision in ("return", "reject"):
        r = await decide(cw, ADMIN, claim_id, decision)
        assert r.status_code == 422 and error_text(r.text, "reason").startswith("理由：")
    assert await status_of(client, cw, claim_id) == "submitted"
    r = await decide(cw, ADMIN, claim_id, "reject", reason="非继续教育内容")
    assert r.status_code == 303 and await status_of(client, cw, claim_id) == "rejected"
    mine = (await cw.c[TEACHER].get("/my/claims")).text
    assert "未通过原因：非继续教育内容" in mine


async def test_a_409_is_the_page_s_message_and_the_claim_stays(cw: Claims, client: httpx.AsyncClient) -> None:
    claim_id = await new_claim(cw)
    r = await decide(cw, HR, claim_id, "approve")  # HR before the kindergarten checked it
    assert r.status_code == 409
    assert 'id="claim-message"' in r.text
    assert await status_of(client, cw, claim_id) == "submitted"
    assert (await decide(cw, ADMIN, claim_id, "approve")).status_code == 303
    again = await decide(cw, ADMIN, claim_id, "approve")
    assert again.status_code == 409 and 'id="claim-message"' in again.text
    assert await status_of(client, cw, claim_id) == "checked"


async def test_a_returned_claim_is_amended_on_its_page(cw: Claims, client: httpx.AsyncClient) -> None:
    claim_id = await new_claim(cw, title="幼小衔接专题培训")
    assert (await decide(cw, ADMIN, claim_id, "return", reason="学时与证书不符")).status_code == 303
    mine = (await cw.c[TEACHER].get("/my/claims")).text
    assert "退回原因：学时与证书不符" in mine and f'href="/my/claims/{claim_id}#amend-h"' in mine
    page = (await cw.c[TEACHER].get(f"/my/claims/{claim_id}")).text
    assert "修改后重新提交" in page and value_of(page, "hours") == "24"
    url = f"/my/claims/{claim_id}/amend"
    bad = await post_claim(cw, url=url, files={}, hours="-1")
    assert bad.status_code == 422 and error_text(bad.text, "hours").startswith("学时：")
    ok = await post_claim(cw, url=url, files={}, hours="18")  # the file kept
    assert ok.status_code == 303 and ok.headers["location"] == f"/my/claims/{claim_id}"
    claim = (await client.get(f"{API}/credit-claims/{claim_id}", headers=cw.api[HR])).json()
    assert claim["status"] == "submitted" and claim["hours"] == 18
    again = await post_claim(cw, url=url, files={})
    assert again.status_code == 409  # only a returned claim is amended


async def test_a_pdf_is_framed_by_this_site_only(cw: Claims) -> None:
    claim_id = await new_claim(cw, content=pdf(), name="证书.pdf", media_type="application/pdf")
    page = await cw.c[ADMIN].get(f"/claims/{claim_id}")
    assert f'<iframe id="evidence-pdf" src="/claims/{claim_id}/evidence"' in page.text
    assert f'href="/claims/{claim_id}/evidence?download=1"' in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    evidence = await cw.c[ADMIN].get(f"/claims/{claim_id}/evidence")
    assert evidence.headers["content-type"] == "application/pdf"
    csp = evidence.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "frame-ancestors 'none'" not in csp
    assert "default-src 'self'" in csp and "object-src 'none'" in csp  # the rest as strict as the pages'
    assert evidence.headers["x-frame-options"] == "SAMEORIGIN"
    assert evidence.headers["x-content-type-options"] == "nosniff"
    assert evidence.headers["content-disposition"].startswith("inline")
    download = await cw.c[ADMIN].get(f"/claims/{claim_id}/evidence?download=1")
    assert download.headers["content-disposition"].startswith("attachment")
    refused = await cw.c[OTHER_ADMIN].get(f"/claims/{claim_id}/evidence")
    assert refused.status_code == 404 and "frame-ancestors" in refused.headers["content-security-policy"]


# --- the navigation, the bell and the inbox -----------------------------------------------------------------


async def test_the_navigation_shows_the_claims_and_what_waits(cw: Claims, client: httpx.AsyncClient) -> None:
    await new_claim(cw)
    teacher = (await cw.c[TEACHER].get("/my/claims")).text
    assert '<a href="/my/claims/new">报告培训</a>' in teacher
    assert '<a href="/my/claims" aria-current="page">我的申报</a>' in teacher
    waiting = (await client.get(f"{API}/credit-claims?status=submitted&limit=1", headers=cw.api[ADMIN])).json()["total"]
    admin = (await cw.c[ADMIN].get("/expiring")).text
    assert f'<a href="/claims">学分申报审核（{waiting}）</a>' in admin
    checked = (await client.get(f"{API}/credit-claims?status=checked&limit=1", headers=cw.api[HR])).json()["total"]
    hr = (await cw.c[HR].get("/expiring")).text
    assert f'<a href="/claims">学分申报审核（{checked}）</a>' in hr or (checked == 0 and ">学分申报审核</a>" in hr)
    inspector = (await cw.c[INSPECTOR].get("/expiring")).text
    assert '<a href="/claims">学分申报</a>' in inspector
    for role in (HR, ADMIN, INSPECTOR):
        assert 'href="/my/claims/new"' not in (await cw.c[role].get("/expiring")).text


async def test_the_bell_counts_unread_and_the_inbox_marks_them_read(cw: Claims, client: httpx.AsyncClient) -> None:
    c = cw.c[TEACHER]
    await c.post("/notifications/read-all", data={"_csrf_token": cw.token(TEACHER)})
    assert re.search(r'<a class="bell" id="bell" href="/notifications">通知</a>', (await c.get("/my/claims")).text)
    claim_id = await new_claim(cw, title="园本教研培训")
    assert (await decide(cw, ADMIN, claim_id, "approve")).status_code == 303
    assert (await decide(cw, HR, claim_id, "approve")).status_code == 303
    page = (await c.get("/my/claims")).text
    bell = '<a class="bell" id="bell" href="/notifications" aria-label="通知（2 条未读）">'
    bell += '通知 <span class="count">2</span></a>'
    assert bell in page  # checked, then approved
    inbox = (await c.get("/notifications")).text
    assert "您的学分申报“园本教研培训”已通过区级认定" in inbox
    ids = [int(i) for i in re.findall(r'<li class="notice unread" id="notification-(\d+)">', inbox)]
    assert len(ids) == 2 and f'href="/notifications/{ids[0]}/open"' in inbox
    r = await c.post(f"/notifications/{ids[0]}/read", data={"_csrf_token": cw.token(TEACHER)})
    assert r.status_code == 303 and r.headers["location"] == "/notifications"
    after = (await c.get("/notifications")).text
    assert 'aria-label="通知（1 条未读）"' in after
    others = await cw.c[ADMIN].post(f"/notifications/{ids[1]}/read", data={"_csrf_token": cw.token(ADMIN)})
    assert others.status_code == 404  # another account's notification
    assert (await cw.c[ADMIN].get(f"/notifications/{ids[1]}/open")).status_code == 404
    opened = await c.get(f"/notifications/{ids[1]}/open")  # "查看": the claim's page, and it is read
    assert opened.status_code == 303 and opened.headers["location"] == f"/my/claims/{claim_id}"
    assert 'aria-label="通知（1 条未读）"' not in (await c.get("/my/claims")).text
    r = await c.post("/notifications/read-all", data={"_csrf_token": cw.token(TEACHER)})
    assert r.status_code == 303
    done = (await c.get("/notifications")).text
    assert "没有未读通知" in done and 'class="notice unread"' not in done
    no_csrf = await c.post("/notifications/read-all", data={})
    assert no_csrf.status_code == 403


def test_a_notification_link_opens_a_page_of_this_site_only() -> None:
    assert local_path("/my/claims/3") == "/my/claims/3"
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example", ""):
        assert local_path(elsewhere) == "/notifications"
