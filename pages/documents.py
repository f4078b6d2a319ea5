"""The PDFs a page links to (issue 15), for the page's session: the reports package's documents (the
same builders, verification codes and guards as ``/api/v1/reports/...``), each linked from the page
it belongs to:

- a person's page: their certificate report (``/staff/{id}/certificates.pdf``) and credit transcript
  (``/staff/{id}/transcript.pdf``, in ``pages.controllers``);
- a kindergarten's page: its staffing report (``/kindergartens/{id}/staffing.pdf``);
- the dashboard: the district staffing and compliance reports (``/district/staffing.pdf``,
  ``/district/compliance.pdf``) and, for district HR, the ethics veto list (``/district/vetoes.pdf``).

Each is a download (``Content-Disposition: attachment``), ``Cache-Control: no-store``, with the
document's ``X-Verification-Code``. Rendering runs in a worker process (``reports.services.issue``:
``kernel.workers.run_cpu``); a full queue is a 503 page with ``Retry-After``.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath

from kernel.auth import requires
from reports import services as reports
from reports.services import Issued

Req = Request[Any, Any, Any]


def pdf_download(issued: Issued) -> Response[bytes]:
    return Response(
        content=issued.pdf,
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="{issued.filename}"',
            "x-verification-code": issued.code,
            "cache-control": "no-store",
        },
    )


class DocumentPages(Controller):
    path = "/"

    @get(
        "/staff/{staff_id:int}/certificates.pdf",
        guards=[requires("report.staff")],
        summary="Download a person's certificate report PDF",
    )
    async def certificates(self, request: Req, staff_id: FromPath[int]) -> Response[bytes]:
        doc = await reports.staff_certificates(request.user, staff_id)  # out of scope: 404
        return pdf_download(await reports.issue(request.user, doc))

    @get(
        "/kindergartens/{kindergarten_id:int}/staffing.pdf",
        guards=[requires("report.kindergarten")],
        summary="Download a kindergarten's staffing report PDF",
    )
    async def kindergarten_staffing(self, request: Req, kindergarten_id: FromPath[int]) -> Response[bytes]:
        doc = await reports.kindergarten_staffing(request.user, kindergarten_id)  # out of scope: 404
        return pdf_download(await reports.issue(request.user, doc))

    @get("/district/staffing.pdf", guards=[requires("report.district")], summary="Download the district staffing PDF")
    async def district_staffing(self, request: Req) -> Response[bytes]:
        doc = await reports.district_staffing(request.user, None)
        return pdf_download(await reports.issue(request.user, doc))

    @get(
        "/district/compliance.pdf",
        guards=[requires("report.district")],
        summary="Download the district dual-certificate compliance PDF",
    )
    async def district_compliance(self, request: Req) -> Response[bytes]:
        doc = await reports.district_compliance(request.user, None)
        return pdf_download(await reports.issue(request.user, doc))

    @get(
        "/district/vetoes.pdf",
        guards=[requires("report.ethics")],
        summary="Download the ethics one-vote veto list PDF (district HR)",
    )
    async def vetoes(self, request: Req) -> Response[bytes]:
        doc = await reports.ethics_vetoes(request.user, None)
        return pdf_download(await reports.issue(request.user, doc))
