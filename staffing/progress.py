"""Progress towards the plan's workforce targets (district-wide figures, a handful of queries)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from certificates import rules as cert_rules
from certificates.services import compliance
from kernel.auth import Principal
from kernel.codes import Role
from kernel.common.like import LIKE, json_item
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.i18n import _
from kernel.policy import StaffingPolicy
from staffing import rules
from staffing.figures import policy_for, policy_ref
from staffing.schemas import PlanPeriod, PlanProgressOut, TargetOut
from staffing.sqltext import placeholders
from training.coverage import coverage


class Additions(NamedTuple):
    made: int  # people added in the days asked about, whether or not they have left since
    on_roll: int  # those of them still on the roll on the day of the answer


NOBODY = Additions(0, 0)


async def _additions(first: date, last: date, on: date, posts: tuple[str, ...]) -> dict[str, Additions]:
    """People added in [first, last] by post: hires (``hired_on``, in the post the person was hired
    into: their first assignment's, whatever they do now) and pool placements (``starts_on``, in the
    placement's post).

    Every addition made counts: someone who has left since still counts (the plan asks how many were
    added, not how many stayed). Each person counts once per post, however often they were added in
    those days: hired, left and placed again is one addition. A re-hire through the pool (a placement
    that reactivates someone who had left before ``first``) is an addition; taking someone back by
    hand (``status`` from ``left`` to another) is a correction of the record and adds nobody.
    ``on_roll``: those of them still on the roll on ``on``, in whatever post (not recorded as left, or
    left on or after ``on``: ``left_on`` is the last day worked; read from the record as it is now, as the gaps are)."""
    # the posts are picked outside the UNION: the first assignment's post is then looked up once per person
    sql = f"""
SELECT a.post AS post, COUNT(*) AS n,
  SUM(CASE WHEN s.status <> 'left' OR s.left_on >= {{}} THEN 1 ELSE 0 END) AS on_roll
FROM (
  SELECT s.id AS staff, COALESCE((SELECT f.post FROM staff_assignment f WHERE f.staff = s.id
    ORDER BY f.starts_on, f.id LIMIT 1), s.post) AS post
  FROM staff s WHERE s.hired_on >= {{}} AND s.hired_on <= {{}}
  UNION
  SELECT p.staff AS staff, p.post AS post FROM pool_placement p
  WHERE p.starts_on >= {{}} AND p.starts_on <= {{}}
) a JOIN staff s ON s.id = a.staff
WHERE a.post IN ({placeholders(posts)})
GROUP BY a.post"""
    rows = await fetch_all(sql, on, first, last, first, last, *posts)
    return {r["post"]: Additions(int(r["n"]), int(r["on_roll"] or 0)) for r in rows}


async def _backbone(sp: StaffingPolicy) -> tuple[int, int]:
    """Backbone teachers on post, and those of them with a senior title."""
    likes = " OR ".join(f"CAST(s.honours AS TEXT) {LIKE}" for _honour in sp.backbone_honours)
    titles = placeholders(sp.backbone_senior_titles)
    rows = await fetch_all(
        f"SELECT COUNT(*) AS n, SUM(CASE WHEN s.title IN ({titles}) THEN 1 ELSE 0 END) AS senior "
        f"FROM staff s WHERE s.status = 'on_post' AND ({likes})",
        *sp.backbone_senior_titles,
        *[json_item(h) for h in sp.backbone_honours],
    )
    return int(rows[0]["n"] or 0), int(rows[0]["senior"] or 0)


async def plan_progress(who: Principal, on: date | None) -> PlanProgressOut:
    """Each workforce target of the plan with its value on ``on``. District-wide figures only (no
    kindergarten's or person's data), so every role that reads staffing sees the district's."""

    day = on or today()
    policy = policy_for(day)
    sp = policy.staffing
    reader = Principal(account_id=who.account_id, username=who.username, role=Role.inspector)
    window = rules.plan_window(sp, day)
    counted = ("teacher", "health_doctor")
    added = await _additions(window[0], window[1], day, counted) if window else {}
    over = day > sp.plan_period_to
    after = await _additions(sp.plan_period_to + timedelta(days=1), day, day, counted) if over else {}
    dual = await compliance(
        reader, by="district", on=day, kindergarten_id=None, street=None, group=None, post=None, limit=1, offset=0
    )
    cov = await coverage(reader, year=day.year, category="safety")
    safety = cov.district.get("safety")
    kindergartens = len(cov.kindergartens)
    with_instructor = kindergartens - len(cov.without_family_instructor)
    backbone, senior = await _backbone(sp)
    sources = sp.sources
    targets = []
    for post, code, name in (
        ("teacher", "teachers_added", "补充专任教师"),
        ("health_doctor", "health_doctors_added", "补充保健医"),
    ):
        target = sp.plan_targets[post]
        got = added.get(post, NOBODY)
        targets.append(
            TargetOut(
                code=code,
                label=name,
                unit="people",
                target=target,
                achieved=got.made,
                remaining=rules.remaining(target, got.made),
                still_on_roll=got.on_roll,
                detail=rules.additions_detail(
                    window, got.made, got.on_roll, day, after.get(post, NOBODY).made if over else None
                ),
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
            detail=_(
                "{compliant} of {on_post} people on post hold their post's certificates",
                compliant=dual.total.compliant,
                on_post=dual.total.on_post,
            ),
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
            detail=_(
                "{covered} of {on_post} people on post passed safety training in {year}",
                covered=safety.covered if safety else 0,
                on_post=safety.on_post if safety else 0,
                year=day.year,
            ),
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
            detail=_(
                "{with_instructor} of {kindergartens} open kindergartens have an on-post family-education "
                "instructor with a valid certificate",
                with_instructor=with_instructor,
                kindergartens=kindergartens,
            ),
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
            detail=_(
                "{senior} of {backbone} backbone teachers on post hold {titles} (the plan asks for a rising share, "
                "without a number)",
                senior=senior,
                backbone=backbone,
                titles=rules.titles_in_words(sp.backbone_senior_titles),
            ),
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
            period_over=over,
        ),
        targets=targets,
        added_after_period={p: after.get(p, NOBODY).made for p in counted},
        policy=policy_ref(policy),
    )
