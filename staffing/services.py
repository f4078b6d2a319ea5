"""Staffing: gaps against the standard, planned places and projection, plan progress, the reserve
talent pool, matching and placement.

Reads are set-wise: a fixed number of queries whatever the number of kindergartens or people
(gaps: one statement; projection: two; matching: six; plan progress: a handful). "Qualified" is the
dual-certificate rule compiled to SQL by ``certificates.rules.compliance_sql`` (the same
mapping as the per-person verdict).
Every write runs in one ``write_transaction()`` with its audit events. A kindergarten admin's
per-kindergarten figures are their own kindergarten's; a row outside the caller's scope is a 404.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from certificates import rules as cert_rules
from certificates.services import compliance, verdict_for
from certificates.tables import Certificate as C
from kernel.auth import Principal
from kernel.codes import (
    CandidateStatus,
    ClassBand,
    Ownership,
    PlannedKind,
    Role,
    ServiceType,
    StaffingPost,
    StaffStatus,
    TeacherModel,
    label,
)
from kernel.common.privacy import mask_id_number
from kernel.common.schemas import DEFAULT_LIMIT
from kernel.common.scope import kindergarten_scope
from kernel.common.time import today, utcnow
from kernel.db import fetch_all, is_sqlite, write_transaction
from kernel.errors import Conflict, FieldError, Invalid, NotFound
from kernel.policy import Policy, StaffingPolicy, policy_on
from kernel.rows import as_date, json_list
from registry.audit.services import record
from registry.kindergartens.rules import AGE_BANDS
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.rules import hire_date_problem, parse_id_number
from registry.staff.services import load_visible, lock_person, snapshot, to_out
from registry.staff.tables import Staff as S
from registry.staff.tables import StaffAssignment as A
from staffing import rules
from staffing.schemas import (
    CandidateCreate,
    CandidateOut,
    CandidatePage,
    CandidateUpdate,
    GapBy,
    GapRow,
    GapsOut,
    MatchesOut,
    MatchOut,
    PlacementIn,
    PlacementOut,
    PlannedCreate,
    PlannedOut,
    PlannedPage,
    PlannedUpdate,
    PlanPeriod,
    PlanProgressOut,
    PolicyRef,
    PoolCertificateIn,
    PoolCertificateOut,
    PostGapOut,
    ProjectionOut,
    ProjectionPost,
    RatioOut,
    RequirementIn,
    RequirementOut,
    TargetOut,
)
from staffing.tables import PlannedPlaces as PP
from staffing.tables import PoolCandidate as PC
from staffing.tables import PoolCertificate as PCert
from staffing.tables import PoolPlacement as PPl
from training.coverage import coverage

PLACEMENT_REASON = "储备库安置"  # staff_assignment.reason of a placement


def _dumps(value: Any) -> str:
    # ensure_ascii=False: street names are matched as text (LIKE) and must be stored as written
    return json.dumps(value, ensure_ascii=False)


def _policy(day: date) -> Policy:
    return policy_on(day)  # NoPolicyInForce: a 422 naming `on`


def _policy_ref(policy: Policy, staffing: StaffingPolicy | None = None) -> PolicyRef:
    sp = staffing or policy.staffing
    return PolicyRef(id=policy.id, health_rounding=sp.health_rounding, source=sp.sources.get("source", ""))


def _placeholders(values: Iterable[Any]) -> str:
    return ", ".join("{}" for _ in values)


# --- kindergartens and their people, set-wise ------------------------------------------------------

KG_COLUMNS = (
    "k.id, k.code, k.name, k.street, k.collab_group, k.ownership, k.service_type, k.teacher_model, "
    "k.classes_small + k.classes_middle + k.classes_large + k.classes_mixed + k.classes_nursery AS classes, "
    "k.children, k.places"
)


@dataclass
class Scope:
    """Which kindergartens a read covers: the caller's scope and the request's filters."""

    kindergarten_id: int | None = None
    street: str | None = None
    group: int | None = None
    ownership: str | None = None
    service_type: str | None = None

    def where(self, alias: str = "k") -> tuple[list[str], list[Any]]:
        clauses: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("id", self.kindergarten_id),
            ("street", self.street),
            ("collab_group", self.group),
            ("ownership", self.ownership),
            ("service_type", self.service_type),
        ):
            if value is not None:
                clauses.append(f"{alias}.{column} = {{}}")
                args.append(value)
        return clauses, args


def _scoped(who: Principal, kindergarten_id: int | None) -> int | None:
    """The kindergarten a read is limited to: the admin's own (another one is a 404), or the filter."""
    own = kindergarten_scope(who)
    if own is not None and kindergarten_id is not None and kindergarten_id != own:
        raise NotFound(f"no kindergarten {kindergarten_id}")
    return own if own is not None else kindergarten_id


@dataclass
class KgFigures:
    """One kindergarten with what the standard asks of it and who it has."""

    row: dict[str, Any]
    shape: rules.Shape
    requirement: rules.Requirement
    counts: dict[str, tuple[int, int, int]]  # staffing post -> (on post, qualified, pending induction)
    staff_on_post: int
    teaching_care_on_post: int
    gaps: list[rules.PostGap] = field(default_factory=list)


def _shape(row: dict[str, Any]) -> rules.Shape:
    """``row`` has the kindergarten's classes added up (``classes`` of KG_COLUMNS)."""
    return rules.Shape(
        service_type=row["service_type"],
        teacher_model=row["teacher_model"],
        classes=int(row["classes"] or 0),
        children=int(row["children"] or 0),
    )


def _held_flag_aggregates(policy: Policy) -> dict[str, str]:
    """Per certificate type, the aggregate of ``held_flags_sql`` (MAX(...) over a person's certificate
    rows, 1 if one counts): the certificates app's own conditions, taken apart by type."""
    out: dict[str, str] = {}
    for part in cert_rules.held_flags_sql(policy.certificates).split(",\n"):
        expr, _, name = part.strip().rpartition(" AS ")
        out[name] = expr
    for t in {t for groups in policy.certificates.required.values() for g in groups for t in g}:
        if not out.get(cert_rules.held_flag_column(t), "").startswith("MAX("):  # pragma: no cover
            raise RuntimeError("certificates.rules.held_flags_sql changed: update staffing")
    return {name.removeprefix("h_"): expr for name, expr in out.items()}


