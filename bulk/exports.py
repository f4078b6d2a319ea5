"""Exports: the registry's kindergartens, staff, certificates and credit entries as .xlsx or CSV, with
the import columns' Chinese headers (so an export imports back unchanged), scoped like the JSON lists;
and, for people only, the staffing gaps and the batch eligibility answer for one purpose.

Scope: district HR and inspectors see the district, a kindergarten admin their own kindergarten
(its staff's certificates and credit entries); teachers have no list endpoints and no exports.
ID numbers are shown in full to district HR only; everyone else gets them masked
(``110105********123X``) and no birth date, as in every JSON answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import quote

from bulk import files, records
from bulk.columns import KINDS, Kind, exportable
from eligibility.rules import reasons_in_words
from eligibility.services import eligibility_batch
from kernel.auth import Principal, allowed
from kernel.codes import Purpose, Role, label
from kernel.common.privacy import mask_id_number
from kernel.common.scope import kindergarten_scope
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import BadRequest, FieldError, Forbidden, NotFound
from staffing.gaps import gaps

FORMATS = {"xlsx": files.XLSX_MEDIA, "csv": files.CSV_MEDIA}

SQL = {
    "kindergartens": "SELECT k.* FROM kindergarten k WHERE 1 = 1{where} ORDER BY k.code",
    "staff": (
        "SELECT s.*, k.code AS kindergarten_code, k.name AS kindergarten_name "
        "FROM staff s JOIN kindergarten k ON k.id = s.kindergarten WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id"
    ),
    "certificates": (
        "SELECT c.*, s.id_number, s.name, k.code AS kindergarten_code FROM certificate c "
        "JOIN staff s ON s.id = c.staff JOIN kindergarten k ON k.id = s.kindergarten "
        "WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id, c.type, c.issued_on, c.id"
    ),
    "credits": (
        "SELECT ce.*, s.id_number, s.name, k.code AS kindergarten_code FROM credit_entry ce "
        "JOIN staff s ON s.id = ce.staff JOIN kindergarten k ON k.id = s.kindergarten "
        "WHERE 1 = 1{where} ORDER BY k.code, s.name, s.id, ce.entry_date, ce.id"
    ),
}
# the column a kindergarten filter applies to, per kind
KINDERGARTEN_COLUMN = {
    "kindergartens": "k.id",
    "staff": "s.kindergarten",
    "certificates": "s.kindergarten",
    "credits": "s.kindergarten",
}


def export_kind(filename: str) -> tuple[Kind, str]:
    name, _, extension = filename.rpartition(".")
    if name not in exportable() or extension not in FORMATS:
        kinds = ", ".join(f"{k}.xlsx|csv" for k in exportable())
        raise NotFound(f"no export {filename!r}; exports: {kinds}")
    return KINDS[name], extension


def _values(kind: Kind, row: dict[str, Any], on: date) -> dict[str, Any]:
    if kind.name == "kindergartens":
        return records.kindergarten_values(row)
    if kind.name == "staff":
        return records.staff_values(row)
    if kind.name == "certificates":
        return records.certificate_values(row, on)
    return records.credit_values(row)


def _masker(who: Principal) -> Callable[[dict[str, Any]], dict[str, Any]]:
    if who.role == Role.district_hr:
        return lambda v: v

    def mask(values: dict[str, Any]) -> dict[str, Any]:
        if values.get("id_number"):
            values["id_number"] = mask_id_number(values["id_number"])
        if "birth_date" in values:
            values["birth_date"] = None  # the masked part of the ID number
        return values

    return mask


GAP_BY = ("kindergarten", "street", "group", "ownership", "district")


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
    kind, extension = export_kind(filename)
    if not allowed("export.read", who.role):
        raise Forbidden(f"role {who.role.value} may not export")
    if year is not None and kind.name != "credits":
        raise BadRequest("year filters the credits export only", [FieldError("year", "not a filter of this export")])
    if by is not None and kind.name != "gaps":
        raise BadRequest("by groups the gaps export only", [FieldError("by", "not a parameter of this export")])
    for name, value in (("purpose", purpose), ("on", on)):
        if value is not None and kind.name != "eligibility":
            raise BadRequest(
                f"{name} is a parameter of the eligibility export only",
                [FieldError(name, "not a parameter of this export")],
            )
    if kind.name == "gaps":
        rows = await gap_rows(who, by or "kindergarten", kindergarten_id)
        content = await asyncio.to_thread(_write_rows, kind, extension, rows)
        return f"{kind.label}_{today().isoformat()}.{extension}", FORMATS[extension], content
    if kind.name == "eligibility":
        if purpose is None:
            raise BadRequest("the eligibility export needs a purpose", [FieldError("purpose", "required")])
        day = on or today()
        rows = [_masker(who)(row) for row in await eligibility_rows(who, purpose, day, kindergarten_id)]
        content = await asyncio.to_thread(_write_rows, kind, extension, rows)
        name = f"{kind.label}_{label(Purpose, purpose)}_{day.isoformat()}.{extension}"
        return name, FORMATS[extension], content
    where: list[str] = []
    args: list[Any] = []
    scope = kindergarten_scope(who)
    if kindergarten_id is not None:
        if scope is not None and scope != kindergarten_id:
            raise NotFound(f"no kindergarten {kindergarten_id}")
        where.append(f"{KINDERGARTEN_COLUMN[kind.name]} = {{}}")
        args.append(kindergarten_id)
    elif scope is not None:
        where.append(f"{KINDERGARTEN_COLUMN[kind.name]} = {{}}")
        args.append(scope)
    if year is not None:
        where.append("ce.entry_date >= {} AND ce.entry_date <= {}")
        args += [date(year, 1, 1), date(year, 12, 31)]
    sql = SQL[kind.name].format(where="".join(f" AND {w}" for w in where))
    rows = await fetch_all(sql, *args)
    content = await asyncio.to_thread(_write, kind, extension, rows, _masker(who), today())
    return f"{kind.label}_{today().isoformat()}.{extension}", FORMATS[extension], content


def _write(
    kind: Kind, extension: str, rows: list[dict[str, Any]], mask: Callable[[dict[str, Any]], dict[str, Any]], on: date
) -> bytes:
    values = (mask(_values(kind, r, on)) for r in rows)
    if extension == "csv":
        return files.write_csv(kind.exported, values)
    return files.write_xlsx(kind, kind.exported, values, kind.label)


async def gap_rows(who: Principal, by: str, kindergarten_id: int | None) -> list[dict[str, Any]]:
    """The staffing gaps (``staffing.gaps.gaps``: the standard per kindergarten, rolled up by ``by``),
    every row and then the total, scoped as the JSON endpoint scopes them."""

    if by not in GAP_BY:
        raise BadRequest(f"by must be one of {', '.join(GAP_BY)}", [FieldError("by", "unknown grouping")])
    out = await gaps(who, by=by, kindergarten_id=kindergarten_id, limit=10**9, offset=0)  # type: ignore[arg-type]
    rows = []
    for row in [*out.rows, out.total]:
        values: dict[str, Any] = {
            "key": row.key,
            "label": row.label,
            "kindergartens": row.kindergartens,
            "classes": row.classes,
            "children": row.children,
            "places": row.places,
            "gap": row.gap,
        }
        for post in row.posts:
            for part in ("required", "on_post", "qualified", "gap"):
                values[f"{post.post.value}_{part}"] = getattr(post, part)
        rows.append(values)
    return rows


async def eligibility_rows(who: Principal, purpose: str, on: date, kindergarten_id: int | None) -> list[dict[str, Any]]:
    """Everyone of the batch eligibility answer (``eligibility.services.eligibility_batch``, scoped as the
    JSON endpoint), with the kindergarten and the ID number, and the rules not met in words."""

    out = await eligibility_batch(who, purpose, kindergarten_id, on, limit=10**9, offset=0)
    # the answer names the kindergartens; the ID numbers (masked later for all but HR) are read here
    where, args = "", []
    if out.kindergarten_id is not None:
        where, args = " AND s.kindergarten = {}", [out.kindergarten_id]
    sql = "SELECT s.id, s.id_number FROM staff s WHERE s.status = 'on_post'" + where
    id_numbers = {r["id"]: r["id_number"] for r in await fetch_all(sql, *args)}
    return [
        {
            "kindergarten_code": item.kindergarten_code,
            "kindergarten_name": item.kindergarten_name,
            "name": item.name,
            "id_number": id_numbers.get(item.staff_id),
            "post": item.post,
            "title": item.title,
            "eligible": item.eligible,
            "failing": reasons_in_words(item.failing),
        }
        for item in out.items
    ]


def _write_rows(kind: Kind, extension: str, rows: list[dict[str, Any]]) -> bytes:
    if extension == "csv":
        return files.write_csv(kind.exported, rows)
    return files.write_xlsx(kind, kind.exported, rows, kind.label)


def content_disposition(name: str) -> str:
    """An attachment with a Chinese file name (RFC 6266 / 5987), and an ASCII fallback."""
    ascii_name = name.encode("ascii", "ignore").decode() or "export"
    ascii_name = ascii_name.lstrip("_") or "export"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
