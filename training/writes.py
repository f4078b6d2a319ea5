"""The training tables' row types, as the demo loader writes the catalogue and its history in bulk
(results recorded one by one go through ``training.results.record_result``, which also writes the
ledger entry)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from kernel.db import RowTable


class CourseRecord(NamedTuple):
    id: int
    code: str
    title: str
    category: str
    level: str
    mode: str
    hours: Decimal
    credits: Decimal
    credits_set: bool
    required_for: str  # JSON array of posts
    capacity: int | None
    created_at: datetime
    updated_at: datetime


class SessionRecord(NamedTuple):
    id: int
    course: int
    starts_on: date
    ends_on: date
    place: str
    trainer: str
    capacity: int | None
    created_at: datetime


class EnrolmentRecord(NamedTuple):
    id: int
    session: int
    staff: int
    enrolled_at: datetime
    enrolled_by: str


class ResultRecord(NamedTuple):
    id: int
    enrolment: int
    hours: Decimal
    passed: bool
    score: Decimal | None
    completed_on: date
    recorded_by: str
    recorded_at: datetime


COURSES = RowTable("training_course", CourseRecord)
SESSIONS = RowTable("training_session", SessionRecord)
ENROLMENTS = RowTable("training_enrolment", EnrolmentRecord)
RESULTS = RowTable("training_result", ResultRecord)
