"""All tables of the registry app, for Piccolo's app registry and for convenient imports."""

from registry.accounts.tables import Account
from registry.audit.tables import AuditEvent
from registry.kindergartens.tables import Kindergarten
from registry.staff.tables import Staff, StaffAssignment

__all__ = ["Account", "AuditEvent", "Kindergarten", "Staff", "StaffAssignment"]
