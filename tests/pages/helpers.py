"""Page clients for the pages' tests: a browser-like httpx client per role (its own cookie jar: the
session and CSRF cookies), on the app in the tests' event loop; and the accessibility check the
browser tests run on every page they visit (axe-core)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from axe_playwright_python.sync_playwright import Axe

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


# --- accessibility (axe-core, in the browser tests) ----------------------------------------------------------

AXE = Axe()
FAILING_IMPACTS = ("serious", "critical")


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations of impact serious or critical on the page as it is now (WCAG 2.x A and AA
    rules and axe's best practices)."""
    results = AXE.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in FAILING_IMPACTS]


def _described(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


def assert_accessible(page: Any) -> None:
    """Fails on any axe-core violation of impact serious or critical, naming each rule and element."""
    found = axe_violations(page)
    assert not found, f"accessibility violations on {page.url}:\n{_described(found)}"
