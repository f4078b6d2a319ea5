"""What other areas read of ethics, set-wise: the one-vote veto (``veto_on``, ``vetoed_staff``) and the
grades that count (``counted_grades``: each current evaluation held to its year's sanction caps).

None of them applies role scoping: the caller has done that. Each reads only the rows its answer
can turn on, then runs the pure rules (``ethics.rules``) on them, so the set-wise answer is the
rule's answer on each person's whole record (tests/ethics/test_veto.py, test_grades.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from ethics import rules
from ethics.codes import SanctionOutcome
from ethics.rules import CountedGrade, Veto
from kernel.db import fetch_all
from kernel.policy import EthicsPolicy, Policy, versions
from kernel.policy import policy_on as _policy_on

__all__ = ["CountedGrade", "Veto", "counted_grades", "veto_on", "vetoed_staff"]

# Above this many ids, vetoed_staff reads every current record and filters in Python instead of
# sending a long IN list (SQLite's bound-parameter limit; the plan is no better either way).
_IN_LIST_LIMIT = 2000


def policy_on(day: date) -> Policy:
    """The policy in force on ``day``; records dated before the first version (historical imports)
    are judged by the earliest version instead of failing."""
    try:
        return _policy_on(day)
    except LookupError:
        return versions()[0]


def policy_of_year(school_year: str) -> EthicsPolicy:
    """The ethics policy of a school year's grade caps: the version in force on its first day."""
    return policy_on(rules.school_year_bounds(school_year)[0]).ethics


