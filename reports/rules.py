"""Pure rules of the reports: the canonical form of a document's data, its verification code, and
the small choices of presentation that tests pin down (masking for the public check, shortfalls).

No I/O here: data in, decision out.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from pydantic import BaseModel

# Crockford's base 32: no I, L, O or U, so a code read off paper is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16  # 80 bits of the SHA-256 digest: unguessable, short enough to type
_READ_AS = {"O": "0", "I": "1", "L": "1"}


def canonical(value: Any) -> Any:
    """A JSON-able, deterministic form of a report's data: models and dataclasses as dicts, dates as
    ISO strings, decimals as strings, enums as their codes, sets sorted."""
    if isinstance(value, BaseModel):
        return canonical(value.model_dump(mode="json"))
    if is_dataclass(value) and not isinstance(value, type):
        return canonical(asdict(value))
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(canonical(v) for v in value)
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def canonical_bytes(value: Any) -> bytes:
    return json.dumps(
        canonical(value), ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    ).encode("utf-8")


def document_digest(kind: str, subject: str, issuer: str, generated_at: datetime, data: Any) -> str:
    """SHA-256 (hex) of everything the document states: its kind and subject, the issuing bureau, the
    generation time printed in its header, and the canonical form of the data it renders."""
    envelope = {
        "kind": kind,
        "subject": subject,
        "issuer": issuer,
        "generated_at": generated_at.isoformat(),
        "data": data,
    }
    return hashlib.sha256(canonical_bytes(envelope)).hexdigest()


def code_of(digest_hex: str) -> str:
    """The verification code: the digest's first 80 bits in Crockford base 32 (16 characters)."""
    bits = CODE_LENGTH * 5
    number = int(digest_hex, 16) >> (len(digest_hex) * 4 - bits)
    chars = []
    for _ in range(CODE_LENGTH):
        number, rest = divmod(number, 32)
        chars.append(CODE_ALPHABET[rest])
    return "".join(reversed(chars))


def display_code(code: str) -> str:
    """``ABCD-EFGH-JKMN-PQRS``: groups of four, as printed on the document."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str | None:
    """A code as typed (any case, with or without dashes or spaces, O for 0, I or L for 1) in its stored
    form; None when it cannot be a code at all."""
    cleaned = "".join(ch for ch in text.upper() if ch not in "- \t")
    cleaned = "".join(_READ_AS.get(ch, ch) for ch in cleaned)
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


def mask_name(name: str) -> str:
    """What the public check says about a person: the first character of the name, the rest masked."""
    name = name.strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def share(part: int | float, whole: int | float) -> float | None:
    return None if not whole else part / whole


def largest(rows: Iterable[Any], key: str, n: int) -> list[Any]:
    """The ``n`` rows with the largest positive ``key`` (ties by label, then key), for "largest shortfall" lists."""
    positive = [r for r in rows if (_get(r, key) or 0) > 0]
    positive.sort(key=lambda r: (-(_get(r, key) or 0), str(_get(r, "label") or ""), str(_get(r, "key") or "")))
    return positive[:n]


def _get(row: Any, name: str) -> Any:
    return row.get(name) if isinstance(row, Mapping) else getattr(row, name, None)


def axis_floor(lowest: float, step: float = 0.05) -> float:
    """Where a rate axis starts: one step below the lowest value, on a multiple of ``step``, not below 0."""
    return max(0.0, math.floor(round(lowest / step, 9)) * step - step)


def chunks(items: Sequence[Any], size: int) -> list[Sequence[Any]]:
    """Split work into ``size``-sized pieces (the batch hands kindergartens to workers in chunks)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]


def safe_filename(text: str) -> str:
    """A file name from a code (kindergarten codes are ``[A-Za-z0-9_-]``; anything else becomes ``_``)."""
    cleaned = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in text)
    return cleaned.strip("._") or "report"
