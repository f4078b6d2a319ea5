"""Planned places (new kindergartens and expansions) and the projection of the requirement and gap
once they are open. Every write runs in one ``write_transaction()`` with its audit events."""

from __future__ import annotations

from datetime import date
from typing import Any

from kernel.auth import Principal
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, write_transaction
from kernel.errors import FieldError, Invalid, NotFound
from kernel.i18n import F_, _, field_label
from kernel.policy import StaffingPolicy, policy_on
from kernel.rows import as_date
from registry.audit.services import record
from registry.kindergartens.codes import ServiceType, TeacherModel
from registry.kindergartens.tables import Kindergarten as K
from staffing import rules
from staffing.codes import ClassBand, PlannedKind, StaffingPost
from staffing.figures import KG_COLUMNS, Scope, kg_shape, kindergarten_figures, policy_for, policy_ref, scoped
from staffing.schemas import PlannedCreate, PlannedOut, PlannedPage, PlannedUpdate, ProjectionOut, ProjectionPost
from staffing.sqltext import placeholders
from staffing.tables import PlannedPlaces as PP

PLANNED_COLUMNS = (
    "p.id, p.name, p.kind, p.kindergarten, p.street, p.collab_group, p.ownership, p.service_type, "
    "p.teacher_model, p.places, p.band, p.opens_on, p.plan_item, p.note, p.cancelled, p.created_by, p.created_at"
)


def _planned_shape(p: dict[str, Any], sp: StaffingPolicy) -> rules.Shape:
    return rules.Shape(
        service_type=p["service_type"],
        teacher_model=p["teacher_model"],
        classes=rules.classes_for_places(int(p["places"]), p["band"], sp),
        children=int(p["places"]),
    )


def _added_requirement(p: dict[str, Any], base: rules.Shape | None, sp: StaffingPolicy) -> dict[str, int]:
    """What the planned places add to the requirement: a new kindergarten's whole requirement, or the
    difference an expansion makes to its kindergarten's."""
    if base is None:
        req = rules.requirement(_planned_shape(p, sp), sp)
        return {post: req.of(post) for post in rules.POSTS}
    before = rules.requirement(base, sp)
    after = rules.requirement(rules.expanded(base, int(p["places"]), p["band"], sp), sp)
    return {post: after.of(post) - before.of(post) for post in rules.POSTS}


def _planned_out(p: dict[str, Any], base: rules.Shape | None, sp: StaffingPolicy) -> PlannedOut:
    return PlannedOut(
        id=p["id"],
        name=p["name"],
        kind=PlannedKind(p["kind"]),
        kindergarten_id=p["kindergarten"],
        street=p["street"],
        group=p["collab_group"],
        ownership=p["ownership"],
        service_type=ServiceType(p["service_type"]),
        teacher_model=TeacherModel(p["teacher_model"]),
        places=int(p["places"]),
        band=ClassBand(p["band"]) if p["band"] else None,
        classes=rules.classes_for_places(int(p["places"]), p["band"], sp),
        required=_added_requirement(p, base, sp),
        opens_on=as_date(p["opens_on"]),
        plan_item=p["plan_item"],
        note=p["note"],
        cancelled=bool(p["cancelled"]),
        flags=rules.planned_flags(p["kind"], int(p["places"]), base.children if base else 0, sp),
        created_by=p["created_by"],
        created_at=p["created_at"],
    )


