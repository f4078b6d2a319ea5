"""The web pages: thin controllers (guards from the API's permission matrix, one service call, a
template), the template engine, the static files and the page router's session, principal and
security-header middleware. ``mount(settings)`` gives create_app what it needs.

Guards are the API's own ``requires(permission)``: each page requires every permission of the API
endpoints whose data it shows; rows are scoped by the same services (out of scope: 404). Nobody
logged in: a redirect to the login page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Controller, Request, Response, Router, get, post
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import DefineMiddleware
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Receive, Scope, Send

from bulk.exports import export
from eligibility.codes import Purpose
from kernel.auth import Principal, allowed, requires
from kernel.codes import Role, label
from kernel.common.downloads import content_disposition
from kernel.errors import Busy, DomainError, NotFound, TooManyAttempts, Unauthorized
from kernel.errors import exception_handlers as API_EXCEPTION_HANDLERS
from kernel.i18n import _, use_locale
from kernel.settings import Settings
from pages import rules, search, services, sorting
from pages.account import ACCOUNT_PAGES
from pages.certificate_forms import CERTIFICATE_PAGES
from pages.claim_review import CLAIM_REVIEW_PAGES, QUEUE, ClaimsWaiting
from pages.claims import CLAIM_PAGES, MINE, NEW
from pages.data_entry import DATA_ENTRY_PAGES
from pages.diffs import local_time
from pages.documents import DocumentPages
from pages.form_support import Render
from pages.forms import MY_CHANGES
from pages.notifications import NOTIFICATION_PAGES, UnreadCount
from pages.people import PEOPLE_PAGES
from pages.review import REVIEW, REVIEW_PAGES, PendingCount
from pages.schemas import LoginForm, PlacementForm
from pages.security import (
    SECURITY_HEADERS,
    PrincipalMiddleware,
    SecurityHeadersMiddleware,
    claims_of,
    csrf_config,
    session_middleware,
)
from registry.accounts.security import client_address
from registry.accounts.services import log_out
from registry.staff.codes import Post

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
PAGE_SIZE = 50

Req = Request[Any, Any, Any]
Limit = Annotated[int, QueryParameter(ge=1, le=200, description="rows per page")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000, description="rows to skip")]
Cycle = Annotated[str | None, QueryParameter(pattern=r"^\d{4}-\d{4}$", description="e.g. 2021-2025")]


# --- templates -------------------------------------------------------------------------------------------


def _label(code: Any, enum_name: str) -> str:
    return rules.label_of(enum_name, code)


def _day(value: date | None) -> str:
    return "—" if value is None else value.isoformat()


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(label=_label, num=rules.num, pct=rules.pct_text, day=_day, missing=rules.missing_text)
    env.filters["reason"] = rules.assignment_reason
    env.filters["when"] = local_time  # a moment as Beijing time, to the minute
    env.globals["allowed"] = allowed  # a link to a form only for the roles that may write it
    return env


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    return TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment()))


@dataclass(frozen=True)
class NavItem:
    href: str
    text: str


def nav_for(who: Principal | None, pending: int | None = None, claims_waiting: int | None = None) -> list[NavItem]:
    if who is None:
        return []
    items: list[NavItem] = []
    if who.role in (Role.district_hr, Role.inspector):
        items += [
            NavItem("/dashboard", "概览"),
            NavItem("/kindergartens", "幼儿园"),
            NavItem("/violations", "持证上岗"),
            NavItem("/expiring", "证书到期"),
            NavItem("/rounds", "评审名单"),
        ]
    elif who.role == Role.kindergarten_admin:
        if who.kindergarten_id is not None:
            items.append(NavItem(f"/kindergartens/{who.kindergarten_id}", "本园"))
        items += [NavItem("/violations", "持证上岗"), NavItem("/expiring", "证书到期"), NavItem("/rounds", "评审名单")]
    if allowed("training.result.submit", who.role):
        items.append(NavItem("/training/sessions", "培训成绩"))
    if allowed("import.run", who.role):
        items.append(NavItem("/imports", "批量导入"))
    if who.staff_id is not None:
        base = f"/staff/{who.staff_id}"
        items += [
            NavItem(base, "我的档案"),
            NavItem(f"{base}/credits", "我的学分"),
            NavItem(f"{base}/eligibility", "评审资格"),
        ]
    if allowed("claim.submit", who.role) and who.staff_id is not None:  # credit claims (issue 16)
        items += [NavItem(NEW, "报告培训"), NavItem(MINE, "我的申报")]
    if allowed("change.decide", who.role):  # the review queue, with the count waiting (issue 15)
        items.append(NavItem(REVIEW, f"审核（{pending}）" if pending else "审核"))
    elif allowed("change.read", who.role):
        items.append(NavItem(MY_CHANGES, "我的提交"))
    if allowed("claim.review", who.role):  # the claims waiting for this admin or HR (issue 16)
        items.append(NavItem(QUEUE, f"学分申报审核（{claims_waiting}）" if claims_waiting else "学分申报审核"))
    elif allowed("claim.list", who.role):
        items.append(NavItem(QUEUE, "学分申报"))
    return items


def _flash(request: Req) -> dict[str, str] | None:
    session = request.scope.get("session")
    if isinstance(session, dict) and "flash" in session:
        flash: dict[str, str] = session.pop("flash")
        return flash
    return None


def set_flash(request: Req, text: str, kind: str = "ok") -> None:
    session = request.scope.get("session")
    if not isinstance(session, dict):
        session = {}
    session["flash"] = {"kind": kind, "text": text}
    request.set_session(session)


def page(request: Req, template: str, context: dict[str, Any], status_code: int = 200, **headers: str) -> Template:
    who = request.scope.get("user")
    path = request.url.path
    nav = nav_for(who, request.state.get("pending_changes"), request.state.get("claims_waiting"))
    current = max((n.href for n in nav if path == n.href or path.startswith(n.href + "/")), key=len, default=None)
    return Template(
        template_name=template,
        context={
            **context,
            "me": who,
            "role_label": label(Role, who.role) if who else "",
            "nav": nav,
            "current": current,
            "flash": _flash(request),
            "unread": request.state.get("unread") or 0,  # the bell (pages.notifications.UnreadCount)
            "path": path,
            "search_label": search.label_for(who.role) if who else "",
            "search_hint": search.placeholder_for(who.role) if who else "",
            "search_term": context.get("term", ""),
        },
        status_code=status_code,
        headers=headers or None,
    )


def render() -> Render:
    """The ``render`` dependency of the pages mounted from other modules (the forms, the review)."""
    return Render(page)


# --- errors ----------------------------------------------------------------------------------------------


def _login_redirect(request: Req) -> Response[Any]:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    nxt = rules.safe_next(target) if request.method == "GET" else None
    query = {"next": nxt} if nxt and nxt != "/" else None
    return Redirect(path="/login", query_params=query, status_code=303)


def _api_answer(request: Req, exc: Exception) -> Response[Any]:
    """What the API would answer (kernel.errors: one mapping of every error to a status), whose
    status and detail the page then shows."""
    for cls in type(exc).__mro__:
        handler = API_EXCEPTION_HANDLERS.get(cls)
        if handler is not None:
            return handler(request, exc)
    return API_EXCEPTION_HANDLERS[Exception](request, exc)


def page_error(request: Req, exc: Exception) -> Response[Any]:
    """Every error on a page as a page (the API answers problem documents; the pages answer HTML)."""
    if isinstance(exc, NotAuthorizedException):
        return _login_redirect(request)
    answer = _api_answer(request, exc)  # logs unexpected errors, as for the API
    status = answer.status_code or 500
    body = answer.content if isinstance(answer.content, dict) else {}
    detail = str(body.get("detail", "")) if status in (400, 409, 413, 422) else ""
    # Litestar's own words name the CSRF check (the answer's detail may be their translation)
    if status == 403 and "csrf" in str(getattr(exc, "detail", "") or body.get("detail", "")).lower():
        message = "页面已过期或表单来源无法确认（CSRF 校验未通过）。请返回上一页，刷新后重试。"
    elif status == 403:
        message = "您的账户角色无权查看此页面。"
    elif status == 404:
        message = "没有找到这个页面，或者它不在您可以查看的范围内。"
    elif status >= 500:
        message = "系统出现意外错误，请稍后再试。"
    elif status == 413 and not isinstance(exc, DomainError):  # over the route's body limit: nothing was read
        limit = rules.size_text(request.route_handler.resolve_request_max_body_size() or 0)
        message = f"上传的内容超过了 {limit} 的上限，没有提交。请返回表单，选择较小的文件后重新填写提交。"
        detail = ""
    else:
        message = "请求无法完成。"
    back = rules.form_page(request.url.path) if status == 413 and request.method == "POST" else ""
    response = page(
        request,
        "error.html",
        {"status": status, "title": rules.status_title(status), "message": message, "detail": detail, "back": back},
        status_code=status,
    )
    response.headers.update({**SECURITY_HEADERS, "cache-control": "no-store"})
    return response


# the same keys as the API's handlers, so no API handler (problem+json) is closer to a page's error
EXCEPTION_HANDLERS: dict[Any, Any] = {key: page_error for key in (*API_EXCEPTION_HANDLERS, Exception)}


# --- log in and out -----------------------------------------------------------------------------------------


class AuthPages(Controller):
    path = "/"

    @get("/", summary="Home: the login page, or the first page of the logged-in role")
    async def home(self, request: Req) -> Redirect:
        who = request.scope.get("user")
        if who is None:
            return Redirect(path="/login", status_code=303)
        return Redirect(path=rules.home_of(who.role, who.kindergarten_id, who.staff_id), status_code=303)

    @get("/login", summary="The login form")
    async def login_form(
        self, request: Req, next: Annotated[str | None, QueryParameter(max_length=2000)] = None
    ) -> Response[Any]:
        who = request.scope.get("user")
        if who is not None:
            return Redirect(path=rules.home_of(who.role, who.kindergarten_id, who.staff_id), status_code=303)
        return page(request, "login.html", {"next": rules.safe_next(next) or "", "username": "", "error": ""})

    @post("/login", summary="Log in (the API's login: argon2, throttled per username and address)", status_code=303)
    async def login(
        self, request: Req, data: Annotated[LoginForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
    ) -> Response[Any]:
        nxt = rules.safe_next(data.next) or ""
        context = {"next": nxt, "username": data.username}
        if not data.username or not data.password:
            return page(request, "login.html", {**context, "error": "请输入用户名和密码。"}, status_code=400)
        try:
            who = await services.login(data.username, data.password, client_address(request))
        except (TooManyAttempts, Busy) as exc:
            retry = int(exc.extra["retry_after"])
            error = rules.lockout_message(retry) if exc.status == 429 else rules.busy_message(retry)
            return page(request, "login.html", {**context, "error": error}, exc.status, **{"retry-after": str(retry)})
        except Unauthorized:
            return page(request, "login.html", {**context, "error": "用户名或密码错误。"}, status_code=401)
        request.set_session(claims_of(who))
        return Redirect(path=nxt or rules.home_of(who.role, who.kindergarten_id, who.staff_id), status_code=303)

    @post(
        "/logout",
        summary="Log out: this account's sessions and tokens end (on every device), the cookie is cleared",
        status_code=303,
    )
    async def logout(self, request: Req) -> Redirect:

        if isinstance(request.user, Principal):
            await log_out(request.user)
        request.clear_session()
        set_flash(request, "您已安全退出。")
        return Redirect(path="/login", status_code=303)

    @get("/me", guards=[requires("me")], summary="My record (accounts with a staff record)")
    async def me(self, request: Req) -> Response[Any]:
        who: Principal = request.user
        if who.staff_id is None:
            raise NotFound(_("this account has no staff record"))
        return Redirect(path=f"/staff/{who.staff_id}", status_code=303)


# --- a person's pages ---------------------------------------------------------------------------------------


class PersonPages(Controller):
    path = "/staff/{staff_id:int}"

    @get(
        "/",
        guards=[
            requires("staff.read"),
            requires("certificate.read"),
            requires("training.read"),
            requires("credits.read"),
            requires("ethics.read"),
        ],
        summary="A person's record over time: posts, certificates, training, credits, ethics",
    )
    async def record(self, request: Req, staff_id: FromPath[int]) -> Template:
        context = await services.person_page(request.user, staff_id)
        context["pdfs"] = allowed("report.staff", request.user.role)
        return page(request, "person.html", context)

    @get("/credits", guards=[requires("staff.read"), requires("credits.read")], summary="Credits of a cycle")
    async def credits(self, request: Req, staff_id: FromPath[int], cycle: Cycle = None) -> Template:
        return page(request, "credits.html", await services.credits_page(request.user, staff_id, cycle))

    @get(
        "/eligibility",
        guards=[requires("staff.read"), requires("eligibility.read"), requires("ethics.read")],
        summary="Eligibility for title evaluation, awards and the rest, in plain words",
    )
    async def eligibility(self, request: Req, staff_id: FromPath[int]) -> Template:
        return page(request, "eligibility.html", await services.eligibility_page(request.user, staff_id))

    @get("/transcript.pdf", guards=[requires("report.staff")], summary="Download the credit transcript PDF")
    async def transcript(self, request: Req, staff_id: FromPath[int], cycle: Cycle = None) -> Response[bytes]:
        issued = await services.transcript_pdf(request.user, staff_id, cycle)
        return Response(
            content=issued.pdf,
            media_type="application/pdf",
            headers={
                "content-disposition": f'attachment; filename="{issued.filename}"',
                "x-verification-code": issued.code,
                "cache-control": "no-store",
            },
        )


# --- district HR, inspectors and kindergarten admins ----------------------------------------------------------


class DistrictPages(Controller):
    path = "/"

    @get(
        "/dashboard",
        guards=[
            requires("dashboard.read"),
            requires("staffing.read"),
            requires("compliance.read"),
            requires("training.coverage"),
        ],
        summary="The plan's progress, training coverage and the gap by street",
    )
    async def dashboard(self, request: Req) -> Template:
        context = await services.dashboard(request.user)
        context["district_pdfs"] = allowed("report.district", request.user.role)
        context["vetoes_pdf"] = allowed("report.ethics", request.user.role)
        return page(request, "dashboard.html", context)

    @get("/violations", guards=[requires("compliance.read")], summary="People on post without their certificates")
    async def violations(
        self, request: Req, post: FromQuery[Post | None] = None, limit: Limit = PAGE_SIZE, offset: Offset = 0
    ) -> Template:
        context = await services.violations_page(request.user, post.value if post else None, limit, offset)
        return page(request, "violations.html", context)

    @get(
        "/rounds",
        guards=[requires("eligibility.batch")],
        summary="Evaluation rounds: everyone on post in scope for one purpose, the rules not met in words",
    )
    async def rounds(
        self,
        request: Req,
        purpose: FromQuery[Purpose] = Purpose.title,
        on: FromQuery[date | None] = None,
        limit: Limit = PAGE_SIZE,
        offset: Offset = 0,
    ) -> Template:
        context = await services.rounds_page(request.user, purpose.value, on, limit, offset)
        return page(request, "rounds.html", context)

    @get(
        "/rounds.xlsx",
        guards=[requires("eligibility.batch"), requires("export.read")],
        summary="Download the whole round as a spreadsheet (the eligibility export)",
    )
    async def rounds_xlsx(
        self, request: Req, purpose: FromQuery[Purpose] = Purpose.title, on: FromQuery[date | None] = None
    ) -> Response[bytes]:

        name, media_type, content = await export(request.user, "eligibility.xlsx", purpose=purpose.value, on=on)
        return Response(
            content=content,
            media_type=media_type,
            headers={"content-disposition": content_disposition(name), "cache-control": "no-store"},
        )

    @get("/expiring", guards=[requires("certificate.read")], summary="Certificates that expire soon")
    async def expiring(
        self,
        request: Req,
        within_days: Annotated[int, QueryParameter(ge=1, le=366)] = 90,
        limit: Limit = PAGE_SIZE,
        offset: Offset = 0,
    ) -> Template:
        context = await services.expiring_page(request.user, within_days, limit, offset)
        return page(request, "expiring.html", context)

    @get("/kindergartens", guards=[requires("kindergarten.read")], summary="Kindergartens")
    async def kindergartens(
        self,
        request: Req,
        search: Annotated[str | None, QueryParameter(max_length=100)] = None,
        street: Annotated[str | None, QueryParameter(max_length=64)] = None,
        sort: FromQuery[sorting.Sort] = "code",
        order: FromQuery[sorting.Order] = "asc",
        limit: Limit = PAGE_SIZE,
        offset: Offset = 0,
    ) -> Template:
        context = await services.kindergartens_page(request.user, search, street, sort, order, limit, offset)
        return page(request, "kindergartens.html", context)

    @get(
        "/kindergartens/{kindergarten_id:int}",
        guards=[
            requires("kindergarten.read"),
            requires("staff.list"),
            requires("staffing.read"),
            requires("compliance.read"),
        ],
        summary="A kindergarten: staff, gaps, compliance",
    )
    async def kindergarten(self, request: Req, kindergarten_id: FromPath[int]) -> Template:
        context = await services.kindergarten_page(request.user, kindergarten_id)
        context["staffing_pdf"] = allowed("report.kindergarten", request.user.role)
        return page(request, "kindergarten.html", context)

    @get(
        "/kindergartens/{kindergarten_id:int}/pool-matches",
        guards=[requires("kindergarten.read"), requires("pool.match")],
        summary="Pool candidates for a kindergarten's post, with a place action (district HR)",
    )
    async def pool_matches(
        self,
        request: Req,
        kindergarten_id: FromPath[int],
        post: FromQuery[Post] = Post.teacher,
        limit: Limit = 10,
        offset: Offset = 0,
    ) -> Template:
        context = await services.pool_matches_page(request.user, kindergarten_id, post.value, limit, offset)
        return page(request, "pool_matches.html", context)

    @post(
        "/pool/candidates/{candidate_id:int}/placement",
        guards=[requires("pool.place")],
        summary="Place a pool candidate (district HR)",
        status_code=303,
    )
    async def place(
        self,
        request: Req,
        candidate_id: FromPath[int],
        data: Annotated[PlacementForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        back = f"/kindergartens/{data.kindergarten_id}/pool-matches?post={data.post}"
        try:
            out = await services.place(request.user, candidate_id, data)
        except DomainError as exc:
            if exc.status not in (404, 409, 422):
                raise
            set_flash(request, f"未能安置：{exc.detail}", "error")
            return Redirect(path=back, status_code=303)
        set_flash(request, rules.placement_message(out, data.name or f"候选人 {candidate_id}"))
        return Redirect(path=f"/kindergartens/{data.kindergarten_id}", status_code=303)


# --- finding: the search box, pool candidates ----------------------------------------------------------------


class FindPages(Controller):
    path = "/"

    @get(
        "/search",
        guards=[requires("staff.read"), requires("certificate.read")],
        summary="Search people, certificates, kindergartens and pool candidates (each scoped as the API)",
    )
    async def find(
        self, request: Req, q: Annotated[str | None, QueryParameter(max_length=search.TERM_MAX)] = None
    ) -> Template:
        return page(request, "search.html", await search.search_page(request.user, q))

    @get(
        "/pool/candidates/{candidate_id:int}",
        guards=[requires("pool.read")],
        summary="A reserve-pool candidate (district HR and inspectors)",
    )
    async def candidate(self, request: Req, candidate_id: FromPath[int]) -> Template:
        return page(request, "candidate.html", await services.candidate_page(request.user, candidate_id))


CONTROLLERS: list[type[Controller]] = [AuthPages, PersonPages, DistrictPages, FindPages, DocumentPages]


# --- mounting -----------------------------------------------------------------------------------------------------


class ChinesePages:
    """The pages are Chinese (their templates are): the messages they show from the services (an
    error's detail, a flash) are Chinese too, whatever language the browser asks for (the API follows
    ``Accept-Language``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        with use_locale("zh"):
            await self.app(scope, receive, send)


@dataclass(frozen=True)
class Mount:
    """What create_app adds for the pages."""

    routers: list[Router]
    template_config: TemplateConfig[JinjaTemplateEngine]
    csrf_config: CSRFConfig


def mount(settings: Settings) -> Mount:
    headers = DefineMiddleware(SecurityHeadersMiddleware, cookie_secure=settings.cookie_secure)
    pages = Router(
        path="/",
        route_handlers=[
            *CONTROLLERS,
            *DATA_ENTRY_PAGES,
            *PEOPLE_PAGES,
            *CERTIFICATE_PAGES,
            *REVIEW_PAGES,
            *CLAIM_PAGES,
            *CLAIM_REVIEW_PAGES,
            *NOTIFICATION_PAGES,
            *ACCOUNT_PAGES,
        ],
        dependencies={"render": Provide(render, sync_to_thread=False)},
        # the API's JWT middleware does not apply: pages authenticate with the session cookie
        opt={"exclude_from_auth": True},
        middleware=[
            ChinesePages,
            headers,
            session_middleware(settings),
            PrincipalMiddleware,
            PendingCount,
            ClaimsWaiting,
            UnreadCount,
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
    static = create_static_files_router(
        path="/static",
        directories=[STATIC],
        opt={"exclude_from_auth": True},
        middleware=[headers],
        include_in_schema=False,
        name="static",
    )
    return Mount(routers=[pages, static], template_config=template_config(), csrf_config=csrf_config(settings))
