from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter

from kernel.auth import Principal, requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT
from registry.notifications import services
from registry.notifications.schemas import NotificationOut, NotificationPage, ReadAllOut


class NotificationController(Controller):
    path = "/me/notifications"
    tags = ["notifications"]

    @get("/", guards=[requires("me")], summary="My notifications: unread first, then newest; with the unread count")
    async def list_notifications(
        self,
        request: Request[Principal, Any, Any],
        unread: Annotated[bool | None, QueryParameter(description="true: only unread; false: only read")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> NotificationPage:
        return await services.inbox(request.user, unread, limit, offset)

    @post(
        "/{notification_id:int}/read",
        status_code=200,
        guards=[requires("me")],
        summary="Mark one of my notifications read",
    )
    async def read(self, request: Request[Principal, Any, Any], notification_id: FromPath[int]) -> NotificationOut:
        return await services.mark_read(request.user, notification_id)

    @post("/read-all", status_code=200, guards=[requires("me")], summary="Mark all my notifications read")
    async def read_all(self, request: Request[Principal, Any, Any]) -> ReadAllOut:
        return await services.mark_all_read(request.user)


CONTROLLERS = [NotificationController]
