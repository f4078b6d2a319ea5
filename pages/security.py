"""The pages' session, CSRF protection and response headers.

- Session: Litestar's client-side session (``CookieBackendConfig``): the login's claims (account,
  role, kindergarten, staff record: the same as a bearer token's) in an AES-GCM encrypted,
  HttpOnly, SameSite=Lax cookie that expires after ``REGISTRY_TOKEN_TTL_MINUTES`` without a request.
  ``PrincipalMiddleware`` turns it into the ``Principal`` the API's guards (``requires``) read, so the
  pages use the very same permission matrix and service scoping as the API, once it has checked that
  the login still stands (no logout since on any device, the account active: the session carries the
  account's session epoch, as a token does).
- CSRF: Litestar's ``CSRFConfig`` (double submit: a signed token in an HttpOnly cookie and in each
  form's ``_csrf_token`` field). The JSON API (``/api/``), which authenticates with bearer tokens and
  never reads cookies, is excluded.
- ``SecurityHeadersMiddleware``: a strict content security policy (``default-src 'self'``, no inline
  script or style, ``frame-ancestors 'none'``; a claim's evidence file alone ``'self'``, so the claim's
  page can show a PDF in a frame), nosniff, the referrer policy, no caching of pages with
  personal data, and the ``Secure`` cookie flag per ``REGISTRY_COOKIE_SECURE`` (auto: when the
  request came over https, as uvicorn reports it from the proxy's ``X-Forwarded-Proto``).
"""

from __future__ import annotations

import hashlib
from typing import Any

from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import DefineMiddleware
from litestar.middleware.session import SessionMiddleware
from litestar.middleware.session.client_side import ClientSideSessionBackend, CookieBackendConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from kernel.auth import Principal
from kernel.codes import Role
from kernel.settings import Settings
from registry.accounts.services import login_stands

SESSION_COOKIE = "registry_session"
CSRF_COOKIE = "registry_csrf"
CSRF_FIELD = "_csrf_token"  # the field Litestar's CSRF middleware reads from a form

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# A page's own evidence file (a claim's certificate: a PDF shown in a frame of the claim's page) may be
# framed by this site's own pages, and by nothing else; the rest of the policy is the pages' own.
FRAMED_BY_SELF = "framed_by_self"  # the route handler's opt key that allows it
SAME_ORIGIN_FRAME_POLICY = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'", "frame-ancestors 'self'")
SECURITY_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def _derived_key(settings: Settings, purpose: str) -> bytes:
    """A key of its own for each use, derived from the installation's secret (REGISTRY_SECRET_KEY)."""
    return hashlib.sha256(f"kg-registry:{purpose}:".encode() + settings.jwt_secret().encode()).digest()


def session_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=_derived_key(settings, "page-session"),
        key=SESSION_COOKIE,
        max_age=settings.token_ttl_minutes * 60,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure == "true",
        path="/",
    )


def _session_middleware(app: ASGIApp, config: CookieBackendConfig) -> SessionMiddleware[ClientSideSessionBackend]:
    return SessionMiddleware(app=app, backend=ClientSideSessionBackend(config=config))


def session_middleware(settings: Settings) -> DefineMiddleware:
    """The session middleware, its backend (an AES-GCM cipher, which cannot be copied) made when the
    route stack is built (Litestar deep-copies routers when they are registered)."""
    return DefineMiddleware(_session_middleware, config=session_config(settings))


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=_derived_key(settings, "csrf").hex(),
        cookie_name=CSRF_COOKIE,
        cookie_httponly=True,  # the token reaches forms through the page, never through JavaScript
        cookie_samesite="lax",
        cookie_secure=settings.cookie_secure == "true",
        header_name="x-csrftoken",
        # The JSON API authenticates with bearer tokens, not cookies: nothing to forge there.
        exclude=["^/api/", "^/health$", "^/static/"],
    )


# --- the session's claims --------------------------------------------------------------------------


def claims_of(who: Principal) -> dict[str, Any]:
    """What the session keeps: the same claims as a bearer token."""
    return {
        "aid": who.account_id,
        "sub": who.username,
        "role": who.role.value,
        "kg": who.kindergarten_id,
        "st": who.staff_id,
        "ep": who.epoch,
    }


def principal_of(session: Any) -> Principal | None:
    if not isinstance(session, dict) or "aid" not in session:
        return None
    try:
        return Principal(
            account_id=int(session["aid"]),
            username=str(session["sub"]),
            role=Role(session["role"]),
            kindergarten_id=session.get("kg"),
            staff_id=session.get("st"),
            epoch=int(session["ep"]),  # required: a session from before epochs existed counts for nobody
        )
    except (KeyError, ValueError, TypeError):
        return None


class PrincipalMiddleware:
    """Sets ``scope["user"]`` from the session (None when nobody is logged in), as the API's JWT
    middleware does from a bearer token; the guards then decide."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            who = principal_of(scope.get("session"))
            # a session from before a logout (on any device) or a deactivation counts for nobody
            if who is not None and not await login_stands(who.account_id, who.epoch):
                who = None
            scope["user"] = who
        await self.app(scope, receive, send)


def _secure_wanted(setting: str, scope: Scope) -> bool:
    return setting == "true" or (setting == "auto" and scope.get("scheme") == "https")


def framed_by_self(scope: Scope) -> bool:
    """Whether the answer's route lets this site's own pages frame it (``opt={FRAMED_BY_SELF: True}``)."""
    handler = scope.get("route_handler")
    return bool(handler is not None and getattr(handler, "opt", {}).get(FRAMED_BY_SELF))


def add_security_headers(headers: MutableScopeHeaders, scope: Scope, cookie_secure: str) -> None:
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    if framed_by_self(scope):
        headers["content-security-policy"] = SAME_ORIGIN_FRAME_POLICY
        headers["x-frame-options"] = "SAMEORIGIN"
    content_type = headers.get("content-type") or ""
    if content_type.startswith(("text/html", "application/pdf")):
        headers["cache-control"] = "no-store"
    if _secure_wanted(cookie_secure, scope):
        cookies = headers.getall("set-cookie", [])
        if cookies:
            del headers["set-cookie"]
            for cookie in cookies:
                secure = "secure" in [part.strip().lower() for part in cookie.split(";")]
                headers.add("set-cookie", cookie if secure else f"{cookie}; Secure")


class SecurityHeadersMiddleware:
    """Adds the security headers (and the cookies' Secure flag) to every page response."""

    def __init__(self, app: ASGIApp, cookie_secure: str = "auto") -> None:
        self.app = app
        self.cookie_secure = cookie_secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableScopeHeaders.from_message(message), scope, self.cookie_secure)
            await send(message)

        await self.app(scope, receive, send_with_headers)
