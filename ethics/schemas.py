"""Ethics API schemas (in and out)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from ethics.codes import EthicsGrade, SanctionKind, SanctionOutcome
from kernel.common.schemas import Schema


class EvaluationCreate(Schema):
    school_year: str = Field(min_length=1, max_length=20, description='e.g. "2025-2026" (1 Sept - 31 Aug)')
    grade: EthicsGrade
    evaluated_on: date
    note: str = Field(default="", max_length=2000)
    supersedes: int | None = Field(default=None, description="the current evaluation this one corrects or replaces")


class SanctionCreate(Schema):
    violation: int | None = Field(
        default=None, description="kind of violation, 1..11 (art. 4); an appeal outcome keeps the original's if omitted"
    )
    facts: str = Field(default="", max_length=5000)
    sanction: SanctionKind | None = Field(default=None, description="null only for an appeal that lifts")
    decided_on: date
    revoke_qualification: bool = False
    supersedes: int | None = Field(default=None, description="the sanction an appeal outcome changes or lifts")
    outcome: SanctionOutcome | None = Field(
        default=None, description="decided (default without supersedes), changed or lifted (with supersedes)"
    )


class EvaluationOut(BaseModel):
    id: int
    staff_id: int
    school_year: str
    grade: EthicsGrade
    evaluated_on: date
    evaluator: str
    note: str
    supersedes: int | None
    superseded_by: int | None = None
    current: bool
    created_at: datetime
    capped_grade: EthicsGrade = Field(
        description="the grade every rule reads (registration, the veto): the recorded grade held to the strictest "
        "cap of the current sanctions of its school year"
    )
    above_cap: bool = Field(
        default=False,
        description="the recorded grade is better than a sanction of its year allows (the sanction was recorded "
        "after it): it counts as capped_grade",
    )
    capped_by: int | None = Field(default=None, description="the sanction whose cap applies, when above_cap")
    cap_words: str | None = Field(default=None, description="why it counts lower, in Chinese then English")


class SanctionOut(BaseModel):
    id: int
    staff_id: int
    violation: int
    facts: str
    sanction: SanctionKind | None
    outcome: SanctionOutcome
    decided_on: date
    bar_from: date = Field(description="the bar starts here (an appeal keeps the original decision date)")
    bar_until: date | None = Field(
        description="the last barred day (Civil Code count: a 6-month warning decided 2025-03-10 bars "
        "through 2025-09-10); null: no end (dismissal) or lifted"
    )
    revoke_qualification: bool
    revoked_certificate_id: int | None
    supersedes: int | None
    superseded_by: int | None = None
    current: bool = Field(description="not replaced by an appeal outcome (a lifted record is current but void)")
    in_force_today: bool
    decided_by: str
    created_at: datetime
    school_year: str = Field(description="the school year of bar_from, whose grade the sanction caps")
    grade_cap: EthicsGrade | None = Field(
        default=None, description="the best grade it allows for that year (policy grade_cap); null when lifted"
    )
    capped_evaluation_id: int | None = Field(
        default=None,
        description="a current sanction: the current evaluation of its year recorded above its cap (it counts "
        "at the cap: see capped_grade on the evaluation)",
    )
    notice: str | None = Field(default=None, description="that evaluation and the grade it counts at, in words")


class VetoOut(BaseModel):
    reason_code: str = Field(description="unqualified_evaluation or sanction_in_force")
    detail: str
    until: date | None = Field(
        description="the last vetoed day; null: no end known (a permanent bar, or a failed evaluation no "
        "later evaluation has replaced yet)"
    )


class StaffEthicsOut(BaseModel):
    staff_id: int
    current: list[EvaluationOut] = Field(description="the current evaluation per school year, latest year first")
    evaluations: list[EvaluationOut] = Field(description="every record, newest first")
    sanctions: list[SanctionOut] = Field(description="every record, newest first")
    veto_today: VetoOut | None


class StandingRow(BaseModel):
    kindergarten_id: int
    kindergarten_code: str
    kindergarten_name: str
    on_post: int = Field(description="on-post teaching staff (teacher, principal, vice principal)")
    evaluated: int
    missing: int
    missing_share: float | None
    sanctions: int = Field(description="sanctions of the school year standing (not lifted)")
    flagged: bool = Field(description="责令整改")
    reasons: list[str]


class StandingTotals(BaseModel):
    kindergartens: int
    flagged: int
    on_post: int
    evaluated: int
    missing: int
    missing_share: float | None
    sanctions: int


class StandingOut(BaseModel):
    school_year: str
    threshold: float
    posts: list[str]
    rows: list[StandingRow]
    district: StandingTotals
    policy: str


class RosterEntry(BaseModel):
    """One person of a kindergarten's evaluation roster and their current evaluation of the year."""

    staff_id: int
    name: str
    post: str
    evaluation_id: int | None = Field(description="the current evaluation of the school year; null: none yet")
    grade: EthicsGrade | None = Field(default=None, description="its recorded grade")
    counted_grade: EthicsGrade | None = Field(default=None, description="the grade that counts (held to a cap)")
    evaluated_on: date | None = None


class EvaluationRoster(BaseModel):
    """Who a kindergarten evaluates for a school year (师德考核名册): on post in the posts the policy
    evaluates, hired by the year's end (as the standing counts them), by name."""

    kindergarten_id: int
    school_year: str
    starts_on: date
    ends_on: date
    posts: list[str]
    people: list[RosterEntry]
