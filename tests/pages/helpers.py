"""Page clients for the pages' tests: a browser-like httpx client per role (its own cookie jar: the
session and CSRF cookies), on the app in the tests' event loop."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from tests.support import PASSWORD

ROLE_USERS = {
    "district_hr": "w_hr",
    "kindergarten_admin": "w_admin",
    "teacher": "w_teacher",
    "inspector": "w_inspector",
}
CSRF_COOKIE = "registry_csrf"
SESSION_COOKIE = "registry_session"
_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = _TOKEN.search(html)
    assert m, "no CSRF field in the page"
    return m.group(1)


@asynccontextmanager
async def page_client(
    app: Any, base_url: str = "http://testserver", address: str = "127.0.0.1"
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser on the app; its requests come from ``address`` (the ASGI scope's client)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50123))
    async with httpx.AsyncClient(transport=transport, base_url=base_url, follow_redirects=False) as c:
        yield c


async def log_in(c: httpx.AsyncClient, username: str, password: str = PASSWORD, nxt: str = "") -> httpx.Response:
    form = await c.get("/login")
    assert form.status_code == 200, form.text
    return await c.post(
        "/login",
        data={"username": username, "password": password, "next": nxt, "_csrf_token": csrf_of(form.text)},
    )


async def token_of(c: httpx.AsyncClient, path: str = "/login") -> str:
    """A CSRF token for the client's cookie, read from a page with a form."""
    r = await c.get(path)
    return csrf_of(r.text)


def set_cookie_headers(r: httpx.Response, name: str) -> list[str]:
    return [h for h in r.headers.get_list("set-cookie") if h.startswith(f"{name}=")]
