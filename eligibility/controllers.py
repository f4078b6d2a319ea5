"""Eligibility endpoints: one person for one purpose, and every on-post person of a selection."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery, QueryParameter

from eligibility import services
from eligibility.codes import Purpose
from eligibility.schemas import BatchOut, EligibilityOut
from kernel.auth import Principal, requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT

Req = Request[Principal, Any, Any]

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


CONTROLLERS: list[type] = [StaffEligibilityController, EligibilityController]
