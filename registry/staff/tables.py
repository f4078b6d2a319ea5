from piccolo.columns import JSON, Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.kindergartens.tables import Kindergarten


class Staff(Table, tablename="staff"):
    """One person, one record across the district (the resident ID number is unique)."""

    id = Serial(primary_key=True)
    id_number = Varchar(length=18, unique=True, index=True)
    name = Varchar(length=64, index=True)
    sex = Varchar(length=8)
    birth_date = Date()
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=False, index=True)
    post = Varchar(length=32, index=True)
    employment = Varchar(length=32, index=True)
    title = Varchar(length=16, default="none", index=True)
    honours = JSON(default="[]")
    education = Varchar(length=16, null=True, default=None)
    hired_on = Date(null=True, default=None)
    status = Varchar(length=24, default="on_post", index=True)
    left_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class StaffAssignment(Table, tablename="staff_assignment"):
    """Who worked where, from when to when. The open row (ends_on null) is the current one."""

    id = Serial(primary_key=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=False, index=True)
    post = Varchar(length=32)
    starts_on = Date()
    ends_on = Date(null=True, default=None)
    reason = Text(default="")