def _figures_with(day: date, policy: Policy, scope: Scope, sp: StaffingPolicy) -> tuple[str, list[Any]]:
    """The WITH clause of one statement whose ``f`` is every open kindergarten of the scope with, per
    post the standard counts, its people on post, the qualified among them and those pending
    induction, and everyone on post.

    "Qualified" is the dual-certificate rule as the certificates app compiles it from the policy
    (``compliance_sql``). District-wide on PostgreSQL, each person's certificates are folded into
    held flags (``held_flags_sql``) in one pass, staff joined to their valid certificates and grouped
    by person: at province scale that is faster than an indexed EXISTS per person and requirement
    (and than a separate flags CTE joined back, which PostgreSQL's parallel plan computes once per
    worker). Every other case (SQLite, where EXISTS is the faster form, and any narrower scope) uses
    the EXISTS form."""
    clauses, filter_args = scope.where()
    flags = not is_sqlite() and not clauses
    args: list[Any] = []
    join = ""
    group = ""
    if flags:
        held = _held_flag_aggregates(policy)
        ok = cert_rules.compliance_sql(policy.certificates, holds=lambda t: f"{held[t]} = 1")
        join = (
            " LEFT JOIN certificate c ON c.staff = s.id AND c.status = 'valid' AND c.issued_on <= {}"
            " AND (c.expires_on IS NULL OR c.expires_on >= {})"
        )
        group = "\n  GROUP BY s.id, s.kindergarten, s.post, s.status"
        args += [day, day]
    else:
        ok = cert_rules.compliance_sql(policy.certificates)
        args += [day] * ok.count("{}")
    principal_posts = ", ".join(f"'{p}'" for p in sp.principal_posts)
    cells = ", ".join(
        f"SUM(CASE WHEN p.sp = '{post}' AND p.on_post = 1 THEN 1 ELSE 0 END) AS {post}_on, "
        f"SUM(CASE WHEN p.sp = '{post}' THEN p.ok ELSE 0 END) AS {post}_ok, "
        f"SUM(CASE WHEN p.sp = '{post}' AND p.on_post = 0 THEN 1 ELSE 0 END) AS {post}_pending"
        for post in rules.POSTS
    )
    staff_where = ["s.status IN ('on_post', 'pending_induction')"]
    if clauses:  # the scope's filters, on the staff's kindergarten
        staff_where.append(f"s.kindergarten IN (SELECT k.id FROM kindergarten k WHERE {' AND '.join(clauses)})")
        args += filter_args
    kg_where = " AND ".join(
        ["(k.opened_on IS NULL OR k.opened_on <= {})", "(k.closed_on IS NULL OR k.closed_on > {})", *clauses]
    )
    args += [day, day, *filter_args]
    sql = f"""WITH p AS (
  SELECT s.kindergarten AS kg,
         CASE WHEN s.post IN ({principal_posts}) THEN '{rules.PRINCIPAL}' ELSE s.post END AS sp,
         CASE WHEN s.status = 'on_post' THEN 1 ELSE 0 END AS on_post,
         CASE WHEN s.status = 'on_post' THEN {ok} ELSE 0 END AS ok
  FROM staff s{join}
  WHERE {" AND ".join(staff_where)}{group}
), n AS (
  SELECT p.kg, SUM(p.on_post) AS staff_on_post, {cells} FROM p GROUP BY p.kg
), f AS (
  SELECT {KG_COLUMNS}, n.*
  FROM kindergarten k LEFT JOIN n ON n.kg = k.id
  WHERE {kg_where}
)"""
    return sql, args


async def kindergarten_figures(
    day: date, policy: Policy, scope: Scope, staffing: StaffingPolicy | None = None
) -> list[KgFigures]:
    """Every open kindergarten of the scope with its requirement, its people and its gaps: one query."""
    sp = staffing or policy.staffing
    sql, args = _figures_with(day, policy, scope, sp)
    out = []
    for r in await fetch_all(sql + "\nSELECT * FROM f ORDER BY f.code", *args):
        shape = _shape(r)
        req = rules.requirement(shape, sp)
        mine = {
            post: (int(r[f"{post}_on"] or 0), int(r[f"{post}_ok"] or 0), int(r[f"{post}_pending"] or 0))
            for post in rules.POSTS
        }
        fig = KgFigures(
            row=r,
            shape=shape,
            requirement=req,
            counts=mine,
            staff_on_post=int(r["staff_on_post"] or 0),
            teaching_care_on_post=mine["teacher"][0] + mine["childcare_worker"][0],
        )
        fig.gaps = rules.kindergarten_gaps(req, mine)
        out.append(fig)
    return out


# --- gaps ----------------------------------------------------------------------------------------------


def _gap_out(g: rules.PostGap) -> PostGapOut:
    return PostGapOut(
        post=StaffingPost(g.post),
        required=g.required,
        allowed=g.allowed,
        on_post=g.on_post,
        qualified=g.qualified,
        pending_induction=g.pending_induction,
        gap=g.gap,
        surplus=g.surplus,
        to_certify=g.to_certify,
    )


def _ratio_out(r: rules.Ratio) -> RatioOut:
    return RatioOut(**vars(r))


GROUP_KEYS = {
    "kindergarten": "g.code",
    "street": "g.street",
    "group": "CAST(g.collab_group AS TEXT)",
    "ownership": "g.ownership",
    "district": "'district'",
}
GROUP_ORDER = {"group": "MIN(g.collab_group)"}


