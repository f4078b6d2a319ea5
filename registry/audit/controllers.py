from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Controller, Request, get
from litestar.params import FromQuery

from kernel.auth import Principal, requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.audit import services
from registry.audit.schemas import AuditEventOut


class AuditController(Controller):
    path = "/audit"
    tags = ["audit"]

    @get("/", guards=[requires("audit.read")], summary="The audit trail, newest first")
    async def list(
        self,
        request: Request[Principal, Any, Any],
        entity: FromQuery[str | None] = None,
        entity_id: FromQuery[str | None] = None,
        actor: FromQuery[str | None] = None,
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[AuditEventOut]:
        return await services.list_events(
            request.user,
            entity=entity,
            entity_id=entity_id,
            actor=actor,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )
