"""The registry of import and export kinds: every kind by its name in URLs.

Each domain declares its own kinds (the vocabulary is ``kernel.files``): ``registry/kindergartens/files.py``,
``registry/staff/files.py``, ``certificates/files.py``, ``training/files.py``, ``credits/files.py``,
``staffing/files.py`` (reserve pool, gaps) and ``eligibility/files.py``. Templates, imports and exports
find them here.
"""

from __future__ import annotations

from certificates.files import CERTIFICATES
from credits.files import CREDITS
from eligibility.files import ELIGIBILITY
from kernel.files import Kind
from registry.kindergartens.files import KINDERGARTENS
from registry.staff.files import STAFF
from staffing.files import GAPS, POOL_CANDIDATES
from training.files import TRAINING_RESULTS

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (KINDERGARTENS, STAFF, CERTIFICATES, TRAINING_RESULTS, CREDITS, POOL_CANDIDATES, GAPS, ELIGIBILITY)
}


def importable() -> list[str]:
    return [name for name, k in KINDS.items() if k.importable]


def exportable() -> list[str]:
    return [name for name, k in KINDS.items() if k.exportable]