def _gaps_query(
    day: date,
    policy: Policy,
    scope: Scope,
    sp: StaffingPolicy,
    *,
    by: str,
    posts: tuple[str, ...],
    sort: str,
    limit: int,
    offset: int,
) -> tuple[str, list[Any]]:
    """ONE statement: each kindergarten's requirement, people and gaps (the standard compiled from the
    policy, ``rules.requirement_sql`` / ``rules.post_gap_sql``), added up by the roll-up's key: one
    page of groups (part 0, with the number of groups) and the selection's total (part 1)."""
    with_, args = _figures_with(day, policy, scope, sp)
    req = rules.requirement_sql(
        sp, classes="f.classes", children="f.children", service_type="f.service_type", teacher_model="f.teacher_model"
    )
    r_cols = ", ".join(f"{req[p]} AS {p}_req" for p in rules.POSTS)
    g_cols = []
    for post in rules.POSTS:
        allowed = "r.principals_allowed" if post == rules.PRINCIPAL else None
        exprs = rules.post_gap_sql(f"r.{post}_req", f"COALESCE(r.{post}_on, 0)", f"COALESCE(r.{post}_ok, 0)", allowed)
        g_cols += [f"{e} AS {post}_{name}" for name, e in exprs.items()]
    sums = [
        "COUNT(*) AS kindergartens",
        "SUM(g.classes) AS classes",
        "SUM(g.children) AS children",
        "SUM(g.places) AS places",
        "SUM(CASE WHEN g.children > g.places THEN 1 ELSE 0 END) AS over_capacity",
        "SUM(COALESCE(g.staff_on_post, 0)) AS staff_on_post",
        "MIN(g.service_type) AS service_type",
        "MIN(g.teacher_model) AS teacher_model",
        "SUM(g.principals_allowed) AS principals_allowed",
        " + ".join(f"SUM(g.{p}_gap)" for p in posts) + " AS gap",
    ]
    for post in rules.POSTS:
        sums += [
            f"SUM(g.{post}_req) AS {post}_req",
            f"SUM(COALESCE(g.{post}_on, 0)) AS {post}_on",
            f"SUM(COALESCE(g.{post}_ok, 0)) AS {post}_ok",
            f"SUM(COALESCE(g.{post}_pending, 0)) AS {post}_pending",
            f"SUM(g.{post}_gap) AS {post}_gap",
            f"SUM(g.{post}_surplus) AS {post}_surplus",
            f"SUM(g.{post}_to_certify) AS {post}_to_certify",
        ]
    key = GROUP_KEYS[by]
    order = "gap DESC, key" if sort == "gap" else GROUP_ORDER.get(by, "key")
    # the district is one group: no GROUP BY (PostgreSQL refuses a constant there), none if empty
    group_by = "HAVING COUNT(*) > 0" if by == "district" else f"GROUP BY {key}"
    sql = f"""{with_}, r AS (
  SELECT f.*, {req["principals_allowed"]} AS principals_allowed, {r_cols} FROM f
), g AS MATERIALIZED (
  SELECT r.*, {", ".join(g_cols)} FROM r
)
SELECT * FROM (
  SELECT 0 AS part, {key} AS key, MIN(g.name) AS name, 0 AS groups_total, {", ".join(sums)}
  FROM g {group_by} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}
) page
UNION ALL
SELECT 1, 'total', 'total', COUNT(DISTINCT {key}), {", ".join(sums)} FROM g"""
    return sql, args


def _label(by: str, key: str, name: str | None) -> str:
    if by == "kindergarten":
        return name or key
    if by == "group":
        return f"第{key}协作组"
    if by == "ownership":
        return label(Ownership, key)
    if by == "district":
        return "全区"
    return key


def _int(value: Any) -> int:
    return int(value or 0)


def _gap_row(r: dict[str, Any], by: str, posts: tuple[str, ...], sp: StaffingPolicy) -> GapRow:
    cells = []
    for post in posts:
        cells.append(
            PostGapOut(
                post=StaffingPost(post),
                required=_int(r[f"{post}_req"]),
                allowed=_int(r["principals_allowed"]) if post == rules.PRINCIPAL else None,
                on_post=_int(r[f"{post}_on"]),
                qualified=_int(r[f"{post}_ok"]),
                pending_induction=_int(r[f"{post}_pending"]),
                gap=_int(r[f"{post}_gap"]),
                surplus=_int(r[f"{post}_surplus"]),
                to_certify=_int(r[f"{post}_to_certify"]),
            )
        )
    key = str(r["key"])
    row = GapRow(
        key=key,
        label="合计" if r["part"] == 1 else _label(by, key, r["name"]),
        kindergartens=_int(r["kindergartens"]),
        classes=_int(r["classes"]),
        children=_int(r["children"]),
        places=_int(r["places"]),
        over_capacity=_int(r["over_capacity"]),
        posts=cells,
        gap=_int(r["gap"]),
    )
    if by == "kindergarten" and r["part"] == 0:
        service_type = str(r["service_type"])
        children = _int(r["children"])
        teaching_care = _int(r["teacher_on"]) + _int(r["childcare_worker_on"])
        row.ratio = _ratio_out(rules.ratio(children, _int(r["staff_on_post"]), teaching_care, service_type, sp))
        row.service_type = ServiceType(service_type)
        row.teacher_model = TeacherModel(rules.model_of(r["teacher_model"], sp))
        if row.over_capacity:
            row.flags.append("over_capacity")
        if rules.is_single_class(row.classes, sp):
            row.flags.append("single_class")
    return row


async def gaps(
    who: Principal,
    *,
    by: GapBy,
    on: date | None = None,
    kindergarten_id: int | None = None,
    street: str | None = None,
    group: int | None = None,
    ownership: str | None = None,
    service_type: str | None = None,
    post: str | None = None,
    sort: str = "key",
    health_rounding: str | None = None,
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> GapsOut:
    """One statement (``_gaps_query``) whatever the number of kindergartens: the database computes
    every kindergarten's requirement and gaps and adds them up; only a page of groups comes back."""
    day = on or today()
    policy = _policy(day)
    sp = rules.with_rounding(policy.staffing, health_rounding)
    scope = Scope(_scoped(who, kindergarten_id), street, group, ownership, service_type)
    posts = (post,) if post else rules.POSTS
    sql, args = _gaps_query(day, policy, scope, sp, by=by, posts=posts, sort=sort, limit=limit, offset=offset)
    result = await fetch_all(sql, *args)
    page = [r for r in result if r["part"] == 0]
    total = next(r for r in result if r["part"] == 1)
    return GapsOut(
        on=day,
        by=by,
        rows=[_gap_row(r, by, posts, sp) for r in page],
        rows_total=_int(total["groups_total"]),
        total=_gap_row(total, by, posts, sp),
        limit=limit,
        offset=offset,
        policy=_policy_ref(policy, sp),
    )


# --- the standard as a calculator ----------------------------------------------------------------------


def requirement(data: RequirementIn) -> RequirementOut:
    policy = policy_on(today())
    sp = rules.with_rounding(policy.staffing, data.health_rounding)
    classes = sum(getattr(data.classes, band) for band in AGE_BANDS)
    shape = rules.Shape(data.service_type.value, data.teacher_model.value, classes, data.children)
    req = rules.requirement(shape, sp)
    per = rules.per_class(shape, sp)
    ratio = None
    if data.staff_on_post is not None or data.teaching_care_on_post is not None:
        ratio = _ratio_out(
            rules.ratio(data.children, data.staff_on_post or 0, data.teaching_care_on_post or 0, shape.service_type, sp)
        )
    flags = []
    if data.places is not None and data.children > data.places:
        flags.append("over_capacity")
    if data.children > sp.max_children_per_kindergarten:
        flags.append(f"over_{sp.max_children_per_kindergarten}_children")
    return RequirementOut(
        service_type=data.service_type,
        teacher_model=data.teacher_model,
        classes=classes,
        children=data.children,
        places=data.places,
        single_class=rules.is_single_class(classes, sp),
        per_class={"teacher": per.teacher, "childcare_worker": per.childcare_worker},
        required={p: req.of(p) for p in rules.POSTS},
        principals_allowed=req.principals_allowed,
        health_rounding=sp.health_rounding,
        ratio=ratio,
        flags=flags,
        policy=_policy_ref(policy, sp),
    )


# --- planned places and projection ----------------------------------------------------------------------

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
    kg = _scoped(who, kindergarten_id)
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
    kgs = await fetch_all(f"SELECT {KG_COLUMNS} FROM kindergarten k WHERE k.id IN ({_placeholders(ids)})", *ids)
    return {k["id"]: _shape(k) for k in kgs}


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
        raise NotFound(f"no planned places {planned_id}")
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
                raise Invalid.field("kindergarten_id", "an expansion names the kindergarten it grows")
            kg = await K.select(K.id, K.street, K.collab_group, K.ownership).where(K.id == data.kindergarten_id).first()
            if kg is None:
                raise Invalid.field("kindergarten_id", f"no kindergarten {data.kindergarten_id}")
            values.update(
                kindergarten=kg["id"], street=kg["street"], collab_group=kg["collab_group"], ownership=kg["ownership"]
            )
        else:
            if data.kindergarten_id is not None:
                raise Invalid.field("kindergarten_id", "a new kindergarten has no kindergarten_id yet")
            problems = [
                FieldError(f, "a new kindergarten needs it") for f in ("street", "ownership") if not getattr(data, f)
            ]
            if problems:
                raise Invalid("; ".join(f"{p.field}: {p.message}" for p in problems), problems)
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
    for key in ("name", "places", "opens_on", "service_type", "teacher_model", "cancelled"):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, "may not be null")
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
    policy = _policy(now)  # today's people and certificates, judged by today's policy
    sp = rules.with_rounding(_policy(day).staffing, health_rounding)
    own = _scoped(who, None)
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
        policy=_policy_ref(policy, sp),
    )


