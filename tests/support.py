"""Builders shared by the tests: unique valid ID numbers, a small two-kindergarten world."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from registry.staff.rules import make_id_number

_seq = itertools.count(1)


def new_id_number(born: date | None = None, male: bool = False) -> str:
    """A valid ID number never used before in this test run."""
    n = next(_seq)
    born = born or date(1970 + n % 25, 1 + n % 12, 1 + n % 28)  # old enough for a 2015 hire
    sequence = (n * 2) % 1000
    if male:
        sequence = sequence | 1
    return make_id_number(f"1101{5 + n % 3:02d}", born, sequence)


_codes = itertools.count(1)


def new_code(prefix: str = "T") -> str:
    return f"{prefix}{next(_codes):05d}"


def kindergarten_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": new_code(),
        "name": "测试幼儿园",
        "street": "望京街道",
        "group": 3,
        "ownership": "public",
        "grade": "1-1",
        "service_type": "full_day",
        "classes": {"small": 2, "middle": 2, "large": 2},
        "children": 170,
        "places": 180,
    }
    body.update(over)
    return body


def staff_body(kindergarten_id: int, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id_number": new_id_number(),
        "name": "李静",
        "kindergarten_id": kindergarten_id,
        "post": "teacher",
        "employment": "contract",
        "title": "level2",
        "hired_on": "2015-09-01",
        # Nobody goes on post without the certificates of their post (双证上岗): people made by the
        # tests wait for them, unless a test records certificates and puts them on post.
        "status": "pending_induction",
    }
    body.update(over)
    return body


ROLES = ("district_hr", "kindergarten_admin", "teacher", "inspector")
PASSWORD = "correct-horse-battery"


@dataclass
class World:
    """Two kindergartens A and B, a teacher in each, one account and token per role."""

    kg_a: dict[str, Any]
    kg_b: dict[str, Any]
    staff_a: dict[str, Any]
    staff_b: dict[str, Any]
    tokens: dict[str, str] = field(default_factory=dict)

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"} if who in self.tokens else {}


async def login(client: Any, username: str, password: str = PASSWORD) -> str:
    r = await client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def make_account(
    role: str, username: str, kindergarten_code: str | None = None, staff_id_number: str | None = None
) -> None:
    from kernel.codes import Role
    from registry.accounts.schemas import AccountCreate
    from registry.accounts.services import SYSTEM, create_account

    await create_account(
        SYSTEM,
        AccountCreate(
            username=username,
            password=PASSWORD,
            role=Role(role),
            kindergarten_code=kindergarten_code,
            staff_id_number=staff_id_number,
        ),
    )


async def build_world(client: Any) -> World:
    await make_account("district_hr", "w_hr")
    hr = {"Authorization": f"Bearer {await login(client, 'w_hr')}"}
    kg_a = (await client.post("/api/v1/kindergartens", json=kindergarten_body(name="甲幼儿园"), headers=hr)).json()
    kg_b = (
        await client.post(
            "/api/v1/kindergartens",
            json=kindergarten_body(name="乙幼儿园", street="双井街道", group=7),
            headers=hr,
        )
    ).json()
    staff_a = (await client.post("/api/v1/staff", json=staff_body(kg_a["id"], name="张丽"), headers=hr)).json()
    staff_b = (await client.post("/api/v1/staff", json=staff_body(kg_b["id"], name="赵敏"), headers=hr)).json()
    await make_account("kindergarten_admin", "w_admin", kindergarten_code=kg_a["code"])
    await make_account("teacher", "w_teacher", staff_id_number=staff_a["id_number"])
    await make_account("inspector", "w_inspector")
    world = World(kg_a=kg_a, kg_b=kg_b, staff_a=staff_a, staff_b=staff_b)
    world.tokens["district_hr"] = hr["Authorization"].removeprefix("Bearer ")
    for role, user in (
        ("kindergarten_admin", "w_admin"),
        ("teacher", "w_teacher"),
        ("inspector", "w_inspector"),
    ):
        world.tokens[role] = await login(client, user)
    return world


async def insert_staff(kindergarten_id: int, post: str = "teacher", status: str = "on_post", **over: Any) -> int:
    """A staff row written straight to the table, as a bulk import of existing records does: the
    dual-certificate rule flags such people as violations instead of refusing them."""
    from registry.staff.rules import parse_id_number
    from registry.staff.tables import Staff, StaffAssignment

    idn = parse_id_number(over.pop("id_number", None) or new_id_number())
    rows = await Staff.insert(
        Staff(
            id_number=idn.value,
            name=over.pop("name", "导入者"),
            sex=idn.sex.value,
            birth_date=idn.birth_date,
            kindergarten=kindergarten_id,
            post=post,
            employment=over.pop("employment", "contract"),
            title=over.pop("title", "level2"),
            status=status,
            **over,
        )
    ).returning(Staff.id)
    staff_id = int(rows[0]["id"])
    await StaffAssignment.insert(
        StaffAssignment(staff=staff_id, kindergarten=kindergarten_id, post=post, starts_on=date(2015, 9, 1))
    )
    return staff_id


async def give_training(
    staff_id: int, category: str, passed: bool = True, completed_on: date | None = None, hours: float = 120
) -> None:
    """A course, session, enrolment and result written straight to the training tables."""
    from training.tables import Course, Enrolment, TrainingResult, TrainingSession

    done = completed_on or date(2024, 7, 1)
    course = await Course.insert(
        Course(
            code=new_code("C"),
            title=f"{category} course",
            category=category,
            level="district",
            mode="in_person",
            hours=hours,
            credits=hours / 10,
        )
    ).returning(Course.id)
    session = await TrainingSession.insert(
        TrainingSession(course=course[0]["id"], starts_on=done, ends_on=done)
    ).returning(TrainingSession.id)
    enrolment = await Enrolment.insert(
        Enrolment(session=session[0]["id"], staff=staff_id, enrolled_by="test")
    ).returning(Enrolment.id)
    await TrainingResult.insert(
        TrainingResult(
            enrolment=enrolment[0]["id"],
            hours=hours,
            passed=passed,
            score=80 if passed else 40,
            completed_on=done,
            recorded_by="test",
        )
    )


_tq_serial = itertools.count(1)


def teacher_qualification_number(year: int = 2012, kind: str = "1") -> str:
    """A well-formed 17-digit teacher-qualification number (year, Beijing 11, body, type, sex, serial)."""
    return f"{year}11001{kind}2{next(_tq_serial):06d}"


@contextmanager
def scratch_database_env(tmp: Path, label: str) -> Iterator[dict[str, str]]:
    """Environment for a subprocess working on a database of its own, on the run's engine
    (so a demo load there does not disturb the shared test database); dropped afterwards."""
    import asyncio
    import os
    import uuid

    env = {**os.environ, "REGISTRY_VAR_DIR": str(tmp / "var")}
    admin_url = os.environ.get("REGISTRY_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
    name = f"registry_{label}_{uuid.uuid4().hex[:8]}"
    postgres = os.environ.get("REGISTRY_TEST_ENGINE") == "postgres"

    async def admin(sql: str) -> None:
        import asyncpg

        conn = await asyncpg.connect(admin_url)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    if postgres:
        asyncio.run(admin(f'CREATE DATABASE "{name}"'))
        env["REGISTRY_DATABASE_URL"] = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        env["REGISTRY_DATABASE_URL"] = f"sqlite:///{tmp / f'{label}.db'}"
    try:
        yield env
    finally:
        if postgres:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# --- logins from several client addresses, on a clock the tests move -------------------------------------


@dataclass
class LoginClock:
    """The login throttle's clock (``registry.accounts.throttle.clock``), stopped; ``advance`` moves it."""

    now: float

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@asynccontextmanager
async def client_at(app: Any, address: str) -> AsyncIterator[httpx.AsyncClient]:
    """An API client whose requests come from ``address`` (the ASGI scope's client)."""
    transport = httpx.ASGITransport(app=app, client=(address, 50123))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


_names = itertools.count(1)


def new_username(prefix: str = "u") -> str:
    """A username never used before in this test run."""
    return f"{prefix}_{next(_names):04d}"


async def approved(client: Any, world: World, submitted: Any) -> Any:
    """A kindergarten admin's write sent for review (202), approved by district HR: the approval's
    answer, whose ``result`` is what the write answers (issue 15)."""
    assert submitted.status_code == 202, submitted.text
    r = await client.post(f"/api/v1/changes/{submitted.json()['id']}/approve", headers=world.h("district_hr"))
    assert r.status_code == 200, r.text
    return r
