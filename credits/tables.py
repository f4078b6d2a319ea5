"""Tables of the credits app: the append-only ledger and the dated recognition policies.

``credit_entry`` refuses UPDATE and DELETE (database triggers, raw migration); corrections are
reversing entries. (source, reference) is unique, and so is ``reverses`` (one reversal per entry).
"""

from typing import Any

from piccolo.columns import JSON, Date, ForeignKey, Integer, Numeric, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.kindergartens.tables import Kindergarten
from registry.staff.tables import Staff


class CreditEntry(Table, tablename="credit_entry"):
    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    entry_date = Date(index=True)
    school_year = Varchar(length=9)
    category = Varchar(length=32)
    source = Varchar(length=16)
    hours = Numeric(digits=(8, 1))
    credits = Numeric(digits=(8, 2))
    reference = Varchar(length=128)
    reason = Text(default="")
    recorded_by = Varchar(length=64)
    reverses: ForeignKey[Any] = ForeignKey(references="self", on_delete=OnDelete.restrict, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CreditPolicy(Table, tablename="credit_policy"):
    """A version of the recognition policy: ``policy_values`` and a citation per value.

    effective_to null: open-ended. The only change ever made to a row is closing an open-ended
    version when a later one is added (audited)."""

    id = Serial(primary_key=True)
    effective_from = Date(unique=True)
    effective_to = Date(null=True, default=None)
    policy_values = JSON(default="{}")
    citations = JSON(default="{}")
    description = Text(default="")
    created_by = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())


class CreditIdempotency(Table, tablename="credit_idempotency"):
    """An ``Idempotency-Key`` of ``POST /credits/entries``: the same key from the same account answers
    the entry it first recorded again (a retried request never posts twice). (actor, key) is unique."""

    id = Serial(primary_key=True)
    actor = Varchar(length=64)
    key = Varchar(length=128)
    entry = ForeignKey(references=CreditEntry, on_delete=OnDelete.restrict, null=False)
    request_hash = Varchar(length=64)  # sha256 of the request: the key reused for another entry is refused
    created_at = Timestamptz(default=TimestamptzNow())


class CreditClaim(Table, tablename="credit_claim"):
    """A teacher's report of outside training with its evidence (学分申报, issue 16): submitted by her,
    checked by her kindergarten's admin, decided by district HR; an approved claim's credits are the
    ledger entry ``claim:<id>`` (``entry``). The evidence file is kept content-addressed by its SHA-256
    (``credits.evidence``); (staff, evidence_sha256) is unique: the same file is claimed once."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    # the kindergarten whose admin checks it: the person's when she submitted (or last amended) it
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=True, index=True)
    title = Varchar(length=200)
    provider = Varchar(length=200)
    date_from = Date()
    date_to = Date()
    hours = Numeric(digits=(8, 1))
    category = Varchar(length=32)
    source = Varchar(length=16)
    note = Text(default="")
    evidence_sha256 = Varchar(length=64)
    evidence_type = Varchar(length=64)
    evidence_name = Varchar(length=255, default="")
    evidence_size = Integer(default=0)
    status = Varchar(length=16, index=True)
    reason = Text(default="")  # why it was last returned or rejected
    credits = Numeric(digits=(8, 2), null=True, default=None)  # the credits recognised (approved)
    credits_reason = Text(default="")  # why HR set the credits by hand
    submitted_by = Varchar(length=64)
    submitted_at = Timestamptz(default=TimestamptzNow())
    checked_by = Varchar(length=64, null=True, default=None)
    checked_at = Timestamptz(null=True, default=None)
    decided_by = Varchar(length=64, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    entry = ForeignKey(references=CreditEntry, on_delete=OnDelete.restrict, null=True, default=None)
