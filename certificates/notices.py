"""Certificate notices (issue 16): certificates expiring and teacher qualifications due for
registration (定期注册) in the policy's windows (``[version.reminders] windows_days``: 90, 30, 7), told
to the person and to their kindergarten's admins.

A certificate is told in the tightest window that holds its date (``rules.reminder_window``), so again
as it crosses into each narrower window and never twice in one: the occasion names the certificate,
the date and the window, so a renewed certificate (a new date) is told again. The same selection as
the expiry list and the outbox reminders (``services.expiring_between``); registration due dates by
``rules.registration_due`` from the last passed registration, read for every holder in one query."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from certificates import rules
from certificates.services import expiring_between
from kernel.codes import CertificateStatus, CertificateType
from kernel.db import fetch_all
from kernel.i18n import N_
from kernel.policy import policy_on
from kernel.rows import as_date
from registry.notifications.codes import NoticeKind
from registry.notifications.services import Notice, Recipients, notify_many

EXPIRING_YOURS = N_("your {type} ({number}) expires on {expires_on}, within {window} days")
EXPIRING_STAFF = N_("{name}'s {type} ({number}) expires on {expires_on}, within {window} days")
REGISTRATION_YOURS = N_(
    "your teacher qualification ({number}) is due for registration (定期注册) by {due}, within {window} days"
)
REGISTRATION_STAFF = N_(
    "{name}'s teacher qualification ({number}) is due for registration (定期注册) by {due}, within {window} days"
)


def _both(
    kind: NoticeKind, occasion: str, mine: str, theirs: str, row: dict[str, Any], params: dict[str, Any]
) -> list[tuple[Notice, Recipients]]:
    """One notice to the person, one to the admins of their kindergarten."""
    return [
        (Notice(kind, occasion, mine, params, "/me"), Recipients(staff=[row["staff"]])),
        (
            Notice(kind, occasion, theirs, {**params, "name": row["name"]}, f"/staff/{row['staff']}"),
            Recipients(kindergarten_admins=[row["kindergarten_id"]]),
        ),
    ]


async def expiring_notices(day: date, windows: tuple[int, ...]) -> list[tuple[Notice, Recipients]]:
    items = []
    for c in await expiring_between(day, day + timedelta(days=max(windows))):
        expires_on = as_date(c["expires_on"])
        window = rules.reminder_window((expires_on - day).days, windows)
        if window is None:
            continue
        params = {
            "type@CertificateType": c["type"],
            "number": c["number"],
            "expires_on": expires_on.isoformat(),
            "window": window,
        }
        occasion = f"certificate:{c['id']}:expires:{expires_on.isoformat()}:{window}"
        items += _both(NoticeKind.certificate_expiring, occasion, EXPIRING_YOURS, EXPIRING_STAFF, c, params)
    return items


async def registration_notices(day: date, windows: tuple[int, ...], years: int) -> list[tuple[Notice, Recipients]]:
    rows = await fetch_all(
        "SELECT q.id, q.staff, q.number, q.issued_on, s.name, s.kindergarten AS kindergarten_id, "
        "(SELECT MAX(r.registered_on) FROM certificate_registration r "
        "WHERE r.certificate = q.id AND r.result = 'passed') AS last_passed "
        "FROM certificate q JOIN staff s ON s.id = q.staff "
        "WHERE q.type = {} AND q.status <> {} AND s.status <> 'left'",
        CertificateType.teacher_qualification.value,
        CertificateStatus.revoked.value,
    )
    items = []
    for r in rows:
        last = as_date(r["last_passed"]) if r["last_passed"] is not None else None
        due = rules.registration_due(as_date(r["issued_on"]), last, years)
        window = rules.reminder_window((due - day).days, windows)
        if window is None:
            continue
        params = {"number": r["number"], "due": due.isoformat(), "window": window}
        occasion = f"certificate:{r['id']}:registration:{due.isoformat()}:{window}"
        items += _both(NoticeKind.registration_due, occasion, REGISTRATION_YOURS, REGISTRATION_STAFF, r, params)
    return items


async def sweep(day: date) -> dict[str, int]:
    """The certificate notices of ``day``: {kind: notifications written}. Idempotent."""
    policy = policy_on(day)
    windows = policy.reminders.windows_days
    expiring = await expiring_notices(day, windows)
    due = await registration_notices(day, windows, policy.certificates.registration_years)
    return {
        NoticeKind.certificate_expiring.value: len(await notify_many(expiring)),
        NoticeKind.registration_due.value: len(await notify_many(due)),
    }
