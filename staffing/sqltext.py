"""SQL text helpers of the staffing package: placeholders, JSON text as stored (LIKE patterns: kernel.common.like)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def json_text(value: Any) -> str:
    # ensure_ascii=False: street names are matched as text (LIKE) and must be stored as written
    return json.dumps(value, ensure_ascii=False)


def placeholders(values: Iterable[Any]) -> str:
    return ", ".join("{}" for _ in values)
