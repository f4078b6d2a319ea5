"""Coverage of required training: per kindergarten and district-wide, for a year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from kernel.auth import Principal
from kernel.codes import CertificateStatus, CertificateType
from kernel.common.scope import kindergarten_scope
from kernel.common.time import today
from kernel.db import fetch_all
from kernel.errors import Invalid
from kernel.i18n import F_, _
from kernel.policy import policy_on
from registry.kindergartens.tables import Kindergarten as K
from registry.staff.codes import StaffStatus
from training import rules
from training.schemas import (
    CoverageCell,
    CoverageOut,
    KindergartenCoverage,
    KindergartenRef,
    PolicyRef,
)

FAMILY_INSTRUCTOR_CERTIFICATE = CertificateType.family_education_instructor.value


# --- Coverage ----------------------------------------------------------------------------------


def _in_list(values: Iterable[Any]) -> str:
    return ", ".join("{}" for _value in values)


async def _on_post_by_kindergarten(kg: int | None) -> dict[int, int]:
    sql = "SELECT s.kindergarten AS kg, COUNT(*) AS n FROM staff s WHERE s.status = {}"
    args: list[Any] = [StaffStatus.on_post.value]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten", *args)
    return {r["kg"]: int(r["n"]) for r in rows}


async def _covered_by_kindergarten(
    categories: tuple[str, ...], year: int, kg: int | None
) -> dict[tuple[int, str], int]:
    first, last = rules.year_bounds(year)
    sql = (
        "SELECT s.kindergarten AS kg, c.category AS category, COUNT(DISTINCT s.id) AS n"
        " FROM training_result r"
        " JOIN training_enrolment e ON e.id = r.enrolment"
        " JOIN staff s ON s.id = e.staff"
        ' JOIN training_session ts ON ts.id = e."session"'
        " JOIN training_course c ON c.id = ts.course"
        " WHERE r.passed = {} AND r.completed_on >= {} AND r.completed_on <= {} AND s.status = {}"
        f" AND c.category IN ({_in_list(categories)})"
    )
    args: list[Any] = [True, first, last, StaffStatus.on_post.value, *categories]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten, c.category", *args)
    return {(r["kg"], r["category"]): int(r["n"]) for r in rows}


async def _family_instructors_by_kindergarten(day: date, kg: int | None) -> dict[int, int]:
    sql = (
        "SELECT s.kindergarten AS kg, COUNT(DISTINCT s.id) AS n"
        " FROM certificate ce JOIN staff s ON s.id = ce.staff"
        " WHERE ce.type = {} AND ce.status = {} AND (ce.expires_on IS NULL OR ce.expires_on >= {})"
        " AND s.status = {}"
    )
    args: list[Any] = [FAMILY_INSTRUCTOR_CERTIFICATE, CertificateStatus.valid.value, day, StaffStatus.on_post.value]
    if kg is not None:
        sql += " AND s.kindergarten = {}"
        args.append(kg)
    rows = await fetch_all(sql + " GROUP BY s.kindergarten", *args)
    return {r["kg"]: int(r["n"]) for r in rows}


async def coverage(who: Principal, *, year: int | None = None, category: str | None = None) -> CoverageOut:
    """Share of on-post staff with a passed result in each coverage category completed in ``year``,
    per kindergarten and overall, and the kindergartens without a family-education instructor.

    Set-wise: four queries whatever the number of kindergartens or people.
    """
    day = today()
    year = year or day.year
    try:
        policy = policy_on(rules.policy_day_for_year(year, day))
    except LookupError:
        raise Invalid.field(F_("year"), _("no policy version is in force in {year}", year=year)) from None
    categories = rules.coverage_categories(policy.coverage.categories, category)
    target = policy.coverage.target_rate
    scope = kindergarten_scope(who)

    kg_query = (
        K.select(K.id, K.code, K.name, K.street, K.collab_group)
        .where(K.closed_on.is_null() | (K.closed_on > day))
        .order_by(K.code)
    )
    if scope is not None:
        kg_query = kg_query.where(K.id == scope)
    kindergartens = await kg_query
    on_post = await _on_post_by_kindergarten(scope)
    covered = await _covered_by_kindergarten(categories, year, scope)
    instructors = await _family_instructors_by_kindergarten(day, scope)

    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows: list[KindergartenCoverage] = []
    lacking: list[KindergartenRef] = []
    for k in kindergartens:
        n = on_post.get(k["id"], 0)
        cells: dict[str, CoverageCell] = {}
        for cat in categories:
            got = covered.get((k["id"], cat), 0)
            totals[cat][0] += n
            totals[cat][1] += got
            cells[cat] = CoverageCell(on_post=n, covered=got, rate=rules.coverage_rate(n, got), target=target)
        rows.append(
            KindergartenCoverage(
                kindergarten_id=k["id"],
                code=k["code"],
                name=k["name"],
                street=k["street"],
                group=k["collab_group"],
                by_category=cells,
            )
        )
        if rules.lacks_family_instructor(
            instructors.get(k["id"], 0), policy.coverage.family_instructors_per_kindergarten
        ):
            lacking.append(KindergartenRef(kindergarten_id=k["id"], code=k["code"], name=k["name"]))
    district = {
        cat: CoverageCell(
            on_post=totals[cat][0],
            covered=totals[cat][1],
            rate=rules.coverage_rate(totals[cat][0], totals[cat][1]),
            target=target,
        )
        for cat in categories
    }
    return CoverageOut(
        year=year,
        scope="district" if scope is None else "kindergarten",
        categories=list(categories),
        district=district,
        kindergartens=rows,
        without_family_instructor=lacking,
        policy=PolicyRef(id=policy.id, source=policy.coverage.source),
    )
