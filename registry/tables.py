"""All tables of the registry app, for Piccolo's app registry and for convenient imports."""

from certificates.tables import Certificate, CertificateEvent, CertificateRegistration, Reminder
from ethics.tables import EthicsEvaluation, EthicsSanction
from registry.accounts.tables import Account, LoginThrottle
from registry.audit.tables import AuditEvent
from registry.changes.tables import ChangeRequest
from registry.kindergartens.tables import Kindergarten
from registry.staff.tables import Staff, StaffAssignment

__all__ = [
    "Account",
    "AuditEvent",
    "Certificate",
    "CertificateEvent",
    "CertificateRegistration",
    "ChangeRequest",
    "EthicsEvaluation",
    "EthicsSanction",
    "Kindergarten",
    "LoginThrottle",
    "Reminder",
    "Staff",
    "StaffAssignment",
]
