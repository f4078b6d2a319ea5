"""Row scoping by role: which kindergartens and staff records a caller may see at all.

Rows outside the scope are reported as not found (404), so their existence is not revealed.
"""

from __future__ import annotations

from kernel.auth import Principal
from kernel.codes import Role


def kindergarten_scope(who: Principal) -> int | None:
    """None: district-wide. Otherwise the one kindergarten the caller is bound to."""
    if who.is_district_wide:
        return None
    return who.kindergarten_id if who.kindergarten_id is not None else -1


def staff_scope(who: Principal) -> int | None:
    """None: no restriction by person. A teacher sees only their own record."""
    if who.role == Role.teacher:
        return who.staff_id if who.staff_id is not None else -1
    return None
