"""Words for people, shared by the answers, the pages and the files: pure, no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kernel.codes import CertificateType, label


def missing_text(missing: Iterable[str]) -> str:
    """Missing requirements as the certificate rule names them (a type, or alternatives joined by
    ``|``) in words: 上岗证、医师执业证书或护士执业证书或保健员培训合格证."""
    parts = ["或".join(label(CertificateType, t) for t in str(m).split("|")) for m in missing]
    return "、".join(parts) or "—"


def chinese_part(detail: str) -> str:
    """The domain's details are Chinese first, then the English in parentheses: keep the Chinese."""
    head = detail.split(" (", 1)[0].strip()
    return head if re.search(r"[\u4e00-\u9fff]", head) else detail.strip()
