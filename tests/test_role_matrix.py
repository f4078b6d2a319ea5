"""The guard matrix, generated from the permission table: every guarded API route, every role.

Each route's guard is made by ``kernel.auth.requires(permission)`` and named
``requires_<permission>``; ``kernel.auth.PERMISSIONS`` says which roles hold the permission.
For each route and each role (and no token) the outcome of the guard follows:

* no token -> 401;
* a role without the permission -> 403;
* a role with it -> neither 401 nor 403 (the handler answers: 2xx, 400, 404, 409, 422 by the data).

What happens past the guard (scoping to a kindergarten or a person, the codes of the answers)
stays with the per-package tests.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from app.factory import create_app
from kernel.auth import PERMISSIONS
from tests.guards import ANON, API, GUARD_PERMISSIONS
from tests.support import ROLES, World, login

MISSING = 999_999_999  # an id no row has: a write that passes the guard changes nothing
USERNAMES = {"district_hr": "w_hr", "kindergarten_admin": "w_admin", "teacher": "w_teacher", "inspector": "w_inspector"}
assert len(GUARD_PERMISSIONS) == len(PERMISSIONS)


def _guarded_routes() -> list[tuple[str, str, str]]:
    """(method, path, permission) for every API route with a permission guard."""
    found: list[tuple[str, str, str]] = []
    for route in create_app().routes:
        if not route.path.startswith(API + "/"):
            continue
        for method, handler in getattr(route, "route_handler_map", {}).items():
            handler = handler[0] if isinstance(handler, tuple) else handler
            names = [getattr(g, "__name__", "") for g in handler.resolve_guards()]
            permissions = [GUARD_PERMISSIONS[n] for n in names if n in GUARD_PERMISSIONS]
            assert len(permissions) <= 1, (method, route.path, names)
            if permissions:
                found.append((method, route.path, permissions[0]))
    return sorted(found)


ROUTES = _guarded_routes()


def _expected(permission: str, role: str) -> int | None:
    """401 or 403 where the guard refuses; None where it lets the role through."""
    if role == ANON:
        return 401
    return None if role in {r.value for r in PERMISSIONS[permission]} else 403


CASES = [
    pytest.param(method, path, permission, role, id=f"{method} {path.removeprefix(API)} as {role}")
    for method, path, permission in ROUTES
    for role in (*ROLES, ANON)
]


def _url(method: str, path: str, world: World) -> str:
    """The path with its parameters filled: the world's rows for reads, a missing id for writes."""
    reads = method == "GET"
    ids = {
        "staff_id": world.staff_a["id"] if reads else MISSING,
        "kindergarten_id": world.kg_a["id"] if reads else MISSING,
    }

    def fill(m: re.Match[str]) -> str:
        name, kind = m.group(1), m.group(2)
        if kind == "int":
            return str(ids.get(name, MISSING))
        return "missing.xlsx" if name == "filename" else "missing"

    return re.sub(r"\{(\w+):(\w+)\}", fill, path)


def test_every_permission_guard_is_enumerated() -> None:
    assert len(ROUTES) > 70
    assert {"GET", "POST", "PATCH"} <= {m for m, _, _ in ROUTES}


@pytest.mark.parametrize(("method", "path", "permission", "role"), CASES)
async def test_guard_matrix(client: Any, world: World, method: str, path: str, permission: str, role: str) -> None:
    r = await client.request(method, _url(method, path, world), headers=world.h(role))
    if path == f"{API}/auth/logout" and r.status_code < 300:  # it ended the account's tokens: a new one
        world.tokens[role] = await login(client, USERNAMES[role])
    expected = _expected(permission, role)
    if expected is None:
        assert r.status_code not in (401, 403), r.text
    else:
        assert r.status_code == expected, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == expected and r.json()["detail"]
