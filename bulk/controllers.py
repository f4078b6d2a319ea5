"""Import and export endpoints (issue 6): thin controllers, a guard and one service call each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter

from bulk import exports, services
from bulk.changes import import_or_submit
from bulk.columns import exportable, importable
from bulk.schemas import ImportOut
from eligibility.codes import Purpose
from kernel.auth import Principal, requires
from kernel.common.downloads import content_disposition
from kernel.common.params import Limit, Offset
from kernel.common.schemas import DEFAULT_LIMIT, Page
from kernel.errors import FieldError, TooLarge, problem_responses
from kernel.i18n import _
from kernel.settings import get_settings
from registry.changes.controllers import REVIEWED, ChangesDep, answer
from registry.changes.schemas import ChangeOut
from registry.changes.services import Applied, Submitted

Req = Request[Principal, Any, Any]

# multipart framing around the file (boundaries, part headers, the file name) on top of the file itself
MULTIPART_OVERHEAD = 64 * 1024


@dataclass
class ImportForm:
    file: UploadFile


def _download(name: str, media_type: str, content: bytes) -> Response[bytes]:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(name), "Cache-Control": "no-store"},
    )


class ImportController(Controller):
    path = "/imports"
    tags = ["imports and exports"]

    @post(
        "/{kind:str}",
        guards=[requires("import.run")],
        status_code=200,
        summary="Import an .xlsx or CSV file (multipart field `file`)",
        description=(
            f"Kinds: {', '.join(importable())}. All or nothing by default: a file with any bad row writes nothing "
            "(422 listing every bad row: row, column, field, message). `valid_only=true` imports the valid rows "
            "and lists the bad ones; `dry_run=true` checks everything and writes nothing. A staff row putting "
            "someone on post without their post's certificates is a row error (the dual-certificate check of "
            "POST /staff), unless district HR imports with `as_found=true` (a first load of the staff as they "
            "are). Rows already in the registry exactly as given are skipped, so importing a file twice adds "
            "nothing. Limit: REGISTRY_IMPORT_MAX_BYTES (413 above). Not a spreadsheet: 415."
        ),
        request_max_body_size=get_settings().import_max_bytes + MULTIPART_OVERHEAD,
        responses={**problem_responses([415]), **REVIEWED},
    )
    async def run(
        self,
        request: Req,
        changes: ChangesDep,
        kind: FromPath[str],
        data: Annotated[ImportForm, Body(media_type=RequestEncodingType.MULTI_PART)],
        valid_only: Annotated[bool, QueryParameter(description="import the valid rows, list the bad ones")] = False,
        dry_run: Annotated[bool, QueryParameter(description="check every row, write nothing")] = False,
        as_found: Annotated[
            bool,
            QueryParameter(
                description="staff, district HR only: record the people as found, on post without their "
                "certificates too (they show up as dual-certificate violations; audited)"
            ),
        ] = False,
    ) -> Response[ImportOut]:
        services.import_kind(kind)
        limit = get_settings().import_max_bytes
        content = await data.file.read(limit + 1)
        await data.file.close()
        if len(content) > limit:
            size = f"{limit:,}"
            raise TooLarge(
                _("the file is over the limit of {limit} bytes (REGISTRY_IMPORT_MAX_BYTES)", limit=size),
                [FieldError("file", _("too large"))],
            )
        outcome = await import_or_submit(
            changes,
            request.user,
            kind,
            data.file.filename or "",
            content,
            valid_only=valid_only,
            dry_run=dry_run,
            as_found=as_found,
        )
        return answer(Submitted(outcome) if isinstance(outcome, ChangeOut) else Applied(outcome), 200)

    @get(
        "/templates/{filename:str}",
        guards=[requires("import.run")],
        summary="The .xlsx template of an import kind (e.g. staff.xlsx)",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    async def template(self, request: Req, filename: FromPath[str]) -> Response[bytes]:
        name, content = await services.template(request.user, filename)
        return _download(name, exports.files.XLSX_MEDIA, content)

    @get("/runs", guards=[requires("import.run")], summary="Import runs (district HR: all; others: their own)")
    async def runs(
        self,
        request: Req,
        kind: FromQuery[str | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        offset: Offset = 0,
    ) -> Page[ImportOut]:
        return await services.list_runs(request.user, kind=kind, limit=limit, offset=offset)

    @get("/runs/{run_id:int}", guards=[requires("import.run")], summary="One import run")
    async def get_run(self, request: Req, run_id: FromPath[int]) -> ImportOut:
        return await services.get_run(request.user, run_id)

    @get(
        "/runs/{run_id:int}/errors.xlsx",
        guards=[requires("import.run")],
        summary="The bad rows of an import run as a workbook (fix them there and import it again)",
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    async def errors(self, request: Req, run_id: FromPath[int]) -> Response[bytes]:
        name, content = await services.errors_workbook(request.user, run_id)
        return _download(name, exports.files.XLSX_MEDIA, content)


class ExportController(Controller):
    path = "/exports"
    tags = ["imports and exports"]

    @get(
        "/{filename:str}",
        guards=[requires("export.read")],
        summary="Export as .xlsx or CSV (e.g. staff.xlsx, credits.csv), with the import columns' Chinese headers",
        description=(
            f"Exports: {', '.join(exportable())}, each as .xlsx or .csv (UTF-8 with BOM). Scoped like the JSON "
            "lists: district HR and inspectors the district, a kindergarten admin their own kindergarten. "
            "ID numbers are masked unless the caller is district HR."
        ),
    )
    async def export(
        self,
        request: Req,
        filename: FromPath[str],
        kindergarten_id: FromQuery[int | None] = None,
        year: Annotated[
            int | None, QueryParameter(ge=1900, le=2100, description="credits only: entries dated in this year")
        ] = None,
        by: Annotated[
            str | None,
            QueryParameter(description="gaps only: kindergarten (default), street, group, ownership or district"),
        ] = None,
        purpose: Annotated[
            Purpose | None,
            QueryParameter(
                description="eligibility only (required there): title, backbone, award, promotion, registration"
            ),
        ] = None,
        on: Annotated[
            date | None, QueryParameter(description="eligibility only: the day judged (default today)")
        ] = None,
    ) -> Response[bytes]:
        name, media_type, content = await exports.export(
            request.user,
            filename,
            kindergarten_id=kindergarten_id,
            year=year,
            by=by,
            purpose=purpose.value if purpose else None,
            on=on,
        )
        return _download(name, media_type, content)


CONTROLLERS: list[type[Controller]] = [ImportController, ExportController]
