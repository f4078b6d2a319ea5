"""Staffing gaps against the standard per kindergarten and post, rolled up by street, group,
ownership or the district: one statement whatever the number of kindergartens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from kernel.auth import Principal
from kernel.codes import label
from kernel.common.schemas import DEFAULT_LIMIT
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.policy import Policy, StaffingPolicy
from registry.kindergartens.codes import Ownership, ServiceType, TeacherModel
from staffing import rules
from staffing.codes import StaffingPost
from staffing.figures import Scope, figures_with, policy_for, policy_ref, ratio_out, scoped
from staffing.schemas import GapBy, GapRow, GapsOut, PostGapOut

GROUP_KEYS = {
    "kindergarten": "g.code",
    "street": "g.street",
    "group": "CAST(g.collab_group AS TEXT)",
    "ownership": "g.ownership",
    "district": "'district'",
}
GROUP_ORDER = {"group": "MIN(g.collab_group)"}


SORTS = ("key", "gap", "gap_asc")
"""``key`` (the roll-up's own order), ``gap`` (the largest gap of the posts asked for first), ``gap_asc``;
and ``<post>_gap`` / ``<post>_gap_asc``: by one post's gap (every post's figures still come back)."""


def sort_names() -> tuple[str, ...]:
    return SORTS + tuple(f"{post}_{s}" for post in rules.POSTS for s in SORTS[1:])


def _order(sort: str, by: str) -> str:
    """The ORDER BY of one page of groups; the roll-up's key breaks ties. Names come from ``sort_names``
    (never the caller's text)."""
    if sort not in sort_names():
        raise ValueError(f"unknown sort {sort!r}")
    if sort == "key":
        return GROUP_ORDER.get(by, "key")
    column, ascending = (sort[: -len("_asc")], True) if sort.endswith("_asc") else (sort, False)
    return f"{column} {'ASC' if ascending else 'DESC'}, key"


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
    with_, args = figures_with(day, policy, scope, sp)
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
    order = _order(sort, by)
    # the district is one group: no GROUP BY (PostgreSQL refuses a constant there), none if empty
    group_by = "HAVING COUNT(*) > 0" if by == "district" else f"GROUP BY {key}"
    sql = f"""{with_}, r AS (
  SELECT f.*, {req["principals_allowed"]} AS principals_allowed, {r_cols} FROM f
), g AS MATERIALIZED (
  SELECT r.*, {", ".join(g_cols)} FROM r
)
SELECT * FROM (
  SELECT 0 AS part, {key} AS key, MIN(g.name) AS name, 0 AS groups_total,
         MIN(g.id) AS kg_id, MIN(g.street) AS kg_street, MIN(g.ownership) AS kg_ownership, {", ".join(sums)}
  FROM g {group_by} ORDER BY {order} LIMIT {int(limit)} OFFSET {int(offset)}
) page
UNION ALL
SELECT 1, 'total', 'total', COUNT(DISTINCT {key}), 0, '', '', {", ".join(sums)} FROM g"""
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
        row.ratio = ratio_out(rules.ratio(children, _int(r["staff_on_post"]), teaching_care, service_type, sp))
        row.service_type = ServiceType(service_type)
        row.teacher_model = TeacherModel(rules.model_of(r["teacher_model"], sp))
        if row.over_capacity:
            row.flags.append("over_capacity")
        if rules.is_single_class(row.classes, sp):
            row.flags.append("single_class")
    return row


async def _gap_rows(
    who: Principal,
    *,
    by: GapBy,
    on: date | None,
    scope: Scope,
    post: str | None,
    sort: str,
    health_rounding: str | None,
    limit: int,
    offset: int,
) -> tuple[date, Policy, StaffingPolicy, tuple[str, ...], list[dict[str, Any]], dict[str, Any]]:
    day = on or today()
    policy = policy_for(day)
    sp = rules.with_rounding(policy.staffing, health_rounding)
    posts = (post,) if post else rules.POSTS
    sql, args = _gaps_query(day, policy, scope, sp, by=by, posts=posts, sort=sort, limit=limit, offset=offset)
    result = await fetch_all(sql, *args)
    page = [r for r in result if r["part"] == 0]
    total = next(r for r in result if r["part"] == 1)
    return day, policy, sp, posts, page, total


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
    scope = Scope(scoped(who, kindergarten_id), street, group, ownership, service_type)
    day, policy, sp, posts, page, total = await _gap_rows(
        who,
        by=by,
        on=on,
        scope=scope,
        post=post,
        sort=sort,
        health_rounding=health_rounding,
        limit=limit,
        offset=offset,
    )
    return GapsOut(
        on=day,
        by=by,
        rows=[_gap_row(r, by, posts, sp) for r in page],
        rows_total=_int(total["groups_total"]),
        total=_gap_row(total, by, posts, sp),
        limit=limit,
        offset=offset,
        policy=policy_ref(policy, sp),
    )


@dataclass(frozen=True)
class KindergartenGap:
    """One kindergarten's row of ``GET /staffing/gaps?by=kindergarten`` with what a list of
    kindergartens links and shows beside it."""

    kindergarten_id: int
    street: str
    ownership: str
    row: GapRow

    def gap_of(self, post: str) -> int:
        return next(p.gap for p in self.row.posts if p.post == post)


@dataclass(frozen=True)
class KindergartenGaps:
    items: list[KindergartenGap]
    total: int  # kindergartens of the selection


async def kindergarten_gaps(
    who: Principal,
    *,
    street: str | None = None,
    search: str | None = None,
    ids: tuple[int, ...] | None = None,
    sort: str = "key",
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> KindergartenGaps:
    """Each open kindergarten of the caller's scope with its gaps per post (the figures of ``gaps``,
    by kindergarten), filtered as the kindergarten list filters (street, name or the start of the code)
    or to ``ids``, one page in ``sort`` order (``sort_names``: by a post's gap, either way)."""
    scope = Scope(scoped(who, None), street, search=search or None, ids=ids)
    _day, _policy, sp, posts, page, total = await _gap_rows(
        who,
        by="kindergarten",
        on=None,
        scope=scope,
        post=None,
        sort=sort,
        health_rounding=None,
        limit=limit,
        offset=offset,
    )
    items = [
        KindergartenGap(
            kindergarten_id=int(r["kg_id"]),
            street=str(r["kg_street"]),
            ownership=str(r["kg_ownership"]),
            row=_gap_row(r, "kindergarten", posts, sp),
        )
        for r in page
    ]
    return KindergartenGaps(items=items, total=_int(total["groups_total"]))
