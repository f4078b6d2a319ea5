"""What a new user's trial of the claim and notification pages found (issue 16, second round), each
checked through the app: who decided what on a claim (a rejection is not "区级认定"), a photo over the
limit answered on the form with the values kept (and, above the page's own body limit, a Chinese page
that links back to the form), claim numbers and the duplicate file's link to the first claim, the
queue's credits (HR's figure once approved) and category, one sentence on an empty inbox, wording per
role (inspectors do not decide, admins do not set credits), the teacher's links to her claims, and
the queue's kindergarten names read once per page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from piccolo.engine.base import Engine

import pages.claims
from kernel.errors import Conflict, FieldError
from kernel.settings import get_settings
from pages.claims import PAGE_UPLOAD_LIMIT
from pages.rules import form_page, size_text
from registry.kindergartens.tables import Kindergarten
from tests.credits.claim_helpers import jpeg, png
from tests.pages.form_helpers import ADMIN, API, HR, INSPECTOR, TEACHER
from tests.pages.helpers import log_in, page_client
from tests.pages.test_claim_pages import (
    OTHER_TEACHER,
    Claims,
    cw,
    decide,
    error_text,
    new_claim,
    post_claim,
    value_of,
)
from tests.support import World

__all__ = ["cw"]  # the claim pages' fixture: a kindergarten of its own, its teacher and admin


def item_of(page: str, claim_id: int) -> str:
    m = re.search(rf'<li class="claim" id="claim-{claim_id}">.*?</li>', page, re.S)
    assert m, f"claim {claim_id} not listed"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", m.group(0)))


def decided_line(page: str) -> str:
    m = re.search(r'<dt>([^<]*)</dt><dd id="claim-decided">([^<]*)', page)
    assert m, "no decision line"
    return f"{m.group(1)} {m.group(2).strip()}"


# --- 1. who decided what ------------------------------------------------------------------------------------


async def test_each_decision_is_labelled_by_what_it_was(cw: Claims, world: World) -> None:
    rejected = await new_claim(cw, title="非继续教育的讲座")
    assert (await decide(cw, ADMIN, rejected, "reject", reason="不属于继续教育")).status_code == 303
    page = (await cw.c[TEACHER].get(f"/my/claims/{rejected}")).text
    assert decided_line(page).startswith("不予认定 ") and "区级认定" not in page
    assert "园所审核</dt>" not in page  # it was never checked

    returned = await new_claim(cw, title="需要补充的研修")
    assert (await decide(cw, ADMIN, returned, "return", reason="请上传完整证书")).status_code == 303
    page = (await cw.c[ADMIN].get(f"/claims/{returned}")).text
    assert decided_line(page).startswith("退回修改 ") and "请上传完整证书" in page

    approved = await new_claim(cw, title="区级认定的研修")
    assert (await decide(cw, ADMIN, approved, "approve")).status_code == 303
    checked = (await cw.c[HR].get(f"/claims/{approved}")).text
    assert re.search(r"<dt>园所审核</dt><dd>cl_admin_\d+ · ", checked)
    assert 'id="claim-decided"' not in checked  # checked, not decided yet
    assert (await decide(cw, HR, approved, "approve")).status_code == 303
    page = (await cw.c[TEACHER].get(f"/my/claims/{approved}")).text
    assert decided_line(page) == "区级认定 w_hr ·"
    assert "<dt>园所审核</dt>" in page


# --- 2. a photo over the limit --------------------------------------------------------------------------------


async def test_a_photo_over_the_limit_is_answered_on_the_form_with_the_values_kept(cw: Claims) -> None:
    big = jpeg() + b"\0" * (get_settings().evidence_max_bytes + 200_000)  # well over it, within the page's limit
    r = await post_claim(cw, content=big, name="IMG_2001.jpg", title="超大照片的培训", hours="12")
    assert r.status_code == 413
    assert error_text(r.text, "file").startswith("证书文件：")
    assert "10 MB" in error_text(r.text, "file")
    assert value_of(r.text, "title") == "超大照片的培训" and value_of(r.text, "hours") == "12"
    assert 'id="error-summary"' in r.text and "Request Entity Too Large" not in r.text


async def test_above_the_page_s_own_limit_a_chinese_page_links_back_to_the_form(cw: Claims) -> None:
    huge = b"\0" * (PAGE_UPLOAD_LIMIT + 1)
    r = await post_claim(cw, content=huge, name="IMG_2002.jpg")
    assert r.status_code == 413
    assert "Request Entity Too Large" not in r.text
    assert "上传的内容超过" in r.text and 'href="/my/claims/new"' in r.text
    claim_id = await new_claim(cw)
    assert (await decide(cw, ADMIN, claim_id, "return", reason="请换一张清楚的照片")).status_code == 303
    amend = await post_claim(cw, url=f"/my/claims/{claim_id}/amend", content=huge, name="IMG_2003.jpg")
    assert amend.status_code == 413 and f'href="/my/claims/{claim_id}"' in amend.text


async def test_the_form_tells_the_browser_the_limit(cw: Claims) -> None:
    page = (await cw.c[TEACHER].get("/my/claims/new")).text
    assert 'data-max-bytes="10485760"' in page and '<script src="/static/claims.js" defer></script>' in page


# --- 4. claim numbers and the duplicate file ------------------------------------------------------------------


async def test_claims_show_their_numbers_and_a_duplicate_links_to_the_first(cw: Claims) -> None:
    content = png()
    first = await new_claim(cw, content=content, name="a.png", media_type="image/png")
    mine = (await cw.c[TEACHER].get("/my/claims")).text
    assert item_of(mine, first).strip().startswith(f"第 {first} 号")
    page = (await cw.c[TEACHER].get(f"/my/claims/{first}")).text
    assert f'<span id="claim-number">第 {first} 号</span>' in page
    again = await post_claim(cw, content=content, name="b.png", media_type="image/png")
    assert again.status_code == 409
    text = error_text(again.text, "file")
    assert text.startswith("证书文件：") and text.count("证书文件") == 1
    assert f"第 {first} 号" in text
    assert f'href="/my/claims/{first}"' in again.text


# --- 5. the queue: credits and category ------------------------------------------------------------------------


async def test_the_queue_shows_hr_s_credits_once_approved_and_the_category(cw: Claims) -> None:
    claim_id = await new_claim(cw, title="家园共育专题培训", hours="24", category="family")
    before = item_of((await cw.c[ADMIN].get("/claims")).text, claim_id)
    assert "按政策 2.4 学分" in before and "类别：家园共育" in before
    assert (await decide(cw, ADMIN, claim_id, "approve")).status_code == 303
    r = await decide(cw, HR, claim_id, "approve", credits="3", reason="含实践环节")
    assert r.status_code == 303
    after = item_of((await cw.c[HR].get("/claims?status=approved")).text, claim_id)
    assert "认定 3 学分" in after and "按政策" not in after


# --- 6, 7, 8. words ---------------------------------------------------------------------------------------------


async def test_an_inbox_says_one_thing_when_empty(app: Any) -> None:
    async with page_client(app) as c:
        assert (await log_in(c, "w_inspector")).status_code == 303
        page = (await c.get("/notifications")).text
    if 'id="notifications"' not in page:  # nothing for the inspector yet (the usual case)
        assert "还没有通知。" in page and "没有未读通知" not in page


async def test_inspectors_read_and_admins_do_not_set_credits(cw: Claims) -> None:
    claim_id = await new_claim(cw)
    inspector = (await cw.c[INSPECTOR].get("/claims")).text
    assert "作出决定" not in inspector and "查看证书" in inspector
    assert "作出决定" in (await cw.c[ADMIN].get("/claims")).text
    admin = (await cw.c[ADMIN].get(f"/claims/{claim_id}")).text
    assert "退回或不通过时必填" in admin and "改学分" not in admin
    assert (await decide(cw, ADMIN, claim_id, "approve")).status_code == 303
    hr = (await cw.c[HR].get(f"/claims/{claim_id}")).text
    assert "退回、不通过或改学分时必填" in hr


# --- 10. the teacher's links -------------------------------------------------------------------------------------


async def test_the_teacher_s_home_and_credits_link_to_her_claims(cw: Claims) -> None:
    for path in (f"/staff/{cw.staff_id}", f"/staff/{cw.staff_id}/credits"):
        page = (await cw.c[TEACHER].get(path)).text
        links = re.search(r'<nav class="actions" aria-label="学分申报" id="claim-links">.*?</nav>', page, re.S)
        assert links, path
        assert 'href="/my/claims/new"' in links.group(0) and 'href="/my/claims"' in links.group(0)
    hr = (await cw.c[HR].get(f"/staff/{cw.staff_id}")).text
    assert 'id="claim-links"' not in hr  # HR does not report training for her


# --- 11. the queue reads the kindergartens' names once --------------------------------------------------------------


@pytest.fixture
def kindergarten_queries(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The queries against the kindergarten table while the test runs."""
    seen: list[str] = []
    engine = Kindergarten._meta.db
    original = type(engine).run_querystring

    async def counted(self: Engine[Any], querystring: Any, in_pool: bool = True) -> Any:
        sql = str(querystring)
        if re.search(r'FROM "kindergarten"', sql):
            seen.append(sql)
        return await original(self, querystring, in_pool=in_pool)

    monkeypatch.setattr(type(engine), "run_querystring", counted)
    yield seen


