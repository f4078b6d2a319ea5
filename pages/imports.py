"""The import page (issue 15): ``/imports``.

Choose what to import (the kinds the role may import: ``bulk.columns`` and the ``import.<kind>``
permissions), download its template, upload a file. The file is checked first (a dry run: the
import API's own ``bulk.services.run_import(dry_run=True)``, which reads the file in a worker thread
and judges every row, writing nothing but its run record): the page shows the counts and each bad
row (row, the column's Chinese header, the message) with the error workbook to download. Then
"import" runs it for real on the same file, or only its valid rows.

Between the two steps the file is kept on the server, under ``<var>/page-imports/`` by a random token
that the session holds (another session, or another account, cannot use it); it is deleted when it
is imported, and every upload deletes those older than an hour. A kindergarten admin's rows must be
their own kindergarten's (``bulk``: the same scoping as the API's import); an import is not sent for
review row by row, it applies at once.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect

from bulk.changes import import_or_submit
from bulk.columns import KINDS, importable
from bulk.controllers import MULTIPART_OVERHEAD
from bulk.files import XLSX_MEDIA
from bulk.schemas import ImportOut
from bulk.services import ImportRejected, errors_workbook, get_run, run_import, template
from kernel.auth import Principal, allowed, requires
from kernel.common.downloads import content_disposition
from kernel.errors import DomainError, NotFound
from kernel.i18n import _
from kernel.settings import get_settings
from pages.form_support import MY_SUBMISSIONS, FormErrors, Render, after_write, set_flash
from registry.changes.schemas import ChangeOut
from registry.changes.services import Changes, Submitted

Req = Request[Any, Any, Any]
UPLOADS = "page-imports"
KEEP_SECONDS = 3600  # a checked file not imported within the hour is deleted
SESSION_KEY = "import_token"
TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass
class ImportUpload:
    kind: str = ""
    file: UploadFile | None = None


@dataclass(frozen=True)
class Kept:
    """A checked file waiting to be imported."""

    token: str
    kind: str
    filename: str
    account_id: int
    run_id: int


def kinds_for(who: Principal) -> list[tuple[str, str]]:
    """The kinds the caller may import: (name, Chinese label)."""
    return [(name, KINDS[name].label) for name in importable() if allowed(f"import.{name}", who.role)]


def _folder() -> Path:
    return get_settings().var_dir / UPLOADS


def _write(folder: Path, kept: Kept, content: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / f"{kept.token}.data").write_bytes(content)
    (folder / f"{kept.token}.json").write_text(json.dumps(asdict(kept)), encoding="utf-8")


def _sweep(folder: Path, now: float) -> None:
    """Delete the kept files older than an hour."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            if now - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink()
        except FileNotFoundError:  # deleted meanwhile by another request
            pass


def _read(folder: Path, token: str) -> tuple[Kept, bytes] | None:
    meta, data = folder / f"{token}.json", folder / f"{token}.data"
    try:
        if time.time() - meta.stat().st_mtime > KEEP_SECONDS:
            return None
        return Kept(**json.loads(meta.read_text(encoding="utf-8"))), data.read_bytes()
    except (FileNotFoundError, ValueError, TypeError):
        return None


def _delete(folder: Path, token: str) -> None:
    for suffix in (".json", ".data"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)


def _session(request: Req) -> dict[str, Any]:
    session = request.scope.get("session")
    return dict(session) if isinstance(session, dict) else {}


async def kept_file(request: Req, token: str) -> tuple[Kept, bytes]:
    """The file this session checked under ``token``; anything else (another session's, another
    account's, expired, deleted): 404."""
    who: Principal = request.user
    found = None
    if TOKEN.match(token) and _session(request).get(SESSION_KEY) == token:
        found = await asyncio.to_thread(_read, _folder(), token)
    if found is None or found[0].account_id != who.account_id:
        raise NotFound(_("the checked file is gone (imported, or kept over an hour): upload it again"))
    return found


def _download(name: str, content: bytes) -> Response[bytes]:
    return Response(
        content=content,
        media_type=XLSX_MEDIA,
        headers={"content-disposition": content_disposition(name), "cache-control": "no-store"},
    )


def run_context(run: ImportOut, kind: str) -> dict[str, Any]:
    return {
        "run": run,
        "kind_label": KINDS[kind].label if kind in KINDS else kind,
        "bad_rows": len({e.row for e in run.errors}),
        "errors_href": f"/imports/runs/{run.id}/errors.xlsx" if run.errors else "",
    }


