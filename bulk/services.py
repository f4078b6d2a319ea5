"""Imports, exports and templates: the service layer of the bulk package.

An import reads the file in a worker thread (pandas; CPU-bound), then judges and writes its rows in
ONE write transaction (``bulk.importers``). All or nothing by default: any bad row and nothing is
written (422, every bad row listed); ``valid_only`` writes the good rows and lists the bad ones;
``dry_run`` judges everything and writes nothing. Each run that read rows is kept (``import_run``)
with its errors, so they can be downloaded as a workbook; the audit trail gets one event per record
created (as the API writes it) and one ``import`` event for the run.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bulk import files, rules
from bulk.columns import KINDS, importable
from bulk.importers import IMPORTERS, Outcome
from bulk.rules import ParsedRow
from bulk.schemas import ImportErrorOut, ImportOut
from bulk.tables import ImportRun
from kernel.auth import Principal, allowed
from kernel.codes import Role
from kernel.common.schemas import Page
from kernel.common.time import today, utcnow
from kernel.db import write_transaction
from kernel.errors import DomainError, FieldError, Forbidden, Invalid, NotFound, TooLarge
from kernel.files import Kind
from kernel.i18n import N_, _
from kernel.rows import json_value
from kernel.settings import get_settings
from kernel.workers import run_in_thread
from registry.audit.services import event, record, record_many

Progress = Callable[[str, int, int], None]
API = "/api/v1"
AS_FOUND_ACTION = "import.as_found"  # the audit action of a person an import recorded on post as found


def _quiet(stage: str, done: int, total: int) -> None:
    return None


class ImportRejected(DomainError):
    """Rows with errors in an all-or-nothing import: nothing was written (422, every bad row listed)."""

    def __init__(self, out: ImportOut) -> None:
        bad = len({e.row for e in out.errors})
        super().__init__(
            detail=_(
                "{bad} row(s) of {rows} have errors: nothing was imported (fix them, or import only the valid "
                "rows with valid_only=true)",
                bad=bad,
                rows=out.rows,
            ),
            status=422,
            title=N_("Rows with errors"),
            kind="import-rejected",
            extra=out.model_dump(mode="json"),
        )
        self.out = out


class _Rollback(Exception):
    def __init__(self, outcome: Outcome) -> None:
        self.outcome = outcome


def import_kind(name: str) -> Kind:
    if name not in importable():
        raise NotFound(_("no import kind {name}; kinds: {kinds}", name=repr(name), kinds=", ".join(importable())))
    return KINDS[name]


def check_may_import(who: Principal, kind: Kind) -> None:
    if not allowed(f"import.{kind.name}", who.role):
        raise Forbidden(_("role {role} may not import {kind}", role=who.role.value, kind=kind.name))


def check_may_record_as_found(who: Principal, kind: Kind) -> None:
    """``as_found``: district HR's first load of the staff as they are, people on post without their
    certificates included (they show up as dual-certificate violations); nobody else, no other kind."""
    if who.role != Role.district_hr:
        raise Forbidden(_("only district HR records staff as found (as_found)"), code="as-found")
    if kind.name != "staff":
        raise Invalid.field("as_found", _("only a staff import records people as found"))


async def _record_as_found(who: Principal, run_id: int, outcome: Outcome) -> None:
    """One ``import.as_found`` event per person the import put on post without the certificates of
    their post, on the person's own trail: what was missing, and the run that recorded them so."""
    day = today().isoformat()
    await record_many(
        event(
            who,
            utcnow(),
            AS_FOUND_ACTION,
            "staff",
            found.staff_id,
            None,
            {"import_run": run_id, "row": found.row, "post": found.post, "missing": found.missing, "on": day},
        )
        for found in outcome.found
        if found.staff_id is not None
    )


# --- reading the file ------------------------------------------------------------------------------


@dataclass
class ReadFile:
    header: rules.HeaderMap
    rows: list[ParsedRow]
    raw: dict[int, list[Any]]  # row number -> cells as given (to report bad rows)