# --- plan progress ----------------------------------------------------------------------------------


async def _additions(first: date, last: date, on: date, posts: tuple[str, ...]) -> dict[str, int]:
    """People added in [first, last] by post: hires (hired_on) and placements (starts_on), each person
    once per post, if they are still on the roll on ``on``."""
    still = "(s.status <> 'left' OR s.left_on > {})"
    sql = f"""
SELECT a.post AS post, COUNT(*) AS n FROM (
  SELECT s.id AS staff, s.post AS post FROM staff s
  WHERE s.hired_on >= {{}} AND s.hired_on <= {{}} AND s.post IN ({_placeholders(posts)}) AND {still}
  UNION
  SELECT p.staff AS staff, p.post AS post FROM pool_placement p JOIN staff s ON s.id = p.staff
  WHERE p.starts_on >= {{}} AND p.starts_on <= {{}} AND p.post IN ({_placeholders(posts)}) AND {still}
) a GROUP BY a.post"""
    rows = await fetch_all(sql, first, last, *posts, on, first, last, *posts, on)
    return {r["post"]: int(r["n"]) for r in rows}


async def _backbone(sp: StaffingPolicy) -> tuple[int, int]:
    """Backbone teachers on post, and those of them with a senior title."""
    likes = " OR ".join("CAST(s.honours AS TEXT) LIKE {}" for _ in sp.backbone_honours)
    titles = _placeholders(sp.backbone_senior_titles)
    rows = await fetch_all(
        f"SELECT COUNT(*) AS n, SUM(CASE WHEN s.title IN ({titles}) THEN 1 ELSE 0 END) AS senior "
        f"FROM staff s WHERE s.status = 'on_post' AND ({likes})",
        *sp.backbone_senior_titles,
        *[f'%"{h}"%' for h in sp.backbone_honours],
    )
    return int(rows[0]["n"] or 0), int(rows[0]["senior"] or 0)


async def plan_progress(who: Principal, on: date | None) -> PlanProgressOut:
    """Each workforce target of the plan with its value on ``on``. District-wide figures only (no
    kindergarten's or person's data), so every role that reads staffing sees the district's."""

    day = on or today()
    policy = _policy(day)
    sp = policy.staffing
    reader = Principal(account_id=who.account_id, username=who.username, role=Role.inspector)
    window = rules.plan_window(sp, day)
    counted = ("teacher", "health_doctor")
    added = await _additions(window[0], window[1], day, counted) if window else {}
    after: dict[str, int] = {}
    if day > sp.plan_period_to:
        after = await _additions(sp.plan_period_to + timedelta(days=1), day, day, counted)
    dual = await compliance(
        reader, by="district", on=day, kindergarten_id=None, street=None, group=None, post=None, limit=1, offset=0
    )
    cov = await coverage(reader, year=day.year, category="safety")
    safety = cov.district.get("safety")
    kindergartens = len(cov.kindergartens)
    with_instructor = kindergartens - len(cov.without_family_instructor)
    backbone, senior = await _backbone(sp)
    span = f"{window[0].isoformat()} to {window[1].isoformat()}" if window else "nothing yet (before the plan)"
    sources = sp.sources
    targets = []
    for post, code, name in (
        ("teacher", "teachers_added", "补充专任教师"),
        ("health_doctor", "health_doctors_added", "补充保健医"),
    ):
        target = sp.plan_targets[post]
        got = added.get(post, 0)
        later = f"; {after.get(post, 0)} more added after the period" if day > sp.plan_period_to else ""
        targets.append(
            TargetOut(
                code=code,
                label=name,
                unit="people",
                target=target,
                achieved=got,
                remaining=rules.remaining(target, got),
                detail=f"hires and placements dated {span}, still on the roll on {day.isoformat()}{later}",
                source=sources["plan_targets"],
            )
        )
    rate_target = policy.coverage.target_rate
    targets.append(
        TargetOut(
            code="dual_certificate_rate",
            label="双证上岗 (持证上岗率)",
            unit="rate",
            target=rate_target,
            achieved=dual.total.rate,
            remaining=rules.rate_remaining(rate_target, dual.total.rate),
            detail=f"{dual.total.compliant} of {dual.total.on_post} people on post hold their post's certificates",
            source=sources["plan_rate_targets"],
        )
    )
    targets.append(
        TargetOut(
            code="safety_training_coverage",
            label="安全培训全员覆盖",
            unit="rate",
            target=rate_target,
            achieved=safety.rate if safety else None,
            remaining=rules.rate_remaining(rate_target, safety.rate if safety else None),
            detail=f"{safety.covered if safety else 0} of {safety.on_post if safety else 0} people on post passed "
            f"safety training in {day.year}",
            source=policy.coverage.source,
        )
    )
    targets.append(
        TargetOut(
            code="family_education_instructors",
            label="每园一名家庭教育指导师",
            unit="kindergartens",
            target=kindergartens,
            achieved=with_instructor,
            remaining=kindergartens - with_instructor,
            detail=f"{with_instructor} of {kindergartens} open kindergartens have an on-post family-education "
            "instructor with a valid certificate",
            source=policy.coverage.source,
        )
    )
    targets.append(
        TargetOut(
            code="backbone_senior_titles",
            label="骨干教师取得高级职称比例",
            unit="rate",
            target=None,
            achieved=cert_rules.rate(senior, backbone),
            remaining=None,
            detail=f"{senior} of {backbone} backbone teachers on post hold {' or '.join(sp.backbone_senior_titles)}"
            " (the plan asks for a rising share, without a number)",
            source=sources["backbone"],
        )
    )
    return PlanProgressOut(
        on=day,
        plan=PlanPeriod(
            name=sp.plan_name,
            period_from=sp.plan_period_from,
            period_to=sp.plan_period_to,
            counted_from=window[0] if window else None,
            counted_to=window[1] if window else None,
            period_over=day > sp.plan_period_to,
        ),
        targets=targets,
        added_after_period={p: after.get(p, 0) for p in counted},
        policy=_policy_ref(policy),
    )


