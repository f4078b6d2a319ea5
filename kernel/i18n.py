"""Messages a person reads, in their language: Chinese first, English when the request asks for it.

gettext catalogues through Babel (Python's convention): a message's ``msgid`` is its English text
with ``{named}`` placeholders, written where the message is made::

    raise NotFound(_("no staff member {staff_id}", staff_id=staff_id))

and ``kernel/locale/zh/LC_MESSAGES/messages.po`` holds its Chinese. ``_`` answers in the locale of
the request being served (``Accept-Language``, read once per request by ``LocaleMiddleware``; no
header or an unknown language: Chinese). A message made before it is needed (a label in a module
constant) is marked with ``N_`` and translated where it is shown with ``translate``. A field's
Chinese name for messages is ``field_label``.

``bin/i18n`` extracts every marked message into the catalogue; ``tests/test_i18n.py`` fails on any
message without its Chinese, and on an error raised with a bare string instead of a message.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
from litestar.types import ASGIApp, Receive, Scope, Send

LOCALES = ("zh", "en")
DEFAULT_LOCALE = "zh"
CATALOGUE = Path(__file__).parent / "locale" / "zh" / "LC_MESSAGES" / "messages.po"
FIELD_CONTEXT = "field"  # msgctxt of the fields' names

_locale: ContextVar[str] = ContextVar("registry_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=1)
def _catalogue() -> dict[tuple[str | None, str], str]:
    """The Chinese of every msgid (context, msgid) → msgstr; untranslated and fuzzy entries left out."""
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    out: dict[tuple[str | None, str], str] = {}
    for message in catalog:
        if message.id and isinstance(message.id, str) and message.string and not message.fuzzy:
            out[(message.context, message.id)] = str(message.string)
    return out


def current_locale() -> str:
    return _locale.get()


def _render(text: str, params: dict[str, Any]) -> str:
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a translation naming a placeholder the code does not give
        return text


def translate(msgid: str, /, context: str | None = None, **params: Any) -> str:
    """``msgid`` (a catalogue message held in a variable, marked where it was written with ``N_``) in
    the current locale, its placeholders filled."""
    text = _catalogue().get((context, msgid), msgid) if _locale.get() == "zh" else msgid
    return _render(text, params)


def _(msgid: str, /, **params: Any) -> str:
    """A message a person reads, in the current locale (extracted by ``bin/i18n``)."""
    return translate(msgid, **params)


def N_(msgid: str, /) -> str:
    """Marks ``msgid`` for the catalogue without translating it (translated where shown)."""
    return msgid


def F_(name: str, /) -> str:
    """Marks a field's name for the catalogue (context ``field``); ``field_label`` translates it."""
    return name


def field_label(name: str) -> str:
    """A field's name as a person reads it: its Chinese (``F_``-marked, context ``field``) in
    Chinese, the name itself otherwise. A dotted or indexed path (``rows.3.hours``) is labelled by
    its last named part."""
    if _locale.get() != "zh":
        return name
    last = [part for part in re.split(r"[.\[\]]", name) if part and not part.isdigit()]
    key = last[-1] if last else name
    return _catalogue().get((FIELD_CONTEXT, key), name)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Messages in ``locale`` within the block (a command, a job, a test)."""
    token = _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _locale.reset(token)


def negotiate(accept_language: str | None) -> str:
    """The locale to answer in from an ``Accept-Language`` header: the supported language of highest
    quality (``zh-CN``, ``zh-Hans`` → zh; ``en-US`` → en); none or no supported one: Chinese."""
    if not accept_language:
        return DEFAULT_LOCALE
    best, best_q = DEFAULT_LOCALE, -1.0
    for order, item in enumerate(accept_language.split(",")[:20]):
        tag, _sep, params = item.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in LOCALES:
            continue
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0  # a broken quality: not wanted
        q -= order * 1e-6  # equal qualities: the first listed wins
        if q > best_q and q > 0:
            best, best_q = language, q
    return best


class LocaleMiddleware:
    """Sets the locale of the request (``Accept-Language``) for everything that serves it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = None
        for key, value in scope.get("headers", ()):
            if key == b"accept-language":
                header = value.decode("latin-1")
                break
        token = _locale.set(negotiate(header))
        try:
            await self.app(scope, receive, send)
        finally:
            _locale.reset(token)


__all__ = [
    "DEFAULT_LOCALE",
    "F_",
    "LOCALES",
    "N_",
    "LocaleMiddleware",
    "_",
    "current_locale",
    "field_label",
    "negotiate",
    "placeholders",
    "translate",
    "use_locale",
]