class ImportPages(Controller):
    path = "/imports"
    guards = [requires("import.run")]

    @get("/", summary="The import page: choose a kind, download its template, upload a file")
    async def start(self, request: Req, render: NamedDependency[Render]) -> Response[Any]:
        context = {"kinds": kinds_for(request.user), "kind": "", "errors": FormErrors()}
        return render.page(request, "imports.html", context)

    @get("/templates/{filename:str}", summary="The template of an import kind (e.g. staff.xlsx)")
    async def template(self, request: Req, filename: FromPath[str]) -> Response[bytes]:
        name, content = await template(request.user, filename)
        return _download(name, content)

    @post(
        "/",
        summary="Upload a file and check it (a dry run: nothing is imported yet)",
        status_code=303,
        request_max_body_size=get_settings().import_max_bytes + MULTIPART_OVERHEAD,
    )
    async def check(
        self,
        request: Req,
        render: NamedDependency[Render],
        data: Annotated[ImportUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Response[Any]:
        who: Principal = request.user
        kinds = kinds_for(who)
        errors = FormErrors()
        limit = get_settings().import_max_bytes
        if data.kind not in dict(kinds):
            errors.add("kind", _("choose what to import"))
        content = b""
        filename = ""
        if data.file is None or not data.file.filename:
            errors.add("file", _("choose the file to import"))
        else:
            filename = data.file.filename
            content = await data.file.read(limit + 1)
            await data.file.close()
            if len(content) > limit:
                errors.add("file", _("the file is over the limit of {size} MB", size=round(limit / 1_048_576, 1)))
                errors.status = 413
        run: ImportOut | None = None
        if not errors:
            try:
                run = await run_import(who, data.kind, filename, content, dry_run=True)
            except DomainError as exc:
                if exc.status >= 500:
                    raise
                errors.add("file", exc.detail)
                errors.status = exc.status
        if errors or run is None:
            context = {"kinds": kinds, "kind": data.kind, "errors": errors}
            return render.page(request, "imports.html", context, status_code=errors.status)
        folder = _folder()
        kept = Kept(secrets.token_urlsafe(24), data.kind, filename, who.account_id, run.id)
        await asyncio.to_thread(_sweep, folder, time.time())
        await asyncio.to_thread(_write, folder, kept, content)
        request.set_session({**_session(request), SESSION_KEY: kept.token})
        return Redirect(path=f"/imports/checks/{kept.token}", status_code=303)

    @get("/checks/{token:str}", summary="The check of an uploaded file: counts, bad rows, the import buttons")
    async def checked(self, request: Req, render: NamedDependency[Render], token: FromPath[str]) -> Response[Any]:
        kept, _content = await kept_file(request, token)
        run = await get_run(request.user, kept.run_id)
        context = {**run_context(run, kept.kind), "token": token, "filename": kept.filename, "checking": True}
        return render.page(request, "import_run.html", context)

    @post("/checks/{token:str}", summary="Import the checked file (all rows, or only the valid ones)", status_code=303)
    async def run(self, request: Req, token: FromPath[str], changes: NamedDependency[Changes]) -> Response[Any]:
        who: Principal = request.user
        kept, content = await kept_file(request, token)
        form = await request.form()
        valid_only = form.get("valid_only") == "yes"
        try:
            # a kindergarten admin's import of a reviewed kind is kept for district HR (bulk.changes)
            run = await import_or_submit(changes, who, kept.kind, kept.filename, content, valid_only=valid_only)
        except ImportRejected as exc:  # the registry changed since the check: rows are refused now
            again = Kept(kept.token, kept.kind, kept.filename, kept.account_id, exc.out.id)
            await asyncio.to_thread(_write, _folder(), again, content)
            set_flash(request, _("Nothing was imported: rows have errors now (see below)"), "error")
            return Redirect(path=f"/imports/checks/{token}", status_code=303)
        except DomainError as exc:
            if exc.status >= 500:
                raise
            set_flash(request, exc.detail, "error")
            return Redirect(path=f"/imports/checks/{token}", status_code=303)
        await asyncio.to_thread(_delete, _folder(), token)
        session = _session(request)
        session.pop(SESSION_KEY, None)
        request.set_session(session)
        if isinstance(run, ChangeOut):
            after_write(request, [Submitted(run)], "")
            return Redirect(path=MY_SUBMISSIONS, status_code=303)
        set_flash(request, _("Imported {count} records", count=run.imported))
        return Redirect(path=f"/imports/runs/{run.id}", status_code=303)

    @get("/runs/{run_id:int}", summary="An import run: what it imported, skipped and refused")
    async def done(self, request: Req, render: NamedDependency[Render], run_id: FromPath[int]) -> Response[Any]:
        run = await get_run(request.user, run_id)
        context = {**run_context(run, run.kind), "token": "", "filename": run.filename, "checking": False}
        return render.page(request, "import_run.html", context)

    @get("/runs/{run_id:int}/errors.xlsx", summary="The bad rows of a run as a workbook")
    async def errors(self, request: Req, run_id: FromPath[int]) -> Response[bytes]:
        name, content = await errors_workbook(request.user, run_id)
        return _download(name, content)


CONTROLLERS: list[type[Controller]] = [ImportPages]
