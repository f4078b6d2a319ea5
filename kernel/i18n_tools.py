"""The catalogue's upkeep (``bin/i18n``, ``tests/test_i18n.py``): every message marked in the code
(``_``, ``N_``; ``F_`` for the fields' names, context ``field``) extracted with Babel, and merged
into ``kernel/locale/zh/LC_MESSAGES/messages.po`` keeping the translations made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from kernel.i18n import CATALOGUE, FIELD_CONTEXT

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = (
    "kernel",
    "registry",
    "credits",
    "training",
    "certificates",
    "ethics",
    "eligibility",
    "staffing",
    "reports",
    "bulk",
    "pages",
    "demo",
    "app",
)
METHODS = [("**/piccolo_migrations/**", "ignore"), ("**.py", "python")]

Key = tuple[str | None, str]
FIXED_DATE = datetime(2026, 12, 7, tzinfo=UTC)


def extracted() -> dict[Key, list[tuple[str, int]]]:
    """Every marked message in the application's packages → where it is used."""
    found: dict[Key, list[tuple[str, int]]] = {}
    for package in PACKAGES:
        base = ROOT / package
        for keywords, context in (({"_": None, "N_": None}, None), ({"F_": None}, FIELD_CONTEXT)):
            for filename, lineno, message, _comments, _ctx in extract_from_dir(
                str(base), METHODS, keywords=keywords, comment_tags=(), strip_comment_tags=True
            ):
                if isinstance(message, str) and message:
                    found.setdefault((context, message), []).append((f"{package}/{filename}", lineno))
    return found


def read_catalogue(path: Path = CATALOGUE) -> Catalog:
    if not path.exists():
        return Catalog(locale="zh_Hans_CN", domain="messages")
    with path.open("rb") as f:
        return read_po(f, locale="zh_Hans_CN")


def entries(catalog: Catalog) -> Iterator[tuple[Key, str]]:
    for message in catalog:
        if message.id and isinstance(message.id, str):
            yield (message.context, message.id), str(message.string or "")


def update(path: Path = CATALOGUE) -> tuple[int, int, list[Key]]:
    """Merge the extracted messages into the catalogue: new ones added untranslated, unused ones
    dropped, translations kept. Returns (messages, dropped, untranslated)."""
    old = dict(entries(read_catalogue(path)))
    found = extracted()
    catalog = Catalog(
        locale="zh_Hans_CN",
        domain="messages",
        project="kg-registry",
        msgid_bugs_address="",
        copyright_holder="",
        header_comment="# Chinese of the registry's messages (msgid: the English in the code). bin/i18n updates it.",
        creation_date=FIXED_DATE,  # no churn in the file when nothing else changed
        revision_date=FIXED_DATE,
    )
    missing: list[Key] = []
    for (context, msgid), places in sorted(found.items(), key=lambda item: (item[0][0] or "", item[0][1])):
        text = old.get((context, msgid), "")
        if not text:
            missing.append((context, msgid))
        catalog.add(msgid, text, locations=sorted(places)[:3], context=context)
    dropped = len(set(old) - set(found))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=0, no_location=True, sort_output=False)
    return len(found), dropped, missing


def fill(translations: dict[str, str], path: Path = CATALOGUE) -> int:
    """Set the Chinese of catalogue messages: ``{msgid: 中文}``; a field's name as ``"field|name"``.
    Returns how many were set (a msgid not in the catalogue is ignored: run ``update`` first)."""
    catalog = read_catalogue(path)
    done = 0
    for key, text in translations.items():
        context, _sep, msgid = key.rpartition("|") if key.startswith(f"{FIELD_CONTEXT}|") else ("", "", key)
        message = catalog.get(msgid, context=context or None)
        if message is not None and text:
            message.string = text
            done += 1
    with path.open("wb") as f:
        write_po(f, catalog, width=0, no_location=True, sort_output=False)
    return done
