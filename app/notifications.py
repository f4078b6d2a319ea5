"""The time-based notices (issue 16), put together here because each is its domain's: certificates
expiring and registrations due (``certificates.notices``), credits behind pace at the policy's
checkpoints (``credits.notices``). ``registry notifications sweep`` runs them (daily, from cron); each
writes a notice once per person and occasion, so a second run the same day writes nothing."""

from __future__ import annotations

from datetime import date

from certificates import notices as certificate_notices
from credits import notices as credit_notices


async def sweep(day: date) -> dict[str, int]:
    """Every time-based notice of ``day``: {kind: notifications written}."""
    return {**await certificate_notices.sweep(day), **await credit_notices.sweep(day)}
