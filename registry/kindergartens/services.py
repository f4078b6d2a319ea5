"""Kindergarten register: list, read, create, update, each write one audited transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kernel.auth import Principal
from kernel.common.like import contains, like_any, starts_with
from kernel.common.schemas import Page
from kernel.common.scope import kindergarten_scope
from kernel.common.time import utcnow
from kernel.db import write_transaction
from kernel.errors import Conflict, Invalid, NotFound
from kernel.i18n import F_, _
from registry.audit.rules import changed_fields
from registry.audit.services import record
from registry.kindergartens.rules import dates_problem
from registry.kindergartens.schemas import KindergartenCreate, KindergartenOut, KindergartenUpdate
from registry.kindergartens.tables import Kindergarten as K
from registry.kindergartens.writes import add_kindergartens, snapshot, to_columns, to_out


async def list_kindergartens(
    who: Principal,
    *,
    street: str | None = None,
    group: int | None = None,
    ownership: str | None = None,
    grade: str | None = None,
    demonstration: str | None = None,
    service_type: str | None = None,
    search: str | None = None,
    limit: int,
    offset: int,
) -> Page[KindergartenOut]:
    where: list[Any] = []
    scope = kindergarten_scope(who)
    if scope is not None:
        where.append(K.id == scope)
    for column, value in (
        (K.street, street),
        (K.collab_group, group),
        (K.ownership, ownership),
        (K.grade, grade),
        (K.demonstration, demonstration),
        (K.service_type, service_type),
    ):
        if value is not None:
            where.append(column == value)
    if search:
        where.append(
            like_any('"kindergarten"."name"', '"kindergarten"."code"', patterns=(contains(search), starts_with(search)))
        )
    query = K.select().order_by(K.code).limit(limit).offset(offset)
    count = K.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query
    return Page(items=[to_out(r) for r in rows], total=await count, limit=limit, offset=offset)


async def _load(who: Principal, kindergarten_id: int) -> dict[str, Any]:
    scope = kindergarten_scope(who)
    row = await K.select().where(K.id == kindergarten_id).first()
    if row is None or (scope is not None and scope != kindergarten_id):
        raise NotFound(_("no kindergarten {kindergarten_id}", kindergarten_id=kindergarten_id))
    return row


async def get_kindergarten(who: Principal, kindergarten_id: int) -> KindergartenOut:
    return to_out(await _load(who, kindergarten_id))


async def id_of_code(code: str) -> int | None:
    """The id of the kindergarten with this code, whoever asks: a transfer names where the person goes,
    any kindergarten of the district (its code is public; nothing else of it is read)."""
    row = await K.select(K.id).where(K.code == code.strip()).first()
    return None if row is None else int(row["id"])


async def code_and_name(kindergarten_id: int) -> tuple[str, str] | None:
    """A kindergarten's code and name, whoever asks: where a transfer an admin submitted goes, shown
    back to them (a kindergarten's code and name are public; nothing else of it is read)."""
    row = await K.select(K.code, K.name).where(K.id == kindergarten_id).first()
    return None if row is None else (str(row["code"]), str(row["name"]))


async def names_of(kindergarten_ids: Iterable[int]) -> dict[int, str]:
    """Kindergartens' names by id, whoever asks (public, as ``code_and_name``): a page listing rows of
    many kindergartens reads their names at once, one query per 900 ids."""
    ids = sorted(set(kindergarten_ids))
    names: dict[int, str] = {}
    for start in range(0, len(ids), 900):
        rows = await K.select(K.id, K.name).where(K.id.is_in(ids[start : start + 900]))
        names.update({int(r["id"]): str(r["name"]) for r in rows})
    return names


async def create_kindergarten(who: Principal, data: KindergartenCreate) -> KindergartenOut:
    async with write_transaction():
        if await K.exists().where(K.code == data.code):
            raise Conflict(_("kindergarten code {code} exists already", code=data.code), code="duplicate", field="code")
        (kindergarten_id,) = await add_kindergartens(who, [data])
        out = to_out(await K.select().where(K.id == kindergarten_id).first())  # type: ignore[arg-type]
    return out


async def update_kindergarten(who: Principal, kindergarten_id: int, data: KindergartenUpdate) -> KindergartenOut:
    changes = data.model_dump(exclude_unset=True)
    if any(
        changes.get(k, 0) is None
        for k in (
            F_("code"),
            F_("name"),
            F_("street"),
            F_("group"),
            F_("ownership"),
            F_("grade"),
            F_("demonstration"),
            F_("service_type"),
            F_("teacher_model"),
            F_("classes"),
            F_("children"),
            F_("places"),
        )
    ):
        bad = next(k for k, v in changes.items() if v is None and k not in ("opened_on", "closed_on"))
        raise Invalid.field(bad, _("may not be null"))
    async with write_transaction():
        before_row = await _load(who, kindergarten_id)
        before = to_out(before_row)
        problem = dates_problem(changes.get("opened_on", before.opened_on), changes.get("closed_on", before.closed_on))
        if problem:
            raise Invalid.field(F_("closed_on"), problem)
        if "code" in changes and changes["code"] != before.code and await K.exists().where(K.code == changes["code"]):
            raise Conflict(
                _("kindergarten code {code} exists already", code=changes["code"]), code="duplicate", field="code"
            )
        if changes:
            values: dict[Any, Any] = to_columns(changes)
            values["updated_at"] = utcnow()
            await K.update(values).where(K.id == kindergarten_id)
        after = to_out(await _load(who, kindergarten_id))
        diff_before, diff_after = snapshot(before), snapshot(after)
        delta = changed_fields(diff_before, diff_after)
        if delta:
            await record(who, "update", "kindergarten", kindergarten_id, {k: diff_before[k] for k in delta}, delta)
    return after
