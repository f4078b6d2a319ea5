"""The review on the pages (issue 15): district HR's queue (``/review``: the change requests,
filtered by status, kind and kindergarten, paged; each with its fields before and after; approve,
or reject with the reason), and a kindergarten admin's submissions (``/my/changes``: their
kindergarten's change requests with their status and HR's reason; withdraw while pending).

Approving applies the change through the same write as the API (``Changes.approve``): a rule that
fails now, or a record changed since, is a 409 shown as the page's message, the change still pending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from kernel.auth import Principal, allowed, requires
from kernel.errors import DomainError, NotFound
from kernel.i18n import _
from pages.diffs import ChangeView, Names, referenced, view_of
from pages.form_support import Render, set_flash
from pages.forms import (
    MY_CHANGES,
    FormState,
    posted,
    refusable,
    refused,
    same_field,
    text,
    validate,
)
from pages.people import all_kindergartens
from pages.schemas import Pager
from registry.changes.codes import ChangeKind, ChangeStatus
from registry.changes.schemas import ChangeOut, RejectIn
from registry.changes.services import Changes, get_change, list_changes
from registry.kindergartens.services import code_and_name
from registry.staff.services import get_staff
from training.catalogue import get_session

Req = Request[Any, Any, Any]
ChangesDep = NamedDependency[Changes]
RenderDep = NamedDependency[Render]

PAGE = 20
REVIEW = "/review"
Choice = Annotated[str, QueryParameter(max_length=32)]
Number = Annotated[str, QueryParameter(max_length=12)]
Limit = Annotated[int, QueryParameter(ge=1, le=100, description="changes per page")]
ALL = "all"


@dataclass(frozen=True)
class Filters:
    """The queue's filters as the address has them (an unknown value is ignored)."""

    status: str = ChangeStatus.pending.value  # or ALL
    kind: str = ""
    kindergarten_id: int | None = None
    offset: int = 0

    @classmethod
    def of(cls, status: str = "", kind: str = "", kindergarten_id: str = "", offset: str = "") -> Filters:
        statuses = {s.value for s in ChangeStatus} | {ALL}
        return cls(
            status=status if status in statuses else ChangeStatus.pending.value,
            kind=kind if kind in {k.value for k in ChangeKind} else "",
            kindergarten_id=int(kindergarten_id) if kindergarten_id.isdigit() else None,
            offset=min(int(offset), 10_000_000) if offset.isdigit() else 0,
        )

    @classmethod
    def parse(cls, query: str) -> Filters:
        """From a query string (a form's ``back``: the queue it was posted from)."""
        values = {key: items[-1] for key, items in parse_qs(query[:2000]).items()}
        return cls.of(**{k: values.get(k, "") for k in ("status", "kind", "kindergarten_id", "offset")})

    def query(self, offset: int | None = None) -> str:
        params: dict[str, Any] = {"status": self.status}
        if self.kind:
            params["kind"] = self.kind
        if self.kindergarten_id is not None:
            params["kindergarten_id"] = self.kindergarten_id
        at = self.offset if offset is None else offset
        if at:
            params["offset"] = at
        return urlencode(params)


async def _names(who: Principal, changes: list[ChangeOut]) -> Names:
    """The names of what the changes refer to, as far as the caller may see them."""
    ids = referenced(changes)
    names = Names()
    for kg in sorted(ids["kindergarten_id"]):
        known = await code_and_name(kg)  # public: a transfer's destination outside an admin's scope too
        if known is not None:
            names.kindergartens[kg] = f"{known[1]}（{known[0]}）"
    for session in sorted(ids["session_id"]):
        try:
            s = await get_session(who, session)
        except NotFound:
            continue
        names.sessions[session] = f"{s.course_title}（{s.starts_on.isoformat()} – {s.ends_on.isoformat()}）"
    for person in sorted(ids["staff_id"]):
        try:
            names.people[person] = (await get_staff(who, person)).name
        except NotFound:
            continue
    return names


async def views(who: Principal, changes: list[ChangeOut]) -> list[ChangeView]:
    names = await _names(who, changes)
    return [view_of(c, names) for c in changes]


async def queue_context(who: Principal, filters: Filters, base: str, limit: int = PAGE) -> dict[str, Any]:
    status = None if filters.status == ALL else ChangeStatus(filters.status)
    page = await list_changes(
        who,
        status=status,
        kind=ChangeKind(filters.kind) if filters.kind else None,
        kindergarten_id=filters.kindergarten_id,
        limit=limit,
        offset=filters.offset,
    )
    kindergartens = [(k.id, f"{k.code} {k.name}") for k in await all_kindergartens(who)] if base == REVIEW else []
    return {
        "items": await views(who, page.items),
        "filters": filters,
        "pager": Pager(total=page.total, limit=limit, offset=filters.offset),
        "pager_base": f"{base}?{Filters(filters.status, filters.kind, filters.kindergarten_id).query()}&",
        "back": filters.query(),
        "statuses": [s.value for s in ChangeStatus],
        "kinds": [k.value for k in ChangeKind],
        "kindergartens": kindergartens,
        "state": FormState(),
        "error_for": None,
        "message": "",
    }


