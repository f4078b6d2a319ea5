"""Reminders of 定期注册 due dates, beside the expiry reminders (``certificates.services.remind``): a
teacher qualification that stands is due for registration five years (policy) after its last passed
registration, or its issue (``rules.registration_due``); it is reminded in each policy window before
that day, once per window and due date, in the same outbox."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from certificates import rules
from certificates.tables import CertificateRegistration as R
from certificates.tables import Reminder
from kernel.codes import CertificateStatus, CertificateType
from kernel.common.time import utcnow
from kernel.db import fetch_all
from kernel.rows import as_date


async def registration_reminders(day: date, windows: list[int], years: int) -> tuple[list[Reminder], dict[int, int]]:
    """The new outbox rows for registrations due within the widest window of ``day`` (and how many
    per window); rows already written for the same certificate, window and due date are left out."""
    last = day + timedelta(days=max(windows))
    rows = await fetch_all(
        "SELECT q.id, q.staff, q.number, q.issued_on, s.name FROM certificate q JOIN staff s ON s.id = q.staff "
        "WHERE q.type = {} AND q.status <> {} AND s.status <> 'left'",
        CertificateType.teacher_qualification.value,
        CertificateStatus.revoked.value,
    )
    if not rows:
        return [], {}
    ids = [r["id"] for r in rows]
    passed: dict[int, list[date]] = defaultdict(list)
    for g in await R.select(R.certificate, R.registered_on).where(R.certificate.is_in(ids), R.result == "passed"):
        passed[g["certificate"]].append(as_date(g["registered_on"]))
    due: list[tuple[dict[str, Any], date]] = []
    for r in rows:
        when = rules.registration_due(as_date(r["issued_on"]), max(passed[r["id"]], default=None), years)
        if day <= when <= last:
            due.append((r, when))
    if not due:
        return [], {}
    existing = {
        (x["certificate"], x["window_days"], as_date(x["expires_on"]))
        for x in await Reminder.select(Reminder.certificate, Reminder.window_days, Reminder.expires_on).where(
            Reminder.certificate.is_in([r["id"] for r, _ in due])
        )
    }
    new, written = [], dict.fromkeys(windows, 0)
    for r, when in due:
        days_left = (when - day).days
        window = min(w for w in windows if days_left <= w)
        if (r["id"], window, when) in existing:
            continue
        message = (
            f"{r['name']}的教师资格证（编号 {r['number']}）应于 {when.isoformat()} 前完成定期注册，"
            f"还有 {days_left} 天。"
        )
        new.append(
            Reminder(
                certificate=r["id"], staff=r["staff"], window_days=window, expires_on=when, message=message,
                created_at=utcnow(),
            )
        )  # fmt: skip
        written[window] += 1
    return new, written
