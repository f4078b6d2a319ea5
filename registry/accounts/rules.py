"""Pure rules of accounts: password hashing, lockout arithmetic, who may do what.

Hashing uses argon2id (argon2-cffi, the reference binding, RFC 9106 defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.codes import Role

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a miss costs as much time as a hit.
_DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(plain: str) -> str:
    return _hasher.hash(plain)


def verify_password(stored_hash: str | None, plain: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, plain) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(plain: str) -> str | None:
    if len(plain) < MIN_PASSWORD_LENGTH:
        return f"must be at least {MIN_PASSWORD_LENGTH} characters"
    return None


@dataclass(frozen=True)
class LockDecision:
    failed_logins: int
    locked_until: datetime | None


def after_failed_login(failed_logins: int, now: datetime, max_failures: int, lock_minutes: int) -> LockDecision:
    """Count a failure; at ``max_failures`` in a row the account locks and the counter restarts."""
    failed = failed_logins + 1
    if failed >= max_failures:
        return LockDecision(0, now + timedelta(minutes=lock_minutes))
    return LockDecision(failed, None)


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    return locked_until is not None and locked_until > now


@dataclass(frozen=True)
class Principal:
    """Who is calling: read from the signed token (or the page session). Whether the login still
    stands (the account active, its session epoch unchanged) is checked per request against a
    short cache (``accounts.services.login_stands``)."""

    account_id: int
    username: str
    role: Role
    kindergarten_id: int | None = None
    staff_id: int | None = None
    epoch: int = 0  # the account's session epoch at login (a logout or deactivation moves it on)

    @property
    def is_district_wide(self) -> bool:
        return self.role in (Role.district_hr, Role.inspector)


# The permission matrix: one place that says which role may do what. Scoping of the rows
# a role may see (its kindergarten, its own record) is applied by the services.
ALL_ROLES = frozenset(Role)
PERMISSIONS: dict[str, frozenset[Role]] = {
    "kindergarten.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "kindergarten.write": frozenset({Role.district_hr}),
    "staff.list": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "staff.read": ALL_ROLES,
    "staff.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "staff.transfer": frozenset({Role.district_hr}),
    "audit.read": frozenset({Role.district_hr, Role.inspector}),
    "account.read": frozenset({Role.district_hr}),
    "account.write": frozenset({Role.district_hr}),
    "certificate.read": ALL_ROLES,
    "certificate.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "certificate.revoke": frozenset({Role.district_hr}),
    "compliance.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "training.read": ALL_ROLES,
    "training.write": frozenset({Role.district_hr}),
    "training.enrol": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "training.result": frozenset({Role.district_hr}),
    "training.coverage": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # continuing-education credits (issue 4); rows are scoped like staff records
    "credits.read": ALL_ROLES,
    "credits.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "credits.policy.read": ALL_ROLES,
    "credits.policy.write": frozenset({Role.district_hr}),
    # ethics and eligibility (issue 4)
    "ethics.read": ALL_ROLES,
    "ethics.evaluate": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "ethics.sanction": frozenset({Role.district_hr}),
    "ethics.standing": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "eligibility.read": ALL_ROLES,
    "eligibility.batch": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # staffing gaps, planned places, plan progress and the reserve talent pool (issue 5); a
    # kindergarten admin's per-kindergarten figures are scoped to their own kindergarten
    "staffing.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "staffing.plan.write": frozenset({Role.district_hr}),
    "pool.read": frozenset({Role.district_hr, Role.inspector}),
    "pool.match": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "pool.write": frozenset({Role.district_hr}),
    "pool.place": frozenset({Role.district_hr}),
    # Excel/CSV imports and exports (issue 6). An import kind needs the same permission as the
    # endpoint that creates one such record; an admin's rows must be their own kindergarten's.
    "import.run": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.kindergartens": frozenset({Role.district_hr}),
    "import.staff": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.certificates": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.training-results": frozenset({Role.district_hr}),
    "import.credits": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.pool-candidates": frozenset({Role.district_hr}),
    "export.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # PDF reports (issue 6): scoped like the data behind them (a teacher their own record, an admin
    # their own kindergarten); district-wide reports for district HR and inspectors; the ethics
    # veto list for district HR only. Verifying a code needs no login (GET /reports/verify/{code}).
    "report.staff": ALL_ROLES,
    "report.kindergarten": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "report.district": frozenset({Role.district_hr, Role.inspector}),
    "report.ethics": frozenset({Role.district_hr}),
    # web pages (issue 7): each page also requires the permissions of the API data it shows; the
    # district dashboard is for the district-wide roles (an admin's home is their kindergarten's page)
    "dashboard.read": frozenset({Role.district_hr, Role.inspector}),
    "me": ALL_ROLES,
}


def allowed(permission: str, role: Role | str) -> bool:
    return Role(role) in PERMISSIONS[permission]
