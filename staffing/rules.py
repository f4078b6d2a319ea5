"""Pure rules of staffing: the national staffing standard, the health-care rule, gaps, projection,
pool matching and the plan's counting window. No I/O; every number comes from the policy
(``kernel.policy.StaffingPolicy``, section ``[version.staffing]`` of defaults.toml).

The "qualified" half of a gap is the dual-certificate rule, which lives in
``certificates.rules`` (``compliance_sql`` set-wise, ``dual_certificate`` per person):
it is reused, never restated here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kernel.codes import label
from kernel.common.text import missing_text
from kernel.i18n import _, current_locale
from kernel.policy import PerClass, StaffingPolicy
from registry.staff.codes import Employment, Post, Title
from staffing.codes import CandidateStatus, PoolSource, StaffingPost

POSTS: tuple[str, ...] = tuple(p.value for p in StaffingPost)
"""The posts the standard counts, in report order."""
PRINCIPAL = StaffingPost.principal.value


# --- the standard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """What the standard looks at in a kindergarten."""

    service_type: str
    teacher_model: str
    classes: int
    children: int


def shape_problems(classes: int, children: int, places: int | None = None) -> list[tuple[str, str]]:
    """Field problems of a shape (negative counts); more children than places is not one (flagged)."""
    problems = []
    if classes < 0:
        problems.append(("classes", f"must not be negative, got {classes}"))
    if children < 0:
        problems.append(("children", f"must not be negative, got {children}"))
    if places is not None and places < 0:
        problems.append(("places", f"must not be negative, got {places}"))
    return problems


def _check(shape: Shape) -> None:
    problems = shape_problems(shape.classes, shape.children)
    if problems:
        raise ValueError("; ".join(f"{f}: {m}" for f, m in problems))


def with_rounding(policy: StaffingPolicy, rounding: str | None) -> StaffingPolicy:
    """The policy with another health-care rounding (``ceil`` or ``floor``), for what-if questions."""
    if rounding is None or rounding == policy.health_rounding:
        return policy
    if rounding not in ("ceil", "floor"):
        raise ValueError("rounding must be ceil or floor")
    return dataclasses.replace(policy, health_rounding=rounding)


def model_of(teacher_model: str | None, policy: StaffingPolicy) -> str:
    return teacher_model or policy.default_model


def is_single_class(classes: int, policy: StaffingPolicy) -> bool:
    return 1 <= classes <= policy.single_class_max_classes


def per_class(shape: Shape, policy: StaffingPolicy) -> PerClass:
    """Teachers and childcare workers per class for this service type and model (a single-class site
    has its own row)."""
    _check(shape)
    if is_single_class(shape.classes, policy):
        return policy.single_class
    try:
        models = policy.per_class[shape.service_type]
    except KeyError:
        raise ValueError(f"no staffing standard for service type {shape.service_type!r}") from None
    model = model_of(shape.teacher_model, policy)
    try:
        return models[model]
    except KeyError:
        raise ValueError(f"no staffing standard for model {model!r} ({shape.service_type})") from None


def required_teachers(shape: Shape, policy: StaffingPolicy) -> int:
    return shape.classes * per_class(shape, policy).teacher


def required_childcare_workers(shape: Shape, policy: StaffingPolicy) -> int:
    return shape.classes * per_class(shape, policy).childcare_worker


def principals_allowed(classes: int, policy: StaffingPolicy) -> int:
    """The band's "up to": principals and vice principals together."""
    if classes < 0:
        raise ValueError(f"classes: must not be negative, got {classes}")
    allowed = policy.principal_bands[0][1]
    for from_classes, up_to in policy.principal_bands:
        if classes >= from_classes:
            allowed = up_to
    return allowed


def required_principals(classes: int, policy: StaffingPolicy) -> int:
    """The requirement is at least one, whatever the band allows."""
    return min(policy.principal_minimum, principals_allowed(classes, policy))


