"""How the certificates domain writes its rows: the row types of its tables, and the one function that
adds certificates (the row and its audit event), which the API, the certificate import and the pool
placement all call. The demo loader writes its history with the same row types."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from kernel.auth import Principal
from kernel.codes import CertificateStatus
from kernel.common.time import utcnow
from kernel.db import RowTable, insert_rows, reserve_ids
from registry.audit.services import event, record_many


class CertificateRecord(NamedTuple):
    id: int
    staff: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None
    status: str
    reason: str
    created_at: datetime
    updated_at: datetime


class CertificateEventRecord(NamedTuple):
    id: int
    certificate: int
    action: str
    status_after: str
    reason: str
    actor: str
    at: datetime


class RegistrationRecord(NamedTuple):
    id: int
    certificate: int
    registered_on: date
    result: str
    hours: int
    note: str
    actor: str
    at: datetime


CERTIFICATES = RowTable("certificate", CertificateRecord)
CERTIFICATE_EVENTS = RowTable("certificate_event", CertificateEventRecord)
REGISTRATIONS = RowTable("certificate_registration", RegistrationRecord)


@dataclass(frozen=True, slots=True)
class NewCertificate:
    """A certificate to record, checked by the domain's rules (the number normalised)."""

    staff_id: int
    type: str
    number: str
    issuer: str
    issued_on: date
    expires_on: date | None = None


def snapshot_of(c: NewCertificate) -> dict[str, Any]:
    """The audit snapshot of a new certificate."""
    return {
        "staff_id": c.staff_id,
        "type": c.type,
        "number": c.number,
        "issuer": c.issuer,
        "issued_on": c.issued_on.isoformat(),
        "expires_on": c.expires_on.isoformat() if c.expires_on else None,
    }


async def add_certificates(
    who: Principal,
    certificates: Sequence[NewCertificate],
    *,
    audit_note: dict[str, Any] | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> list[int]:
    """Write valid certificates and a ``create`` audit event each (the snapshot plus ``audit_note``),
    inside the caller's write transaction; the caller has applied the rules (number, dates, the
    training a post certificate needs, no duplicate). Returns the new ids, in order."""
    ids = await reserve_ids("certificate", len(certificates))
    now = utcnow()
    rows = [
        CertificateRecord(
            cid, c.staff_id, c.type, c.number, c.issuer, c.issued_on, c.expires_on,
            CertificateStatus.valid.value, "", now, now,
        )
        for cid, c in zip(ids, certificates, strict=True)
    ]  # fmt: skip
    note = audit_note or {}
    events = [
        event(who, now, "create", "certificate", cid, None, {**snapshot_of(c), **note})
        for cid, c in zip(ids, certificates, strict=True)
    ]
    await insert_rows(CERTIFICATES, rows, on_batch)
    await record_many(events, on_batch)
    return ids