def read_upload(kind: Kind, data: bytes, filename: str, max_bytes: int, max_rows: int) -> ReadFile:
    """The file's rows, parsed cell by cell (runs in a worker thread). Refuses a file that is not a
    spreadsheet (415), too large (413), empty, without the required columns, with merged header or
    data cells or with formulas (422): each before anything is written."""
    sheet = files.read_sheet(data, filename, max_bytes, max_rows)
    if all(rules.is_blank_row(r) for r in sheet.rows):
        raise Invalid(_("the file holds no rows"), [FieldError("file", _("empty"))])
    header = rules.find_header(kind, sheet.rows)
    if header is None and sheet.merged:
        # a merged header cell hides the headers it spans: say so, rather than "missing"
        header_rows = [m for m in sheet.merged if m[0] <= rules.HEADER_SEARCH_ROWS]
        if header_rows:
            refs = ", ".join(m[2] for m in header_rows[:10])
            raise Invalid(
                _(
                    "merged cells in the header row ({refs}): unmerge them and give every column its own header",
                    refs=refs,
                ),
                [FieldError(m[2], _("merged cells")) for m in header_rows[:50]],
            )
    if header is None:
        missing = rules.missing_columns(kind, sheet.rows)
        names = ", ".join(c.header for c in missing)
        template = f"GET {API}/imports/templates/{kind.name}.xlsx"
        raise Invalid(
            _(
                "required column(s) missing: {names} (a header row with these names must be among the first "
                "{first} rows; {template})",
                names=names,
                first=rules.HEADER_SEARCH_ROWS,
                template=template,
            ),
            [FieldError(c.header, _("required column missing")) for c in missing],
        )
    if header.duplicates:
        raise Invalid(
            _("column(s) given twice: {headers}", headers=", ".join(header.duplicates)),
            [FieldError(h, _("column given twice")) for h in header.duplicates],
        )
    merged = [m for m in sheet.merged if m[1] >= header.row]
    if merged:
        refs = ", ".join(m[2] for m in merged[:10]) + (" …" if len(merged) > 10 else "")
        if any(m[0] <= header.row for m in merged):
            detail = _(
                "merged cells in the header row ({refs}): unmerge them and give every column its own header and "
                "every row its own values",
                refs=refs,
            )
        else:
            detail = _(
                "merged cells in the data ({refs}): unmerge them and give every column its own header and every "
                "row its own values",
                refs=refs,
            )
        raise Invalid(detail, [FieldError(m[2], _("merged cells")) for m in merged[:50]])
    formulas = [f for f in sheet.formulas if f[0] >= header.row]
    if formulas:
        refs = ", ".join(f[1] for f in formulas[:10]) + (" …" if len(formulas) > 10 else "")
        raise Invalid(
            _(
                "{count} cell(s) hold formulas ({refs}): an import takes values only — copy the cells and paste "
                "them as values (选择性粘贴 → 数值)",
                count=len(formulas),
                refs=refs,
            ),
            [FieldError(f[1], _("formula")) for f in formulas[:50]],
        )
    parsed: list[ParsedRow] = []
    raw: dict[int, list[Any]] = {}
    parse = rules.RowParser(kind, header)
    for index in range(header.row, len(sheet.rows)):
        cells = sheet.rows[index]
        if rules.is_blank_row(cells):
            continue
        row_no = index + 1
        parsed.append(parse(row_no, cells))
        raw[row_no] = cells
    if not parsed:
        raise Invalid(_("the file has a header row but no data rows"), [FieldError("file", _("no data rows"))])
    if len(parsed) > max_rows:
        limit = f"{max_rows:,}"
        raise TooLarge(
            _("the file has more than {limit} data rows (REGISTRY_IMPORT_MAX_ROWS): split it", limit=limit),
            [FieldError("file", _("too many rows"))],
        )
    return ReadFile(header, parsed, raw)


# --- running an import ---------------------------------------------------------------------------


async def run_import(
    who: Principal,
    kind_name: str,
    filename: str,
    data: bytes,
    *,
    valid_only: bool = False,
    dry_run: bool = False,
    as_found: bool = False,
    progress: Progress | None = None,
) -> ImportOut:
    kind = import_kind(kind_name)
    check_may_import(who, kind)
    if as_found:
        check_may_record_as_found(who, kind)
    settings = get_settings()
    report = progress or _quiet
    started = utcnow()
    report("read", 0, 1)
    read = await run_in_thread(read_upload, kind, data, filename, settings.import_max_bytes, settings.import_max_rows)
    report("read", 1, 1)
    mode = "dry_run" if dry_run else "valid_only" if valid_only else "all_or_nothing"
    importer = IMPORTERS[kind.name](who, report, as_found=as_found)
    run = {
        "kind": kind.name,
        "filename": filename[:255],
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "actor": who.username,
        "kindergarten": who.kindergarten_id if who.role == Role.kindergarten_admin else None,
        "mode": mode,
        "rows": len(read.rows),
        "ignored_columns": read.header.ignored,
        "started_at": started,
    }
    try:
        async with write_transaction():
            outcome = await importer.run(read.rows, write=not dry_run, valid_only=valid_only)
            if dry_run or (outcome.errors and not valid_only):
                raise _Rollback(outcome)
            status = "partial" if outcome.errors else "imported"
            run_id = await _save_run(run, outcome, status, read)
            summary = {
                "kind": kind.name,
                "filename": run["filename"],
                "sha256": run["sha256"],
                "mode": mode,
                "rows": run["rows"],
                "imported": outcome.imported,
                "skipped": outcome.skipped,
                "rows_with_errors": len(outcome.bad_rows),
            }
            if as_found:
                summary.update(as_found=True, recorded_as_found=len(outcome.found))
            await record(who, "import", "import_run", run_id, None, summary)
            if as_found:
                await _record_as_found(who, run_id, outcome)
    except _Rollback as rollback:
        outcome = rollback.outcome
        status = "checked" if dry_run else "rejected"
        async with write_transaction():
            run_id = await _save_run(run, outcome, status, read)
        if status == "rejected":
            raise ImportRejected(_out(await _load_run(run_id))) from None
    return _out(await _load_run(run_id))


