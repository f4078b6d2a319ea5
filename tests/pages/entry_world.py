"""The data-entry pages' tests' world: a kindergarten of their own (its admin, three teachers on post),
a training session they and a teacher of another kindergarten are enrolled in, and a logged-in page
client per role."""

from __future__ import annotations

import uuid
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from kernel.common.time import today
from tests.pages.helpers import CSRF_COOKIE, log_in, page_client
from tests.support import (
    PASSWORD,
    World,
    insert_staff,
    kindergarten_body,
    make_account,
    new_code,
    new_id_number,
    new_username,
)

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"
ROLES = (HR, ADMIN, TEACHER, INSPECTOR)
COURSE_HOURS = 24


@dataclass
class EntryWorld:
    kg: dict[str, Any]
    other_kg: int
    people: list[int]  # teachers on post in kg, by name
    names: dict[int, str]
    id_numbers: dict[int, str]
    outsider: int  # a teacher of another kindergarten, enrolled in the same session
    session_id: int
    session_start: date
    enrolments: dict[int, int]  # staff id → enrolment id
    api: httpx.AsyncClient
    hr_headers: dict[str, str]
    admin_headers: dict[str, str]
    clients: dict[str, httpx.AsyncClient] = field(default_factory=dict)
    usernames: dict[str, str] = field(default_factory=dict)

    def token(self, role: str) -> str:
        return str(self.clients[role].cookies[CSRF_COOKIE])

    async def get_api(self, path: str, headers: dict[str, str] | None = None) -> Any:
        r = await self.api.get(API + path, headers=headers or self.hr_headers)
        assert r.status_code == 200, r.text
        return r.json()


async def build_entry_world(app: Any, client: httpx.AsyncClient, world: World, stack: AsyncExitStack) -> EntryWorld:
    hr = world.h(HR)

    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        r = await client.post(API + path, json=body, headers=hr)
        assert r.status_code == 201, r.text
        return dict(r.json())

    street = f"录入街道{uuid.uuid4().hex[:8]}"
    kg = await post("/kindergartens", kindergarten_body(name="录入测试幼儿园", street=street))
    names = {}
    id_numbers = {}
    people = []
    for name in ("陈一", "陈二", "陈三"):
        idn = new_id_number()
        staff_id = await insert_staff(kg["id"], name=name, id_number=idn, hired_on=date(2015, 9, 1))
        names[staff_id], id_numbers[staff_id] = name, idn
        people.append(staff_id)
    outsider = await insert_staff(world.kg_b["id"], name="外园人员", hired_on=date(2015, 9, 1))
    admin_name, teacher_name = new_username("f2admin"), new_username("f2teacher")
    await make_account(ADMIN, admin_name, kindergarten_code=kg["code"])
    await make_account(TEACHER, teacher_name, staff_id_number=id_numbers[people[0]])
    course = await post(
        "/training/courses",
        {
            "code": new_code("F2"),
            "title": "录入测试通识培训",
            "category": "general",
            "level": "district",
            "mode": "in_person",
            "hours": COURSE_HOURS,
        },
    )
    start = today() - timedelta(days=20)
    if start.year != today().year:
        start = date(today().year, 1, 1)
    session = await post(
        "/training/sessions",
        {"course_id": course["id"], "starts_on": start.isoformat(), "ends_on": start.isoformat()},
    )
    enrolments = {}
    for staff_id in [*people, outsider]:
        e = await post(f"/training/sessions/{session['id']}/enrolments", {"staff_id": staff_id})
        enrolments[staff_id] = e["id"]
    out = EntryWorld(
        kg=kg,
        other_kg=world.kg_b["id"],
        people=people,
        names=names,
        id_numbers=id_numbers,
        outsider=outsider,
        session_id=session["id"],
        session_start=start,
        enrolments=enrolments,
        api=client,
        hr_headers=hr,
        admin_headers={},
    )
    for role, username in ((HR, "w_hr"), (ADMIN, admin_name), (TEACHER, teacher_name), (INSPECTOR, "w_inspector")):
        c = await stack.enter_async_context(page_client(app))
        r = await log_in(c, username)
        assert r.status_code == 303, r.text
        out.clients[role] = c
        out.usernames[role] = username
    anon = await stack.enter_async_context(page_client(app))
    await anon.get("/login")
    out.clients[ANON] = anon
    r = await client.post(API + "/auth/token", json={"username": admin_name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    out.admin_headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
    return out
