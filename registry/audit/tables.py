from piccolo.columns import JSON, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    """Append-only: the migration adds triggers that refuse UPDATE and DELETE on both engines."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow(), index=True)
    actor = Varchar(length=64, index=True)
    action = Varchar(length=32)
    entity = Varchar(length=32, index=True)
    entity_id = Varchar(length=32, index=True)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
