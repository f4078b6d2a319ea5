"""Ethics endpoints (issue 4): evaluations, sanctions and appeals, a person's record, standing."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from ethics import services
from ethics.schemas import (
    EvaluationCreate,
    EvaluationOut,
    SanctionCreate,
    SanctionOut,
    StaffEthicsOut,
    StandingOut,
)
from kernel.auth import Principal, requires
from registry.changes.codes import ChangeKind
from registry.changes.controllers import REVIEWED, ChangesDep, answer

Req = Request[Principal, Any, Any]


class StaffEthicsController(Controller):
    path = "/staff/{staff_id:int}/ethics"
    tags = ["ethics"]

    @get("/", guards=[requires("ethics.read")], summary="A person's ethics evaluations, sanctions and today's veto")
    async def show(self, request: Req, staff_id: FromPath[int]) -> StaffEthicsOut:
        return await services.staff_ethics(request.user, staff_id)

    @post(
        "/evaluations",
        guards=[requires("ethics.evaluate")],
        summary="Record an annual ethics evaluation (师德考核), or correct one with supersedes",
        responses=REVIEWED,
    )
    async def evaluate(
        self, request: Req, staff_id: FromPath[int], data: JSONBody[EvaluationCreate], changes: ChangesDep
    ) -> Response[EvaluationOut]:
        return answer(await changes.write(request.user, ChangeKind.ethics_evaluation, data, staff_id), 201)

    @post(
        "/sanctions",
        guards=[requires("ethics.sanction")],
        summary="Record a sanction for an ethics violation, or an appeal outcome that changes or lifts one",
    )
    async def sanction(self, request: Req, staff_id: FromPath[int], data: JSONBody[SanctionCreate]) -> SanctionOut:
        return await services.add_sanction(request.user, staff_id, data)


class EthicsController(Controller):
    path = "/ethics"
    tags = ["ethics"]

    @get(
        "/standing",
        guards=[requires("ethics.standing")],
        summary="Kindergarten ethics standing: flagged for rectification (责令整改) and why, with district totals",
    )
    async def standing(
        self,
        request: Req,
        school_year: Annotated[
            str | None, QueryParameter(description='e.g. "2025-2026"; default: the current one')
        ] = None,
    ) -> StandingOut:
        return await services.ethics_standing(request.user, school_year)


CONTROLLERS: list[type] = [StaffEthicsController, EthicsController]
