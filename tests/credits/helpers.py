"""Builders for the credits tests."""

from __future__ import annotations

import itertools
from typing import Any

from tests.support import World

API = "/api/v1"
HR, ADMIN, TEACHER, INSPECTOR, ANON = "district_hr", "kindergarten_admin", "teacher", "inspector", "anonymous"

_refs = itertools.count(1)


def ref() -> str:
    return f"TEST-{next(_refs):06d}"


def entry_body(staff_id: int, **over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "staff_id": staff_id,
        "date": "2024-03-01",
        "category": "general",
        "source": "research",
        "hours": 40,
        "reference": ref(),
        "reason": "区级课题结题",
    }
    body.update(over)
    return body


async def add_entry(client: Any, world: World, staff_id: int, who: str = HR, **over: Any) -> dict[str, Any]:
    r = await client.post(f"{API}/credits/entries", json=entry_body(staff_id, **over), headers=world.h(who))
    assert r.status_code == 201, r.text
    return dict(r.json())
