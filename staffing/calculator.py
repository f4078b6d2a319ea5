"""The staffing standard as a calculator: the requirement of a kindergarten described in the request."""

from __future__ import annotations

from kernel.common.time import today
from kernel.policy import policy_on
from registry.kindergartens.rules import AGE_BANDS
from staffing import rules
from staffing.figures import policy_ref, ratio_out
from staffing.schemas import RequirementIn, RequirementOut


def requirement(data: RequirementIn) -> RequirementOut:
    policy = policy_on(today())
    sp = rules.with_rounding(policy.staffing, data.health_rounding)
    classes = sum(getattr(data.classes, band) for band in AGE_BANDS)
    shape = rules.Shape(data.service_type.value, data.teacher_model.value, classes, data.children)
    req = rules.requirement(shape, sp)
    per = rules.per_class(shape, sp)
    ratio = None
    if data.staff_on_post is not None or data.teaching_care_on_post is not None:
        ratio = ratio_out(
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
        policy=policy_ref(policy, sp),
    )