class PendingCount:
    """District HR's navigation shows how many changes wait (``request.state["pending_changes"]``):
    counted once per page request, after the principal is known (``PrincipalMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        who = scope.get("user")
        if scope["type"] == "http" and isinstance(who, Principal) and allowed("change.decide", who.role):
            page = await list_changes(who, status=ChangeStatus.pending, limit=1, offset=0)
            scope.setdefault("state", {})["pending_changes"] = page.total
        await self.app(scope, receive, send)


def _back(values: dict[str, Any], base: str) -> tuple[Filters, str]:
    filters = Filters.parse(text(values, "back"))
    return filters, f"{base}?{filters.query()}"


async def with_error(
    who: Principal, filters: Filters, base: str, change_id: int, message: str, state: FormState | None = None
) -> dict[str, Any]:
    """The list again with what went wrong with one change, that change first when the page it was
    posted from would not show it any more."""
    context = await queue_context(who, filters, base)
    if all(v.change.id != change_id for v in context["items"]):
        try:
            change = await get_change(who, change_id)
        except NotFound:
            pass
        else:
            context["items"] = [*await views(who, [change]), *context["items"]]
    context.update(error_for=change_id, message=message, state=state or FormState())
    return context


async def again(
    request: Req,
    render: Render,
    filters: Filters,
    change_id: int,
    message: str,
    status: int,
    state: FormState | None = None,
) -> Response[Any]:
    """The queue again, with what went wrong with one change (it stays as it was)."""
    context = await with_error(request.user, filters, REVIEW, change_id, message, state)
    return render.page(request, "review.html", context, status_code=status)


class ReviewPages(Controller):
    path = "/"

    @get(REVIEW, guards=[requires("change.read"), requires("change.decide")], summary="The review queue (HR)")
    async def queue(
        self,
        request: Req,
        render: RenderDep,
        status: Choice = ChangeStatus.pending.value,
        kind: Choice = "",
        kindergarten_id: Number = "",
        offset: Number = "",
        limit: Limit = PAGE,
    ) -> Response[Any]:
        filters = Filters.of(status, kind, kindergarten_id, offset)
        return render.page(request, "review.html", await queue_context(request.user, filters, REVIEW, limit))

    @post(
        f"{REVIEW}/{{change_id:int}}/approve",
        guards=[requires("change.decide")],
        summary="Approve a change: apply it (its rules checked again)",
        status_code=303,
    )
    async def approve(
        self, request: Req, render: RenderDep, changes: ChangesDep, change_id: FromPath[int]
    ) -> Response[Any]:
        values = await posted(request)
        filters, back = _back(values, REVIEW)
        try:
            decision = await changes.approve(request.user, change_id)
        except DomainError as exc:
            if not refusable(exc):
                raise
            return await again(request, render, filters, change_id, exc.detail, exc.status)
        set_flash(request, _("Approved: {summary}", summary=decision.change.summary))
        return Redirect(path=back, status_code=303)

    @post(
        f"{REVIEW}/{{change_id:int}}/reject",
        guards=[requires("change.decide")],
        summary="Reject a change, saying why",
        status_code=303,
    )
    async def reject(
        self, request: Req, render: RenderDep, changes: ChangesDep, change_id: FromPath[int]
    ) -> Response[Any]:
        values = await posted(request)
        filters, back = _back(values, REVIEW)
        state = FormState(values)
        reason = text(values, "reason")
        if not reason:
            state.fail("reason", _("a rejection needs its reason"))
        else:
            validate(RejectIn, {"reason": reason}, state, same_field("reason"))
        if not state.failed:
            try:
                change = await changes.reject(request.user, change_id, reason)
            except DomainError as exc:
                if not refusable(exc):
                    raise
                refused(exc, state, same_field("reason"))
                state.status = exc.status
            else:
                set_flash(request, _("Rejected: {summary}", summary=change.summary))
                return Redirect(path=back, status_code=303)
        message = " ".join(state.messages)
        return await again(request, render, filters, change_id, message, state.status, state)

    @get(MY_CHANGES, guards=[requires("change.read")], summary="My kindergarten's submissions (an admin's)")
    async def mine(
        self, request: Req, render: RenderDep, status: Choice = ALL, offset: Number = "", limit: Limit = PAGE
    ) -> Response[Any]:
        if allowed("change.decide", request.user.role):
            return Redirect(path=REVIEW, status_code=303)
        filters = Filters.of(status or ALL, "", "", offset)
        context = await queue_context(request.user, filters, MY_CHANGES, limit)
        return render.page(request, "my_changes.html", context)

    @post(
        f"{MY_CHANGES}/{{change_id:int}}/withdraw",
        guards=[requires("change.read")],
        summary="Withdraw one's own pending change",
        status_code=303,
    )
    async def withdraw(
        self, request: Req, render: RenderDep, changes: ChangesDep, change_id: FromPath[int]
    ) -> Response[Any]:
        values = await posted(request)
        filters, back = _back(values, MY_CHANGES)
        try:
            change = await changes.withdraw(request.user, change_id)
        except DomainError as exc:
            if not refusable(exc):
                raise
            context = await with_error(request.user, filters, MY_CHANGES, change_id, exc.detail)
            return render.page(request, "my_changes.html", context, status_code=exc.status)
        set_flash(request, _("Withdrawn: {summary}", summary=change.summary))
        return Redirect(path=back, status_code=303)


REVIEW_PAGES: list[type[Controller]] = [ReviewPages]
