"""Tables of the training app: courses, their sessions, enrolments and results.

Foreign keys are RESTRICT (nothing cascades history away). Composite uniqueness that Piccolo
cannot express (one enrolment per person and session) is a unique index made by a raw migration.
"""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Numeric, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from registry.staff.tables import Staff


class Course(Table, tablename="training_course"):
    """A course of the catalogue. ``credits`` is derived from hours by the policy unless set
    explicitly (``credits_set``); it is fixed when the course is created."""

    id = Serial(primary_key=True)
    code = Varchar(length=32, unique=True)
    title = Varchar(length=200, index=True)
    category = Varchar(length=32, index=True)
    level = Varchar(length=16)
    mode = Varchar(length=16)
    hours = Numeric(digits=(6, 1))
    credits = Numeric(digits=(6, 2))
    credits_set = Boolean(default=False)
    required_for = JSON(default="[]")
    capacity = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class TrainingSession(Table, tablename="training_session"):
    """One run of a course. ``capacity`` null: the course's capacity applies (null there: unlimited)."""

    id = Serial(primary_key=True)
    course = ForeignKey(references=Course, on_delete=OnDelete.restrict, null=False, index=True)
    starts_on = Date(index=True)
    ends_on = Date(index=True)
    place = Varchar(length=200, default="")
    trainer = Varchar(length=100, default="")
    capacity = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Enrolment(Table, tablename="training_enrolment"):
    """A person in a session; unique per (session, staff) by index (migration)."""

    id = Serial(primary_key=True)
    session = ForeignKey(references=TrainingSession, on_delete=OnDelete.restrict, null=False, index=True)
    staff = ForeignKey(references=Staff, on_delete=OnDelete.restrict, null=False, index=True)
    enrolled_at = Timestamptz(default=TimestamptzNow())
    enrolled_by = Varchar(length=64)


class TrainingResult(Table, tablename="training_result"):
    """The outcome of one enrolment (at most one)."""

    id = Serial(primary_key=True)
    enrolment = ForeignKey(references=Enrolment, on_delete=OnDelete.restrict, null=False, unique=True)
    hours = Numeric(digits=(6, 1))
    passed = Boolean(default=False)
    score = Numeric(digits=(5, 2), null=True, default=None)
    completed_on = Date(index=True)
    recorded_by = Varchar(length=64)
    recorded_at = Timestamptz(default=TimestamptzNow())
