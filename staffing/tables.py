"""Tables of the staffing app: planned places, the reserve talent pool and its placements.

Composite indexes (pool certificates by candidate and type, candidates by status and availability)
and the one-placement-per-candidate rule are in the raw migration.
"""

from typing import Any

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, SmallInt, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.kindergartens.tables import Kindergarten
from registry.staff.tables import Staff


class PlannedPlaces(Table, tablename="planned_places"):
    """New kindergartens and expansions the plan adds, with the day they open (行动计划 二(一)).

    ``kindergarten`` is set for an expansion (the kindergarten that grows), null for a new one."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    kind = Varchar(length=24)  # new_kindergarten, expansion
    kindergarten: ForeignKey[Any] = ForeignKey(
        references=Kindergarten, on_delete=OnDelete.restrict, null=True, default=None, index=True
    )
    street = Varchar(length=64, index=True)
    collab_group = SmallInt(null=True, default=None)
    ownership = Varchar(length=32)
    service_type = Varchar(length=16, default="full_day")
    teacher_model = Varchar(length=16, default="two_plus_one")
    places = Integer()
    band = Varchar(length=16, null=True, default=None)  # class-size band; null: the policy's projection band
    opens_on = Date(index=True)
    plan_item = Varchar(length=200, default="")  # the plan's line this comes from
    note = Text(default="")
    cancelled = Boolean(default=False)
    created_by = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PoolCandidate(Table, tablename="pool_candidate"):
    """A person in the reserve talent pool (人力资源储备库). One candidate per ID number; ``staff`` is
    the staff record a placement created or reactivated."""

    id = Serial(primary_key=True)
    id_number = Varchar(length=18, unique=True, index=True)
    name = Varchar(length=64, index=True)
    sex = Varchar(length=8)
    birth_date = Date()
    source = Varchar(length=32, index=True)
    posts = JSON(default="[]")  # the posts wanted
    streets = JSON(default="[]")  # preferred streets; [] = anywhere
    education = Varchar(length=16, null=True, default=None)
    available_from = Date()
    available_to = Date(null=True, default=None)
    status = Varchar(length=16, default="available", index=True)
    staff: ForeignKey[Any] = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=True, default=None)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class PoolCertificate(Table, tablename="pool_certificate"):
    """A certificate a candidate holds, with the same types (and, for the dual-certificate rule, the
    same columns) as the staff register's ``certificate``."""

    id = Serial(primary_key=True)
    candidate = ForeignKey(references=PoolCandidate, on_delete=OnDelete.restrict, null=False)
    type = Varchar(length=40)
    number = Varchar(length=64)
    issuer = Varchar(length=200, default="")
    issued_on = Date()
    expires_on = Date(null=True, default=None)
    status = Varchar(length=16, default="valid")


class PoolPlacement(Table, tablename="pool_placement"):
    """A candidate placed in a kindergarten (once: unique candidate). Counts towards the plan when
    ``starts_on`` falls in its period."""

    id = Serial(primary_key=True)
    candidate = ForeignKey(references=PoolCandidate, on_delete=OnDelete.restrict, null=False)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    kindergarten = ForeignKey(references=Kindergarten, on_delete=OnDelete.restrict, null=False, index=True)
    post = Varchar(length=32)
    starts_on = Date(index=True)
    status = Varchar(length=24)  # the staff status it gave: on_post or pending_induction
    reactivated = Boolean(default=False)
    gap_before = Integer(default=0)
    flags = JSON(default="[]")
    placed_by = Varchar(length=64)
    created_at = Timestamptz(default=TimestamptzNow())
