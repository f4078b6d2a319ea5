"""The review queue (``/changes``) and the answer of a write that may be sent for review."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from pydantic import BaseModel

from kernel.auth import Principal, requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.changes import services
from registry.changes.codes import ChangeKind, ChangeStatus
from registry.changes.schemas import ChangeDecision, ChangeOut, RejectIn
from registry.changes.services import Applied, Changes, Submitted

Req = Request[Principal, Any, Any]
ChangesDep = NamedDependency[Changes]  # the kinds of change the app knows (app.factory)

API_PREFIX = "/api/v1"

# for the endpoints whose write a role may send for review
REVIEWED = {
    202: ResponseSpec(
        data_container=ChangeOut,
        description="Submitted for district HR's review (the caller's role needs review for this write): "
        "the change request; Location names it",
        generate_examples=False,
    )
}


def answer(outcome: Applied | Submitted, status_code: int = 201) -> Response[Any]:
    """The write's own answer, or 202 with the change request and its Location."""
    if isinstance(outcome, Submitted):
        return Response(
            outcome.change, status_code=202, headers={"Location": f"{API_PREFIX}/changes/{outcome.change.id}"}
        )
    result: BaseModel = outcome.result
    return Response(result, status_code=status_code)


class ChangeController(Controller):
    path = "/changes"
    tags = ["review"]

    @get("/", guards=[requires("change.read")], summary="The review queue (HR: all; an admin: their kindergarten's)")
    async def list(
        self,
        request: Req,
        status: FromQuery[ChangeStatus | None] = None,
        kind: FromQuery[ChangeKind | None] = None,
        kindergarten_id: FromQuery[int | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[ChangeOut]:
        return await services.list_changes(
            request.user, status=status, kind=kind, kindergarten_id=kindergarten_id, limit=limit, offset=offset
        )

    @get("/{change_id:int}", guards=[requires("change.read")], summary="One change request")
    async def get(self, request: Req, change_id: FromPath[int]) -> ChangeOut:
        return await services.get_change(request.user, change_id)

    @post(
        "/{change_id:int}/approve",
        guards=[requires("change.decide")],
        status_code=200,
        summary="Approve: apply the change (its rules checked again)",
    )
    async def approve(self, request: Req, change_id: FromPath[int], changes: ChangesDep) -> ChangeDecision:
        return await changes.approve(request.user, change_id)

    @post("/{change_id:int}/reject", guards=[requires("change.decide")], status_code=200, summary="Reject, saying why")
    async def reject(
        self, request: Req, change_id: FromPath[int], data: JSONBody[RejectIn], changes: ChangesDep
    ) -> ChangeOut:
        return await changes.reject(request.user, change_id, data.reason)

    @post(
        "/{change_id:int}/withdraw",
        guards=[requires("change.read")],
        status_code=200,
        summary="Withdraw one's own pending change",
    )
    async def withdraw(self, request: Req, change_id: FromPath[int], changes: ChangesDep) -> ChangeOut:
        return await changes.withdraw(request.user, change_id)
