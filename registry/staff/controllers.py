from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kernel.auth import Principal, requires
from kernel.common.params import Group, Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.changes.codes import ChangeKind
from registry.changes.controllers import REVIEWED, ChangesDep, answer
from registry.kindergartens.codes import Ownership
from registry.staff import services, transfers
from registry.staff.changes import update_kind
from registry.staff.codes import Employment, Honour, Post, StaffStatus, Title
from registry.staff.schemas import StaffCreate, StaffDetail, StaffOut, StaffUpdate, TransferIn

Req = Request[Principal, Any, Any]


class StaffController(Controller):
    path = "/staff"
    tags = ["staff"]

    @get("/", guards=[requires("staff.list")], summary="List staff")
    async def list(
        self,
        request: Req,
        kindergarten_id: FromQuery[int | None] = None,
        street: FromQuery[str | None] = None,
        group: Group = None,
        ownership: FromQuery[Ownership | None] = None,
        post: FromQuery[Post | None] = None,
        status: FromQuery[StaffStatus | None] = None,
        title: FromQuery[Title | None] = None,
        employment: FromQuery[Employment | None] = None,
        honour: FromQuery[Honour | None] = None,
        search: Annotated[str | None, QueryParameter(description="name, or the start of an ID number")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[StaffOut]:
        return await services.list_staff(
            request.user,
            kindergarten_id=kindergarten_id,
            street=street,
            group=group,
            ownership=ownership,
            post=post,
            status=status,
            title=title,
            employment=employment,
            honour=honour,
            search=search,
            limit=limit,
            offset=offset,
        )

    @get("/{staff_id:int}", guards=[requires("staff.read")], summary="One staff member, with history")
    async def get(self, request: Req, staff_id: FromPath[int]) -> StaffDetail:
        return await services.get_staff(request.user, staff_id)

    @post("/", guards=[requires("staff.write")], summary="Add a staff member", responses=REVIEWED)
    async def create(self, request: Req, data: JSONBody[StaffCreate], changes: ChangesDep) -> Response[StaffDetail]:
        return answer(await changes.write(request.user, ChangeKind.staff_create, data), 201)

    @patch("/{staff_id:int}", guards=[requires("staff.write")], summary="Change a staff record", responses=REVIEWED)
    async def update(
        self, request: Req, staff_id: FromPath[int], data: JSONBody[StaffUpdate], changes: ChangesDep
    ) -> Response[StaffDetail]:
        return answer(await changes.write(request.user, update_kind(data), data, staff_id), 200)

    @post(
        "/{staff_id:int}/transfer",
        guards=[requires("staff.transfer")],
        status_code=200,
        summary="Move a person to another kindergarten (the record and its history stay)",
        responses=REVIEWED,
    )
    async def transfer(
        self, request: Req, staff_id: FromPath[int], data: JSONBody[TransferIn], changes: ChangesDep
    ) -> Response[StaffDetail]:
        return answer(await changes.write(request.user, ChangeKind.staff_transfer, data, staff_id), 200)

    @post(
        "/{staff_id:int}/transfer/undo",
        guards=[requires("staff.transfer.undo")],
        status_code=200,
        summary="Undo the person's latest transfer, made today by mistake (409 saying why it cannot be)",
    )
    async def undo_transfer(self, request: Req, staff_id: FromPath[int]) -> StaffDetail:
        return await transfers.undo_transfer(request.user, staff_id)
