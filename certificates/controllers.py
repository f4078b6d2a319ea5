from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from certificates import services
from certificates.onboarding import OnboardingCreate, OnboardingOut
from certificates.schemas import (
    CertificateCreate,
    CertificateOut,
    CertificateUpdate,
    ComplianceOut,
    DualCertificateOut,
    ExpiringCertificate,
    RegistrationIn,
)
from kernel.auth import Principal, requires
from kernel.common.params import Group, Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from registry.changes.codes import ChangeKind
from registry.changes.controllers import REVIEWED, ChangesDep, answer
from registry.staff.codes import Post

Req = Request[Principal, Any, Any]


class StaffCertificateController(Controller):
    path = "/staff/{staff_id:int}"
    tags = ["certificates"]

    @get("/certificates", guards=[requires("certificate.read")], summary="A person's certificates")
    async def list(self, request: Req, staff_id: FromPath[int]) -> list[CertificateOut]:
        return await services.list_for_staff(request.user, staff_id)

    @post("/certificates", guards=[requires("certificate.write")], summary="Record a certificate", responses=REVIEWED)
    async def create(
        self, request: Req, staff_id: FromPath[int], data: JSONBody[CertificateCreate], changes: ChangesDep
    ) -> Response[CertificateOut]:
        return answer(await changes.write(request.user, ChangeKind.certificate_create, data, staff_id), 201)

    @get("/dual-certificate", guards=[requires("certificate.read")], summary="The dual-certificate verdict (双证上岗)")
    async def dual(
        self, request: Req, staff_id: FromPath[int], on: FromQuery[date | None] = None
    ) -> DualCertificateOut:
        return await services.dual_certificate(request.user, staff_id, on)


class CertificateController(Controller):
    path = "/certificates"
    tags = ["certificates"]

    @patch(
        "/{certificate_id:int}",
        guards=[requires("certificate.write")],
        summary="Correct a certificate, or suspend / revoke / reinstate it (district HR, with a reason)",
        responses=REVIEWED,
    )
    async def update(
        self, request: Req, certificate_id: FromPath[int], data: JSONBody[CertificateUpdate], changes: ChangesDep
    ) -> Response[CertificateOut]:
        return answer(await changes.write(request.user, ChangeKind.certificate_update, data, certificate_id), 200)

    @post(
        "/{certificate_id:int}/registrations",
        guards=[requires("certificate.write")],
        summary="Record a five-yearly registration (定期注册) of a teacher qualification",
        responses=REVIEWED,
    )
    async def register(
        self, request: Req, certificate_id: FromPath[int], data: JSONBody[RegistrationIn], changes: ChangesDep
    ) -> Response[CertificateOut]:
        return answer(await changes.write(request.user, ChangeKind.certificate_register, data, certificate_id), 201)

    @get("/expiring", guards=[requires("certificate.read")], summary="Valid certificates that expire soon")
    async def expiring(
        self,
        request: Req,
        within_days: Annotated[int, QueryParameter(ge=1, le=366)] = 90,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[ExpiringCertificate]:
        items, total = await services.expiring(request.user, within_days, limit, offset)
        return Page(items=items, total=total, limit=limit, offset=offset)


class ComplianceController(Controller):
    path = "/compliance"
    tags = ["certificates"]

    @get(
        "/dual-certificate",
        guards=[requires("compliance.read")],
        summary="On-post certified rate (持证上岗率) by kindergarten, street, group or district, and the violations",
    )
    async def dual_certificate(
        self,
        request: Req,
        by: FromQuery[Literal["kindergarten", "street", "group", "district"]] = "district",
        on: FromQuery[date | None] = None,
        kindergarten_id: FromQuery[int | None] = None,
        street: FromQuery[str | None] = None,
        group: Group = None,
        post: FromQuery[Post | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> ComplianceOut:
        return await services.compliance(
            request.user,
            by=by,
            on=on,
            kindergarten_id=kindergarten_id,
            street=street,
            group=group,
            post=post.value if post else None,
            limit=limit,
            offset=offset,
        )


class OnboardingController(Controller):
    path = "/staff/onboarding"
    tags = ["staff"]

    @post(
        "/",
        guards=[requires("staff.onboard")],
        summary="A new person with their certificates and training results, in one write",
        responses=REVIEWED,
    )
    async def create(
        self, request: Req, data: JSONBody[OnboardingCreate], changes: ChangesDep
    ) -> Response[OnboardingOut]:
        return answer(await changes.write(request.user, ChangeKind.staff_onboard, data), 201)


CONTROLLERS: list[type] = [
    StaffCertificateController,
    CertificateController,
    ComplianceController,
    OnboardingController,
]
