"""The credit-claim queue on the pages (issue 16): ``/claims?status=`` (a kindergarten admin: their
kindergarten's claims, the submitted ones by default, which they check; district HR: all, the checked
ones by default, which they decide; inspectors: all, read only), a claim's page (``/claims/{id}``: the
claim, its evidence, approve / return / reject with a reason, HR's credits by hand with their reason)
and the evidence file itself (``/claims/{id}/evidence``) for every page that shows it.

The decision is ``claims.review`` (the API's): a 422 is shown next to its input, a 409 (decided
meanwhile, not checked yet, …) as the page's message with the claim as it is. The evidence is served
through the page session's guards (the API's route wants a bearer token) with ``claims.evidence_file``
and the only relaxed header of the pages: this site's own pages may frame it (a PDF in the claim's
page), nothing else may (``pages.security.FRAMED_BY_SELF``).

``ClaimsWaiting`` counts the claims waiting for the logged-in admin or HR (one query per page) for the
navigation's "学分申报审核（N）".
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send
from pydantic import ValidationError

from credits import claim_rules, claims
from credits.claim_schemas import ClaimOut, ClaimReview
from credits.codes import ClaimStatus
from kernel.auth import Principal, allowed, requires
from kernel.common.downloads import content_disposition
from kernel.errors import DomainError
from kernel.i18n import _
from pages.claims import claim_context
from pages.form_support import FormErrors, Namer, Render, add_domain, add_validation, set_flash
from pages.schemas import Pager
from pages.security import FRAMED_BY_SELF
from registry.kindergartens.services import names_of

Req = Request[Any, Any, Any]
RenderDep = NamedDependency[Render]

QUEUE = "/claims"
ALL = "all"
PAGE = 20
Choice = Annotated[str, QueryParameter(max_length=32)]
Number = Annotated[str, QueryParameter(max_length=12)]
REVIEW_FIELDS = ("reason", "credits")


def default_status(who: Principal) -> str:
    """What the queue shows first: the claims waiting for the caller (inspectors: all)."""
    waiting = claim_rules.waiting_for(who.role)
    return waiting.value if waiting is not None else ALL


async def _kindergarten_names(items: list[ClaimOut]) -> dict[int, str]:
    """The names of the claims' kindergartens, read at once for the page (one query, not one a row)."""
    return await names_of(c.kindergarten_id for c in items if c.kindergarten_id is not None)


async def queue_context(who: Principal, status: str, offset: int) -> dict[str, Any]:
    page = await claims.list_claims(
        who, status=None if status == ALL else ClaimStatus(status), limit=PAGE, offset=offset
    )
    return {
        "claims": page.items,
        "status": status,
        "statuses": [s.value for s in ClaimStatus],
        "kindergartens": await _kindergarten_names(page.items),
        "pager": Pager(total=page.total, limit=PAGE, offset=offset),
        "pager_base": f"{QUEUE}?{urlencode({'status': status})}&",
        "reviews": allowed("claim.review", who.role),
    }


async def review_context(
    who: Principal, claim: ClaimOut, values: dict[str, str], errors: FormErrors, message: str = ""
) -> dict[str, Any]:
    context = await claim_context(who, claim)
    decidable = claim_rules.waiting_for(who.role) == claim.status
    context.update(
        mine=False,
        reviewing=decidable and allowed("claim.review", who.role),
        amendable=False,
        sets_credits=allowed("claim.review", who.role) and claim_rules.waiting_for(who.role) == ClaimStatus.checked,
        values=values,
        errors=errors,
        message=message,
        kindergarten=(await _kindergarten_names([claim])).get(claim.kindergarten_id or -1, ""),
    )
    return context


class ClaimQueuePages(Controller):
    path = QUEUE

    @get("/", guards=[requires("claim.list")], summary="The credit-claim queue (admins, HR; inspectors read)")
    async def queue(self, request: Req, render: RenderDep, status: Choice = "", offset: Number = "") -> Response[Any]:
        who: Principal = request.user
        known = {s.value for s in ClaimStatus} | {ALL}
        chosen = status if status in known else default_status(who)
        at = min(int(offset), 10_000_000) if offset.isdigit() else 0
        return render.page(request, "claims.html", await queue_context(who, chosen, at))

    @get("/{claim_id:int}", guards=[requires("claim.list")], summary="A claim with its evidence, and the decision")
    async def one(self, request: Req, render: RenderDep, claim_id: FromPath[int]) -> Response[Any]:
        claim = await claims.get_claim(request.user, claim_id)
        values = dict.fromkeys(REVIEW_FIELDS, "")
        return render.page(request, "claim.html", await review_context(request.user, claim, values, FormErrors()))

    @post(
        "/{claim_id:int}/review",
        guards=[requires("claim.review")],
        summary="Check or decide a claim: approve, return or reject (with a reason)",
        status_code=303,
    )
    async def review(self, request: Req, render: RenderDep, claim_id: FromPath[int]) -> Response[Any]:
        who: Principal = request.user
        form = await request.form()
        values = {name: str(form.get(name) or "").strip() for name in REVIEW_FIELDS}
        decision = str(form.get("decision") or "")
        body: dict[str, Any] = {"decision": decision, "reason": values["reason"]}
        if values["credits"]:
            body["credits"] = values["credits"]
        errors = FormErrors()
        name_of: Namer = lambda f: f if f in REVIEW_FIELDS else None  # noqa: E731
        try:
            claim = await claims.review(who, claim_id, ClaimReview.model_validate(body))
        except ValidationError as exc:
            add_validation(errors, exc, name_of)
        except DomainError as exc:
            add_domain(errors, exc, name_of)
        else:
            set_flash(request, _done(claim))
            return Redirect(path=QUEUE, status_code=303)
        current = await claims.get_claim(who, claim_id)  # as it is now (a 409: unchanged)
        message = " ".join(errors.general) if errors.status == 409 else ""
        if message:
            errors.general.clear()
        context = await review_context(who, current, values, errors, message)
        return render.page(request, "claim.html", context, status_code=errors.status)

    @get(
        "/{claim_id:int}/evidence",
        guards=[requires("claim.read")],
        summary="A claim's evidence file (its teacher, her kindergarten's admin, HR, inspectors)",
        opt={FRAMED_BY_SELF: True},
    )
    async def evidence(
        self, request: Req, claim_id: FromPath[int], download: Annotated[str, QueryParameter(max_length=3)] = ""
    ) -> Response[bytes]:
        name, media_type, content = await claims.evidence_file(request.user, claim_id)
        return Response(
            content=content,
            media_type=media_type,
            headers={
                "content-disposition": content_disposition(name, inline=download != "1", fallback="evidence"),
                "cache-control": "private, no-store",
            },
        )


def _done(claim: ClaimOut) -> str:
    if claim.status == ClaimStatus.checked:
        return _("Checked, sent to the district: {title}", title=claim.title)
    if claim.status == ClaimStatus.approved:
        return _("Approved: {title}", title=claim.title)
    if claim.status == ClaimStatus.returned:
        return _("Returned to the teacher: {title}", title=claim.title)
    return _("Not recognised: {title}", title=claim.title)


class ClaimsWaiting:
    """The navigation's count of claims waiting for the logged-in admin or HR
    (``request.state["claims_waiting"]``): one count per page request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        who = scope.get("user")
        if scope["type"] == "http" and isinstance(who, Principal) and allowed("claim.review", who.role):
            scope.setdefault("state", {})["claims_waiting"] = await claims.waiting_count(who)
        await self.app(scope, receive, send)


CLAIM_REVIEW_PAGES: list[type[Controller]] = [ClaimQueuePages]