# --- the reserve pool --------------------------------------------------------------------------------

CANDIDATE_COLUMNS = (
    "c.id, c.id_number, c.name, c.sex, c.birth_date, c.source, c.posts, c.streets, c.education, "
    "c.available_from, c.available_to, c.status, c.staff, c.note, c.created_at, c.updated_at"
)


def _cert_out(r: dict[str, Any]) -> PoolCertificateOut:
    return PoolCertificateOut(
        type=r["type"],
        number=r["number"],
        issuer=r["issuer"],
        issued_on=as_date(r["issued_on"]),
        expires_on=as_date(r["expires_on"]),
    )


def _id_for(who: Principal, id_number: str) -> str:
    """Candidates' ID numbers are shown in full to district HR only (as for staff)."""
    return id_number if who.role == Role.district_hr else mask_id_number(id_number)


def _candidate_out(who: Principal, r: dict[str, Any], certs: list[dict[str, Any]]) -> CandidateOut:
    return CandidateOut(
        id=r["id"],
        id_number=_id_for(who, r["id_number"]),
        name=r["name"],
        sex=r["sex"],
        birth_year=as_date(r["birth_date"]).year,
        source=r["source"],
        posts=json_list(r["posts"]),
        streets=json_list(r["streets"]),
        education=r["education"],
        available_from=as_date(r["available_from"]),
        available_to=as_date(r["available_to"]),
        status=r["status"],
        staff_id=r["staff"],
        certificates=[_cert_out(c) for c in certs],
        note=r["note"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


async def _certificates_of(candidate_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not candidate_ids:
        return out
    rows = await fetch_all(
        "SELECT c.candidate, c.type, c.number, c.issuer, c.issued_on, c.expires_on, c.status FROM pool_certificate c "
        f"WHERE c.candidate IN ({_placeholders(candidate_ids)}) ORDER BY c.candidate, c.type, c.id",
        *candidate_ids,
    )
    for r in rows:
        out[r["candidate"]].append(r)
    return out


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f'%"{escaped}"%'


async def list_candidates(
    who: Principal,
    *,
    status: str | None,
    post: str | None,
    source: str | None,
    street: str | None,
    search: str | None,
    limit: int,
    offset: int,
) -> CandidatePage:
    clauses: list[str] = []
    args: list[Any] = []
    if status:
        clauses.append("c.status = {}")
        args.append(status)
    if source:
        clauses.append("c.source = {}")
        args.append(source)
    if post:
        clauses.append("CAST(c.posts AS TEXT) LIKE {} ESCAPE '\\'")
        args.append(_like(post))
    if street:
        clauses.append("CAST(c.streets AS TEXT) LIKE {} ESCAPE '\\'")
        args.append(_like(street))
    if search:
        term = search.strip().upper() if search.strip()[:1].isdigit() else search.strip()
        # as for staff: only district HR searches by the start of an ID number
        clauses.append("(c.name LIKE {} OR c.id_number LIKE {})")
        args += [f"%{term}%", f"{term}%" if who.role == Role.district_hr else term]
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    total = (await fetch_all(f"SELECT COUNT(*) AS n FROM pool_candidate c{where}", *args))[0]["n"]
    rows = await fetch_all(
        f"SELECT {CANDIDATE_COLUMNS} FROM pool_candidate c{where} ORDER BY c.id "
        f"LIMIT {int(limit)} OFFSET {int(offset)}",
        *args,
    )
    certs = await _certificates_of([r["id"] for r in rows])
    return CandidatePage(
        items=[_candidate_out(who, r, certs[r["id"]]) for r in rows], total=int(total), limit=limit, offset=offset
    )


async def _candidate_row(candidate_id: int, lock: bool = False) -> dict[str, Any]:
    sql = f"SELECT {CANDIDATE_COLUMNS} FROM pool_candidate c WHERE c.id = {{}}"
    if lock and not is_sqlite():
        sql += " FOR UPDATE"  # placements of one candidate are serialised (SQLite's writers are already)
    rows = await fetch_all(sql, candidate_id)
    if not rows:
        raise NotFound(f"no candidate {candidate_id}")
    return rows[0]


async def get_candidate(who: Principal, candidate_id: int) -> CandidateOut:
    row = await _candidate_row(candidate_id)
    return _candidate_out(who, row, (await _certificates_of([candidate_id]))[candidate_id])


def _check_certificates(certs: list[PoolCertificateIn], day: date) -> None:
    """The staff register's checks: teacher-qualification numbers and dates (422 naming the item)."""
    errors = []
    for i, c in enumerate(certs):
        number = c.number.strip().upper()
        if c.type == "teacher_qualification":
            problem = cert_rules.teacher_qualification_problem(number, day)
            if problem:
                errors.append(FieldError(f"certificates[{i}].number", f"teacher qualification number {problem}"))
        dates = cert_rules.dates_problem(c.issued_on, c.expires_on, day)
        if dates:
            errors.append(FieldError(f"certificates[{i}].{dates[0]}", dates[1]))
    seen = [(c.type, c.number.strip().upper()) for c in certs]
    if len(set(seen)) != len(seen):
        errors.append(FieldError("certificates", "the same certificate is listed twice"))
    if errors:
        raise Invalid("; ".join(f"{e.field}: {e.message}" for e in errors), errors)


async def _write_certificates(candidate_id: int, certs: list[PoolCertificateIn]) -> None:
    await PCert.delete().where(PCert.candidate == candidate_id)
    if certs:
        await PCert.insert(
            *[
                PCert(
                    candidate=candidate_id,
                    type=c.type.value,
                    number=c.number.strip().upper(),
                    issuer=c.issuer,
                    issued_on=c.issued_on,
                    expires_on=c.expires_on,
                    status="valid",
                )
                for c in certs
            ]
        )


def _candidate_snapshot(out: CandidateOut) -> dict[str, Any]:
    return out.model_dump(mode="json", exclude={"created_at", "updated_at"})


async def _check_not_employed(id_number: str) -> None:
    rows = await fetch_all(
        "SELECT s.id, s.status, k.code FROM staff s JOIN kindergarten k ON k.id = s.kindergarten "
        "WHERE s.id_number = {}",
        id_number,
    )
    if rows and rows[0]["status"] != StaffStatus.left:
        raise Conflict(
            f"this person works at {rows[0]['code']} already (staff {rows[0]['id']}): a move is a transfer",
            [FieldError("id_number", "employed")],
        )


async def create_candidate(who: Principal, data: CandidateCreate) -> CandidateOut:
    day = today()
    parsed = parse_id_number(data.id_number)
    _check_certificates(data.certificates, day)
    async with write_transaction():
        if await PC.exists().where(PC.id_number == parsed.value):
            raise Conflict("this person is in the pool already", [FieldError("id_number", "duplicate")])
        await _check_not_employed(parsed.value)
        now = utcnow()
        rows = await PC.insert(
            PC(
                id_number=parsed.value,
                name=data.name,
                sex=parsed.sex.value,
                birth_date=parsed.birth_date,
                source=data.source.value,
                posts=_dumps([p.value for p in data.posts]),
                streets=_dumps(data.streets),
                education=data.education.value if data.education else None,
                available_from=data.available_from,
                available_to=data.available_to,
                status=CandidateStatus.available.value,
                note=data.note,
                created_at=now,
                updated_at=now,
            )
        ).returning(PC.id)
        cid = rows[0]["id"]
        await _write_certificates(cid, data.certificates)
        out = await get_candidate(who, cid)
        await record(who, "create", "pool_candidate", cid, None, _candidate_snapshot(out))
    return out


async def update_candidate(who: Principal, candidate_id: int, data: CandidateUpdate) -> CandidateOut:
    changes = data.model_dump(exclude_unset=True)
    for key in ("name", "source", "posts", "streets", "available_from", "status", "certificates"):
        if key in changes and changes[key] is None:
            raise Invalid.field(key, "may not be null")
    if data.certificates is not None:
        _check_certificates(data.certificates, today())
    async with write_transaction():
        row = await _candidate_row(candidate_id, lock=True)
        before = await get_candidate(who, candidate_id)
        if row["status"] == CandidateStatus.placed:
            raise Conflict(f"candidate {candidate_id} is placed: the staff record is where they are kept now")
        target = changes.get("status")
        change = (CandidateStatus(row["status"]), CandidateStatus(target or row["status"]))
        if target is not None and target != row["status"] and change not in rules.STATUS_CHANGES:
            raise Conflict(f"a {row['status']} candidate cannot become {target}")
        start = changes.get("available_from", as_date(row["available_from"]))
        end = changes.get("available_to", as_date(row["available_to"]))
        problem = rules.availability_problem(start, end)
        if problem:
            raise Invalid.field("available_to", problem)
        values: dict[Any, Any] = {}
        for key in ("name", "source", "education", "available_from", "available_to", "status", "note"):
            if key in changes:
                values[key] = getattr(changes[key], "value", changes[key])
        if "posts" in changes:
            values["posts"] = _dumps(list(dict.fromkeys(str(getattr(p, "value", p)) for p in changes["posts"])))
        if "streets" in changes:
            values["streets"] = _dumps(list(dict.fromkeys(s.strip() for s in changes["streets"] if s.strip())))
        if values:
            values["updated_at"] = utcnow()
            await PC.update(values).where(PC.id == candidate_id)
        if data.certificates is not None:
            await _write_certificates(candidate_id, data.certificates)
        after = await get_candidate(who, candidate_id)
        b, a = _candidate_snapshot(before), _candidate_snapshot(after)
        delta = {k: v for k, v in a.items() if b.get(k) != v}
        if delta:
            await record(who, "update", "pool_candidate", candidate_id, {k: b[k] for k in delta}, delta)
    return after


# --- matching -------------------------------------------------------------------------------------------


def _pool_holds(policy: Policy) -> Any:
    """The dual-certificate rule's "holds a counting certificate of this type", on the pool's
    certificates: the certificates app's own condition (``holds_sql``), pointed at pool_certificate."""
    staff_side = "FROM certificate c WHERE c.staff = cand.id "
    pool_side = "FROM pool_certificate c WHERE c.candidate = cand.id "

    def holds(cert_type: str) -> str:
        sql = cert_rules.holds_sql(cert_type, policy.certificates, staff_column="cand.id")
        if sql.count(staff_side) != 1:  # pragma: no cover - holds_sql changed shape
            raise RuntimeError("certificates.rules.holds_sql changed: update staffing._pool_holds")
        return sql.replace(staff_side, pool_side)

    return holds


def _held(rows: list[dict[str, Any]]) -> list[cert_rules.HeldCertificate]:
    return [
        cert_rules.HeldCertificate(
            id=i,
            type=r["type"],
            number=r["number"],
            status=r["status"],
            issued_on=as_date(r["issued_on"]),
            expires_on=as_date(r["expires_on"]),
        )
        for i, r in enumerate(rows)
    ]


MATCH_COLUMNS = "cand.id, cand.id_number, cand.name, cand.source, cand.streets, cand.available_from, cand.available_to"
MATCH_BASE = (
    "FROM pool_candidate cand WHERE cand.status = 'available' AND CAST(cand.posts AS TEXT) LIKE {} ESCAPE '\\' "
    "AND (cand.available_to IS NULL OR cand.available_to >= {})"
)
PREFERENCES = (  # street preference tiers: 2 prefers the street, 1 no preference, 0 other streets
    (2, "CAST(cand.streets AS TEXT) LIKE {} ESCAPE '\\'"),
    (1, "CAST(cand.streets AS TEXT) = '[]'"),
    (0, "CAST(cand.streets AS TEXT) NOT LIKE {} ESCAPE '\\' AND CAST(cand.streets AS TEXT) <> '[]'"),
)


def _match_query(policy: Policy, post: str, street: str, day: date, limit: int, offset: int) -> tuple[str, list[Any]]:
    """One statement for one page of matches, best first.

    The ranking is (ready, street preference, available_from, id): "available now" before "later,
    sooner first" is ascending ``available_from`` (now is every day up to ``day``). Each of the six
    (ready, preference) tiers is read in ``available_from`` order with its own LIMIT, so a tier stops
    as soon as it has enough rows for the page; ``ready`` (the dual-certificate rule on the pool's
    certificates, the policy's mapping narrowed to this post) is evaluated only on the rows a tier
    reads. The outer query orders the few rows the tiers return and cuts the page."""
    one_post = dataclasses.replace(policy.certificates, required={post: policy.certificates.required_for(post)})
    ready = cert_rules.compliance_sql(one_post, post_column=f"'{post}'", holds=_pool_holds(policy))
    ready_args = [day] * ready.count("{}")
    base_args: list[Any] = [_like(post), day]
    parts: list[str] = []
    args: list[Any] = []
    for is_ready in (1, 0):
        for preference, condition in PREFERENCES:
            parts.append(
                f"SELECT * FROM (SELECT {MATCH_COLUMNS}, {is_ready} AS ready, {preference} AS preference "
                f"{MATCH_BASE} AND {condition} AND ({ready}) = {is_ready} "
                f"ORDER BY cand.available_from, cand.id LIMIT {int(offset) + int(limit)}) t{is_ready}{preference}"
            )
            args += base_args + [_like(street)] * condition.count("{}") + ready_args
    sql = (
        "\nUNION ALL\n".join(parts)
        + f"\nORDER BY ready DESC, preference DESC, available_from, id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return sql, args


async def _match_total(post: str, day: date) -> int:
    rows = await fetch_all(f"SELECT COUNT(*) AS n {MATCH_BASE}", _like(post), day)
    return int(rows[0]["n"])


async def _gap_of(day: date, policy: Policy, kindergarten_id: int, post: str) -> rules.PostGap:
    figures = await kindergarten_figures(day, policy, Scope(kindergarten_id=kindergarten_id))
    if not figures:
        return rules.post_gap(post, 0, 0, 0)
    return next(g for g in figures[0].gaps if g.post == post)


async def matches(
    who: Principal, kindergarten_id: int, post: str, on: date | None, limit: int, offset: int
) -> MatchesOut:
    """Available candidates who want the post, best first: can go on post now (hold the post's
    certificates) before needing induction, then those preferring the kindergarten's street (then no
    preference), then available now before later, sooner first. Candidates whose window has ended are
    not listed. Six queries whatever the size of the pool (the kindergarten, the page, the total, the
    kindergarten's gap (two), the page's certificates)."""
    day = on or today()
    policy = _policy(day)
    sp = policy.staffing
    _scoped(who, kindergarten_id)
    kg = await K.select(K.id, K.code, K.street).where(K.id == kindergarten_id).first()
    if kg is None:
        raise NotFound(f"no kindergarten {kindergarten_id}")
    counted = rules.staffing_post(post, sp)
    if counted is None:
        raise Invalid.field("post", f"the staffing standard counts no {post} post")
    sql, args = _match_query(policy, post, kg["street"], day, limit, offset)
    rows = await fetch_all(sql, *args)
    total = await _match_total(post, day)
    gap = await _gap_of(today(), _policy(today()), kindergarten_id, counted)
    certs = await _certificates_of([r["id"] for r in rows])
    warn = max(policy.reminders.windows_days)
    items = []
    for i, r in enumerate(rows):
        ready = bool(r["ready"])
        missing = (
            []
            if ready
            else cert_rules.dual_certificate(post, _held(certs[r["id"]]), day, policy.certificates, warn).missing
        )
        streets = json_list(r["streets"])
        preference = rules.street_preference(streets, kg["street"])
        available_from, available_to = as_date(r["available_from"]), as_date(r["available_to"])
        items.append(
            MatchOut(
                rank=offset + i + 1,
                candidate_id=r["id"],
                id_number=_id_for(who, r["id_number"]),
                name=r["name"],
                source=r["source"],
                ready=ready,
                missing=missing,
                prefers_street=None if preference == 1 else preference == 2,
                available_from=available_from,
                available_to=available_to,
                rank_reasons=rules.match_reasons(
                    post=post,
                    ready=ready,
                    missing=missing,
                    preference=preference,
                    street=kg["street"],
                    available_from=available_from,
                    available_to=available_to,
                    on=day,
                ),
            )
        )
    return MatchesOut(
        kindergarten_id=kg["id"],
        kindergarten_code=kg["code"],
        street=kg["street"],
        post=StaffingPost(counted),
        on=day,
        gap=_gap_out(gap),
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )


# --- placement ------------------------------------------------------------------------------------------


async def _copy_certificates(who: Principal, staff_id: int, certs: list[dict[str, Any]]) -> None:
    """The candidate's certificates onto the staff record (a certificate already on it is kept)."""

    now = utcnow()
    for c in certs:
        holder = await C.select(C.staff).where(C.type == c["type"], C.number == c["number"]).first()
        if holder is not None:
            if holder["staff"] != staff_id:
                raise Conflict(
                    f"the candidate's {c['type']} {c['number']} is recorded for another staff member",
                    [FieldError("certificates", "held by another staff member")],
                )
            continue
        rows = await C.insert(
            C(
                staff=staff_id,
                type=c["type"],
                number=c["number"],
                issuer=c["issuer"],
                issued_on=as_date(c["issued_on"]),
                expires_on=as_date(c["expires_on"]),
                status="valid",
                created_at=now,
                updated_at=now,
            )
        ).returning(C.id)
        await record(
            who,
            "create",
            "certificate",
            rows[0]["id"],
            None,
            {
                "staff_id": staff_id,
                "type": c["type"],
                "number": c["number"],
                "issuer": c["issuer"],
                "from": "reserve pool",
            },
        )


async def _staff_record(
    who: Principal, cand: dict[str, Any], data: PlacementIn, starts: date, employment: str, policy: Policy
) -> tuple[int, bool]:
    """Create the staff record, or reactivate the person's earlier one (someone who left); the person
    waits as pending_induction until the certificates are on the record. Returns (staff id, reactivated)."""

    birth = as_date(cand["birth_date"])
    problem = hire_date_problem(birth, starts, policy.employment.min_working_age)
    if problem:
        raise Invalid.field("starts_on", problem)
    existing = await S.select().where(S.id_number == cand["id_number"]).first()
    now = utcnow()
    if existing is None:
        rows = await S.insert(
            S(
                id_number=cand["id_number"],
                name=cand["name"],
                sex=cand["sex"],
                birth_date=birth,
                kindergarten=data.kindergarten_id,
                post=data.post.value,
                employment=employment,
                title="none",
                honours="[]",
                education=cand["education"],
                hired_on=starts,
                status=StaffStatus.pending_induction.value,
                created_at=now,
                updated_at=now,
            )
        ).returning(S.id)
        staff_id = rows[0]["id"]
        reactivated = False
    else:
        staff_id = existing["id"]
        await lock_person(staff_id)
        if existing["status"] != StaffStatus.left:
            raise Conflict(
                f"this person is on the staff already (staff {staff_id}): a move is a transfer",
                [FieldError("candidate", "employed")],
            )
        last = await A.select(A.ends_on).where(A.staff == staff_id).order_by(A.ends_on, ascending=False).first()
        if last is not None and last["ends_on"] is not None and as_date(last["ends_on"]) >= starts:
            raise Invalid.field("starts_on", f"must be after the person's last assignment ended ({last['ends_on']})")
        await S.update(
            {
                S.kindergarten: data.kindergarten_id,
                S.post: data.post.value,
                S.employment: employment,
                S.status: StaffStatus.pending_induction.value,
                S.left_on: None,
                S.updated_at: now,
            }
        ).where(S.id == staff_id)
        reactivated = True
    await A.insert(
        A(
            staff=staff_id,
            kindergarten=data.kindergarten_id,
            post=data.post.value,
            starts_on=starts,
            reason=PLACEMENT_REASON,
        )
    )

    after = snapshot(to_out(await load_visible(who, staff_id), None))
    if reactivated:
        await record(
            who, "update", "staff", staff_id, {"status": StaffStatus.left.value}, {**after, "reason": PLACEMENT_REASON}
        )
    else:
        await record(who, "create", "staff", staff_id, None, {**after, "reason": PLACEMENT_REASON})
    return staff_id, reactivated


async def place(who: Principal, candidate_id: int, data: PlacementIn) -> PlacementOut:
    """Place a candidate: create (or reactivate) the staff record, copy the candidate's certificates,
    put the person on post if they hold the post's certificates (else pending_induction), record the
    placement and mark the candidate placed, in one transaction. A placement without a gap is allowed
    and flagged; a placed candidate is never placed again (409)."""

    day = today()
    starts = data.starts_on or day
    if starts > day:
        raise Invalid.field("starts_on", "a placement is recorded on or after its first day, not before")
    policy = _policy(day)
    counted = rules.staffing_post(data.post.value, policy.staffing)
    if counted is None:
        raise Invalid.field("post", f"the staffing standard counts no {data.post.value} post")
    async with write_transaction():
        cand = await _candidate_row(candidate_id, lock=True)
        if cand["status"] == CandidateStatus.placed:
            raise Conflict(
                f"candidate {candidate_id} is placed already (staff {cand['staff']})",
                [FieldError("candidate", "placed")],
            )
        if cand["status"] == CandidateStatus.withdrawn:
            raise Conflict(
                f"candidate {candidate_id} has withdrawn from the pool", [FieldError("candidate", "withdrawn")]
            )
        kg = (
            await K.select(K.id, K.children, K.places, K.closed_on, K.opened_on)
            .where(K.id == data.kindergarten_id)
            .first()
        )
        if kg is None:
            raise Invalid.field("kindergarten_id", f"no kindergarten {data.kindergarten_id}")
        if kg["closed_on"] is not None and as_date(kg["closed_on"]) <= starts:
            raise Conflict(f"kindergarten {data.kindergarten_id} closed on {kg['closed_on']}")
        gap_before = (await _gap_of(day, policy, data.kindergarten_id, counted)).gap
        employment = (data.employment.value if data.employment else None) or rules.EMPLOYMENT_FOR_SOURCE[cand["source"]]
        staff_id, reactivated = await _staff_record(who, cand, data, starts, str(employment), policy)
        certs = (await _certificates_of([candidate_id]))[candidate_id]
        await _copy_certificates(who, staff_id, certs)
        verdict = await verdict_for(staff_id, data.post.value, day)
        status = StaffStatus.on_post if verdict.compliant else StaffStatus.pending_induction
        if status == StaffStatus.on_post:
            await S.update({S.status: status.value, S.updated_at: utcnow()}).where(S.id == staff_id)
        flags = rules.placement_flags(
            gap_before=gap_before,
            post=data.post.value,
            posts_wanted=json_list(cand["posts"]),
            starts_on=starts,
            available_from=as_date(cand["available_from"]),
            available_to=as_date(cand["available_to"]),
            over_capacity=int(kg["children"]) > int(kg["places"]),
        )
        now = utcnow()
        rows = await PPl.insert(
            PPl(
                candidate=candidate_id,
                staff=staff_id,
                kindergarten=data.kindergarten_id,
                post=data.post.value,
                starts_on=starts,
                status=status.value,
                reactivated=reactivated,
                gap_before=gap_before,
                flags=_dumps(flags),
                placed_by=who.username,
                created_at=now,
            )
        ).returning(PPl.id)
        await PC.update({PC.status: CandidateStatus.placed.value, PC.staff: staff_id, PC.updated_at: now}).where(
            PC.id == candidate_id
        )
        out = PlacementOut(
            id=rows[0]["id"],
            candidate_id=candidate_id,
            staff_id=staff_id,
            kindergarten_id=data.kindergarten_id,
            post=data.post,
            starts_on=starts,
            status=status,
            reactivated=reactivated,
            missing=verdict.missing,
            gap_before=gap_before,
            flags=flags,
            counts_towards_plan=rules.in_plan_period(starts, policy.staffing)
            and counted in policy.staffing.plan_targets,
            placed_by=who.username,
            created_at=now,
        )
        await record(
            who,
            "place",
            "pool_candidate",
            candidate_id,
            {"status": cand["status"]},
            out.model_dump(mode="json", exclude={"created_at"}),
        )
    return out
