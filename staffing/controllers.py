"""Staffing endpoints (issue 5): thin controllers, one guard and one service call each."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from kernel.auth import Principal, requires
from kernel.common.params import Group, Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT
from registry.kindergartens.codes import Ownership, ServiceType
from registry.staff.codes import Post
from staffing import calculator, gaps, matching, placement, pool, progress, projection
from staffing.codes import CandidateStatus, PoolSource, StaffingPost
from staffing.schemas import (
    CandidateCreate,
    CandidateOut,
    CandidatePage,
    CandidateUpdate,
    GapBy,
    GapsOut,
    MatchesOut,
    PlacementIn,
    PlacementOut,
    PlannedCreate,
    PlannedOut,
    PlannedPage,
    PlannedUpdate,
    PlanProgressOut,
    ProjectionOut,
    RequirementIn,
    RequirementOut,
)

Req = Request[Principal, Any, Any]
On = Annotated[date | None, QueryParameter(description="the day (default: today)")]
Rounding = Annotated[
    Literal["ceil", "floor"] | None,
    QueryParameter(description="health-care rounding for a what-if (default: the policy's)"),
]


class StaffingController(Controller):
    path = "/staffing"
    tags = ["staffing"]

    @get(
        "/gaps",
        guards=[requires("staffing.read")],
        summary="Staffing gaps against the national standard, per kindergarten and post, rolled up",
    )
    async def gaps(
        self,
        request: Req,
        by: FromQuery[GapBy] = "district",
        on: On = None,
        kindergarten_id: FromQuery[int | None] = None,
        street: FromQuery[str | None] = None,
        group: Group = None,
        ownership: FromQuery[Ownership | None] = None,
        service_type: FromQuery[ServiceType | None] = None,
        post: FromQuery[StaffingPost | None] = None,
        sort: Annotated[
            Literal["key", "gap"], QueryParameter(description="key (default) or gap (largest first)")
        ] = "key",
        health_rounding: Rounding = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> GapsOut:
        return await gaps.gaps(
            request.user,
            by=by,
            on=on,
            kindergarten_id=kindergarten_id,
            street=street,
            group=group,
            ownership=ownership.value if ownership else None,
            service_type=service_type.value if service_type else None,
            post=post.value if post else None,
            sort=sort,
            health_rounding=health_rounding,
            limit=limit,
            offset=offset,
        )

    @post(
        "/requirement",
        guards=[requires("staffing.read")],
        status_code=200,
        summary="What the standard requires of a kindergarten of this shape (a calculation; nothing is written)",
    )
    async def requirement(self, data: JSONBody[RequirementIn]) -> RequirementOut:
        return calculator.requirement(data)

    @get(
        "/projection",
        guards=[requires("staffing.read")],
        summary="The requirement and gap on a future day, with the planned places open by then",
    )
    async def projection(
        self,
        request: Req,
        on: On = None,
        street: FromQuery[str | None] = None,
        group: Group = None,
        health_rounding: Rounding = None,
    ) -> ProjectionOut:
        return await projection.projection(
            request.user, on=on, street=street, group=group, health_rounding=health_rounding
        )

    @get(
        "/planned-places", guards=[requires("staffing.read")], summary="Planned places (new kindergartens, expansions)"
    )
    async def planned(
        self,
        request: Req,
        street: FromQuery[str | None] = None,
        group: Group = None,
        kindergarten_id: FromQuery[int | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> PlannedPage:
        return await projection.list_planned(
            request.user, street=street, group=group, kindergarten_id=kindergarten_id, limit=limit, offset=offset
        )

    @get("/planned-places/{planned_id:int}", guards=[requires("staffing.read")], summary="One planned-places record")
    async def planned_one(self, request: Req, planned_id: FromPath[int]) -> PlannedOut:
        return await projection.get_planned(request.user, planned_id)

    @post("/planned-places", guards=[requires("staffing.plan.write")], summary="Record planned places")
    async def add_planned(self, request: Req, data: JSONBody[PlannedCreate]) -> PlannedOut:
        return await projection.create_planned(request.user, data)

    @patch(
        "/planned-places/{planned_id:int}",
        guards=[requires("staffing.plan.write")],
        summary="Change or cancel planned places",
    )
    async def change_planned(
        self, request: Req, planned_id: FromPath[int], data: JSONBody[PlannedUpdate]
    ) -> PlannedOut:
        return await projection.update_planned(request.user, planned_id, data)


class PlanController(Controller):
    path = "/plan"
    tags = ["staffing"]

    @get(
        "/progress",
        guards=[requires("staffing.read")],
        summary="The plan's workforce targets with their current values (2,500 teachers, 500 health doctors, ...)",
    )
    async def progress(self, request: Req, on: On = None) -> PlanProgressOut:
        return await progress.plan_progress(request.user, on)


class PoolController(Controller):
    path = "/pool/candidates"
    tags = ["pool"]

    @get("/", guards=[requires("pool.read")], summary="Reserve talent pool (人力资源储备库) candidates")
    async def list(
        self,
        request: Req,
        status: FromQuery[CandidateStatus | None] = None,
        post: FromQuery[Post | None] = None,
        source: FromQuery[PoolSource | None] = None,
        street: FromQuery[str | None] = None,
        search: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> CandidatePage:
        return await pool.list_candidates(
            request.user,
            status=status.value if status else None,
            post=post.value if post else None,
            source=source.value if source else None,
            street=street,
            search=search,
            limit=limit,
            offset=offset,
        )

    @get("/{candidate_id:int}", guards=[requires("pool.read")], summary="One candidate")
    async def one(self, request: Req, candidate_id: FromPath[int]) -> CandidateOut:
        return await pool.get_candidate(request.user, candidate_id)

    @post("/", guards=[requires("pool.write")], summary="Add a candidate to the pool")
    async def create(self, request: Req, data: JSONBody[CandidateCreate]) -> CandidateOut:
        return await pool.create_candidate(request.user, data)

    @patch("/{candidate_id:int}", guards=[requires("pool.write")], summary="Change a candidate (or withdraw them)")
    async def change(self, request: Req, candidate_id: FromPath[int], data: JSONBody[CandidateUpdate]) -> CandidateOut:
        return await pool.update_candidate(request.user, candidate_id, data)

    @post(
        "/{candidate_id:int}/placement",
        guards=[requires("pool.place")],
        summary="Place a candidate: creates or reactivates the staff record, in one transaction",
    )
    async def place(self, request: Req, candidate_id: FromPath[int], data: JSONBody[PlacementIn]) -> PlacementOut:
        return await placement.place(request.user, candidate_id, data)


class PoolMatchController(Controller):
    path = "/kindergartens/{kindergarten_id:int}/pool-matches"
    tags = ["pool"]

    @get(
        "/",
        guards=[requires("pool.match")],
        summary="Pool candidates for a kindergarten's post, ranked, each with its reasons",
    )
    async def matches(
        self,
        request: Req,
        kindergarten_id: FromPath[int],
        post: FromQuery[Post],
        on: On = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> MatchesOut:
        return await matching.matches(request.user, kindergarten_id, post.value, on, limit, offset)


CONTROLLERS: list[type] = [StaffingController, PlanController, PoolController, PoolMatchController]
