"""The review pages (issue 15) through the app: district HR's queue (before and after side by side,
approve, reject with a reason, a 409 shown as the page's message with the change still pending,
filters), a kindergarten admin's submissions (status, HR's reason, withdraw), the navigation's entries,
and who gets each page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.pages.form_helpers import (
    ADMIN,
    ANON,
    API,
    HR,
    INSPECTOR,
    TEACHER,
    admin_of,
    clients_for,
    error_of,
    flash_of,
    follow,
    own_kindergarten,
    submit,
)
from tests.support import World, login, staff_body, teacher_qualification_number
from tests.training.helpers import make_course, make_session


@dataclass
class Review:
    kg: dict[str, Any]
    c: dict[str, httpx.AsyncClient]
    admin: dict[str, str]  # the admin's API headers

    def queue(self, **query: Any) -> str:
        return "/review?" + "&".join(f"{k}={v}" for k, v in {"kindergarten_id": self.kg["id"], **query}.items())


@pytest.fixture(scope="module")
async def review(app: Any, client: httpx.AsyncClient, world: World) -> AsyncIterator[Review]:
    kg = await own_kindergarten(client, world, "审核测试幼儿园")
    admin = await admin_of(kg, "r_admin")
    async with AsyncExitStack() as stack:
        c = await clients_for(app, stack, admin)
        yield Review(kg, c, {"Authorization": f"Bearer {await login(client, admin)}"})


async def person(client: httpx.AsyncClient, world: World, r: Review, **over: Any) -> dict[str, Any]:
    body = staff_body(r.kg["id"], hired_on="2021-09-01", **over)
    answer = await client.post(f"{API}/staff", json=body, headers=world.h(HR))
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


async def submitted_edit(client: httpx.AsyncClient, r: Review, staff_id: int, **patch: Any) -> dict[str, Any]:
    answer = await client.patch(f"{API}/staff/{staff_id}", json=patch, headers=r.admin)
    assert answer.status_code == 202, answer.text
    return dict(answer.json())


def card(page: str, change_id: int) -> str:
    m = re.search(rf'<li class="change" id="change-{change_id}".*?</li>', page, re.S)
    assert m, f"change {change_id} is not on the page"
    return m.group(0)


async def status_of(client: httpx.AsyncClient, world: World, change_id: int) -> str:
    return str((await client.get(f"{API}/changes/{change_id}", headers=world.h(HR))).json()["status"])


# --- who gets the pages --------------------------------------------------------------------------------------

PAGES = {
    ("GET", "/review"): {HR: 200, ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: "login"},
    ("GET", "/my/changes"): {HR: 303, ADMIN: 200, TEACHER: 403, INSPECTOR: 403, ANON: "login"},
    ("POST", "/review/{id}/approve"): {ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: "login"},
    ("POST", "/review/{id}/reject"): {ADMIN: 403, TEACHER: 403, INSPECTOR: 403, ANON: "login"},
    ("POST", "/my/changes/{id}/withdraw"): {TEACHER: 403, INSPECTOR: 403, ANON: "login"},
}


@pytest.mark.parametrize(
    ("method", "path", "role", "expected"),
    [
        pytest.param(method, path, role, code, id=f"{method} {path} as {role}")
        for (method, path), codes in PAGES.items()
        for role, code in codes.items()
    ],
)
async def test_who_gets_the_review_pages(
    review: Review,
    client: httpx.AsyncClient,
    world: World,
    method: str,
    path: str,
    role: str,
    expected: int | str,
) -> None:
    change = await submitted_edit(client, review, (await person(client, world, review))["id"], education="master")
    url = path.replace("{id}", str(change["id"]))
    c = review.c[role]
    r = await c.get(url) if method == "GET" else await submit(c, url, {"reason": "材料不全"})
    if expected == "login":
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
    else:
        assert r.status_code == expected, r.text[:2000]
    if expected == 303:
        assert r.headers["location"] == "/review"
    if method == "POST":
        assert await status_of(client, world, change["id"]) == "pending"
    # out of the way of the queue's other tests
    assert (await client.post(f"{API}/changes/{change['id']}/withdraw", headers=review.admin)).status_code == 200


# --- the queue ------------------------------------------------------------------------------------------------


async def test_the_queue_shows_before_and_after(review: Review, client: httpx.AsyncClient, world: World) -> None:
    p = await person(client, world, review, name="郑小红")
    change = await submitted_edit(client, review, p["id"], education="master", title="level1")
    page = await review.c[HR].get(review.queue(kind="staff.update"))
    assert page.status_code == 200
    html = card(page.text, change["id"])
    assert "修改人员信息" in html and "待审核" in html and "郑小红" in html and review.kg["name"] in html
    assert '<th scope="col">原为</th><th scope="col">改为</th>' in html
    education = re.search(r'<tr class="changed" data-field="education">(.*?)</tr>', html, re.S)
    assert education and "学历" in education.group(1) and "<mark>硕士</mark>" in education.group(1)
    title = re.search(r'<tr class="changed" data-field="title">(.*?)</tr>', html, re.S)
    assert title and "二级" in title.group(1) and "<mark>一级</mark>" in title.group(1)
    # a new record: just what it would be
    new = await client.post(f"{API}/staff", json=staff_body(review.kg["id"], name="钱小兰"), headers=review.admin)
    assert new.status_code == 202
    page = await review.c[HR].get(review.queue(kind="staff.create"))
    html = card(page.text, new.json()["id"])
    assert "原为" not in html and "内容" in html and "钱小兰" in html and 'class="changed"' not in html
    # the kind filter keeps the others out
    assert f'id="change-{change["id"]}"' not in page.text


async def test_an_onboarding_shows_the_person_her_certificates_and_training(
    review: Review, client: httpx.AsyncClient, world: World
) -> None:
    course = await make_course(client, world, category="induction", hours=120, title="新教师岗前培训（审核）")
    session = await make_session(client, world, course_id=course["id"], starts_on="2026-07-01", ends_on="2026-07-20")
    body = {
        "staff": staff_body(review.kg["id"], name="孙小梅", status="on_post", hired_on="2026-09-01"),
        "certificates": [
            {"type": "teacher_qualification", "number": teacher_qualification_number(2025), "issued_on": "2025-06-30"},
            {"type": "post_certificate", "number": "SG-R-0001", "issued_on": "2026-08-01"},
        ],
        "training": [{"session_id": session["id"], "hours": 120, "passed": True, "score": 91}],
    }
    r = await client.post(f"{API}/staff/onboarding", json=body, headers=review.admin)
    assert r.status_code == 202, r.text
    page = await review.c[HR].get(review.queue(kind="staff.onboard"))
    html = card(page.text, r.json()["id"])
    for caption in ("本人信息", "证书 1", "证书 2", "培训结果 1"):
        assert f"{caption}</caption>" in html
    assert "教师资格证" in html and "SG-R-0001" in html and "新教师岗前培训（审核）" in html and "是" in html


async def test_approve_applies_and_says_so(review: Review, client: httpx.AsyncClient, world: World) -> None:
    p = await person(client, world, review)
    change = await submitted_edit(client, review, p["id"], education="doctorate")
    hr = review.c[HR]
    r = await submit(
        hr, f"/review/{change['id']}/approve", {"back": f"kindergarten_id={review.kg['id']}&kind=staff.update"}
    )
    assert r.headers["location"] == f"/review?status=pending&kind=staff.update&kindergarten_id={review.kg['id']}"
    page = await follow(hr, r)
    assert flash_of(page.text) == f"已通过：{change['summary']}"
    assert await status_of(client, world, change["id"]) == "approved"
    now = (await client.get(f"{API}/staff/{p['id']}", headers=world.h(HR))).json()
    assert now["education"] == "doctorate"
    decided = await hr.get(review.queue(status="approved"))
    assert "w_hr 已通过于" in card(decided.text, change["id"])


async def test_a_409_on_approval_is_the_pages_message(review: Review, client: httpx.AsyncClient, world: World) -> None:
    """The record changed since it was submitted: the approval is refused (409), the change pending."""
    p = await person(client, world, review)
    change = await submitted_edit(client, review, p["id"], education="bachelor")
    direct = await client.patch(f"{API}/staff/{p['id']}", json={"title": "level1"}, headers=world.h(HR))
    assert direct.status_code == 200
    # posted from a list that would not show it (the approved ones): the change is shown all the same
    r = await submit(review.c[HR], f"/review/{change['id']}/approve", {"back": "status=approved"})
    assert r.status_code == 409
    message = re.search(r'<div class="flash flash-error" role="alert" id="review-message">(.*?)</div>', r.text)
    assert message and message.group(1).startswith("提交该变更后记录已被修改")
    assert error_of(r.text, f"change-{change['id']}")
    assert 'data-status="pending"' in card(r.text, change["id"])
    assert await status_of(client, world, change["id"]) == "pending"


async def test_reject_needs_a_reason_and_the_admin_reads_it(
    review: Review, client: httpx.AsyncClient, world: World
) -> None:
    p = await person(client, world, review)
    change = await submitted_edit(client, review, p["id"], education="associate")
    hr = review.c[HR]
    r = await submit(hr, f"/review/{change['id']}/reject", {"reason": "  ", "back": "status=pending"})
    assert r.status_code == 422
    assert error_of(r.text, f"reason-{change['id']}") == "退回原因：退回时须说明理由"
    assert "autofocus" in r.text.split(f'id="reason-{change["id"]}"')[1].split(">")[0]
    assert await status_of(client, world, change["id"]) == "pending"
    long = await submit(hr, f"/review/{change['id']}/reject", {"reason": "很" * 1001})
    assert long.status_code == 422 and "1000" in error_of(long.text, f"reason-{change['id']}")
    r = await submit(
        hr, f"/review/{change['id']}/reject", {"reason": "学历证书与本人不符，请核对", "back": "status=pending"}
    )
    assert flash_of((await follow(hr, r)).text) == f"已退回：{change['summary']}"
    mine = await review.c[ADMIN].get("/my/changes?status=rejected")
    html = card(mine.text, change["id"])
    assert "已退回" in html and "退回原因：学历证书与本人不符，请核对" in html and "撤回" not in html


async def test_an_admin_withdraws_a_pending_change(review: Review, client: httpx.AsyncClient, world: World) -> None:
    p = await person(client, world, review)
    change = await submitted_edit(client, review, p["id"], education="secondary")
    admin = review.c[ADMIN]
    mine = await admin.get("/my/changes")
    assert "撤回" in card(mine.text, change["id"]) and "登记新教职工" in mine.text
    r = await submit(admin, f"/my/changes/{change['id']}/withdraw", {"back": "status=all"})
    assert flash_of((await follow(admin, r)).text) == f"已撤回：{change['summary']}"
    assert await status_of(client, world, change["id"]) == "withdrawn"
    again = await submit(admin, f"/my/changes/{change['id']}/withdraw")
    assert again.status_code == 409 and 'id="review-message"' in again.text


async def test_the_navigation_counts_what_waits(review: Review, client: httpx.AsyncClient, world: World) -> None:
    p = await person(client, world, review)
    await submitted_edit(client, review, p["id"], education="master")
    pending = (await client.get(f"{API}/changes?status=pending&limit=1", headers=world.h(HR))).json()["total"]
    page = await review.c[HR].get("/review")
    assert f'<a href="/review" aria-current="page">审核（{pending}）</a>' in page.text
    admin = await review.c[ADMIN].get("/my/changes")
    assert '<a href="/my/changes" aria-current="page">我的提交</a>' in admin.text
    for role in (TEACHER, INSPECTOR):
        other = await review.c[role].get("/expiring")
        assert 'href="/review"' not in other.text and 'href="/my/changes"' not in other.text


async def test_the_queue_pages(review: Review, client: httpx.AsyncClient, world: World) -> None:
    p = await person(client, world, review)
    made: list[int] = []
    for n in range(21):
        made.append((await submitted_edit(client, review, p["id"], title=("level1", "level3")[n % 2]))["id"])
    first = await review.c[HR].get(review.queue(kind="staff.update"))
    total = (
        await client.get(
            f"{API}/changes?status=pending&kind=staff.update&kindergarten_id={review.kg['id']}&limit=1",
            headers=world.h(HR),
        )
    ).json()["total"]
    assert f"共 {total} 条" in first.text and total > 20 and first.text.count('<li class="change"') == 20
    nxt = re.search(r'<a class="button secondary" href="([^"]+)">下一页</a>', first.text)
    assert nxt
    second = await review.c[HR].get(nxt.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and f'id="change-{made[-1]}"' in second.text
