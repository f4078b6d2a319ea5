"""LIKE patterns from a caller's text, taken literally on both engines.

In a LIKE pattern ``%`` matches any run of characters and ``_`` any one character; a search term that
went into a pattern as given would be a wildcard query (``110112________2221`` finds every ID number
of that shape, whatever its hidden digits). SQLite has no escape character for LIKE unless the
statement names one, PostgreSQL's default is the backslash: every LIKE that takes a caller's text
says ``ESCAPE '\\'`` (``LIKE``, ``like``) and its pattern is built here, with the text's own ``\\``,
``%`` and ``_`` escaped.
"""

from __future__ import annotations

from typing import Any

from piccolo.columns.combination import WhereRaw

LIKE = "LIKE {} ESCAPE '\\'"
"""The operator with its placeholder, for raw SQL: ``f"c.name {LIKE}"``."""


def literal(text: str) -> str:
    """``text`` as a LIKE pattern that matches exactly ``text`` (no wildcard of its own)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def contains(text: str) -> str:
    """A pattern finding ``text`` anywhere."""
    return f"%{literal(text)}%"


def starts_with(text: str) -> str:
    """A pattern finding values that start with ``text``."""
    return f"{literal(text)}%"


def json_item(value: str) -> str:
    """A pattern finding the string ``value`` as an item of a JSON array stored as text."""
    return f'%"{literal(value)}"%'


def like(sql: str, pattern: Any) -> WhereRaw:
    """A Piccolo condition ``sql LIKE pattern ESCAPE '\\'``; ``pattern`` from this module (or a
    ``kernel.db.Param`` bound to one)."""
    return WhereRaw(f"{sql} {LIKE}", pattern)


def like_any(*sqls: str, patterns: tuple[Any, ...]) -> WhereRaw:
    """Any of several columns matching its pattern: ``(a LIKE p1 ESCAPE '\\' OR b LIKE p2 ...)``."""
    clause = " OR ".join(f"{sql} {LIKE}" for sql in sqls)
    return WhereRaw(f"({clause})", *patterns)
