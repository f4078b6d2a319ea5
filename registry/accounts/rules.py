"""Pure rules of accounts: password hashing, the login throttle's arithmetic, who may do what.

Hashing uses argon2id (argon2-cffi, the reference binding, RFC 9106 defaults).
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email

from kernel.i18n import _

_hasher = PasswordHasher()
# Verified against when the username is unknown (or the account inactive), so a miss costs as much
# time as a hit: the answer's timing does not tell whether a username exists.
DUMMY_HASH = _hasher.hash("not-a-real-password")

MIN_PASSWORD_LENGTH = 10


def hash_password(plain: str) -> str:
    return _hasher.hash(plain)


def verify_password(stored_hash: str | None, plain: str) -> bool:
    """Whether ``plain`` is the password of ``stored_hash``; None (no such account) verifies against
    ``DUMMY_HASH`` and is always False."""
    try:
        return _hasher.verify(stored_hash or DUMMY_HASH, plain) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(plain: str) -> str | None:
    if len(plain) < MIN_PASSWORD_LENGTH:
        return _("must be at least {n} characters", n=MIN_PASSWORD_LENGTH)
    return None


def email_address(text: str) -> str:
    """An account's email address as stored and mailed to, or ValueError (in the reader's language).

    The syntax is checked by email-validator (RFC 5322/6531 with the practical limits mail servers
    apply; no DNS lookup): a domain with a dot, not a reserved name (``localhost``, ``.test``). The local
    part must be ASCII (Chinese mailboxes such as qq.com and 163.com are; SMTPUTF8 is not required of the
    district's relay); an internationalised domain is kept in its ASCII (IDNA) form, as SMTP sends it."""
    try:
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, ValueError):  # (an IDNA codec error is a ValueError too)
        raise ValueError(_("is not a valid email address")) from None
    address = checked.ascii_email or checked.normalized
    if len(address) > MAX_EMAIL_LENGTH:
        raise ValueError(_("takes at most {n} characters", n=MAX_EMAIL_LENGTH))
    return address


MAX_EMAIL_LENGTH = 254  # RFC 5321's path limit less the angle brackets


@dataclass(frozen=True)
class ThrottlePolicy:
    """The numbers of login throttling (from the settings: REGISTRY_LOGIN_*), in seconds."""

    max_failures: int  # for one username from one address, before each further attempt there waits
    first_delay: int  # the wait after the max_failures-th failure
    longest_delay: int  # the doubling stops here
    account_max_failures: int  # for one username from every address, before untrusted addresses wait too
    window: int  # failures older than this are forgotten
    trusted_for: int  # an address stays usual for a username this long after a login from it


def delay_after(failures: int, max_failures: int, first_delay: int, longest_delay: int) -> int | None:
    """How long the next attempt waits after ``failures`` failed logins in a row: not at all below
    ``max_failures``; from there ``first_delay``, doubling with every further failure, at most
    ``longest_delay`` (growing delays, as OWASP's Authentication Cheat Sheet describes them)."""
    if failures < max_failures:
        return None
    doublings = failures - max_failures
    if doublings >= longest_delay.bit_length():  # 2**doublings alone is past the longest (first_delay >= 1)
        return longest_delay
    return min(first_delay << doublings, longest_delay)


def delay_steps(max_failures: int, first_delay: int, longest_delay: int) -> list[tuple[int, int]]:
    """``(failures, delay)`` for each count of failures whose delay is below the longest, in order:
    past the last of them every delay is ``longest_delay`` (the database's CASE is built from this)."""
    steps: list[tuple[int, int]] = []
    failures = max_failures
    while (delay := delay_after(failures, max_failures, first_delay, longest_delay)) is not None:
        if delay >= longest_delay:
            break
        steps.append((failures, delay))
        failures += 1
    return steps