def as_date(value: Any) -> date:
    """A date column as the engine hands it back (a date, or ISO text from raw SQLite queries)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def date_or_none(value: Any) -> date | None:
    return None if value is None else as_date(value)


def evaluation_of(row: dict[str, Any]) -> rules.EvaluationRecord:
    return rules.EvaluationRecord(
        id=row["id"],
        staff_id=row["staff"],
        school_year=row["school_year"],
        grade=row["grade"],
        evaluated_on=as_date(row["evaluated_on"]),
        supersedes=row["supersedes"],
    )


def sanction_of(row: dict[str, Any]) -> rules.SanctionRecord:
    return rules.SanctionRecord(
        id=row["id"],
        staff_id=row["staff"],
        sanction=row["sanction"],
        decided_on=as_date(row["decided_on"]),
        bar_from=as_date(row["bar_from"]),
        bar_until=date_or_none(row["bar_until"]),
        outcome=row["outcome"],
        supersedes=row["supersedes"],
    )


def _in_list(column: str, ids: list[int] | None) -> tuple[str, list[Any]]:
    if ids is None:
        return "", []
    return f" AND {column} IN ({', '.join('{}' for _ in ids)})", list(ids)


_EVALUATION_COLUMNS = "e.id, e.staff, e.school_year, e.grade, e.evaluated_on, e.supersedes"
_SANCTION_COLUMNS = "x.id, x.staff, x.sanction, x.decided_on, x.bar_from, x.bar_until, x.outcome, x.supersedes"
# a current evaluation / a current sanction that stands (not lifted)
_CURRENT_EVALUATION = "NOT EXISTS (SELECT 1 FROM ethics_evaluation n WHERE n.supersedes = e.id)"
_STANDING_SANCTION = (
    "x.sanction IS NOT NULL AND x.outcome <> {} "
    "AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = x.id)"
)


# --- the veto -------------------------------------------------------------------------------------


async def vetoed_staff(on: date, staff_ids: Iterable[int] | None = None) -> dict[int, Veto]:
    """Everyone (or everyone of ``staff_ids``) vetoed on ``on``, with the reason: two queries.

    It reads every current evaluation of the people who may hold a failed one: a current failed
    evaluation made by ``on``, or a standing sanction whose cap is the worst grade (it makes their
    year's evaluation count as failed, whenever it was recorded); and the standing sanctions in force
    on ``on`` or capping at the worst grade. A handful of people, whatever the district's size.
    """
    wanted = None if staff_ids is None else sorted({int(i) for i in staff_ids})
    if wanted == []:
        return {}
    policy = policy_on(on).ethics
    worst = policy.grade_order[0]
    # the kinds that cap a year at the worst grade in any version (the rules read the year's own)
    failing = sorted({k for p in versions() for k, cap in p.ethics.grade_cap.items() if cap == p.ethics.grade_order[0]})
    kinds = ", ".join("{}" for _ in failing) or "NULL"
    ids = wanted if wanted is not None and len(wanted) <= _IN_LIST_LIMIT else None
    ev_filter, ev_args = _in_list("e.staff", ids)
    evaluations = await fetch_all(
        f"SELECT {_EVALUATION_COLUMNS} FROM ethics_evaluation e WHERE {_CURRENT_EVALUATION} "
        "AND (e.staff IN (SELECT f.staff FROM ethics_evaluation f WHERE f.grade = {} AND f.evaluated_on <= {} "
        "AND NOT EXISTS (SELECT 1 FROM ethics_evaluation m WHERE m.supersedes = f.id)) "
        f"OR e.staff IN (SELECT x.staff FROM ethics_sanction x WHERE x.sanction IN ({kinds}) AND "
        + _STANDING_SANCTION
        + "))"
        + ev_filter,
        worst,
        on,
        *failing,
        SanctionOutcome.lifted.value,
        *ev_args,
    )
    sa_filter, sa_args = _in_list("x.staff", ids)
    sanctions = await fetch_all(
        f"SELECT {_SANCTION_COLUMNS} FROM ethics_sanction x WHERE "
        + _STANDING_SANCTION
        + f" AND ((x.bar_from <= {{}} AND (x.bar_until IS NULL OR x.bar_until >= {{}})) OR x.sanction IN ({kinds}))"
        + sa_filter
        + " ORDER BY x.id",
        SanctionOutcome.lifted.value,
        on,
        on,
        *failing,
        *sa_args,
    )
    evs: dict[int, list[rules.EvaluationRecord]] = defaultdict(list)
    sas: dict[int, list[rules.SanctionRecord]] = defaultdict(list)
    for r in evaluations:
        evs[r["staff"]].append(evaluation_of(r))
    for r in sanctions:
        sas[r["staff"]].append(sanction_of(r))
    keep = None if wanted is None else set(wanted)
    out: dict[int, Veto] = {}
    for staff_id in set(evs) | set(sas):
        if keep is not None and staff_id not in keep:
            continue
        v = rules.veto(on, evs[staff_id], sas[staff_id], policy, policy_of_year)
        if v is not None:
            out[staff_id] = v
    return out


async def veto_on(staff_id: int, on: date) -> Veto | None:
    """The one-vote veto (师德一票否决) of one person on a day, or None. No role scoping."""
    return (await vetoed_staff(on, [staff_id])).get(staff_id)


# --- the grades that count --------------------------------------------------------------------------


async def counted_grades(
    school_years: list[str],
    staff_ids: list[int] | None = None,
    selection: tuple[str, list[Any]] | None = None,
    as_of: date | None = None,
) -> dict[int, dict[str, CountedGrade]]:
    """The current evaluation per person and school year with the grade that counts (held to the
    strictest cap of the year's standing sanctions), of ``staff_ids``, or (None) of a selection:
    ``selection`` is a condition on ``s`` (the staff table: a round's roster) and its arguments;
    everyone on post when it is None. Two queries.

    ``as_of``: the record as it stood on that day: only the evaluations made (``evaluated_on``) and
    the sanctions decided (``decided_on``) by then, each current unless a record made by then
    replaced it (an evaluation made later, or a correction or lift decided later, is not read)."""

    years = sorted(set(school_years))
    if not years:
        return {}
    bounds = [rules.school_year_bounds(sy) for sy in years]
    if staff_ids is not None:
        who = f" IN ({', '.join('{}' for _ in staff_ids)})" if staff_ids else " IN (NULL)"
        who_args: list[Any] = list(staff_ids)
    else:
        condition, condition_args = selection or ("s.status = 'on_post'", [])
        who = " IN (SELECT s.id FROM staff s WHERE " + condition + ")"
        who_args = list(condition_args)
    if as_of is None:
        current, made, standing, decided, dated = _CURRENT_EVALUATION, "", _STANDING_SANCTION, "", []
    else:
        current = "NOT EXISTS (SELECT 1 FROM ethics_evaluation n WHERE n.supersedes = e.id AND n.evaluated_on <= {})"
        made = " AND e.evaluated_on <= {}"
        standing = (
            "x.sanction IS NOT NULL AND x.outcome <> {} "
            "AND NOT EXISTS (SELECT 1 FROM ethics_sanction n WHERE n.supersedes = x.id AND n.decided_on <= {})"
        )
        decided, dated = " AND x.decided_on <= {}", [as_of]
    evaluations = await fetch_all(
        f"SELECT {_EVALUATION_COLUMNS} FROM ethics_evaluation e "
        f"WHERE e.school_year IN ({', '.join('{}' for _ in years)}) AND {current}{made} AND e.staff{who} "
        "ORDER BY e.id",
        *years,
        *dated,
        *dated,
        *who_args,
    )
    if not evaluations:
        return {}
    # the sanctions of those years (an appeal keeps bar_from: a whole chain falls in one year)
    sanctions = await fetch_all(
        f"SELECT {_SANCTION_COLUMNS} FROM ethics_sanction x WHERE "
        + standing
        + decided
        + f" AND x.bar_from >= {{}} AND x.bar_from <= {{}} AND x.staff{who} ORDER BY x.id",
        SanctionOutcome.lifted.value,
        *dated,
        *dated,
        bounds[0][0],
        bounds[-1][1],
        *who_args,
    )
    counted = rules.counted_grades(
        (evaluation_of(r) for r in evaluations), (sanction_of(r) for r in sanctions), policy_of_year
    )
    out: dict[int, dict[str, CountedGrade]] = {}
    for (staff_id, year), c in counted.items():
        out.setdefault(staff_id, {})[year] = c
    return out
