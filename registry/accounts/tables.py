from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
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
    failed_logins = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    last_login_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
