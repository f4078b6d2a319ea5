"""Every role (and no token) against the inbox endpoints: every role has its own inbox; a notification
of the teacher's account is hers alone (anyone else: 404, its existence hidden)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from kernel.db import write_transaction
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, notify
from tests.guards import ANON, past_the_guard
from tests.notifications.helpers import account_id
from tests.support import World

HR, ADMIN, TEACHER, INSPECTOR = "district_hr", "kindergarten_admin", "teacher", "inspector"
_n = itertools.count(1)


def _case(method: str, path: str, expected: dict[str, int]) -> list[Any]:
    return [
        pytest.param(method, path, role, code, id=f"{method} {path} as {role}")
        for role, code in past_the_guard(method, path, expected)
    ]


ALL = {HR: 200, ADMIN: 200, TEACHER: 200, INSPECTOR: 200, ANON: 401}
CASES = [
    *_case("GET", "/me/notifications", ALL),
    *_case("GET", "/me/notifications?unread=true", ALL),
    *_case("POST", "/me/notifications/read-all", ALL),
    # {teachers}: a notification in w_teacher's inbox
    *_case("POST", "/me/notifications/{teachers}/read", {HR: 404, ADMIN: 404, TEACHER: 200, INSPECTOR: 404, ANON: 401}),
]


@pytest.mark.parametrize(("method", "path", "role", "expected"), CASES)
async def test_notifications_role_matrix(
    client: Any, world: World, method: str, path: str, role: str, expected: int
) -> None:
    if "{teachers}" in path:
        notice = Notice(NoticeKind.placement, f"matrix:{next(_n)}", "placed in {kindergarten}", {"kindergarten": "甲"})
        async with write_transaction():
            [made] = await notify(notice, accounts=[await account_id("w_teacher")])
        path = path.format(teachers=made)
    r = await client.request(method, "/api/v1" + path, headers=world.h(role))
    assert r.status_code == expected, r.text
    if expected >= 400:
        assert r.headers["content-type"].startswith("application/problem+json")
