"""Pool candidates for a kindergarten's post, ranked with reasons: six queries whatever the size of
the pool."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from certificates import rules as cert_rules
from kernel.auth import Principal
from kernel.common.like import json_item
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import Invalid, NotFound
from kernel.i18n import F_, _
from kernel.policy import Policy
from kernel.rows import as_date, json_list
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.codes import Post
from staffing import rules
from staffing.codes import StaffingPost
from staffing.figures import gap_of, gap_out, policy_for, scoped
from staffing.pool import certificates_of, id_for
from staffing.schemas import MatchesOut, MatchOut


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
    base_args: list[Any] = [json_item(post), day]
    parts: list[str] = []
    args: list[Any] = []
    for is_ready in (1, 0):
        for preference, condition in PREFERENCES:
            parts.append(
                f"SELECT * FROM (SELECT {MATCH_COLUMNS}, {is_ready} AS ready, {preference} AS preference "
                f"{MATCH_BASE} AND {condition} AND ({ready}) = {is_ready} "
                f"ORDER BY cand.available_from, cand.id LIMIT {int(offset) + int(limit)}) t{is_ready}{preference}"
            )
            args += base_args + [json_item(street)] * condition.count("{}") + ready_args
    sql = (
        "\nUNION ALL\n".join(parts)
        + f"\nORDER BY ready DESC, preference DESC, available_from, id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return sql, args


async def _match_total(post: str, day: date) -> int:
    rows = await fetch_all(f"SELECT COUNT(*) AS n {MATCH_BASE}", json_item(post), day)
    return int(rows[0]["n"])


async def matches(
    who: Principal, kindergarten_id: int, post: str, on: date | None, limit: int, offset: int
) -> MatchesOut:
    """Available candidates who want the post, best first: can go on post now (hold the post's
    certificates) before needing induction, then those preferring the kindergarten's street (then no
    preference), then available now before later, sooner first. Candidates whose window has ended are
    not listed. Six queries whatever the size of the pool (the kindergarten, the page, the total, the
    kindergarten's gap (two), the page's certificates)."""
    day = on or today()
    policy = policy_for(day)
    sp = policy.staffing
    scoped(who, kindergarten_id)
    kg = await K.select(K.id, K.code, K.street).where(K.id == kindergarten_id).first()
    if kg is None:
        raise NotFound(_("no kindergarten {kindergarten_id}", kindergarten_id=kindergarten_id))
    counted = rules.staffing_post(post, sp)
    if counted is None:
        raise Invalid.field(
            F_("post"), _("the staffing standard counts no {post} post", post=rules.in_words(Post, post))
        )
    sql, args = _match_query(policy, post, kg["street"], day, limit, offset)
    rows = await fetch_all(sql, *args)
    total = await _match_total(post, day)
    gap = await gap_of(today(), policy_for(today()), kindergarten_id, counted)
    certs = await certificates_of([r["id"] for r in rows])
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
                id_number=id_for(who, r["id_number"]),
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
        gap=gap_out(gap),
        items=items,
        total=total,
        limit=limit,
        offset=offset,
    )
