"""What the permission guard alone decides, for the per-package role matrices.

``tests/test_role_matrix.py`` asserts every guarded route's guard for every role, generated from
``kernel.auth.PERMISSIONS``: no token 401, a role without the permission 403. The per-package
matrices keep the whole picture in their tables (which roles get 200, 404, 403, 401 where), but
run only the rows the guard does not decide by itself: scope (404 outside one's kindergarten),
answers, and refusals the services make past the guard (a 403 for a role the guard lets through).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

from litestar import Litestar

from app.factory import create_app
from kernel.auth import PERMISSIONS

API = "/api/v1"
ANON = "anonymous"
GUARD_PERMISSIONS = {f"requires_{p.replace('.', '_')}": p for p in PERMISSIONS}


@cache
def _app() -> Litestar:
    return create_app()


@cache
def permission_of(method: str, path: str) -> str | None:
    """The permission guarding the route a request path reaches (placeholders like ``{sa}`` and
    query strings allowed), or None when the route has no permission guard."""
    concrete = re.sub(r"\{\w+\}", "1", path.split("?")[0])
    if not concrete.startswith(API):
        concrete = API + concrete
    handler = _app().asgi_router.handle_routing(concrete, method)[1]
    names = [getattr(g, "__name__", "") for g in handler.resolve_guards()]
    found = [GUARD_PERMISSIONS[n] for n in names if n in GUARD_PERMISSIONS]
    return found[0] if found else None


def guard_decides(method: str, path: str, role: str, code: int) -> bool:
    """Whether the generated guard matrix already asserts this answer (401 without a token, 403 for
    a role without the route's permission)."""
    permission = permission_of(method, path)
    if permission is None:
        return False
    if role == ANON:
        return code == 401
    return code == 403 and role not in {r.value for r in PERMISSIONS[permission]}


def past_the_guard(method: str, path: str, expected: dict[str, int]) -> list[tuple[str, int]]:
    """The (role, code) pairs of a table row that the guard does not decide."""
    return [(role, code) for role, code in expected.items() if not guard_decides(method, path, role, code)]


def roles_past_the_guard(method: str, path: str, roles: Iterable[str], expected: dict[str, Any]) -> list[str]:
    return [role for role in roles if not guard_decides(method, path, role, expected[role])]
