from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.accounts.tables import Account


class MailOutbox(Table, tablename="mail_outbox"):
    """One email to one account, written in the transaction of what it is about (``outbox.enqueue``)
    and sent by ``delivery.deliver_due``. ``source`` says what it is for and is unique, so the same
    thing is never queued twice; ``message_id`` is made when the row is written, so every attempt
    (and a resend after a crash) carries the same Message-ID. A deliverer claims a row by setting
    ``lease_until`` with a conditional UPDATE; nobody else takes it before then."""

    id = Serial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.restrict, index=True)
    address = Varchar(length=254)  # as it was when the row was written
    subject = Text()
    body = Text()
    message_id = Varchar(length=255, unique=True)
    source = Varchar(length=160, unique=True)
    status = Varchar(length=16, default="pending")  # pending | sent | failed
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    lease_until = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)
