"""Kindergartens with their requirement, people and gaps, set-wise: the figures the gaps, the
projection, matching and placement share, and the policy in force they are judged by.

"Qualified" is the dual-certificate rule compiled to SQL by ``certificates.rules.compliance_sql``
(the same mapping as the per-person verdict). A kindergarten admin's per-kindergarten figures are
their own kindergarten's; a kindergarten outside the caller's scope is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from certificates import rules as cert_rules
from kernel.auth import Principal
from kernel.common.like import LIKE, contains, starts_with
from kernel.common.scope import kindergarten_scope
from kernel.db import fetch_all, is_sqlite
from kernel.errors import NotFound
from kernel.i18n import _
from kernel.policy import Policy, StaffingPolicy, policy_on
from staffing import rules
from staffing.codes import StaffingPost
from staffing.schemas import PolicyRef, PostGapOut, RatioOut
from staffing.sqltext import placeholders


def policy_for(day: date) -> Policy:
    return policy_on(day)  # NoPolicyInForce: a 422 naming `on`


def policy_ref(policy: Policy, staffing: StaffingPolicy | None = None) -> PolicyRef:
    sp = staffing or policy.staffing
    return PolicyRef(id=policy.id, health_rounding=sp.health_rounding, source=sp.sources.get("source", ""))


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
    search: str | None = None  # the name contains it, or the code starts with it (as the kindergarten list)
    ids: tuple[int, ...] | None = None  # these kindergartens only (a page of the kindergarten list)

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
        if self.search:
            clauses.append(f"({alias}.name {LIKE} OR {alias}.code {LIKE})")
            args += [contains(self.search), starts_with(self.search)]
        if self.ids is not None:
            # an empty page: no kindergarten (IN () is not SQL)
            clauses.append(f"{alias}.id IN ({placeholders(self.ids)})" if self.ids else "1 = 0")
            args += list(self.ids)
        return clauses, args


def scoped(who: Principal, kindergarten_id: int | None) -> int | None:
    """The kindergarten a read is limited to: the admin's own (another one is a 404), or the filter."""
    own = kindergarten_scope(who)
    if own is not None and kindergarten_id is not None and kindergarten_id != own:
        raise NotFound(_("no kindergarten {kindergarten_id}", kindergarten_id=kindergarten_id))
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


def kg_shape(row: dict[str, Any]) -> rules.Shape:
    """``row`` has the kindergarten's classes added up (``classes`` of KG_COLUMNS)."""
    return rules.Shape(
        service_type=row["service_type"],
        teacher_model=row["teacher_model"],
        classes=int(row["classes"] or 0),
        children=int(row["children"] or 0),
    )


def _held_flag_aggregates(policy: Policy) -> dict[str, str]:
    """Per certificate type, the aggregate of ``held_flag_aggregates`` (MAX(...) over a person's
    certificate rows, 1 if one counts): the certificates app's own conditions, by type."""
    return {alias.removeprefix("h_"): expr for expr, alias in cert_rules.held_flag_aggregates(policy.certificates)}


def figures_with(day: date, policy: Policy, scope: Scope, sp: StaffingPolicy) -> tuple[str, list[Any]]:
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
    sql, args = figures_with(day, policy, scope, sp)
    out = []
    for r in await fetch_all(sql + "\nSELECT * FROM f ORDER BY f.code", *args):
        shape = kg_shape(r)
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


def gap_out(g: rules.PostGap) -> PostGapOut:
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


def ratio_out(r: rules.Ratio) -> RatioOut:
    return RatioOut(**vars(r))


async def gap_of(day: date, policy: Policy, kindergarten_id: int, post: str) -> rules.PostGap:
    figures = await kindergarten_figures(day, policy, Scope(kindergarten_id=kindergarten_id))
    if not figures:
        return rules.post_gap(post, 0, 0, 0)
    return next(g for g in figures[0].gaps if g.post == post)
