"""Security headers on every answer the service gives: the API, its documentation, the pages, errors.

A ``before_send`` hook of the app (it sees every response start, a 404 for an unknown path or a 413
too), so nothing is answered without them. Headers a route set itself are kept: the pages' own
middleware (``pages.security``) sets the pages' policy first, and a route may set its own
``Cache-Control``.

- Content security policy by where the answer comes from: the API answers data, never a document to
  render, so ``default-src 'none'``; the API documentation (Swagger UI, served from the service itself:
  ``app.apidocs``) may load its own scripts, styles and images and fetch the schema, nothing else, and
  no inline script or style; everything else (the pages) the pages' policy.
- ``X-Frame-Options: DENY`` and ``frame-ancestors 'none'`` (no framing, against clickjacking),
  ``X-Content-Type-Options: nosniff``, the referrer and opener policies.
- ``Cache-Control: no-store`` on every answer but static assets: answers about people (staff, pool
  candidates, accounts, exports, PDFs, pages) must not stay in a browser's or a proxy's cache, and an
  answer that holds none loses nothing by it.
"""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from pages.security import CONTENT_SECURITY_POLICY as PAGES_POLICY
from pages.security import SECURITY_HEADERS as PAGES_HEADERS

API_PREFIX = "/api/"
DOCS_PREFIX = "/api/v1/schema"  # the OpenAPI schema and its UI (create_app's OpenAPIConfig.path)
STATIC_PREFIXES = ("/static/", f"{DOCS_PREFIX}/assets/")

API_POLICY = "; ".join(("default-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"))
DOCS_POLICY = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Swagger UI's stylesheet draws its icons as data: SVGs
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
COMMON_HEADERS = {name: value for name, value in PAGES_HEADERS.items() if name != "content-security-policy"}


def policy_for(path: str) -> str:
    if path.startswith(DOCS_PREFIX):
        return DOCS_POLICY
    if path.startswith(API_PREFIX):
        return API_POLICY
    return PAGES_POLICY


def is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)


async def security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: adds what is missing to an HTTP response's headers."""
    if message["type"] != "http.response.start":
        return
    path = str(scope.get("path", ""))
    headers = MutableScopeHeaders.from_message(message)
    wanted = {"content-security-policy": policy_for(path), **COMMON_HEADERS}
    if not is_static(path):
        wanted["cache-control"] = "no-store"
    for name, value in wanted.items():
        if name not in headers:
            headers[name] = value
