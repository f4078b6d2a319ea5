from piccolo.columns import Date, Integer, Serial, SmallInt, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Kindergarten(Table, tablename="kindergarten"):
    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True, index=True)
    name = Varchar(length=200, index=True)
    street = Varchar(length=64, index=True)
    collab_group = SmallInt(index=True)
    ownership = Varchar(length=32, index=True)
    grade = Varchar(length=8, default="none")
    demonstration = Varchar(length=16, default="none")
    service_type = Varchar(length=16, default="full_day")
    teacher_model = Varchar(length=16, default="two_plus_one")
    classes_small = Integer(default=0)
    classes_middle = Integer(default=0)
    classes_large = Integer(default=0)
    classes_mixed = Integer(default=0)
    classes_nursery = Integer(default=0)
    children = Integer(default=0)
    places = Integer(default=0)
    opened_on = Date(null=True, default=None)
    closed_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
