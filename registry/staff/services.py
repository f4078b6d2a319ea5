"""Staff register: one person, one record; transfers keep the record and its history."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, TypeVar

from kernel.auth import Principal
from kernel.codes import Role, label
from kernel.common.like import contains, json_item, like, like_any, starts_with
from kernel.common.privacy import mask_id_number, masked_id_sql
from kernel.common.schemas import Page
from kernel.common.scope import kindergarten_scope, staff_scope
from kernel.common.time import today, utcnow
from kernel.db import Param, Prepared, is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from kernel.i18n import _, current_locale
from kernel.policy import policy_on
from kernel.rows import as_date, json_list
from registry.audit.rules import changed_fields
from registry.audit.services import record
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.codes import StaffStatus
from registry.staff.rules import (
    hire_date_problem,
    may_see_full_id,
    parse_id_number,
    staff_dates_problem,
)
from registry.staff.schemas import AssignmentOut, StaffCreate, StaffDetail, StaffOut, StaffUpdate
from registry.staff.tables import Staff as S
from registry.staff.tables import StaffAssignment as A
from registry.staff.writes import NewStaff, add_staff

Out = TypeVar("Out", bound=StaffOut)

COLUMNS = (
    S.id,
    S.id_number,
    S.name,
    S.sex,
    S.birth_date,
    S.kindergarten,
    S.kindergarten.code.as_alias("kindergarten_code"),
    S.kindergarten.name.as_alias("kindergarten_name"),
    S.post,
    S.employment,
    S.title,
    S.honours,
    S.education,
    S.hired_on,
    S.status,
    S.left_on,
    S.created_at,
    S.updated_at,
)

OnPostGate = Callable[[int | None, str], Awaitable[None]]
"""The dual-certificate check made before someone goes on post (staff id or None for a new person,
and the post): ``certificates.services.assert_may_go_on_post``. The certificates domain sits above
the staff register, so the caller passes it in (the API through the app's ``on_post_gate``
dependency; the import, the pool placement and the demo directly)."""


# Built once: following a foreign key (S.kindergarten.street) is costly in Piccolo, and the list
# endpoint is the registry's busiest.
FILTER_COLUMNS = (
    S.kindergarten,
    S.kindergarten.street,
    S.kindergarten.collab_group,
    S.kindergarten.ownership,
    S.post,
    S.status,
    S.title,
    S.employment,
)


def to_out(row: dict[str, Any], viewer: Principal | None) -> StaffOut:
    return build(StaffOut, row, viewer)


def build(model: type[Out], row: dict[str, Any], viewer: Principal | None, **extra: Any) -> Out:
    """A staff schema from a row; the ID number masked unless the viewer may see it (None: internal use)."""
    full = viewer is None or may_see_full_id(viewer.role, viewer.staff_id, row["id"])
    return model(
        **extra,
        id=row["id"],
        id_number=row["id_number"] if full else mask_id_number(row["id_number"]),
        name=row["name"],
        sex=row["sex"],
        # the birth date is the ID number's masked middle: hidden with it
        birth_date=row["birth_date"] if full else None,
        birth_year=row["birth_date"].year,
        kindergarten_id=row["kindergarten"],
        kindergarten_code=row["kindergarten_code"],
        kindergarten_name=row["kindergarten_name"],
        post=row["post"],
        employment=row["employment"],
        title=row["title"],
        honours=json_list(row["honours"]),
        education=row["education"],
        hired_on=row["hired_on"],
        status=row["status"],
        left_on=row["left_on"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def snapshot(out: StaffOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at", "updated_at", "kindergarten_code", "kindergarten_name"})


def _scope_values(who: Principal) -> dict[str, Any]:
    """The rows a caller may see: a kindergarten admin one kindergarten, a teacher one record."""
    values: dict[str, Any] = {}
    kg = kindergarten_scope(who)
    if kg is not None and who.role != Role.teacher:
        values["scope_kg"] = kg
    person = staff_scope(who)
    if person is not None:
        values["scope_staff"] = person
    return values


FILTER_NAMES = ("kindergarten_id", "street", "group", "ownership", "post", "status", "title", "employment")


def _condition(name: str) -> Any:
    if name == "scope_kg":
        return S.kindergarten == Param(name)
    if name in ("scope_staff", "id"):
        return S.id == Param(name)
    if name == "honour":
        # JSON text search that works on both engines (PostgreSQL has no LIKE on json).
        return like('CAST("staff"."honours" AS TEXT)', Param(name))
    if name == "search":  # district HR: the name, or the start of the ID number
        return like_any('"staff"."name"', '"staff"."id_number"', patterns=(Param("name_like"), Param("id_like")))
    if name == "search_masked":  # anyone else: the name, or the ID number as they see it (masked)
        return like_any(
            '"staff"."name"', masked_id_sql('"staff"."id_number"'), patterns=(Param("name_like"), Param("id_like"))
        )
    return FILTER_COLUMNS[FILTER_NAMES.index(name)] == Param(name)


@lru_cache(maxsize=1024)
def _list_queries(shape: tuple[str, ...]) -> tuple[Prepared, Prepared]:
    """The page and count queries for one combination of filters, compiled once."""
    where = [_condition(name) for name in shape]
    page = S.select(*COLUMNS).order_by(S.kindergarten).order_by(S.name).order_by(S.id)
    count = S.count()
    if where:
        page, count = page.where(*where), count.where(*where)
    return Prepared(page, paged=True), Prepared(count)


@lru_cache(maxsize=8)
def _detail_query(shape: tuple[str, ...]) -> Prepared:
    return Prepared(S.select(*COLUMNS).where(*[_condition(name) for name in shape]))


async def list_staff(
    who: Principal,
    *,
    kindergarten_id: int | None = None,
    street: str | None = None,
    group: int | None = None,
    ownership: str | None = None,
    post: str | None = None,
    status: str | None = None,
    title: str | None = None,
    employment: str | None = None,
    honour: str | None = None,
    search: str | None = None,
    limit: int,
    offset: int,
) -> Page[StaffOut]:
    values = _scope_values(who)
    given = (kindergarten_id, street, group, ownership, post, status, title, employment)
    values.update({name: value for name, value in zip(FILTER_NAMES, given, strict=True) if value is not None})
    if honour:
        values["honour"] = json_item(honour)
    if search:
        term = search.strip().upper() if search.strip()[:1].isdigit() else search.strip()
        # The term is literal text (its % and _ match themselves). A search by the hidden digits of an
        # ID number would tell them to a caller who sees the number masked (by prefix digit by digit,
        # or by whole numbers guessed from the birth year and the visible check character): only
        # district HR searches the number itself, by its start; anyone else matches part of the
        # number as they see it (area code, last four).
        if who.role == Role.district_hr:
            values.update(search=True, name_like=contains(term), id_like=starts_with(term))
        else:
            values.update(search_masked=True, name_like=contains(term), id_like=contains(term))
    page, count = _list_queries(tuple(k for k in values if k not in ("name_like", "id_like")))
    rows = await page.run(**values, limit=limit, offset=offset)
    total = (await count.run(**values))[0]["count"]
    return Page(items=[to_out(r, who) for r in rows], total=total, limit=limit, offset=offset)


async def lock_person(staff_id: int) -> None:
    """Serialise writes about one person: FOR UPDATE of the staff row on PostgreSQL (SQLite's write
    transactions are BEGIN IMMEDIATE, so writers are serialised already)."""
    if not is_sqlite():
        await S.select(S.id).where(S.id == staff_id).lock_rows()


async def load_visible(who: Principal, staff_id: int, missing: str | None = None) -> dict[str, Any]:
    """The staff row if the caller may see it (their scope), else NotFound: ``no staff member N``, or
    ``missing`` when the caller asked for another record (a certificate, a credit entry) and only the
    person was looked up here: then a record outside the scope answers exactly as one that does not
    exist, without naming its holder."""
    values = {"id": staff_id, **_scope_values(who)}
    rows = await _detail_query(tuple(values)).run(**values)
    if not rows:
        raise NotFound(missing or _("no staff member {staff_id}", staff_id=staff_id))
    return rows[0]


ASSIGNMENT_COLUMNS = (
    A.kindergarten,
    A.kindergarten.code.as_alias("code"),
    A.kindergarten.name.as_alias("kg_name"),
    A.post,
    A.starts_on,
    A.ends_on,
    A.reason,
)


@lru_cache(maxsize=1)
def _assignments_query() -> Prepared:
    return Prepared(
        A.select(*ASSIGNMENT_COLUMNS)
        .where(A.staff == Param("staff"))
        .order_by(A.starts_on, ascending=False)
        .order_by(A.id, ascending=False)
    )


async def _assignments(staff_id: int) -> list[AssignmentOut]:
    rows = await _assignments_query().run(staff=staff_id)
    return [
        AssignmentOut(
            kindergarten_id=r["kindergarten"],
            kindergarten_code=r["code"],
            kindergarten_name=r["kg_name"],
            post=r["post"],
            starts_on=r["starts_on"],
            ends_on=r["ends_on"],
            reason=r["reason"],
        )
        for r in rows
    ]


async def get_staff(who: Principal, staff_id: int) -> StaffDetail:
    return build(StaffDetail, await load_visible(who, staff_id), who, assignments=await _assignments(staff_id))


async def moved(who: Principal, staff_id: int) -> StaffDetail:
    """A person just moved by ``who``, read whatever the caller's scope now is (a kindergarten admin's
    transfer, reviewed and applied in their name, moves the person out of it), masked for the caller."""
    values = {"id": staff_id}
    rows = await _detail_query(tuple(values)).run(**values)
    return build(StaffDetail, rows[0], who, assignments=await _assignments(staff_id))


async def _check_kindergarten(who: Principal, kindergarten_id: int) -> None:
    if not await K.exists().where(K.id == kindergarten_id):
        raise Invalid.field("kindergarten_id", _("no kindergarten {kindergarten}", kindergarten=kindergarten_id))
    scope = kindergarten_scope(who)
    if scope is not None and scope != kindergarten_id:
        raise Forbidden(_("a kindergarten admin may only add staff to their own kindergarten"), code="own-kindergarten")


REGISTERED_COLUMNS = (
    S.id,
    S.kindergarten,
    S.kindergarten.code.as_alias("kindergarten_code"),
    S.kindergarten.name.as_alias("kindergarten_name"),
    S.status,
)


async def registered(id_number: str) -> dict[str, Any] | None:
    """The record an ID number is registered under (id, kindergarten with its code and name, status)."""
    return await S.select(*REGISTERED_COLUMNS).where(S.id_number == id_number).first()


def status_text(status: str) -> str:
    """A staff status as the reader reads it: its Chinese label, or the code in English."""
    return label(StaffStatus, status) if current_locale() == "zh" else status


def duplicate_id_number(who: Principal, existing: dict[str, Any]) -> Conflict:
    """The 409 of a second record for a registered ID number (one person, one record), ``existing``
    the record's ``registered`` row. District HR learns where the person is registered (the
    kindergarten, the record and its status, also as the ``existing`` member); so does a kindergarten
    admin when it is their own kindergarten. Anyone else learns only that the number is registered
    elsewhere in the district and to ask district HR: another kindergarten's staff are not theirs to
    see (the import's row error says the same)."""
    scope = kindergarten_scope(who)
    if scope is not None and scope != existing["kindergarten"]:
        return Conflict(
            _(
                "this ID number is registered at another kindergarten in the district already (one person, "
                "one record): ask district HR to check the record or transfer the person"
            ),
            [FieldError("id_number", _("registered elsewhere in the district"))],
            code="duplicate-id-number",
        )
    where = {
        "staff_id": existing["id"],
        "kindergarten_id": existing["kindergarten"],
        "kindergarten_code": existing["kindergarten_code"],
        "kindergarten_name": existing["kindergarten_name"],
        "status": existing["status"],
    }
    return Conflict(
        _(
            "this ID number is registered already: staff record {staff_id} at {kindergarten_code} "
            "{kindergarten_name}, status {status} (one person, one record; a move is a transfer)",
            staff_id=existing["id"],
            kindergarten_code=existing["kindergarten_code"],
            kindergarten_name=existing["kindergarten_name"],
            status=status_text(existing["status"]),
        ),
        [FieldError("id_number", _("registered already (staff record {staff_id})", staff_id=existing["id"]))],
        code="duplicate-id-number",
        existing=where,
    )


async def create_staff(who: Principal, data: StaffCreate, *, gate: OnPostGate) -> StaffDetail:
    parsed = parse_id_number(data.id_number)
    problem = hire_date_problem(parsed.birth_date, data.hired_on, policy_on().employment.min_working_age)
    if problem:
        raise Invalid.field("hired_on", problem)
    dates = staff_dates_problem(data.hired_on, data.left_on, today())
    if dates:
        raise Invalid.field(*dates)
    await _check_kindergarten(who, data.kindergarten_id)
    if data.status == StaffStatus.on_post:
        await gate(None, data.post.value)
    async with write_transaction():
        existing = await registered(parsed.value)
        if existing is not None:
            raise duplicate_id_number(who, existing)
        day = today()
        (staff_id,) = await add_staff(who, [NewStaff.from_input(data, parsed, day)], day=day)
    return await get_staff(who, staff_id)


async def close_open_assignment(staff_id: int, last_day: date) -> dict[str, Any] | None:
    current = await A.select().where(A.staff == staff_id, A.ends_on.is_null()).first()
    if current is None:
        return None
    if current["starts_on"] > last_day:
        # Started after the change's last day: the open row is replaced, not closed.
        await A.delete().where(A.id == current["id"])
    else:
        await A.update({A.ends_on: last_day}).where(A.id == current["id"])
    return current


async def update_staff(who: Principal, staff_id: int, data: StaffUpdate, *, gate: OnPostGate) -> StaffDetail:
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "post", "employment", "title", "honours", "status", "id_number"):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, _("may not be null"))
    async with write_transaction():
        await lock_person(staff_id)
        row = await load_visible(who, staff_id)
        before = to_out(row, None)
        if "kindergarten_id" in changes and changes.pop("kindergarten_id") != row["kindergarten"]:
            path = f"/api/v1/staff/{staff_id}/transfer"
            raise Invalid.field(
                "kindergarten_id", _("a move to another kindergarten is a transfer: POST {path}", path=path)
            )
        values: dict[Any, Any] = {}
        if "id_number" in changes and changes["id_number"] != row["id_number"]:
            if who.role != Role.district_hr:
                raise Forbidden(_("only district HR may correct an ID number"))
            parsed = parse_id_number(changes["id_number"])
            existing = await registered(parsed.value)
            if existing is not None and existing["id"] != staff_id:
                raise duplicate_id_number(who, existing)
            values.update(id_number=parsed.value, sex=parsed.sex.value, birth_date=parsed.birth_date)
        for key in ("name", "post", "employment", "title", "education", "hired_on"):
            if key in changes:
                values[key] = getattr(changes[key], "value", changes[key])
        if "honours" in changes:
            values["honours"] = json.dumps([h.value for h in changes["honours"]])
        birth = values.get("birth_date", row["birth_date"])
        problem = hire_date_problem(
            birth, values.get("hired_on", row["hired_on"]), policy_on().employment.min_working_age
        )
        if problem:
            raise Invalid.field("hired_on", problem)
        dates = staff_dates_problem(
            values.get("hired_on", row["hired_on"]), changes.get("left_on") or row["left_on"], today()
        )
        if dates:
            raise Invalid.field(*dates)

        day = today()
        old_status, new_status = row["status"], changes.get("status", row["status"])
        new_status = getattr(new_status, "value", new_status)
        new_post = values.get("post", row["post"])
        if new_status != old_status:
            values["status"] = new_status
        if new_status == StaffStatus.on_post and (old_status != StaffStatus.on_post or new_post != row["post"]):
            await gate(staff_id, new_post)
        if new_status == StaffStatus.left and old_status != StaffStatus.left:
            left_on = changes.get("left_on") or day
            values["left_on"] = left_on
            await close_open_assignment(staff_id, left_on)
        elif old_status == StaffStatus.left and new_status != StaffStatus.left:
            values["left_on"] = None
            await A.insert(
                A(
                    staff=staff_id,
                    kindergarten=row["kindergarten"],
                    post=new_post,
                    starts_on=day,
                    reason="re-hired",
                )
            )
        elif "left_on" in changes and new_status == StaffStatus.left:
            values["left_on"] = changes["left_on"]
        elif new_post != row["post"] and new_status != StaffStatus.left:
            await close_open_assignment(staff_id, day - timedelta(days=1))
            await A.insert(
                A(
                    staff=staff_id,
                    kindergarten=row["kindergarten"],
                    post=new_post,
                    starts_on=day,
                    reason="post changed",
                )
            )
        if values:
            values["updated_at"] = utcnow()
            await S.update(values).where(S.id == staff_id)
        after = to_out(await load_visible(who, staff_id), None)
        b, a = snapshot(before), snapshot(after)
        delta = changed_fields(b, a)
        if delta:
            await record(who, "update", "staff", staff_id, {k: b[k] for k in delta}, delta)
    return await get_staff(who, staff_id)