def required_health_staff(children: int, policy: StaffingPolicy) -> int:
    """max(minimum, children / 150 rounded by the policy's rounding): 1 for 0-150 children (and to
    299 when rounding down), then one more per 150 begun (ceil) or completed (floor)."""
    if children < 0:
        raise ValueError(f"children: must not be negative, got {children}")
    per = policy.health_children_per_staff
    whole = -(-children // per) if policy.health_rounding == "ceil" else children // per
    return max(policy.health_minimum, whole)


@dataclass(frozen=True)
class Requirement:
    """Required people per post (``principal`` covers principals and vice principals) and the most
    principals the band allows."""

    teacher: int
    childcare_worker: int
    principal: int
    health_doctor: int
    principals_allowed: int

    def of(self, post: str) -> int:
        if post not in POSTS:
            raise ValueError(f"the standard counts no {post!r} post")
        return int(getattr(self, post))

    def allowed(self, post: str) -> int | None:
        return self.principals_allowed if post == PRINCIPAL else None


def requirement(shape: Shape, policy: StaffingPolicy) -> Requirement:
    per = per_class(shape, policy)
    return Requirement(
        teacher=shape.classes * per.teacher,
        childcare_worker=shape.classes * per.childcare_worker,
        principal=required_principals(shape.classes, policy),
        health_doctor=required_health_staff(shape.children, policy),
        principals_allowed=principals_allowed(shape.classes, policy),
    )


def staffing_post(post: str, policy: StaffingPolicy) -> str | None:
    """The standard's post a staff post counts towards (vice principals count as principals), or None."""
    if post in policy.principal_posts:
        return PRINCIPAL
    return post if post in POSTS else None


# --- the ratio, as information ---------------------------------------------------------------


@dataclass(frozen=True)
class Ratio:
    children: int
    staff: int
    teaching_care: int
    children_per_staff: float | None
    children_per_teaching_care: float | None
    band_staff: tuple[int, int]
    band_teaching_care: tuple[int, int]
    meets_staff: bool
    meets_teaching_care: bool


def _per(children: int, people: int) -> float | None:
    return round(children / people, 2) if people else None


def ratio(children: int, staff: int, teaching_care: int, service_type: str, policy: StaffingPolicy) -> Ratio:
    """Children per member of staff (all on post) and per teacher or childcare worker, beside the
    standard's band; a band is met when there are no more children per person than its worst end."""
    band = policy.ratio.get(service_type) or policy.ratio["full_day"]
    per_staff, per_care = _per(children, staff), _per(children, teaching_care)
    return Ratio(
        children=children,
        staff=staff,
        teaching_care=teaching_care,
        children_per_staff=per_staff,
        children_per_teaching_care=per_care,
        band_staff=band.staff,
        band_teaching_care=band.teaching_care,
        meets_staff=children <= staff * band.staff[1],
        meets_teaching_care=children <= teaching_care * band.teaching_care[1],
    )


# --- gaps ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostGap:
    post: str
    required: int
    allowed: int | None  # principals: the most the band allows; others: None (= required)
    on_post: int
    qualified: int
    pending_induction: int
    gap: int
    surplus: int
    to_certify: int


def post_gap(
    post: str, required: int, on_post: int, qualified: int, pending_induction: int = 0, allowed: int | None = None
) -> PostGap:
    """gap = required - qualified (never negative); surplus = people on post beyond what the
    standard asks for (for principals: beyond what the band allows); to_certify = on post but not
    qualified (not dual-certificate compliant)."""
    if min(required, on_post, qualified, pending_induction) < 0:
        raise ValueError("counts must not be negative")
    if qualified > on_post:
        raise ValueError("qualified people are on post: qualified cannot exceed on_post")
    ceiling = required if allowed is None else max(allowed, required)
    return PostGap(
        post=post,
        required=required,
        allowed=allowed,
        on_post=on_post,
        qualified=qualified,
        pending_induction=pending_induction,
        gap=max(0, required - qualified),
        surplus=max(0, on_post - ceiling),
        to_certify=on_post - qualified,
    )


def add_up(post: str, gaps: Iterable[PostGap]) -> PostGap:
    """A roll-up sums each kindergarten's figures: one kindergarten's surplus never fills another's
    gap, so a group's gap can exceed its required minus its qualified."""
    items = list(gaps)
    allowed = [g.allowed for g in items if g.allowed is not None]
    return PostGap(
        post=post,
        required=sum(g.required for g in items),
        allowed=sum(allowed) if allowed else None,
        on_post=sum(g.on_post for g in items),
        qualified=sum(g.qualified for g in items),
        pending_induction=sum(g.pending_induction for g in items),
        gap=sum(g.gap for g in items),
        surplus=sum(g.surplus for g in items),
        to_certify=sum(g.to_certify for g in items),
    )


def kindergarten_gaps(
    req: Requirement, counts: dict[str, tuple[int, int, int]], posts: Iterable[str] = POSTS
) -> list[PostGap]:
    """One kindergarten's gap per post; ``counts[post]`` = (on post, qualified, pending induction)."""
    out = []
    for post in posts:
        on_post, qualified, pending = counts.get(post, (0, 0, 0))
        out.append(post_gap(post, req.of(post), on_post, qualified, pending, req.allowed(post)))
    return out


# --- planned places and projection ------------------------------------------------------------


def classes_for_places(places: int, band: str | None, policy: StaffingPolicy) -> int:
    """classes = ceil(places / class size of the band) (幼儿园工作规程 art. 11)."""
    if places < 0:
        raise ValueError(f"places: must not be negative, got {places}")
    size = policy.class_sizes[band or policy.projection_band]
    return -(-places // size)


def planned_flags(kind: str, places: int, existing_children: int, policy: StaffingPolicy) -> list[str]:
    """A planned kindergarten (or an expansion's kindergarten afterwards) above the usual largest size
    is flagged, not refused."""
    total = places + (existing_children if kind == "expansion" else 0)
    if total > policy.max_children_per_kindergarten:
        return [f"over_{policy.max_children_per_kindergarten}_children"]
    return []


def expanded(shape: Shape, places: int, band: str | None, policy: StaffingPolicy) -> Shape:
    """A kindergarten after an expansion: more classes, and its new places filled."""
    return Shape(
        service_type=shape.service_type,
        teacher_model=shape.teacher_model,
        classes=shape.classes + classes_for_places(places, band, policy),
        children=shape.children + places,
    )


# --- the plan ----------------------------------------------------------------------------------


def plan_window(policy: StaffingPolicy, on: date) -> tuple[date, date] | None:
    """The days whose hires and placements count towards the plan's targets on ``on``: from the
    plan's start to its end or ``on``, whichever is first (None before the start)."""
    if on < policy.plan_period_from:
        return None
    return policy.plan_period_from, min(policy.plan_period_to, on)


def in_plan_period(day: date, policy: StaffingPolicy) -> bool:
    return policy.plan_period_from <= day <= policy.plan_period_to


def additions_detail(window: tuple[date, date] | None, made: int, on_roll: int, on: date, after: int | None) -> str:
    """The words of a people target of the plan (in the reader's language): what ``achieved`` counts
    (``made``: every addition in the window, each person once, leavers included), how many of them
    are still on the roll on ``on``, and (``after``, once the period is over) the additions after it."""
    if window is None:
        return _("the plan's period has not begun: no addition counts yet")
    words = {"made": made, "first": window[0].isoformat(), "last": window[1].isoformat(), "on_roll": on_roll}
    if after is None:
        return _(
            "{made} hires and placements dated {first} to {last}, each person once, those who have left since "
            "included; {on_roll} of them still on the roll on {on}",
            on=on.isoformat(),
            **words,
        )
    return _(
        "{made} hires and placements dated {first} to {last}, each person once, those who have left since "
        "included; {on_roll} of them still on the roll on {on}; {after} more added after the period, not "
        "counted towards this target",
        on=on.isoformat(),
        after=after,
        **words,
    )


def in_words(enum: type[StrEnum], code: str) -> str:
    """A code in a sentence a person reads: its Chinese label in Chinese, the code itself in English."""
    return label(enum, code) if current_locale() == "zh" else code


def titles_in_words(codes: Iterable[str]) -> str:
    """Professional titles (codes) as alternatives: 高级或正高级 / senior or professor_senior."""
    return ("或" if current_locale() == "zh" else " or ").join(in_words(Title, c) for c in codes)


def remaining(target: int, achieved: int) -> int:
    return max(0, target - achieved)


def rate_remaining(target: float, achieved: float | None) -> float | None:
    return None if achieved is None else round(max(0.0, target - achieved), 4)


# --- the reserve pool --------------------------------------------------------------------------

EMPLOYMENT_FOR_SOURCE: dict[str, str] = {
    PoolSource.purchased_service: Employment.purchased_service,
    PoolSource.university: Employment.contract,
    PoolSource.retired_teacher: Employment.rehired_retiree,
    PoolSource.non_establishment: Employment.contract,
}
"""The employment a placed candidate gets unless the placement names one (同工同酬: recorded alike)."""

STATUS_CHANGES = {
    (CandidateStatus.available, CandidateStatus.withdrawn),
    (CandidateStatus.withdrawn, CandidateStatus.available),
}
"""Status changes by hand; ``placed`` is reached only by a placement and never left."""


def availability_problem(available_from: date, available_to: date | None) -> str | None:
    if available_to is not None and available_to < available_from:
        return _("is before available_from ({day})", day=available_from.isoformat())
    return None


def street_preference(streets: list[str], street: str) -> int:
    """2: prefers this street; 1: no preference; 0: prefers other streets."""
    if not streets:
        return 1
    return 2 if street in streets else 0


def match_reasons(
    *,
    post: str,
    ready: bool,
    missing: list[str],
    preference: int,
    street: str,
    available_from: date,
    available_to: date | None,
    on: date,
) -> list[str]:
    """Why a candidate ranks where they do, in ranking order: can go on post now (holds the post's
    certificates) before needing induction; prefers the kindergarten's street; available sooner."""
    name = in_words(Post, post)
    if ready:
        reasons = [_("holds the certificates of the post {post}: can go on post now", post=name)]
    else:
        missed = missing_text(missing) if current_locale() == "zh" else ", ".join(missing)
        reasons = [_("needs induction before going on post as {post}: missing {missing}", post=name, missing=missed)]
    if preference == 2:
        reasons.append(_("prefers {street}", street=street))
    elif preference == 1:
        reasons.append(_("no street preference"))
    else:
        reasons.append(_("prefers other streets than {street}", street=street))
    start = available_from.isoformat()
    if available_to is None:
        reasons.append(_("available now") if available_from <= on else _("available from {start}", start=start))
    elif available_from <= on:
        reasons.append(_("available now until {end}", end=available_to.isoformat()))
    else:
        reasons.append(_("available from {start} until {end}", start=start, end=available_to.isoformat()))
    return reasons


def placement_flags(
    *, gap_before: int, post: str, posts_wanted: list[str], starts_on: date, available_from: date,
    available_to: date | None, over_capacity: bool,
) -> list[str]:  # fmt: skip
    """What a placement is allowed to do but HR should see: no gap to fill, a post the candidate did
    not ask for, a start outside the candidate's availability, an over-capacity kindergarten."""
    flags = []
    if gap_before <= 0:
        flags.append("no_gap")
    if post not in posts_wanted:
        flags.append("post_not_wanted")
    if starts_on < available_from or (available_to is not None and starts_on > available_to):
        flags.append("outside_availability")
    if over_capacity:
        flags.append("over_capacity")
    return flags


# --- the same standard, compiled to SQL ----------------------------------------------------------------
#
# For district- and province-wide roll-ups the requirement and the gaps are computed by the database,
# from expressions compiled here from the same policy; ``requirement`` and ``post_gap`` above stay the
# reference, and a property test checks that both forms agree on random kindergartens.


def _greatest(a: str, b: str) -> str:
    """GREATEST(a, b) that both engines understand (SQLite's MAX(a, b) is not PostgreSQL's)."""
    return f"(CASE WHEN ({a}) > ({b}) THEN ({a}) ELSE ({b}) END)"


def _least(a: str, b: str) -> str:
    return f"(CASE WHEN ({a}) < ({b}) THEN ({a}) ELSE ({b}) END)"


def requirement_sql(
    policy: StaffingPolicy, *, classes: str, children: str, service_type: str, teacher_model: str
) -> dict[str, str]:
    """SQL expressions, over the given columns, for what ``requirement`` computes: the required people
    per post (``teacher``, ``childcare_worker``, ``principal``, ``health_doctor``) and
    ``principals_allowed``. Integer arithmetic only (counts are non-negative integers)."""
    model = f"COALESCE(NULLIF({teacher_model}, ''), '{policy.default_model}')"
    single = f"({classes} BETWEEN 1 AND {policy.single_class_max_classes})"

    def per_class(post: str) -> str:
        whens = [f"WHEN {single} THEN {getattr(policy.single_class, post)}"]
        for st, models in sorted(policy.per_class.items()):
            for m, per in sorted(models.items()):
                whens.append(f"WHEN {service_type} = '{st}' AND {model} = '{m}' THEN {getattr(per, post)}")
        return f"(CASE {' '.join(whens)} ELSE NULL END)"

    bands = sorted(policy.principal_bands, reverse=True)
    allowed = "(CASE " + " ".join(f"WHEN {classes} >= {f} THEN {up}" for f, up in bands[:-1])
    allowed += f" ELSE {bands[-1][1]} END)"
    per = policy.health_children_per_staff
    whole = f"(({children} + {per - 1}) / {per})" if policy.health_rounding == "ceil" else f"({children} / {per})"
    return {
        "teacher": f"({classes} * {per_class('teacher')})",
        "childcare_worker": f"({classes} * {per_class('childcare_worker')})",
        "principal": _least(allowed, str(policy.principal_minimum)),
        "health_doctor": _greatest(whole, str(policy.health_minimum)),
        "principals_allowed": allowed,
    }


def post_gap_sql(required: str, on_post: str, qualified: str, allowed: str | None = None) -> dict[str, str]:
    """SQL expressions for ``post_gap``'s gap, surplus and to_certify."""
    ceiling = required if allowed is None else _greatest(allowed, required)
    return {
        "gap": _greatest(f"{required} - {qualified}", "0"),
        "surplus": _greatest(f"{on_post} - {ceiling}", "0"),
        "to_certify": f"({on_post} - {qualified})",
    }
