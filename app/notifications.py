"""The time-based notices (issue 16), put together here because each is its domain's: certificates
expiring and registrations due (``certificates.notices``), credits behind pace at the policy's
checkpoints (``credits.notices``). ``registry notifications sweep`` runs them (daily, from cron), and
the server runs them itself once at start-up and then every day at REGISTRY_NOTIFY_SWEEP_AT (Beijing
time); each writes a notice once per person and occasion, so a second run the same day writes nothing,
and several servers sweeping the same day are harmless."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta, timezone

from certificates import notices as certificate_notices
from credits import notices as credit_notices
from kernel.common.time import today
from kernel.workers import in_worker, run_cpu

log = logging.getLogger("registry.notifications")
BEIJING = timezone(timedelta(hours=8))


async def sweep(day: date) -> dict[str, int]:
    """Every time-based notice of ``day``: {kind: notifications written}."""
    return {**await certificate_notices.sweep(day), **await credit_notices.sweep(day)}


def seconds_until(at: str, now: datetime) -> float:
    """Seconds from ``now`` to the next ``at`` (HH:MM, Beijing time): later today, or tomorrow."""
    hour, minute = (int(part) for part in at.split(":"))
    local = now.astimezone(BEIJING)
    due = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if due <= local:
        due += timedelta(days=1)
    return (due - local).total_seconds()


async def sweep_daily(at: str) -> None:
    """The server's own sweep: once now (a restart catches up on the day), then every day at ``at``. It
    runs in a worker process (thousands of notices are built in Python), never on the event loop; a
    failure is logged and the next day's run goes on."""
    while True:
        day = today()
        try:
            written = await run_cpu(in_worker, sweep, day)
            log.info("notifications of %s written: %s", day.isoformat(), written)
        except Exception:  # a failed sweep must not stop the next one
            log.exception("the notifications sweep of %s failed", day.isoformat())
        await asyncio.sleep(seconds_until(at, datetime.now(BEIJING)))
