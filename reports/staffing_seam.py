"""The one place the reports read issue 5's staffing figures (``staffing.gaps``, ``staffing.progress``).

The kindergarten report prints its staffing table (required, on post, qualified, gap per post) from
``kindergarten_gaps``; the district staffing report takes everything from ``district``. Both call the
staffing package's own services with the caller's ``Principal`` (an admin's figures are their own
kindergarten's), so the PDFs say what ``GET /staffing/gaps`` and ``GET /plan/progress`` say.

If the staffing services are switched off (``_services()`` answers None, as a test does),
``available()`` is false: the kindergarten report leaves its staffing section out and the district
staffing report answers 404.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kernel.auth import Principal
from kernel.codes import label
from kernel.errors import NotFound
from kernel.i18n import _
from reports import rules
from reports.charts import ChartSpec, Series
from staffing.codes import StaffingPost
from staffing.gaps import gaps
from staffing.progress import plan_progress
from staffing.schemas import GapsOut, PlanProgressOut

LARGEST_SHORTFALLS = 20  # kindergartens listed with the largest gap
STREETS_CHARTED = 20  # streets in the chart of the gap by street (largest gaps first)
PROGRESS_TARGETS = ("teachers_added", "health_doctors_added")  # the plan's 2,500 / 500
GAP_POSTS = (StaffingPost.teacher, StaffingPost.childcare_worker, StaffingPost.health_doctor)


@dataclass(frozen=True)
class StaffingServices:
    """The staffing package's services the reports call."""

    gaps: Callable[..., Awaitable[GapsOut]]
    plan_progress: Callable[[Principal, date | None], Awaitable[PlanProgressOut]]


STAFFING = StaffingServices(gaps=gaps, plan_progress=plan_progress)


def _services() -> StaffingServices | None:
    return STAFFING


def available() -> bool:
    return _services() is not None


async def kindergarten_gaps(who: Principal, kindergarten_id: int, on: date) -> dict[str, Any] | None:
    """The kindergarten's row of ``GET /staffing/gaps?by=kindergarten`` (None without issue 5)."""
    services = _services()
    if services is None:
        return None
    out = await services.gaps(who, by="kindergarten", on=on, kindergarten_id=kindergarten_id, limit=1, offset=0)
    if not out.rows:
        return None
    row: dict[str, Any] = out.rows[0].model_dump(mode="json")
    row["policy"] = out.policy.model_dump(mode="json")
    return row


@dataclass
class DistrictFigures:
    data: dict[str, Any]
    charts: dict[str, ChartSpec] = field(default_factory=dict)


def progress_dates(period_from: date, period_to: date, on: date) -> list[date]:
    """The end of each plan year from the plan's start to its end (or to ``on`` if earlier), then ``on``.
    (Each point is one ``plan_progress`` call: a handful keeps the district report well under 5 s.)"""
    dates = [
        d for d in (date(year, 12, 31) for year in range(period_from.year, period_to.year + 1))
        if period_from <= d <= min(period_to, on)
    ]  # fmt: skip
    if not dates or dates[-1] != on:
        dates.append(on)
    return dates


def _gap_of(row: dict[str, Any], post: str) -> int:
    return next((int(p["gap"]) for p in row["posts"] if p["post"] == post), 0)


async def district(who: Principal, on: date) -> DistrictFigures:
    services = _services()
    if services is None:
        raise NotFound(_("staffing figures are not available in this installation (issue 5)"))
    # the street roll-up's ``total`` is the district's (every row added up): no separate by=district call
    # independent reads: concurrently (several connections on PostgreSQL)
    streets, groups, shortfall, progress = await asyncio.gather(
        services.gaps(who, by="street", on=on, limit=10_000, offset=0),
        services.gaps(who, by="group", on=on, limit=10_000, offset=0),
        services.gaps(who, by="kindergarten", on=on, sort="gap", limit=LARGEST_SHORTFALLS, offset=0),
        services.plan_progress(who, on),
    )
    series: dict[str, list[float | None]] = {code: [] for code in PROGRESS_TARGETS}
    points = progress_dates(progress.plan.period_from, progress.plan.period_to, on)
    earlier = await asyncio.gather(*(services.plan_progress(who, d) for d in points if d != on))
    for at in [*earlier, progress]:
        for t in at.targets:
            if t.code in series:
                series[t.code].append(t.achieved)
    targets = {t.code: t for t in progress.targets}
    street_rows = [r.model_dump(mode="json") for r in streets.rows]
    group_rows = [r.model_dump(mode="json") for r in groups.rows]
    data = {
        "as_of": on,
        "policy": streets.policy.model_dump(mode="json"),
        "total": streets.total.model_dump(mode="json"),
        "plan": progress.plan.model_dump(mode="json"),
        "targets": [t.model_dump(mode="json") for t in progress.targets],
        "progress": {"dates": points, **series},
        "by_street": street_rows,
        "by_group": group_rows,
        "largest_shortfall": [r.model_dump(mode="json") for r in shortfall.rows if r.gap > 0],
    }
    charted = rules.largest(street_rows, "gap", STREETS_CHARTED)
    charts = {
        "by_street": ChartSpec(
            kind="barh",
            title=f"缺口最大的 {len(charted)} 个街乡 Gap by street (largest {len(charted)})",
            categories=[r["label"] for r in charted],
            series=[Series(label(StaffingPost, p), [_gap_of(r, p) for r in charted]) for p in GAP_POSTS],
            value_label="缺口（人） gap (people)",
            height_mm=max(60.0, 8.0 + 5.2 * len(charted)),
        ),
        "by_group": ChartSpec(
            kind="bar",
            title="各协作组缺口 Gap by collaboration group",
            categories=[r["label"] for r in group_rows],
            series=[Series(label(StaffingPost, p), [_gap_of(r, p) for r in group_rows]) for p in GAP_POSTS],
            value_label="缺口（人）",
            height_mm=65,
        ),
        "progress": ChartSpec(
            kind="line",
            title="行动计划补充进度 Progress towards the plan's targets",
            categories=[d.isoformat() for d in points],
            series=[Series(targets[c].label, series[c]) for c in PROGRESS_TARGETS if c in targets],
            value_label="累计补充（人） added (people)",
            targets=[
                (f"{targets[c].label}目标 {int(targets[c].target or 0):,}", float(targets[c].target or 0))
                for c in PROGRESS_TARGETS
                if c in targets and targets[c].target
            ],
            height_mm=70,
        ),
    }
    return DistrictFigures(data=data, charts=charts)
