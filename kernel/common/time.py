from datetime import UTC, date, datetime, timedelta, timezone


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The registry's calendar day (Beijing time, UTC+8)."""

    return datetime.now(timezone(timedelta(hours=8))).date()
