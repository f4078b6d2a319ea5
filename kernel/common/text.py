"""Words for people, shared by the answers, the pages and the files: pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from kernel.codes import CertificateType, label
from kernel.i18n import current_locale, translate


def missing_text(missing: Iterable[str]) -> str:
    """Missing requirements as the certificate rule names them (a type, or alternatives joined by
    ``|``) in words: 上岗证、医师执业证书或护士执业证书或保健员培训合格证."""
    parts = ["或".join(label(CertificateType, t) for t in str(m).split("|")) for m in missing]
    return "、".join(parts) or "—"


def missing_terms(missing: Iterable[str]) -> str:
    """Missing requirements inside a message, as its reader reads them: in words for a Chinese reader
    (``missing_text``), the certificate rule's own codes otherwise (``post_certificate, doctor_licence|…``)."""
    return missing_text(missing) if current_locale() == "zh" else ", ".join(str(m) for m in missing)


def chinese_part(detail: str) -> str:
    """A detail written Chinese first, then the English in parentheses (as the domains wrote them before
    their messages followed the reader's language; such texts are still stored, e.g. a revocation's
    reason): keep the Chinese. A detail in one language is kept as it is."""
    head = detail.split(" (", 1)[0].strip()
    return head if re.search(r"[\u4e00-\u9fff]", head) else detail.strip()


@lru_cache(maxsize=256)
def _stored_form(msgid: str) -> re.Pattern[str]:
    """A catalogue message as a pattern of the text it makes: its placeholders capture the values."""
    parts = re.split(r"\{(\w+)\}", msgid)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.*?)" for i, p in enumerate(parts))
    return re.compile(pattern, re.S)


def translate_stored(text: str, messages: Iterable[str]) -> str:
    """A phrase the code wrote into the database in English (a catalogue message marked with ``N_``
    where it is written, its placeholders filled), in the reader's language where it is shown: the
    first of ``messages`` whose form ``text`` has, translated with the values read back from it. Any
    other text (a person's own words) is shown as it is; the stored value never changes."""
    for msgid in messages:
        match = _stored_form(msgid).fullmatch(text)
        if match:
            return translate(msgid, **match.groupdict())
    return text
