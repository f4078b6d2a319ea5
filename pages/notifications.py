"""The notification bell and inbox on the pages (issue 16).

Every page of a logged-in account shows "通知" in its header with the count of unread notifications
(``UnreadCount``: ``notifications.unread_count``, one indexed count per page request). ``/notifications``
is the inbox (unread first, then newest: ``notifications.inbox``), each message with the page it
concerns, "标为已读" per message and "全部标为已读" (POST forms with the CSRF token).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.types import ASGIApp, Receive, Scope, Send

from kernel.auth import Principal, requires
from kernel.i18n import _
from pages.form_support import Render, set_flash
from pages.schemas import Pager
from registry.notifications.services import inbox, mark_all_read, mark_read, unread_count

Req = Request[Any, Any, Any]
INBOX = "/notifications"
PAGE = 30
Number = Annotated[str, QueryParameter(max_length=12)]


def local_path(link: str) -> str:
    """A notification's link as a page of this site (a path, never another host): else the inbox."""
    return link if link.startswith("/") and not link.startswith(("//", "/\\")) else INBOX


class UnreadCount:
    """The bell's number (``request.state["unread"]``), counted once per page request for the
    logged-in account (after ``PrincipalMiddleware``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        who = scope.get("user")
        if scope["type"] == "http" and isinstance(who, Principal):
            scope.setdefault("state", {})["unread"] = await unread_count(who.account_id)
        await self.app(scope, receive, send)


class NotificationPages(Controller):
    path = INBOX
    guards = [requires("me")]

    @get("/", summary="My notifications: unread first, then newest")
    async def inbox(self, request: Req, render: NamedDependency[Render], offset: Number = "") -> Response[Any]:
        at = min(int(offset), 10_000_000) if offset.isdigit() else 0
        page = await inbox(request.user, None, PAGE, at)
        context = {
            "notifications": page.items,
            "unread_total": page.unread,
            "pager": Pager(total=page.total, limit=PAGE, offset=at),
            "pager_base": f"{INBOX}?",
        }
        return render.page(request, "notifications.html", context)

    @get("/{notification_id:int}/open", summary="Open the page a notification concerns; it is read then")
    async def open(self, request: Req, notification_id: FromPath[int]) -> Redirect:
        read = await mark_read(request.user, notification_id)  # another account's: the pages' 404
        return Redirect(path=local_path(read.link), status_code=303)

    @post("/{notification_id:int}/read", summary="Mark one of my notifications read", status_code=303)
    async def read(self, request: Req, notification_id: FromPath[int]) -> Redirect:
        await mark_read(request.user, notification_id)  # another account's: the pages' 404
        set_flash(request, _("Marked as read"))
        return Redirect(path=INBOX, status_code=303)

    @post("/read-all", summary="Mark all my notifications read", status_code=303)
    async def read_all(self, request: Req) -> Redirect:
        done = await mark_all_read(request.user)
        set_flash(request, _("{count} notifications marked as read", count=done.marked))
        return Redirect(path=INBOX, status_code=303)


NOTIFICATION_PAGES: list[type[Controller]] = [NotificationPages]
