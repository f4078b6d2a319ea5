"""The annual evaluation's roster (师德考核名册, issue 15): everyone a kindergarten evaluates for a
school year and the current evaluation each has, for a form that records the whole kindergarten at
once. Who is evaluated is the standing's count (``services.ethics_standing``): on post in the posts
the policy evaluates (``ethics.evaluated_posts``), hired by the school year's end."""

from __future__ import annotations

from ethics import rules
from ethics.reads import as_date, counted_grades, policy_on
from ethics.schemas import EvaluationRoster, RosterEntry
from kernel.auth import Principal
from kernel.db import fetch_all
from kernel.errors import Invalid
from kernel.i18n import _
from registry.kindergartens.services import get_kindergarten
from registry.staff.codes import StaffStatus


async def evaluation_roster(who: Principal, kindergarten_id: int, school_year: str) -> EvaluationRoster:
    """The roster of one kindergarten in the caller's scope (another one: 404, as its page)."""
    bounds = rules.parse_school_year(school_year)
    if bounds is None:
        raise Invalid.field("school_year", _('must be "YYYY-YYYY" with consecutive years, e.g. "2025-2026"'))
    start, end = bounds
    await get_kindergarten(who, kindergarten_id)
    posts = list(policy_on(start).ethics.evaluated_posts)
    rows = await fetch_all(
        "SELECT s.id, s.name, s.post FROM staff s WHERE s.kindergarten = {} AND s.status = {} "
        f"AND s.post IN ({', '.join('{}' for _post in posts)}) AND (s.hired_on IS NULL OR s.hired_on <= {{}}) "
        "ORDER BY s.name, s.id",
        kindergarten_id,
        StaffStatus.on_post.value,
        *posts,
        end,
    )
    grades = await counted_grades([school_year], staff_ids=[r["id"] for r in rows]) if rows else {}
    people = []
    for r in rows:
        c = grades.get(r["id"], {}).get(school_year)
        people.append(
            RosterEntry(
                staff_id=r["id"],
                name=r["name"],
                post=r["post"],
                evaluation_id=c.evaluation.id if c else None,
                grade=c.evaluation.grade if c else None,  # type: ignore[arg-type]
                counted_grade=c.grade if c else None,  # type: ignore[arg-type]
                evaluated_on=as_date(c.evaluation.evaluated_on) if c else None,
            )
        )
    return EvaluationRoster(
        kindergarten_id=kindergarten_id,
        school_year=school_year,
        starts_on=start,
        ends_on=end,
        posts=posts,
        people=people,
    )
