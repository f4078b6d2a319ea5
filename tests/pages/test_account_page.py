"""我的账号 (``/me/account``): every role sees its account and sets or clears its own email address
there (the service of ``PATCH /api/v1/me``); a bad address is answered next to the field in Chinese
with what was typed kept; the header links to it from the user name."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.pages.form_helpers import ADMIN, ANON, API, HR, INSPECTOR, TEACHER, flash_of
from tests.pages.helpers import CSRF_COOKIE, log_in, page_client
from tests.pages.test_claim_pages import error_text, value_of
from tests.support import World, login, make_account, new_username

ACCOUNT = "/me/account"


@pytest.fixture(scope="module")
async def pages(app: Any, world: World) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    """A page client per role; the teacher's and HR's accounts are this module's own (their email
    addresses change here)."""
    teacher = new_username("acct_teacher")
    await make_account("teacher", teacher, staff_id_number=world.staff_b["id_number"])
    hr = new_username("acct_hr")
    await make_account("district_hr", hr)
    users = {HR: hr, ADMIN: "w_admin", TEACHER: teacher, INSPECTOR: "w_inspector"}
    async with AsyncExitStack() as stack:
        out: dict[str, httpx.AsyncClient] = {}
        for role, username in users.items():
            c = await stack.enter_async_context(page_client(app))
            assert (await log_in(c, username)).status_code == 303
            out[role] = c
        anon = await stack.enter_async_context(page_client(app))
        await anon.get("/login")
        out[ANON] = anon
        out["_names"] = users  # type: ignore[assignment]
        yield out


async def save(c: httpx.AsyncClient, email: str) -> httpx.Response:
    return await c.post(ACCOUNT, data={"email": email, "_csrf_token": c.cookies[CSRF_COOKIE]})


@pytest.mark.parametrize(
    ("method", "role", "expected"),
    [(m, r, 200 if m == "GET" else 303) for m in ("GET", "POST") for r in (HR, ADMIN, TEACHER, INSPECTOR)]
    + [("GET", ANON, 0), ("POST", ANON, 0)],
)
async def test_who_gets_my_account(pages: dict[str, Any], method: str, role: str, expected: int) -> None:
    c = pages[role]
    if method == "GET":
        r = await c.get(ACCOUNT)
    else:
        current = re.search(r'id="email"[^>]*value="([^"]*)"', (await c.get(ACCOUNT)).text)
        r = await save(c, current.group(1) if current else "")  # unchanged
    if role == ANON:
        assert r.status_code == 303 and urlsplit(r.headers["location"]).path == "/login"
    else:
        assert r.status_code == expected, r.text[:2000]


async def test_the_page_shows_the_account_and_the_header_links_to_it(pages: dict[str, Any], world: World) -> None:
    page = (await pages[TEACHER].get(ACCOUNT)).text
    facts = re.sub(r"<[^>]+>", " ", re.search(r'<dl class="facts" id="account-facts">.*?</dl>', page, re.S).group(0))
    assert pages["_names"][TEACHER] in facts and "教师" in facts and world.kg_b["name"] in facts
    assert f'href="/staff/{world.staff_b["id"]}"' in page
    assert '<a class="who" id="my-account" href="/me/account" aria-current="page">' in page
    assert "通知也会同时发到" in page  # what the address is for
    hr = (await pages[HR].get("/dashboard")).text
    assert '<a class="who" id="my-account" href="/me/account">' in hr


async def test_an_email_is_set_and_cleared_as_patch_me_does(pages: dict[str, Any], client: httpx.AsyncClient) -> None:
    c = pages[TEACHER]
    token = {"Authorization": f"Bearer {await login(client, pages['_names'][TEACHER])}"}
    r = await save(c, "  Zhao.Min@Example.CN ")
    assert r.status_code == 303 and r.headers["location"] == ACCOUNT
    page = (await c.get(ACCOUNT)).text
    assert "电子邮箱已保存" in flash_of(page)
    stored = (await client.get(f"{API}/me", headers=token)).json()["email"]
    assert stored is not None and stored.lower() == "zhao.min@example.cn"
    assert value_of(page, "email") == stored
    cleared = await save(c, "")
    assert cleared.status_code == 303
    assert "电子邮箱已清除" in flash_of((await c.get(ACCOUNT)).text)
    assert (await client.get(f"{API}/me", headers=token)).json()["email"] is None


async def test_a_bad_address_is_answered_next_to_the_field_in_chinese(
    pages: dict[str, Any], client: httpx.AsyncClient
) -> None:
    c = pages[HR]
    r = await save(c, "zhangli@localhost")
    assert r.status_code == 422
    assert error_text(r.text, "email") == "电子邮箱：不是有效的电子邮件地址"
    assert value_of(r.text, "email") == "zhangli@localhost"
    assert re.search(r'id="email"[^>]*aria-invalid="true"', r.text) and '<a href="#email">' in r.text
    token = {"Authorization": f"Bearer {await login(client, pages['_names'][HR])}"}
    assert (await client.get(f"{API}/me", headers=token)).json()["email"] is None  # nothing written
    api = await client.patch(f"{API}/me", json={"email": "x@localhost"}, headers=token)
    assert api.status_code == 422 and "电子邮箱" in api.text  # the API's 422 names the field in Chinese too
