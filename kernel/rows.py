"""Row coercion, once: the two engines hand back some column types differently (SQLite: JSON as
text, dates as ISO strings; PostgreSQL through asyncpg: decoded values). Every service reads raw
rows through these instead of its own copy."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    """A JSON column's value: decoded if the driver handed back text."""
    return json.loads(value) if isinstance(value, str) else value


def json_list(value: Any) -> list[Any]:
    """A JSON array column as a list (an absent, blank or non-list value: empty)."""
    if isinstance(value, str):
        loaded = json.loads(value or "[]")
        return list(loaded) if isinstance(loaded, list) else []
    return list(value or [])


def as_date(value: Any) -> Any:
    """A date column's value: parsed if the driver handed back an ISO string."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_day(value: Any) -> date | None:
    """A date or timestamp column's value as a date, however the driver handed it back (a date, a
    datetime, ISO text with or without a time); None or blank: None. What file values are made of
    (``*/files.py``), so an exported date and the one an import compares it with are the same."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def as_decimal(value: Any) -> Decimal | None:
    """A numeric column's value as a Decimal, whatever number type the driver handed back; None: None."""
    if value is None:
        return None
    return value if isinstance(value, Decimal) else Decimal(str(value))


def is_unique_violation(exc: Exception) -> bool:
    """Whether a database error is a unique-constraint violation (either engine's driver)."""
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text
