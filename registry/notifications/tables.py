from piccolo.columns import JSON, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.accounts.tables import Account


class Notification(Table, tablename="notification"):
    """One notice in one account's inbox. ``message`` is the English msgid with ``{named}`` placeholders
    and ``params`` their values (JSON), rendered in the reader's language when read. At most one per
    account and occasion (a unique index, ``notification_occasion``); the inbox reads by the index
    ``notification_inbox`` (account, read_at, id)."""

    id = Serial(primary_key=True)
    account = ForeignKey(references=Account, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=32)
    occasion = Varchar(length=160)  # e.g. "claim:12:approved", "certificate:7:2027-03-01:30"
    message = Text()
    params = JSON(default="{}")
    link = Varchar(length=255, default="")  # a page path, or ""
    created_at = Timestamptz(default=TimestamptzNow())
    read_at = Timestamptz(null=True, default=None)
