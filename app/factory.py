"""create_app(): the one factory used by the server, the CLI and the tests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

from litestar import Litestar, Router, get
from litestar.datastructures import State
from litestar.di import Provide
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme

from app.access_log import install_access_log_filter
from app.apidocs import LocalSwaggerRenderPlugin
from app.changes import app_changes
from app.headers import DOCS_PREFIX, security_headers
from app.notifications import sweep_daily
from bulk.controllers import CONTROLLERS as BULK_CONTROLLERS
from certificates.controllers import CONTROLLERS as CERTIFICATE_CONTROLLERS
from credits.controllers import CONTROLLERS as CREDITS_CONTROLLERS
from eligibility.controllers import CONTROLLERS as ELIGIBILITY_CONTROLLERS
from ethics.controllers import CONTROLLERS as ETHICS_CONTROLLERS
from kernel.admission import admission
from kernel.common.body import JsonCheckedRequest
from kernel.common.params import check_query_params, query_parameter_names
from kernel.db import close_pool, start_pool
from kernel.errors import exception_handlers, problem_responses
from kernel.i18n import LocaleMiddleware
from kernel.settings import Settings, get_settings
from pages.controllers import mount as mount_pages
from registry.accounts.controllers import AccountController, AuthController, MeController
from registry.accounts.security import make_jwt_auth
from registry.audit.controllers import AuditController
from registry.changes.controllers import ChangeController
from registry.kindergartens.controllers import KindergartenController
from registry.mail.controllers import CONTROLLERS as MAIL_CONTROLLERS
from registry.mail.delivery import deliver_forever
from registry.notifications.controllers import NotificationController
from registry.staff.controllers import StaffController
from reports.controllers import CONTROLLERS as REPORT_CONTROLLERS
from staffing.controllers import CONTROLLERS as STAFFING_CONTROLLERS
from training.controllers import CONTROLLERS as TRAINING_CONTROLLERS

API_CONTROLLERS: list[type] = [
    AuthController,
    MeController,
    AccountController,
    KindergartenController,
    StaffController,
    AuditController,
    ChangeController,
    NotificationController,
    *CERTIFICATE_CONTROLLERS,
    *TRAINING_CONTROLLERS,
    *ETHICS_CONTROLLERS,
    *CREDITS_CONTROLLERS,
    *ELIGIBILITY_CONTROLLERS,
    *BULK_CONTROLLERS,
    *STAFFING_CONTROLLERS,
    *REPORT_CONTROLLERS,
    *MAIL_CONTROLLERS,
]


@get("/health", tags=["meta"], summary="Liveness", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


def _document_errors(app: Litestar) -> None:
    """Declare in the OpenAPI schema the problem-details answers every handler can give.

    Litestar documents only the success answer and its own validation errors; auth (401/403),
    scope (404), rules (409) and our field errors (422) come from guards and services.
    """
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if not isinstance(handler, HTTPRouteHandler) or not handler.include_in_schema:
                continue
            codes = [400]
            if handler.guards:
                codes += [401, 403]
            writes = bool(handler.http_methods & {"POST", "PATCH", "PUT", "DELETE"})
            # a path id, a row the body names (a write), or the caller's own record (/me)
            if "{" in route.path or writes or "/me/" in route.path or route.path.endswith("/me"):
                codes.append(404)
            if writes:
                codes += [409, 413, 422]
            elif query_parameter_names(handler):  # a query value that breaks a rule (a day, a cycle)
                codes.append(422)
            if route.path.endswith("/accounts") and "POST" in handler.http_methods:
                codes.append(503)  # the password is hashed by a bounded pool of workers
            if route.path.endswith("/auth/token"):
                codes = [400, 401, 413, 422, 429, 503]
            handler.responses = {**problem_responses(sorted(set(codes))), **(handler.responses or {})}


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    logging.basicConfig(level=settings.log_level)
    install_access_log_filter()  # no query strings (searched ID numbers, names) in the access log
    jwt_auth = make_jwt_auth(settings)

    @asynccontextmanager
    async def db_pool(_: Litestar) -> AsyncGenerator[None, None]:
        await start_pool(settings.pg_pool_max)
        try:
            yield
        finally:
            await close_pool()

    @asynccontextmanager
    async def mail_delivery(_: Litestar) -> AsyncGenerator[None, None]:
        """Email in the background (issue 16): everything due, every REGISTRY_MAIL_DELIVER_INTERVAL_SECONDS,
        while REGISTRY_SMTP_URL is set; the task is cancelled (and awaited) on shutdown."""
        if settings.smtp_url is None:
            yield
            return
        task = asyncio.create_task(deliver_forever(settings), name="mail-delivery")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @asynccontextmanager
    async def notification_sweep(_: Litestar) -> AsyncGenerator[None, None]:
        """The day's time-based notifications (issue 16), at start-up and daily at REGISTRY_NOTIFY_SWEEP_AT
        (unset: only by cron); the task is cancelled (and awaited) on shutdown."""
        if settings.notify_sweep_at is None:
            yield
            return
        task = asyncio.create_task(sweep_daily(settings.notify_sweep_at), name="notification-sweep")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    api = Router(
        path="/api/v1",
        route_handlers=API_CONTROLLERS,
    )
    pages = mount_pages(settings)  # web pages: session cookie, CSRF on forms (not /api), CSP
    app = Litestar(
        route_handlers=[api, health, *pages.routers],
        # the writes a role may send for review (issue 15), for the API's and the pages' controllers
        dependencies={"changes": Provide(app_changes, sync_to_thread=False)},
        template_config=pages.template_config,
        csrf_config=pages.csrf_config,
        on_app_init=[jwt_auth.on_app_init],
        lifespan=[
            db_pool,
            mail_delivery,
            notification_sweep,
        ],  # entered in order, left in reverse: the pool outlives delivery
        exception_handlers=exception_handlers,
        before_request=check_query_params,
        request_class=JsonCheckedRequest,  # invalid UTF-8 or too deep JSON: 400, not 500
        before_send=[security_headers],  # CSP, nosniff, no framing, no-store: on every answer
        # the reader's language (Accept-Language) for every message; fair waiting under overload
        middleware=[LocaleMiddleware, admission(settings.max_concurrent_requests)],
        request_max_body_size=settings.max_body_bytes,
        state=State({"jwt_auth": jwt_auth}),
        openapi_config=OpenAPIConfig(
            title="Kindergarten workforce registry",
            version="1.0.0",
            description="District registry of kindergarten staff, certificates, training and credits. See docs/api.md.",
            path=DOCS_PREFIX,
            render_plugins=[LocalSwaggerRenderPlugin(path="/swagger")],  # its files served from here
            components=Components(
                security_schemes={"BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")}
            ),
        ),
        debug=False,
    )
    _document_errors(app)
    return app
