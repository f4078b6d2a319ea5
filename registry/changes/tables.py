from piccolo.columns import JSON, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.kindergartens.tables import Kindergarten


class ChangeRequest(Table, tablename="change_request"):
    """A write submitted for review (a kindergarten admin's, by the review policy): what it would do
    (kind, target, payload as the endpoint's schema dumps it), the target as it stood when submitted
    (before), and the decision."""

    id = Serial(primary_key=True)
    kind = Varchar(length=32, index=True)
    status = Varchar(length=16, default="pending", index=True)
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=True, index=True)
    target_id = Integer(null=True, default=None, index=True)
    payload = JSON(default="{}")
    before = JSON(null=True, default=None)
    summary = Text(default="")
    submitted_by = Varchar(length=64, index=True)
    submitted_by_account = Integer(index=True)
    # who submitted, as they were then: an approved change is applied in their name (the record's
    # author is who entered it; the approval is the change's own audit event)
    submitted_role = Varchar(length=32, default="")
    submitted_kindergarten = Integer(null=True, default=None)
    submitted_at = Timestamptz(default=TimestamptzNow(), index=True)
    decided_by = Varchar(length=64, null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    reason = Text(default="")
    result_id = Integer(null=True, default=None)
