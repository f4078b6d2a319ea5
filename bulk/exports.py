"""Exports: the registry's kindergartens, staff, certificates and credit entries as .xlsx or CSV, with
the import columns' Chinese headers (so an export imports back unchanged), scoped like the JSON lists;
and, for people only, the staffing gaps and the batch eligibility answer for one purpose. Each kind
says how it is exported (``Kind.export``, in its domain's ``files.py``): one query and a row's values,
or rows the domain computes (gaps, eligibility) with the parameters they take.

Scope: district HR and inspectors see the district, a kindergarten admin their own kindergarten
(its staff's certificates and credit entries); teachers have no list endpoints and no exports.
ID numbers are shown in full to district HR only; everyone else gets them masked
(``110105********123X``) and no birth date, as in every JSON answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from bulk import files
from bulk.columns import KINDS, exportable
from kernel.auth import Principal, allowed
from kernel.codes import Role
from kernel.common.privacy import mask_id_number
from kernel.common.scope import kindergarten_scope
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import BadRequest, FieldError, Forbidden, NotFound
from kernel.files import ComputedExport, Export, ExportArgs, Kind
from kernel.i18n import N_, _, translate
from kernel.workers import in_worker, run_cpu

FORMATS = {"xlsx": files.XLSX_MEDIA, "csv": files.CSV_MEDIA}
# a parameter given to an export that does not take it: the problem's detail ({kinds}: the exports that
# take it) and the field's message (catalogue messages, translated where raised)
NOT_TAKEN = {
    "year": (N_("year filters the {kinds} export only"), N_("not a filter of this export")),
    "by": (N_("by groups the {kinds} export only"), N_("not a parameter of this export")),
    "purpose": (N_("purpose is a parameter of the {kinds} export only"), N_("not a parameter of this export")),
    "on": (N_("on is a parameter of the {kinds} export only"), N_("not a parameter of this export")),
}


def export_kind(filename: str) -> tuple[Kind, Export | ComputedExport, str]:
    """The kind a download name asks for, how it is exported, and the format."""
    name, _dot, extension = filename.rpartition(".")
    kind = KINDS.get(name)
    if kind is None or kind.export is None or extension not in FORMATS:
        kinds = ", ".join(f"{k}.xlsx|csv" for k in exportable())
        raise NotFound(_("no export {filename}; exports: {kinds}", filename=repr(filename), kinds=kinds))
    return kind, kind.export, extension


def _taking(parameter: str) -> str:
    return ", ".join(k.name for k in KINDS.values() if k.export is not None and parameter in k.export.parameters)


def _mask(values: dict[str, Any]) -> dict[str, Any]:
    """A row as everyone but district HR sees it: the ID number masked, no birth date."""
    if values.get("id_number"):
        values["id_number"] = mask_id_number(values["id_number"])
    if "birth_date" in values:
        values["birth_date"] = None  # the masked part of the ID number
    return values


async def export(
    who: Principal,
    filename: str,
    *,
    kindergarten_id: int | None = None,
    year: int | None = None,
    by: str | None = None,
    purpose: str | None = None,
    on: date | None = None,
) -> tuple[str, str, bytes]:
    """(download name, media type, content) of one export."""
    kind, how, extension = export_kind(filename)
    if not allowed("export.read", who.role):
        raise Forbidden(_("role {role} may not export", role=who.role.value))
    for name, value in (("year", year), ("by", by), ("purpose", purpose), ("on", on)):
        if value is not None and name not in how.parameters:
            detail, message = NOT_TAKEN[name]
            raise BadRequest(translate(detail, kinds=_taking(name)), [FieldError(name, translate(message))])
    if isinstance(how, ComputedExport):
        asked = ExportArgs(kindergarten_id=kindergarten_id, year=year, by=by, purpose=purpose, on=on)
        computed = await how.rows(who, asked)
        content = await run_cpu(_write_rows, kind.name, extension, computed.rows, who.role != Role.district_hr)
        return f"{kind.label}_{computed.name}.{extension}", FORMATS[extension], content
    where: list[str] = []
    args: list[Any] = []
    scope = kindergarten_scope(who)
    if kindergarten_id is not None:
        if scope is not None and scope != kindergarten_id:
            raise NotFound(_("no kindergarten {kindergarten}", kindergarten=kindergarten_id))
        where.append(f"{how.kindergarten_column} = {{}}")
        args.append(kindergarten_id)
    elif scope is not None:
        where.append(f"{how.kindergarten_column} = {{}}")
        args.append(scope)
    if year is not None and how.year_column is not None:
        where.append(f"{how.year_column} >= {{}} AND {how.year_column} <= {{}}")
        args += [date(year, 1, 1), date(year, 12, 31)]
    sql = how.sql.format(where="".join(f" AND {w}" for w in where))
    content = await run_cpu(_write, kind.name, extension, sql, args, who.role != Role.district_hr, today())
    return f"{kind.label}_{today().isoformat()}.{extension}", FORMATS[extension], content


# The files are written in a worker process (``kernel.workers.run_cpu``). A query export reads its rows
# there too (tens of thousands of rows: sending them over would hold the server's interpreter lock while
# they are pickled); a computed export (hundreds to a few thousand rows) sends its rows. The content
# comes back.


def _write(kind_name: str, extension: str, sql: str, args: list[Any], masked: bool, on: date) -> bytes:
    kind = KINDS[kind_name]
    how = kind.export
    assert isinstance(how, Export)
    rows = in_worker(fetch_all, sql, *args)
    values = (how.values(r, on) for r in rows)
    return _file(kind, extension, (_mask(v) for v in values) if masked else values)


def _write_rows(kind_name: str, extension: str, rows: list[dict[str, Any]], masked: bool) -> bytes:
    kind = KINDS[kind_name]
    return _file(kind, extension, (_mask(r) for r in rows) if masked else rows)


def _file(kind: Kind, extension: str, rows: Iterable[dict[str, Any]]) -> bytes:
    if extension == "csv":
        return files.write_csv(kind.exported, rows)
    return files.write_xlsx(kind, kind.exported, rows, kind.label)