async def test_the_queue_reads_the_kindergarten_names_once(
    cw: Claims, client: httpx.AsyncClient, kindergarten_queries: list[str]
) -> None:
    await new_claim(cw, title="本园的申报")
    other = await post_claim(cw, role=OTHER_TEACHER, title="另一所幼儿园的申报")  # the world's teacher
    assert other.status_code == 303, other.text[:2000]
    claims = (await client.get(f"{API}/credit-claims?status=submitted&limit=1", headers=cw.api[HR])).json()
    assert claims["total"] >= 2
    last = max(claims["total"] - 2, 0)  # the queue is oldest first: these two are its end (other tests add more)
    kindergarten_queries.clear()
    page = (await cw.c[HR].get(f"/claims?status=submitted&offset={last}")).text
    names = {cw.kg["name"], "另一所幼儿园的申报"}
    assert all(n in page for n in names)
    assert len(kindergarten_queries) == 1, kindergarten_queries


async def test_a_refusal_naming_its_field_is_labelled_once(cw: Claims, monkeypatch: pytest.MonkeyPatch) -> None:
    async def labelled(*args: Any) -> None:
        raise Conflict(
            "此文件已是第 7 号申报的证明材料",
            [FieldError("file", "证书文件：已在第 7 号申报中使用")],
            code="duplicate-evidence",
            claim_id=7,
        )

    monkeypatch.setattr(pages.claims.claims, "submit", labelled)
    r = await post_claim(cw)
    assert r.status_code == 409
    assert error_text(r.text, "file") == "证书文件：已在第 7 号申报中使用 查看第 7 号申报"
    assert "证书文件：证书文件" not in r.text and 'href="/my/claims/7"' in r.text


def test_sizes_and_the_form_a_refused_upload_goes_back_to() -> None:
    assert size_text(10 * 1024 * 1024) == "10 MB" and size_text(PAGE_UPLOAD_LIMIT) == "30.1 MB"
    assert size_text(512 * 1024) == "512 KB" and size_text(10) == "1 KB"
    assert form_page("/my/claims/new") == "/my/claims/new"
    assert form_page("/my/claims/12/amend") == "/my/claims/12"
