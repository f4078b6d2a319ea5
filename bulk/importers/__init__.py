"""One importer per kind (``bulk.importers.base`` holds the machinery they share); the registry of
importable kinds maps each kind's name to its importer."""

from __future__ import annotations

from bulk.importers.base import Importer, Outcome, Progress
from bulk.importers.certificates import CertificateImporter
from bulk.importers.credits import CreditImporter
from bulk.importers.kindergartens import KindergartenImporter
from bulk.importers.pool import PoolCandidateImporter
from bulk.importers.staff import StaffImporter
from bulk.importers.training import TrainingResultImporter

IMPORTERS: dict[str, type[Importer]] = {
    "kindergartens": KindergartenImporter,
    "staff": StaffImporter,
    "certificates": CertificateImporter,
    "training-results": TrainingResultImporter,
    "credits": CreditImporter,
    "pool-candidates": PoolCandidateImporter,
}

__all__ = ["IMPORTERS", "Importer", "Outcome", "Progress"]
