"""Tables of the ethics area (issue 4). Both are append-only (database triggers refuse UPDATE and
DELETE): a correction or an appeal outcome is a new row that ``supersedes`` the earlier one."""

from typing import Any

from piccolo.columns import Boolean, Date, ForeignKey, Serial, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from certificates.tables import Certificate
from registry.staff.tables import Staff


class EthicsEvaluation(Table, tablename="ethics_evaluation"):
    """An annual ethics evaluation (师德考核). The current one per staff and school year is the
    latest row that no other row supersedes."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    school_year = Varchar(length=9, index=True)  # "2025-2026"
    grade = Varchar(length=24)  # excellent, qualified, basically_qualified, unqualified
    evaluated_on = Date()
    evaluator = Varchar(length=64)
    supersedes: ForeignKey[Any] = ForeignKey(
        references="self", on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())


class EthicsSanction(Table, tablename="ethics_sanction"):
    """A sanction for a violation of professional ethics (教师〔2018〕19号), or an appeal outcome
    that changes or lifts an earlier one (``supersedes``; ``sanction`` null when lifted)."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    violation = SmallInt()  # 1 .. policy violation_kinds
    facts = Text()
    sanction = Varchar(length=24, null=True, default=None)  # warning ... dismissal; null: lifted
    outcome = Varchar(length=16, default="decided")  # decided, changed, lifted
    decided_on = Date()  # the date of this decision (for an appeal: of the appeal outcome)
    bar_from = Date()  # the bar starts here: the original decision date, kept by appeals
    bar_until = Date(null=True, default=None, index=True)  # the last barred day; null: no end (dismissal) or lifted
    revoke_qualification = Boolean(default=False)
    revoked_certificate = ForeignKey(
        references=Certificate, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    supersedes: ForeignKey[Any] = ForeignKey(
        references="self", on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    decided_by = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