async def _save_run(run: dict[str, Any], outcome: Outcome, status: str, read: ReadFile) -> int:
    bad = sorted(outcome.bad_rows)
    bad_rows = {
        "headers": read.header.headers,
        "rows": [[row, [files.jsonable_cell(c) for c in read.raw.get(row, [])]] for row in bad],
    }
    rows = await ImportRun.insert(
        ImportRun(
            **run,
            status=status,
            imported=0 if status == "rejected" else outcome.imported,
            skipped=outcome.skipped,
            failed=len(bad),
            errors=json.dumps([e.as_dict() for e in outcome.errors], ensure_ascii=False),
            bad_rows=json.dumps(bad_rows, ensure_ascii=False, default=str),
            finished_at=utcnow(),
        )
    ).returning(ImportRun.id)
    return int(rows[0]["id"])


async def _load_run(run_id: int) -> dict[str, Any]:
    row = await ImportRun.select().where(ImportRun.id == run_id).first()
    if row is None:
        raise NotFound(_("no import run {run_id}", run_id=run_id))
    return row


def _out(row: dict[str, Any]) -> ImportOut:
    errors = [ImportErrorOut(**e) for e in json_value(row["errors"]) or []]
    return ImportOut(
        id=row["id"],
        kind=row["kind"],
        filename=row["filename"],
        mode=row["mode"],
        outcome=row["status"],
        rows=row["rows"],
        imported=row["imported"],
        skipped=row["skipped"],
        errors=errors,
        ignored_columns=list(json_value(row["ignored_columns"]) or []),
        errors_url=f"{API}/imports/runs/{row['id']}/errors.xlsx" if errors else None,
        actor=row["actor"],
        started_at=_aware(row["started_at"]),
        finished_at=_aware(row["finished_at"]),
    )


def _aware(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _visible(who: Principal, row: dict[str, Any]) -> bool:
    """District HR sees every run; anyone else the runs they made themselves."""
    return who.role == Role.district_hr or row["actor"] == who.username


async def get_run(who: Principal, run_id: int) -> ImportOut:
    row = await _load_run(run_id)
    if not _visible(who, row):
        raise NotFound(_("no import run {run_id}", run_id=run_id))
    return _out(row)


async def list_runs(who: Principal, *, kind: str | None, limit: int, offset: int) -> Page[ImportOut]:
    where: list[Any] = []
    if who.role != Role.district_hr:
        where.append(ImportRun.actor == who.username)
    if kind:
        where.append(ImportRun.kind == kind)
    query = ImportRun.select().order_by(ImportRun.id, ascending=False).limit(limit).offset(offset)
    count = ImportRun.count()
    if where:
        query, count = query.where(*where), count.where(*where)
    rows = await query
    return Page(items=[_out(r) for r in rows], total=await count, limit=limit, offset=offset)


async def errors_workbook(who: Principal, run_id: int) -> tuple[str, bytes]:
    row = await _load_run(run_id)
    if not _visible(who, row):
        raise NotFound(_("no import run {run_id}", run_id=run_id))
    errors = json_value(row["errors"]) or []
    if not errors:
        raise NotFound(_("import run {run_id} has no errors", run_id=run_id))
    bad = json_value(row["bad_rows"]) or {}
    content = await run_in_thread(
        files.write_error_report, bad.get("headers", []), [(r, cells) for r, cells in bad.get("rows", [])], errors
    )
    return f"import-{run_id}-errors.xlsx", content


# --- templates -----------------------------------------------------------------------------------


async def template(who: Principal, filename: str) -> tuple[str, bytes]:
    name, _dot, extension = filename.rpartition(".")
    if extension != "xlsx":
        kinds = ", ".join(importable())
        raise NotFound(_("no template {filename}: templates are .xlsx ({kinds})", filename=repr(filename), kinds=kinds))
    kind = import_kind(name)
    check_may_import(who, kind)
    return f"{kind.name}-template.xlsx", await run_in_thread(files.write_template, kind)
