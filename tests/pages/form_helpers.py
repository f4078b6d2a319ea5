"""For the tests of the forms that write and the review pages (issue 15): a kindergarten and an admin
of their own (so their changes are theirs to count), page clients per role, posting a form, and
reading a page's messages (the error next to a field, a field's value as typed, the flash)."""

from __future__ import annotations

import html as htmllib
import re
import uuid
from contextlib import AsyncExitStack
from typing import Any

import httpx

from tests.pages.helpers import CSRF_COOKIE, log_in, page_client
from tests.support import World, kindergarten_body, make_account, new_id_number

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"


async def own_kindergarten(client: httpx.AsyncClient, world: World, name: str) -> dict[str, Any]:
    body = kindergarten_body(name=name, street=f"表单测试街道{uuid.uuid4().hex[:6]}")
    r = await client.post(API + "/kindergartens", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def clients_for(app: Any, stack: AsyncExitStack, admin: str) -> dict[str, httpx.AsyncClient]:
    """A logged-in page client per role (the admin: ``admin``), and one for nobody."""
    out: dict[str, httpx.AsyncClient] = {}
    for role, username in ((HR, "w_hr"), (ADMIN, admin), (TEACHER, "w_teacher"), (INSPECTOR, "w_inspector")):
        c = await stack.enter_async_context(page_client(app))
        r = await log_in(c, username)
        assert r.status_code == 303, r.text
        out[role] = c
    anon = await stack.enter_async_context(page_client(app))
    await anon.get("/login")
    out[ANON] = anon
    return out


async def admin_of(kindergarten: dict[str, Any], username: str) -> str:
    await make_account("kindergarten_admin", username, kindergarten_code=kindergarten["code"])
    return username


async def submit(c: httpx.AsyncClient, url: str, data: dict[str, Any] | None = None) -> httpx.Response:
    """Post a form as a browser does (the CSRF token with it)."""
    return await c.post(url, data={**(data or {}), "_csrf_token": c.cookies[CSRF_COOKIE]})


async def follow(c: httpx.AsyncClient, r: httpx.Response) -> httpx.Response:
    """The page a 303 sends the browser to."""
    assert r.status_code == 303, r.text[:3000]
    return await c.get(r.headers["location"])


def _text(fragment: str) -> str:
    return htmllib.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def error_of(page: str, name: str) -> str:
    """The error shown next to the field ``name`` (its text, the field's Chinese name first)."""
    m = re.search(rf'<p class="field-error" id="{re.escape(name)}-error">(.*?)</p>', page, re.S)
    assert m, f"no error next to {name}"
    return _text(m.group(1)).removeprefix("错误：")


def errors_of(page: str) -> list[str]:
    return re.findall(r'<p class="field-error" id="([^"]+)-error">', page)


def value_of(page: str, name: str) -> str:
    """A text field's value as the page shows it (what was typed)."""
    m = re.search(rf'<input [^>]*\bid="{re.escape(name)}"[^>]*>', page)
    assert m, f"no field {name}"
    v = re.search(r'\bvalue="([^"]*)"', m.group(0))
    return htmllib.unescape(v.group(1)) if v else ""


def selected_of(page: str, name: str) -> str:
    m = re.search(rf'<select id="{re.escape(name)}".*?</select>', page, re.S)
    assert m, f"no select {name}"
    chosen = re.search(r'<option value="([^"]*)" selected>', m.group(0))
    return chosen.group(1) if chosen else ""


def flash_of(page: str) -> str:
    m = re.search(r'<div class="flash[^"]*" role="status">(.*?)</div>', page, re.S)
    return _text(m.group(1)) if m else ""


def has_cjk(text: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", text))


def person_body(kindergarten_id: int, **over: Any) -> dict[str, Any]:
    """A new person's form fields as typed (no rows)."""
    body = {
        "name": "陈小雨",
        "id_number": new_id_number(),
        "kindergarten_id": str(kindergarten_id),
        "post": "teacher",
        "employment": "contract",
        "title": "none",
        "education": "bachelor",
        "hired_on": "2024-09-01",
        "status": "pending_induction",
    }
    body.update(over)
    return body
