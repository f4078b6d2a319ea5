"""The reserve pool's and the plan's row types, as the demo loader writes them in bulk."""

from __future__ import annotations

from datetime import date, datetime
from typing import NamedTuple

from kernel.db import RowTable


class CandidateRecord(NamedTuple):
    id: int
    id_number: str
    name: str
    sex: str
    birth_date: date
    source: str
    posts: str  # JSON array
    streets: str  # JSON array
    education: str | None
    available_from: date
    available_to: date | None
    status: str
    staff: int | None
    note: str
    created_at: datetime
    updated_at: datetime


class PoolCertificateRecord(NamedTuple):
    id: int
    candidate: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str


class PlacementRecord(NamedTuple):
    id: int
    candidate: int
    staff: int
    kindergarten: int
    post: str
    starts_on: date
    status: str
    reactivated: bool
    gap_before: int
    flags: str  # JSON array
    placed_by: str
    created_at: datetime


class PlannedRecord(NamedTuple):
    id: int
    name: str
    kind: str
    kindergarten: int | None
    street: str
    collab_group: int | None
    ownership: str
    service_type: str
    teacher_model: str
    places: int
    band: str | None
    opens_on: date
    plan_item: str
    note: str
    cancelled: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


CANDIDATES = RowTable("pool_candidate", CandidateRecord)
POOL_CERTIFICATES = RowTable("pool_certificate", PoolCertificateRecord)
PLACEMENTS = RowTable("pool_placement", PlacementRecord)
PLANNED_PLACES = RowTable("planned_places", PlannedRecord)
