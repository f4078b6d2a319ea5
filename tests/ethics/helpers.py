"""Ethics rows written straight to the tables (as the demo loader or an import would)."""

from __future__ import annotations

from datetime import date

from ethics import rules
from ethics.tables import EthicsEvaluation, EthicsSanction
from kernel.policy import policy_on


async def put_evaluation(
    staff_id: int, year: str, grade: str, supersedes: int | None = None, made: date | None = None
) -> int:
    """An evaluation record, made on ``made`` (default: the first day of its school year)."""
    rows = await EthicsEvaluation.insert(
        EthicsEvaluation(
            staff=staff_id,
            school_year=year,
            grade=grade,
            evaluated_on=made or rules.school_year_bounds(year)[0],
            evaluator="test",
            supersedes=supersedes,
        )
    ).returning(EthicsEvaluation.id)
    return int(rows[0]["id"])


async def put_sanction(
    staff_id: int, kind: str | None, decided_on: date, supersedes: int | None = None, outcome: str = "decided"
) -> int:
    until = rules.bar_until(decided_on, kind, policy_on(decided_on).ethics) if kind else None
    rows = await EthicsSanction.insert(
        EthicsSanction(
            staff=staff_id,
            violation=6,
            facts="test",
            sanction=kind,
            outcome=outcome,
            decided_on=decided_on,
            bar_from=decided_on,
            bar_until=until,
            supersedes=supersedes,
            decided_by="test",
        )
    ).returning(EthicsSanction.id)
    return int(rows[0]["id"])
