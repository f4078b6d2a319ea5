"""The ethics tables' row types, as the demo loader writes evaluations and sanctions in bulk."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from kernel.db import RowTable


class EvaluationRecord(NamedTuple):
    id: int
    staff: int
    school_year: str
    grade: str
    evaluated_on: date
    evaluator: str
    supersedes: int | None
    note: str
    created_at: datetime


class SanctionRecord(NamedTuple):
    id: int
    staff: int
    violation: int
    facts: str
    sanction: str | None
    outcome: str
    decided_on: date
    bar_from: date
    bar_until: date | None
    revoke_qualification: bool
    revoked_certificate: int | None
    supersedes: int | None
    decided_by: str
    created_at: datetime


EVALUATIONS = RowTable("ethics_evaluation", EvaluationRecord)
SANCTIONS = RowTable("ethics_sanction", SanctionRecord)
