"""Pure rules of accounts: password hashing, lockout arithmetic, who may do what.

Hashing uses argon2id (argon2-cffi, the reference binding, RFC 9106 defaults).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

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
