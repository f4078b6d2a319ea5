from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kernel.auth import Principal, requires
from kernel.common.params import Group, Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.kindergartens import services
from registry.kindergartens.codes import Demonstration, Grade, Ownership, ServiceType
from registry.kindergartens.schemas import KindergartenCreate, KindergartenOut, KindergartenUpdate

Req = Request[Principal, Any, Any]


class KindergartenController(Controller):
    path = "/kindergartens"
    tags = ["kindergartens"]

    @get("/", guards=[requires("kindergarten.read")], summary="List kindergartens")
    async def list(
        self,
        request: Req,
        street: FromQuery[str | None] = None,
        group: Group = None,
        ownership: FromQuery[Ownership | None] = None,
        grade: FromQuery[Grade | None] = None,
        demonstration: FromQuery[Demonstration | None] = None,
        service_type: FromQuery[ServiceType | None] = None,
        search: Annotated[str | None, QueryParameter(description="name or code")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[KindergartenOut]:
        return await services.list_kindergartens(
            request.user,
            street=street,
            group=group,
            ownership=ownership,
            grade=grade,
            demonstration=demonstration,
            service_type=service_type,
            search=search,
            limit=limit,
            offset=offset,
        )

    @get("/{kindergarten_id:int}", guards=[requires("kindergarten.read")], summary="One kindergarten")
    async def get(self, request: Req, kindergarten_id: FromPath[int]) -> KindergartenOut:
        return await services.get_kindergarten(request.user, kindergarten_id)

    @post("/", guards=[requires("kindergarten.write")], summary="Register a kindergarten")
    async def create(self, request: Req, data: JSONBody[KindergartenCreate]) -> KindergartenOut:
        return await services.create_kindergarten(request.user, data)

    @patch("/{kindergarten_id:int}", guards=[requires("kindergarten.write")], summary="Change a kindergarten")
    async def update(
        self, request: Req, kindergarten_id: FromPath[int], data: JSONBody[KindergartenUpdate]
    ) -> KindergartenOut:
        return await services.update_kindergarten(request.user, kindergarten_id, data)
