from datetime import UTC, date, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def today() -> date:
    """The registry's calendar day (Beijing time, UTC+8)."""
    from datetime import timedelta, timezone

    return datetime.now(timezone(timedelta(hours=8))).date()