async def rehire(
    who: Principal, staff_id: int, *, kindergarten_id: int, post: str, employment: str, starts: date, reason: str
) -> None:
    """Someone who left comes back (a pool placement): the record waits as pending_induction on the
    new post until the certificates are checked, a new assignment opens on ``starts``, and the
    change is audited. Inside the caller's write transaction, with the person locked."""
    row = await S.select(S.status).where(S.id == staff_id).first()
    if row is None or row["status"] != StaffStatus.left:
        raise Conflict(
            _("this person is on the staff already (staff {staff_id}): a move is a transfer", staff_id=staff_id),
            [FieldError("candidate", _("employed"))],
        )
    last = await A.select(A.ends_on).where(A.staff == staff_id).order_by(A.ends_on, ascending=False).first()
    if last is not None and last["ends_on"] is not None and as_date(last["ends_on"]) >= starts:
        raise Invalid.field(
            "starts_on", _("must be after the person's last assignment ended ({day})", day=as_date(last["ends_on"]))
        )
    await S.update(
        {
            S.kindergarten: kindergarten_id,
            S.post: post,
            S.employment: employment,
            S.status: StaffStatus.pending_induction.value,
            S.left_on: None,
            S.updated_at: utcnow(),
        }
    ).where(S.id == staff_id)
    await A.insert(A(staff=staff_id, kindergarten=kindergarten_id, post=post, starts_on=starts, reason=reason))
    after = snapshot(to_out(await load_visible(who, staff_id), None))
    await record(who, "update", "staff", staff_id, {"status": StaffStatus.left.value}, {**after, "reason": reason})
