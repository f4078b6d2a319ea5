"""The staff register's write path: the audit snapshot of a new staff record (written in bulk, without
a ``StaffOut`` per row) is the one the API reads back, key for key."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from registry.staff.rules import parse_id_number
from registry.staff.schemas import StaffOut
from registry.staff.services import build, snapshot
from registry.staff.writes import StaffRecord, snapshot_of
from tests.support import new_id_number


@pytest.mark.parametrize(
    "over",
    [
        {},
        {"honours": json.dumps(["city_backbone", "subject_leader"]), "education": "master"},
        {"status": "left", "left_on": date(2024, 7, 31), "hired_on": None},
    ],
)
def test_staff_snapshot_is_the_services(over: dict[str, object]) -> None:
    parsed = parse_id_number(new_id_number())
    now = datetime.now(UTC)
    row = {
        "id": 7,
        "id_number": parsed.value,
        "name": "王芳",
        "sex": parsed.sex.value,
        "birth_date": parsed.birth_date,
        "kindergarten": 3,
        "post": "teacher",
        "employment": "contract",
        "title": "level2",
        "honours": "[]",
        "education": None,
        "hired_on": date(2016, 9, 1),
        "status": "pending_induction",
        "left_on": None,
        "created_at": now,
        "updated_at": now,
        **over,
    }
    exact = snapshot(build(StaffOut, {**row, "kindergarten_code": "K1", "kindergarten_name": "甲"}, None))
    fast = snapshot_of(StaffRecord(**row))  # type: ignore[arg-type]
    assert fast == exact
    assert list(fast) == list(exact)  # the same order, so the stored JSON reads the same
