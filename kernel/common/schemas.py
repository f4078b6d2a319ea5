"""Shared API schemas: the list envelope and a base model."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from kernel.i18n import N_, translate

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500

NUL_MESSAGE = N_("text may not contain the NUL character (U+0000)")  # translated where shown


def refuse_nul(value: Any) -> Any:
    """A field error for text holding U+0000 (inside lists and dicts too), else ``value``. A nested
    model is left alone: its own fields were checked, and name themselves (``certificates.0.number``).

    PostgreSQL cannot store the character (a 400 from the driver) and SQLite stores it (names that
    look alike and differ): both engines refuse it alike, here, as a 422 naming the field."""
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("nul_character", translate(NUL_MESSAGE))
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            refuse_nul(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            refuse_nul(key)
            refuse_nul(item)
    return value


class Schema(BaseModel):
    """The base of every input model: unknown fields refused, text stripped, no NUL characters."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return refuse_nul(value)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int
