"""Credits endpoints (issue 4): thin controllers, one guard and one service call each."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from credits import services
from credits.schemas import (
    BatchOut,
    EligibilityOut,
    EntryCreate,
    EntryOut,
    PolicyCreate,
    PolicyOut,
    ReversalCreate,
    TranscriptOut,
)
from registry.accounts.rules import Principal
from registry.accounts.security import requires
from registry.codes import Purpose
from registry.common.params import Limit, Offset
from registry.common.schemas import DEFAULT_LIMIT

Req = Request[Principal, Any, Any]

Cycle = Annotated[
    str | None,
    QueryParameter(description="e.g. 2021-2025; default: the cycle containing today", pattern=r"^\d{4}-\d{4}$"),
]


class CreditEntryController(Controller):
    path = "/credits"
    tags = ["credits"]

    @post("/entries", guards=[requires("credits.write")], summary="Record a credit entry (append-only ledger)")
    async def create(self, request: Req, data: JSONBody[EntryCreate]) -> EntryOut:
        return await services.create_entry(request.user, data)

    @post(
        "/entries/{entry_id:int}/reversal",
        guards=[requires("credits.write")],
        summary="Reverse an entry (a new entry with negative hours and credits)",
    )
    async def reverse(self, request: Req, entry_id: FromPath[int], data: JSONBody[ReversalCreate]) -> EntryOut:
        return await services.reverse_entry(request.user, entry_id, data)

    @get("/policies", guards=[requires("credits.policy.read")], summary="Recognition policy versions")
    async def policies(self, request: Req) -> list[PolicyOut]:
        return await services.list_policies(request.user)

    @post("/policies", guards=[requires("credits.policy.write")], summary="Add a recognition policy version")
    async def add_policy(self, request: Req, data: JSONBody[PolicyCreate]) -> PolicyOut:
        return await services.create_policy(request.user, data)


class StaffCreditsController(Controller):
    path = "/staff/{staff_id:int}"
    tags = ["credits"]

    @get("/credits", guards=[requires("credits.read")], summary="A person's credit transcript for a cycle")
    async def transcript(self, request: Req, staff_id: FromPath[int], cycle: Cycle = None) -> TranscriptOut:
        return await services.staff_transcript(request.user, staff_id, cycle)


class MyCreditsController(Controller):
    path = "/me/credits"
    tags = ["credits"]

    @get("/", guards=[requires("credits.read")], summary="My credit transcript (accounts with a staff record)")
    async def mine(self, request: Req, cycle: Cycle = None) -> TranscriptOut:
        return await services.my_transcript(request.user, cycle)


On = Annotated[date | None, QueryParameter(description="the day to judge (default: today)")]
PurposeParam = Annotated[Purpose, QueryParameter(description="title, backbone, award, promotion or registration")]


class StaffEligibilityController(Controller):
    path = "/staff/{staff_id:int}/eligibility"
    tags = ["eligibility"]

    @get("/", guards=[requires("eligibility.read")], summary="Eligibility for one purpose, every rule with a reason")
    async def one(self, request: Req, staff_id: FromPath[int], purpose: PurposeParam, on: On = None) -> EligibilityOut:
        return await services.eligibility(request.user, staff_id, purpose, on)


class EligibilityController(Controller):
    path = "/eligibility"
    tags = ["eligibility"]

    @get("/", guards=[requires("eligibility.batch")], summary="Eligibility of every on-post person for one purpose")
    async def batch(
        self,
        request: Req,
        purpose: PurposeParam,
        kindergarten_id: FromQuery[int | None] = None,
        on: On = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> BatchOut:
        return await services.eligibility_batch(request.user, purpose, kindergarten_id, on, limit, offset)


CONTROLLERS: list[type] = [
    CreditEntryController,
    StaffCreditsController,
    MyCreditsController,
    StaffEligibilityController,
    EligibilityController,
]
