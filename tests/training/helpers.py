"""Builders for the training tests: courses, sessions, people inserted directly, results."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from tests.support import World, new_id_number, staff_body

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"

_codes = itertools.count(1)


def course_code() -> str:
    return f"TRN-{next(_codes):05d}"


def course_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": course_code(),
        "title": "幼儿园安全工作培训",
        "category": "safety",
        "level": "district",
        "mode": "in_person",
        "hours": 12,
    }
    body.update(over)
    return body


async def make_course(client: Any, world: World, **over: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/training/courses", json=course_body(**over), headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def make_session(
    client: Any,
    world: World,
    course_id: int | None = None,
    starts_on: str = "2024-03-01",
    ends_on: str = "2024-03-03",
    **over: Any,
) -> dict[str, Any]:
    if course_id is None:
        course_id = (await make_course(client, world))["id"]
    body = {"course_id": course_id, "starts_on": starts_on, "ends_on": ends_on, "place": "区教委培训中心"}
    body.update(over)
    r = await client.post(f"{API}/training/sessions", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def new_staff(client: Any, world: World, kindergarten_id: int, **over: Any) -> dict[str, Any]:
    """A person made through the API (pending induction: no certificates needed).

    ``hired_on`` is set late enough for every birth date new_id_number() gives (1970-1999):
    staff_body's default (2015) is under the working age for the 1999-born.
    """
    body = staff_body(kindergarten_id, **{"status": "pending_induction", "hired_on": "2020-09-01", **over})
    r = await client.post(f"{API}/staff", json=body, headers=world.h(HR))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def insert_staff(kindergarten_id: int, status: str = "on_post", name: str = "王芳", post: str = "teacher") -> int:
    """A person inserted straight into the table (any status, no certificate rules). Returns the id."""
    from registry.staff.rules import parse_id_number
    from registry.staff.tables import Staff

    parsed = parse_id_number(new_id_number())
    rows = await Staff.insert(
        Staff(
            id_number=parsed.value,
            name=name,
            sex=parsed.sex.value,
            birth_date=parsed.birth_date,
            kindergarten=kindergarten_id,
            post=post,
            employment="contract",
            status=status,
            left_on=date(2025, 1, 1) if status == "left" else None,
        )
    ).returning(Staff.id)
    return int(rows[0]["id"])


async def enrol(client: Any, world: World, session_id: int, staff_id: int, who: str = HR) -> Any:
    return await client.post(
        f"{API}/training/sessions/{session_id}/enrolments", json={"staff_id": staff_id}, headers=world.h(who)
    )


async def enrolled(client: Any, world: World, session_id: int, staff_id: int) -> int:
    r = await enrol(client, world, session_id, staff_id)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def post_result(client: Any, world: World, enrolment_id: int, **over: Any) -> Any:
    body: dict[str, Any] = {"enrolment_id": enrolment_id, "hours": 12, "passed": True, "score": 90}
    body.update(over)
    return await client.post(f"{API}/training/results", json=body, headers=world.h(HR))


async def passed(
    client: Any, world: World, staff_id: int, category: str, completed_on: str, passed: bool = True
) -> dict[str, Any]:
    """Course + session around ``completed_on`` + enrolment + result, for one person."""
    course = await make_course(client, world, category=category)
    session = await make_session(client, world, course["id"], starts_on=completed_on, ends_on=completed_on)
    enrolment_id = await enrolled(client, world, session["id"], staff_id)
    r = await post_result(client, world, enrolment_id, passed=passed, completed_on=completed_on)
    assert r.status_code == 201, r.text
    return dict(r.json())
