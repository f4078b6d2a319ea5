"""Security headers on every answer (issue 14): the API, its documentation, errors, the pages; no-store on
answers about people; the API documentation's files served by the service, from nothing outside it."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support import World

API = "/api/v1"
STRICT = ("x-content-type-options", "nosniff"), ("x-frame-options", "DENY")


def assert_protected(r: httpx.Response, cacheable: bool = False) -> None:
    csp = r.headers.get("content-security-policy", "")
    assert "frame-ancestors 'none'" in csp, (r.request.url, csp)
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for name, value in STRICT:
        assert r.headers.get(name) == value, (r.request.url, name)
    if not cacheable:
        assert r.headers.get("cache-control") == "no-store", (r.request.url, r.headers.get("cache-control"))


async def test_api_answers_carry_the_security_headers_and_no_store(client: httpx.AsyncClient, world: World) -> None:
    hr = world.h("district_hr")
    staff_id = world.staff_a["id"]
    answers = [
        await client.get(f"{API}/staff/{staff_id}", headers=hr),
        await client.get(f"{API}/staff", headers=hr, params={"search": world.staff_a["id_number"]}),
        await client.get(f"{API}/pool/candidates", headers=hr),
        await client.get(f"{API}/accounts", headers=hr),
        await client.get(f"{API}/me", headers=world.h("teacher")),
        await client.get(f"{API}/exports/staff.csv", headers=hr),
        await client.get(f"{API}/staff/{staff_id}"),  # 401
        await client.get(f"{API}/staff/999999999", headers=hr),  # 404
        await client.get(f"{API}/no-such-thing"),  # no route
        await client.post(f"{API}/auth/token", content=b"{", headers={"content-type": "application/json"}),  # 400
    ]
    assert [r.status_code for r in answers] == [200, 200, 200, 200, 200, 200, 401, 404, 404, 400]
    for r in answers:
        assert_protected(r)
        # the API answers data, never a document to render
        assert r.headers["content-security-policy"].startswith("default-src 'none'")


async def test_pages_keep_their_policy_and_static_files_stay_cacheable(client: httpx.AsyncClient) -> None:
    login = await client.get("/login")
    assert_protected(login)
    assert "default-src 'self'" in login.headers["content-security-policy"]
    assert_protected(await client.get("/no-such-page"))
    css = await client.get("/static/app.css")
    assert css.status_code == 200
    assert_protected(css, cacheable=True)
    assert css.headers.get("cache-control") != "no-store"  # holds nobody's data


def _references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)


async def test_api_docs_have_a_strict_policy_and_load_nothing_from_outside(client: httpx.AsyncClient) -> None:
    page = await client.get(f"{API}/schema/swagger")
    assert page.status_code == 200
    assert_protected(page)
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    html = page.text
    assert not re.search(r"(https?:)?//", html), "the docs page names an address outside the service"
    assert "<style" not in html and "style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html)), "inline script"
    refs = _references(html)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in refs)
    assert any(ref.endswith("swagger-ui.css") for ref in refs)
    for ref in refs:  # every file the page needs, from the service itself
        assert ref.startswith(f"{API}/schema/"), ref
        r = await client.get(ref)
        assert r.status_code == 200, ref
        assert_protected(r, cacheable=True)
        if ref.endswith(".js"):
            assert "javascript" in r.headers["content-type"]
    schema = await client.get(f"{API}/schema/openapi.json")
    assert schema.status_code == 200
    assert_protected(schema)


@pytest.mark.parametrize("path", ["/api/v1/schema/redoc", "/api/v1/schema/oauth2-redirect.html"])
async def test_no_docs_page_that_needs_a_cdn_or_inline_script(client: httpx.AsyncClient, path: str) -> None:
    """Redoc (inline styles, fonts from a CDN) and Swagger's OAuth2 redirect page (inline script, and the
    API has no OAuth2) are not served."""
    r: Any = await client.get(path)
    assert r.status_code == 404