async def _planned_rows(
    who: Principal, *, opens_by: date | None = None, street: str | None = None, group: int | None = None,
    kindergarten_id: int | None = None, include_cancelled: bool = True, planned_id: int | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    clauses: list[str] = []
    args: list[Any] = []
    kg = scoped(who, kindergarten_id)
    for sql, value in (
        ("p.id = {}", planned_id),
        ("p.kindergarten = {}", kg),
        ("p.opens_on <= {}", opens_by),
        ("p.street = {}", street),
        ("p.collab_group = {}", group),
    ):
        if value is not None:
            clauses.append(sql)
            args.append(value)
    if not include_cancelled:
        clauses.append("p.cancelled = {}")
        args.append(False)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return await fetch_all(f"SELECT {PLANNED_COLUMNS} FROM planned_places p{where} ORDER BY p.opens_on, p.id", *args)


async def _base_shapes(rows: list[dict[str, Any]]) -> dict[int, rules.Shape]:
    ids = sorted({r["kindergarten"] for r in rows if r["kindergarten"] is not None})
    if not ids:
        return {}
    kgs = await fetch_all(f"SELECT {KG_COLUMNS} FROM kindergarten k WHERE k.id IN ({placeholders(ids)})", *ids)
    return {k["id"]: kg_shape(k) for k in kgs}


async def list_planned(
    who: Principal,
    *,
    street: str | None,
    group: int | None,
    kindergarten_id: int | None,
    limit: int,
    offset: int,
) -> PlannedPage:
    sp = policy_on(today()).staffing
    rows = await _planned_rows(who, street=street, group=group, kindergarten_id=kindergarten_id)
    page = rows[offset : offset + limit]
    bases = await _base_shapes(page)
    return PlannedPage(
        items=[_planned_out(r, bases.get(r["kindergarten"]) if r["kindergarten"] else None, sp) for r in page],
        total=len(rows),
        places=sum(int(r["places"]) for r in rows if not r["cancelled"]),
        limit=limit,
        offset=offset,
    )


async def _one_planned(who: Principal, planned_id: int) -> PlannedOut:
    rows = await _planned_rows(who, planned_id=planned_id)
    if not rows:
        raise NotFound(_("no planned places {planned_id}", planned_id=planned_id))
    bases = await _base_shapes(rows)
    r = rows[0]
    return _planned_out(r, bases.get(r["kindergarten"]) if r["kindergarten"] else None, policy_on(today()).staffing)


async def get_planned(who: Principal, planned_id: int) -> PlannedOut:
    return await _one_planned(who, planned_id)


def _snapshot(out: PlannedOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at", "required", "flags", "classes"})


async def create_planned(who: Principal, data: PlannedCreate) -> PlannedOut:
    values: dict[str, Any] = {
        "name": data.name,
        "kind": data.kind.value,
        "service_type": data.service_type.value,
        "teacher_model": data.teacher_model.value,
        "places": data.places,
        "band": data.band.value if data.band else None,
        "opens_on": data.opens_on,
        "plan_item": data.plan_item,
        "note": data.note,
    }
    async with write_transaction():
        if data.kind == PlannedKind.expansion:
            if data.kindergarten_id is None:
                raise Invalid.field(F_("kindergarten_id"), _("an expansion names the kindergarten it grows"))
            kg = await K.select(K.id, K.street, K.collab_group, K.ownership).where(K.id == data.kindergarten_id).first()
            if kg is None:
                raise Invalid.field(
                    F_("kindergarten_id"), _("no kindergarten {kindergarten_id}", kindergarten_id=data.kindergarten_id)
                )
            values.update(
                kindergarten=kg["id"], street=kg["street"], collab_group=kg["collab_group"], ownership=kg["ownership"]
            )
        else:
            if data.kindergarten_id is not None:
                raise Invalid.field(F_("kindergarten_id"), _("a new kindergarten has no kindergarten_id yet"))
            problems = [
                FieldError(f, _("a new kindergarten needs it"))
                for f in (F_("street"), F_("ownership"))
                if not getattr(data, f)
            ]
            if problems:
                raise Invalid(
                    _("; ").join(
                        _("{field}: {message}", field=field_label(p.field), message=p.message) for p in problems
                    ),
                    problems,
                )
            values.update(
                kindergarten=None,
                street=data.street,
                collab_group=data.group,
                ownership=data.ownership.value if data.ownership else None,
            )
        now = utcnow()
        rows = await PP.insert(
            PP(**values, cancelled=False, created_by=who.username, created_at=now, updated_at=now)
        ).returning(PP.id)
        out = await _one_planned(who, rows[0]["id"])
        await record(who, "create", "planned_places", out.id, None, _snapshot(out))
    return out


async def update_planned(who: Principal, planned_id: int, data: PlannedUpdate) -> PlannedOut:
    changes = data.model_dump(exclude_unset=True)
    for key in (F_("name"), F_("places"), F_("opens_on"), F_("service_type"), F_("teacher_model"), F_("cancelled")):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, _("may not be null"))
    async with write_transaction():
        before = await _one_planned(who, planned_id)
        values = {k: getattr(v, "value", v) for k, v in changes.items()}
        if values:
            values["updated_at"] = utcnow()
            await PP.update(values).where(PP.id == planned_id)  # type: ignore[arg-type]
        after = await _one_planned(who, planned_id)
        b, a = _snapshot(before), _snapshot(after)
        delta = {k: v for k, v in a.items() if b.get(k) != v}
        if delta:
            await record(who, "update", "planned_places", planned_id, {k: b[k] for k in delta}, delta)
    return after


async def projection(
    who: Principal, *, on: date | None, street: str | None, group: int | None, health_rounding: str | None = None
) -> ProjectionOut:
    """The requirement and gap on ``on`` if the planned places open by then are open and full:
    places become classes by the class-size table, classes become required staff. Nobody is assumed
    hired: the qualified staff are today's."""
    day = on or today()
    now = today()
    policy = policy_for(now)  # today's people and certificates, judged by today's policy
    sp = rules.with_rounding(policy_for(day).staffing, health_rounding)
    own = scoped(who, None)
    figures = await kindergarten_figures(now, policy, Scope(own, street, group), sp)
    planned = [p for p in await _planned_rows(who, opens_by=day, street=street, group=group, include_cancelled=False)]
    by_id = {f.row["id"]: f for f in figures}
    bases = {kid: f.shape for kid, f in by_id.items()}
    grown: dict[int, rules.Shape] = dict(bases)
    items = []
    new_shapes: list[rules.Shape] = []
    for p in planned:
        kid = p["kindergarten"]
        if kid is not None and kid not in by_id:
            continue  # an expansion of a kindergarten outside the selection (or closed)
        items.append(_planned_out(p, bases.get(kid) if kid is not None else None, sp))
        if kid is None:
            new_shapes.append(_planned_shape(p, sp))
        else:
            grown[kid] = rules.expanded(grown[kid], int(p["places"]), p["band"], sp)
    posts = []
    for post in rules.POSTS:
        now_gaps = [next(g for g in f.gaps if g.post == post) for f in figures]
        proj_gaps = []
        for f in figures:
            req = rules.requirement(grown[f.row["id"]], sp)
            on_post, ok, pending = f.counts.get(post, (0, 0, 0))
            proj_gaps.append(rules.post_gap(post, req.of(post), on_post, ok, pending, req.allowed(post)))
        for shape in new_shapes:
            req = rules.requirement(shape, sp)
            proj_gaps.append(rules.post_gap(post, req.of(post), 0, 0, 0, req.allowed(post)))
        required_now = sum(g.required for g in now_gaps)
        required = sum(g.required for g in proj_gaps)
        posts.append(
            ProjectionPost(
                post=StaffingPost(post),
                required_now=required_now,
                required_added=required - required_now,
                required=required,
                qualified=sum(g.qualified for g in now_gaps),
                gap_now=sum(g.gap for g in now_gaps),
                gap=sum(g.gap for g in proj_gaps),
            )
        )
    return ProjectionOut(
        on=day,
        scope="district" if own is None else "kindergarten",
        kindergartens_now=len(figures),
        new_kindergartens=len(new_shapes),
        expansions=sum(1 for i in items if i.kind == PlannedKind.expansion),
        places_added=sum(i.places for i in items),
        classes_added=sum(i.classes for i in items),
        children_added=sum(i.places for i in items),
        posts=posts,
        items=items,
        policy=policy_ref(policy, sp),
    )
