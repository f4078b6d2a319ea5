"""Training endpoints: thin controllers, one guard and one service call each."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from credits.codes import CourseCategory, CourseMode
from kernel.auth import Principal, requires
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.changes.codes import ChangeKind
from registry.changes.controllers import REVIEWED, ChangesDep, answer
from registry.staff.codes import Post
from training import catalogue, coverage, enrolments, results
from training.codes import CourseLevel
from training.schemas import (
    CourseCreate,
    CourseOut,
    CoverageOut,
    EnrolmentCreate,
    EnrolmentOut,
    ResultCorrection,
    ResultCreate,
    ResultOut,
    SessionCreate,
    SessionOut,
    StaffTraining,
)

Req = Request[Principal, Any, Any]


class CourseController(Controller):
    path = "/training/courses"
    tags = ["training"]

    @get("/", guards=[requires("training.read")], summary="List courses")
    async def list(
        self,
        request: Req,
        category: FromQuery[CourseCategory | None] = None,
        level: FromQuery[CourseLevel | None] = None,
        mode: FromQuery[CourseMode | None] = None,
        post: Annotated[Post | None, QueryParameter(description="courses required for this post")] = None,
        search: Annotated[str | None, QueryParameter(description="start of the code, or part of the title")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[CourseOut]:
        return await catalogue.list_courses(
            request.user,
            category=category,
            level=level,
            mode=mode,
            post=post,
            search=search,
            limit=limit,
            offset=offset,
        )

    @get("/{course_id:int}", guards=[requires("training.read")], summary="One course")
    async def read(self, request: Req, course_id: FromPath[int]) -> CourseOut:
        return await catalogue.get_course(request.user, course_id)

    @post("/", guards=[requires("training.write")], summary="Add a course to the catalogue")
    async def create(self, request: Req, data: JSONBody[CourseCreate]) -> CourseOut:
        return await catalogue.create_course(request.user, data)


class SessionController(Controller):
    path = "/training/sessions"
    tags = ["training"]

    @get("/", guards=[requires("training.read")], summary="List sessions (seats taken and left)")
    async def list(
        self,
        request: Req,
        course_id: FromQuery[int | None] = None,
        category: FromQuery[CourseCategory | None] = None,
        from_: Annotated[
            date | None, QueryParameter(name="from", description="sessions ending on or after this day")
        ] = None,
        to: Annotated[date | None, QueryParameter(description="sessions starting on or before this day")] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[SessionOut]:
        return await catalogue.list_sessions(
            request.user,
            course_id=course_id,
            category=category,
            from_=from_,
            to=to,
            limit=limit,
            offset=offset,
        )

    @get("/{session_id:int}", guards=[requires("training.read")], summary="One session, with seats taken and left")
    async def read(self, request: Req, session_id: FromPath[int]) -> SessionOut:
        return await catalogue.get_session(request.user, session_id)

    @post("/", guards=[requires("training.write")], summary="Schedule a session of a course")
    async def create(self, request: Req, data: JSONBody[SessionCreate]) -> SessionOut:
        return await catalogue.create_session(request.user, data)

    @get(
        "/{session_id:int}/enrolments",
        guards=[requires("training.read")],
        summary="A session's enrolments (a kindergarten admin sees their own staff, a teacher themself)",
    )
    async def enrolments(
        self, request: Req, session_id: FromPath[int], limit: Limit = DEFAULT_LIMIT, offset: Offset = 0
    ) -> Page[EnrolmentOut]:
        return await enrolments.list_enrolments(request.user, session_id, limit=limit, offset=offset)

    @post(
        "/{session_id:int}/enrolments",
        guards=[requires("training.enrol")],
        summary="Enrol a person (never over capacity, never twice, not someone who left)",
    )
    async def enrol(self, request: Req, session_id: FromPath[int], data: JSONBody[EnrolmentCreate]) -> EnrolmentOut:
        return await enrolments.enrol(request.user, session_id, data)


class ResultController(Controller):
    path = "/training/results"
    tags = ["training"]

    @post(
        "/",
        guards=[requires("training.result.submit")],
        summary="Record the result of an enrolment (one per enrolment)",
        responses=REVIEWED,
    )
    async def create(self, request: Req, data: JSONBody[ResultCreate], changes: ChangesDep) -> Response[ResultOut]:
        return answer(await changes.write(request.user, ChangeKind.training_result, data), 201)

    @post(
        "/{result_id:int}/correction",
        guards=[requires("training.result")],
        status_code=200,
        summary="Correct a result (audited; its ledger entry is reversed and the corrected one written)",
    )
    async def correct(self, request: Req, result_id: FromPath[int], data: JSONBody[ResultCorrection]) -> ResultOut:
        return await results.correct_result(request.user, result_id, data)


class CoverageController(Controller):
    path = "/training/coverage"
    tags = ["training"]

    @get(
        "/",
        guards=[requires("training.coverage")],
        summary="Coverage of required training (safety, ethics, family) and family-education instructors",
    )
    async def coverage(
        self,
        request: Req,
        year: Annotated[
            int | None, QueryParameter(ge=2000, le=2100, description="calendar year (default: this year)")
        ] = None,
        category: Annotated[
            CourseCategory | None, QueryParameter(description="just this category (default: the policy's)")
        ] = None,
    ) -> CoverageOut:
        return await coverage.coverage(request.user, year=year, category=category)


class StaffTrainingController(Controller):
    path = "/staff"
    tags = ["training"]

    @get(
        "/{staff_id:int}/training",
        guards=[requires("training.read")],
        summary="A person's enrolments and results (scoped like GET /staff/{id})",
    )
    async def training(self, request: Req, staff_id: FromPath[int]) -> StaffTraining:
        return await enrolments.staff_training(request.user, staff_id)


CONTROLLERS: list[type] = [
    CourseController,
    SessionController,
    ResultController,
    CoverageController,
    StaffTrainingController,
]
