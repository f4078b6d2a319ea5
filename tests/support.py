"""Builders shared by the tests: unique valid ID numbers, a small two-kindergarten world."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.staff.rules import make_id_number

_seq = itertools.count(1)


def new_id_number(born: date | None = None, male: bool = False) -> str:
    """A valid ID number never used before in this test run."""
    n = next(_seq)
    born = born or date(1970 + n % 30, 1 + n % 12, 1 + n % 28)
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
    from registry.accounts.schemas import AccountCreate
    from registry.accounts.services import SYSTEM, create_account
    from registry.codes import Role

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
