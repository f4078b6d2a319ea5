from piccolo.columns import Boolean, DoublePrecision, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.kindergartens.tables import Kindergarten
from registry.staff.tables import Staff


class Account(Table, tablename="account"):
    id = Serial(primary_key=True)
    username = Varchar(length=64, unique=True, index=True)
    password_hash = Varchar(length=255)
    role = Varchar(length=32)
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=True, default=None)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True, default=None)
    active = Boolean(default=True)
    # moved on by a logout or a deactivation: tokens and page sessions carry the value of their login
    session_epoch = Integer(default=0)
    last_login_at = Timestamptz(null=True, default=None)
    # where notifications are also mailed (issue 16); null: the inbox only
    email = Varchar(length=254, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class LoginThrottle(Table, tablename="login_throttle"):
    """Failed logins, counted per username (as typed, known or not) and client address, and per
    username from every address (``address`` = '*'); written only by ``registry.accounts.throttle``,
    one conditional statement per counter. Times are seconds since the epoch (UTC)."""

    id = Serial(primary_key=True)
    username = Varchar(length=160)  # as typed: an unknown name is counted like a known one
    address = Varchar(length=64)  # the client's IP address; '*' for the count from every address
    failures = Integer(default=0)  # failed logins in a row (within the observation window)
    last_failure_at = DoublePrecision(null=True, default=None)
    blocked_until = DoublePrecision(null=True, default=None)  # the next attempt waits until then
    last_success_at = DoublePrecision(null=True, default=None)  # a login from this address: a usual one
