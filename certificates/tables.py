from piccolo.columns import Date, ForeignKey, Serial, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.staff.tables import Staff


class Certificate(Table, tablename="certificate"):
    """A certificate held by a staff member. ``status`` is the state after the latest event;
    expiry is not stored as a status but derived from ``expires_on`` on the day asked."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    type = Varchar(length=40, index=True)
    number = Varchar(length=64)
    issuer = Varchar(length=200, default="")
    issued_on = Date()
    expires_on = Date(null=True, default=None, index=True)
    status = Varchar(length=16, default="valid", index=True)
    reason = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class CertificateEvent(Table, tablename="certificate_event"):
    """Append-only: suspensions, revocations and reinstatements, with reason and actor."""

    id = Serial(primary_key=True)
    certificate = ForeignKey(references=Certificate, on_delete=OnDelete.restrict, null=False, index=True)
    action = Varchar(length=16)  # suspend, revoke, reinstate
    status_after = Varchar(length=16)
    reason = Text()
    actor = Varchar(length=64)
    at = Timestamptz(default=TimestamptzNow())


class CertificateRegistration(Table, tablename="certificate_registration"):
    """定期注册 of a teacher qualification: every five years (policy), passed, deferred or failed."""

    id = Serial(primary_key=True)
    certificate = ForeignKey(references=Certificate, on_delete=OnDelete.restrict, null=False, index=True)
    registered_on = Date()
    result = Varchar(length=16)  # passed, deferred, failed
    hours = SmallInt(default=0)
    note = Text(default="")
    actor = Varchar(length=64)
    at = Timestamptz(default=TimestamptzNow())


class Reminder(Table, tablename="reminder_outbox"):
    """The outbox a mailer reads: one row per certificate, expiry date and reminder window."""

    id = Serial(primary_key=True)
    certificate = ForeignKey(references=Certificate, on_delete=OnDelete.restrict, null=False, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    window_days = SmallInt()
    expires_on = Date()
    message = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
