"""Row coercion, once: the two engines hand back some column types differently (SQLite: JSON as
text, dates as ISO strings; PostgreSQL through asyncpg: decoded values). Every service reads raw
rows through these instead of its own copy."""

from __future__ import annotations

import json
from datetime import date
from typing import Any


def json_value(value: Any) -> Any:
    """A JSON column's value: decoded if the driver handed back text."""
    return json.loads(value) if isinstance(value, str) else value


def json_list(value: Any) -> list[Any]:
    """A JSON array column as a list (an absent or non-list value: empty)."""
    if isinstance(value, str):
        loaded = json.loads(value)
        return list(loaded) if isinstance(loaded, list) else []
    return list(value or [])


def as_date(value: Any) -> Any:
    """A date column's value: parsed if the driver handed back an ISO string."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def is_unique_violation(exc: Exception) -> bool:
    """Whether a database error is a unique-constraint violation (either engine's driver)."""
    text = f"{type(exc).__name__} {exc}".lower()
    return "unique" in text
