"""Pure rules of email: the SMTP URL, the Message-ID, the backoff, what a failure means. No I/O."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from enum import StrEnum
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

Security = Literal["starttls", "tls", "none"]
SECURITIES: tuple[Security, ...] = ("starttls", "tls", "none")


class SmtpUrlError(ValueError):
    """REGISTRY_SMTP_URL cannot be read; the message never holds the password."""


@dataclass(frozen=True)
class SmtpTarget:
    """Where and how to send: read from REGISTRY_SMTP_URL. ``repr`` hides the password, so the target
    can be logged."""

    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __str__(self) -> str:
        who = f"{self.username}@" if self.username else ""
        return f"smtp://{who}{self.host}:{self.port} ({self.security})"


DEFAULT_PORTS: dict[Security, int] = {"starttls": 587, "tls": 465, "none": 25}


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://user:pass@host:port?security=starttls|tls|none`` (default starttls) or
    ``smtps://user:pass@host:port`` (implicit TLS). User and password are percent-decoded; the port
    defaults to 587 (starttls), 465 (tls) or 25 (none)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise SmtpUrlError("REGISTRY_SMTP_URL: not a URL smtp://user:pass@host:port") from None
    if parts.scheme not in ("smtp", "smtps"):
        raise SmtpUrlError(f"REGISTRY_SMTP_URL: the scheme must be smtp or smtps, not {parts.scheme!r}")
    if not parts.hostname:
        raise SmtpUrlError("REGISTRY_SMTP_URL: no host")
    query = parse_qs(parts.query, keep_blank_values=True)
    unknown = set(query) - {"security"}
    if unknown:
        raise SmtpUrlError(f"REGISTRY_SMTP_URL: unknown parameter(s) {', '.join(sorted(unknown))}")
    asked = query.get("security", [None])[-1]
    security: Security
    if parts.scheme == "smtps":
        if asked not in (None, "tls"):
            raise SmtpUrlError("REGISTRY_SMTP_URL: smtps:// is implicit TLS (security=tls)")
        security = "tls"
    elif asked is None:
        security = "starttls"
    elif asked in SECURITIES:
        security = asked  # checked against SECURITIES (a Literal by the test above)
    else:
        raise SmtpUrlError(f"REGISTRY_SMTP_URL: security must be one of {', '.join(SECURITIES)}, not {asked!r}")
    return SmtpTarget(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[security],
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )


def mail_domain(mail_from: str) -> str:
    """The domain of the From address (``registry@localhost`` → ``localhost``)."""
    return mail_from.rpartition("@")[2].strip().strip(">").lower() or "localhost"


_NOT_ATOM = re.compile(r"[^A-Za-z0-9]+")


def message_id(source: str, mail_from: str, token: str | None = None) -> str:
    """The Message-ID of the email for ``source``: ``<registry.notification-123.1a2b3c4d5e6f@domain>``.
    Made once, when the row is written, and kept in it: the same for every attempt and any resend. The
    readable part keeps letters and digits of the source; the hash is of the source and a random
    ``token`` (made here when none is given), so a notification id used again (a database restored
    from an older backup, a demo reset, a second installation with the same From domain) never makes a
    Message-ID a mail service has seen, and would drop as a duplicate."""
    readable = _NOT_ATOM.sub("-", source).strip("-")[:80] or "mail"
    salt = token if token is not None else secrets.token_hex(8)
    digest = hashlib.sha256(f"{source}\n{salt}".encode()).hexdigest()[:16]
    return f"<registry.{readable}.{digest}@{mail_domain(mail_from)}>"


def backoff(attempts: int, base_seconds: float, max_seconds: float) -> timedelta:
    """The wait after the ``attempts``-th failed attempt (1, 2, …): base, doubling, at most max."""
    doublings = max(attempts - 1, 0)
    if doublings > 60:  # 2**60 × any base is past any cap
        return timedelta(seconds=max_seconds)
    return timedelta(seconds=min(base_seconds * (2**doublings), max_seconds))


class Outcome(StrEnum):
    sent = "sent"
    retry = "retry"  # a temporary failure: tried again after the backoff
    failed = "failed"  # permanent: a 5xx, or the last attempt


def after_failure(attempts_before: int, permanent: bool, max_attempts: int) -> Outcome:
    """What a failed attempt makes of the row (``attempts_before`` attempts were made before it):
    a permanent failure (5xx) fails at once; a temporary one is retried until ``max_attempts``."""
    if permanent or attempts_before + 1 >= max_attempts:
        return Outcome.failed
    return Outcome.retry


def is_permanent(code: int | None, recipient_or_message: bool = True) -> bool:
    """Whether a failure will not change on retry: a 5xx refusal of the recipient or of the message
    itself. A 4xx or no code (a dropped or refused connection, a timeout) is temporary, and so is a
    5xx refusal of the sender, of the login or of the connection (``recipient_or_message`` false): that
    is a setting to fix (REGISTRY_MAIL_FROM, the SMTP account), not the email's fault, and the email
    waits for the fix instead of being lost."""
    return recipient_or_message and code is not None and 500 <= code < 600


def build_message(*, mail_from: str, to: str, subject: str, body: str, message_id: str, date: datetime) -> EmailMessage:
    """The email: UTF-8 plain text (``Content-Type: text/plain; charset="utf-8"``, base64 so that it
    passes any relay without 8BITMIME), the subject RFC 2047-encoded, the row's Message-ID."""
    msg = EmailMessage()
    msg["From"] = mail_from
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    msg.set_content(body, subtype="plain", charset="utf-8", cte="base64")
    return msg
