"""PDF report endpoints (issue 6): thin controllers, one guard and one service call each.

Each PDF answer is ``application/pdf`` with ``X-Verification-Code`` and ``Cache-Control: no-store``
(documents carry personal data: no shared cache may keep them). The verification endpoint needs no
login and says only what a printed page already shows (see ``reports.services.verify``).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from kernel.auth import Principal, requires
from kernel.errors import problem_responses
from reports import services
from reports.schemas import VerificationOut

Req = Request[Principal, Any, Any]

PDF = "application/pdf"
PDF_RESPONSES = {
    200: ResponseSpec(
        data_container=bytes,
        media_type=PDF,
        description="The PDF (A4); header X-Verification-Code: its code, checkable at /reports/verify/{code}",
        generate_examples=False,
    )
}
# a cycle or day without a policy in force is a 422; the /me reports: no staff record is a 404
DATED_PDF_RESPONSES = {**problem_responses([422]), **PDF_RESPONSES}
MY_PDF_RESPONSES = {**problem_responses([404]), **PDF_RESPONSES}
MY_DATED_PDF_RESPONSES = {**problem_responses([404, 422]), **PDF_RESPONSES}

Cycle = Annotated[
    str | None,
    QueryParameter(description="e.g. 2021-2025; default: the cycle containing today", pattern=r"^\d{4}-\d{4}$"),
]
On = Annotated[date | None, QueryParameter(description="the day the figures are for (default: today)")]


def pdf_response(issued: services.Issued) -> Response[bytes]:
    return Response(
        content=issued.pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": f'inline; filename="{issued.filename}"',
            "X-Verification-Code": issued.code,
            "Cache-Control": "no-store",
        },
    )


class StaffReportController(Controller):
    path = "/reports/staff/{staff_id:int}"
    tags = ["reports"]

    @get(
        "/certificates.pdf",
        guards=[requires("report.staff")],
        summary="Certificate report of one person (certificates, dual-certificate verdict, expiring soon)",
        media_type=PDF,
        responses=PDF_RESPONSES,
    )
    async def certificates(self, request: Req, staff_id: FromPath[int]) -> Response[bytes]:
        doc = await services.staff_certificates(request.user, staff_id)
        return pdf_response(await services.issue(request.user, doc))

    @get(
        "/credits.pdf",
        guards=[requires("report.staff")],
        summary="Credit transcript (学分证明): cycle totals, years, categories, entries, eligibility",
        media_type=PDF,
        responses=DATED_PDF_RESPONSES,
    )
    async def credits(self, request: Req, staff_id: FromPath[int], cycle: Cycle = None) -> Response[bytes]:
        doc = await services.credit_transcript(request.user, staff_id, cycle)
        return pdf_response(await services.issue(request.user, doc))


class MyReportController(Controller):
    path = "/reports/me"
    tags = ["reports"]

    @get(
        "/certificates.pdf",
        guards=[requires("report.staff")],
        summary="My certificate report (accounts with a staff record)",
        media_type=PDF,
        responses=MY_PDF_RESPONSES,
    )
    async def certificates(self, request: Req) -> Response[bytes]:
        doc = await services.staff_certificates(request.user, services.staff_id_of(request.user))
        return pdf_response(await services.issue(request.user, doc))

    @get(
        "/credits.pdf",
        guards=[requires("report.staff")],
        summary="My credit transcript (学分证明) (accounts with a staff record)",
        media_type=PDF,
        responses=MY_DATED_PDF_RESPONSES,
    )
    async def credits(self, request: Req, cycle: Cycle = None) -> Response[bytes]:
        doc = await services.credit_transcript(request.user, services.staff_id_of(request.user), cycle)
        return pdf_response(await services.issue(request.user, doc))


class KindergartenReportController(Controller):
    path = "/reports/kindergartens/{kindergarten_id:int}"
    tags = ["reports"]

    @get(
        "/staffing.pdf",
        guards=[requires("report.kindergarten")],
        summary="Kindergarten staffing report: staffing against the standard, compliance, staff list",
        media_type=PDF,
        responses=PDF_RESPONSES,
    )
    async def staffing(self, request: Req, kindergarten_id: FromPath[int]) -> Response[bytes]:
        doc = await services.kindergarten_staffing(request.user, kindergarten_id)
        return pdf_response(await services.issue(request.user, doc))


class DistrictReportController(Controller):
    path = "/reports"
    tags = ["reports"]

    @get(
        "/district/staffing.pdf",
        guards=[requires("report.district")],
        summary="District staffing report: totals against the plan's targets, gap charts, largest shortfalls",
        media_type=PDF,
        responses=DATED_PDF_RESPONSES,
    )
    async def staffing(self, request: Req, on: On = None) -> Response[bytes]:
        doc = await services.district_staffing(request.user, on)
        return pdf_response(await services.issue(request.user, doc))

    @get(
        "/district/compliance.pdf",
        guards=[requires("report.district")],
        summary="District dual-certificate compliance report: by post, group and street, violations",
        media_type=PDF,
        responses=DATED_PDF_RESPONSES,
    )
    async def compliance(self, request: Req, on: On = None) -> Response[bytes]:
        doc = await services.district_compliance(request.user, on)
        return pdf_response(await services.issue(request.user, doc))

    @get(
        "/ethics/vetoes.pdf",
        guards=[requires("report.ethics")],
        summary="Ethics one-vote veto list (师德一票否决) of the district (district HR only)",
        media_type=PDF,
        responses=DATED_PDF_RESPONSES,
    )
    async def vetoes(self, request: Req, on: On = None) -> Response[bytes]:
        doc = await services.ethics_vetoes(request.user, on)
        return pdf_response(await services.issue(request.user, doc))


class VerifyController(Controller):
    path = "/reports/verify"
    tags = ["reports"]

    @get(
        "/{code:str}",
        summary="Check a document's verification code (no login): its kind, masked subject and generation time",
        opt={"exclude_from_auth": True},
        security=[{}],  # OpenAPI: no credentials needed (overrides the global bearer requirement)
    )
    async def verify(self, code: FromPath[str]) -> VerificationOut:
        return await services.verify(code)


CONTROLLERS: list[type] = [
    StaffReportController,
    MyReportController,
    KindergartenReportController,
    DistrictReportController,
    VerifyController,
]
