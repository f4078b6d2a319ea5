"""Who is calling and what their role may do: the ``Principal`` read from a token or a page
session, the permission matrix (one place that says which role may do what), and the route guard
that checks it. The kernel's, because every domain's controllers and services use them; logins,
tokens and sessions themselves are the accounts register's (``registry.accounts``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from kernel.codes import Role, term
from kernel.i18n import _


@dataclass(frozen=True)
class Principal:
    """Who is calling: read from the signed token (or the page session). Whether the login still
    stands (the account active, its session epoch unchanged) is checked per request against a
    short cache (``accounts.services.login_stands``)."""

    account_id: int
    username: str
    role: Role
    kindergarten_id: int | None = None
    staff_id: int | None = None
    epoch: int = 0  # the account's session epoch at login (a logout or deactivation moves it on)

    @property
    def is_district_wide(self) -> bool:
        return self.role in (Role.district_hr, Role.inspector)


# The permission matrix: one place that says which role may do what. Scoping of the rows
# a role may see (its kindergarten, its own record) is applied by the services.
ALL_ROLES = frozenset(Role)
PERMISSIONS: dict[str, frozenset[Role]] = {
    "kindergarten.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "kindergarten.write": frozenset({Role.district_hr}),
    "staff.list": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "staff.read": ALL_ROLES,
    "staff.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "staff.transfer": frozenset({Role.district_hr, Role.kindergarten_admin}),  # an admin's: reviewed
    # undoing a transfer made today by mistake: district HR's (an admin's transfer is reviewed)
    "staff.transfer.undo": frozenset({Role.district_hr}),
    # a new person with their certificates and training results in one write (issue 15)
    "staff.onboard": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "audit.read": frozenset({Role.district_hr, Role.inspector}),
    "account.read": frozenset({Role.district_hr}),
    "account.write": frozenset({Role.district_hr}),
    "certificate.read": ALL_ROLES,
    "certificate.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "certificate.revoke": frozenset({Role.district_hr}),
    "compliance.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "training.read": ALL_ROLES,
    "training.write": frozenset({Role.district_hr}),
    "training.enrol": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "training.result": frozenset({Role.district_hr}),  # corrections
    # a result recorded: an admin's for their own staff, sent for review (issue 15)
    "training.result.submit": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "training.coverage": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # continuing-education credits (issue 4); rows are scoped like staff records
    "credits.read": ALL_ROLES,
    "credits.write": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "credits.policy.read": ALL_ROLES,
    "credits.policy.write": frozenset({Role.district_hr}),
    # ethics and eligibility (issue 4)
    "ethics.read": ALL_ROLES,
    "ethics.evaluate": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "ethics.sanction": frozenset({Role.district_hr}),
    "ethics.standing": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "eligibility.read": ALL_ROLES,
    "eligibility.batch": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # staffing gaps, planned places, plan progress and the reserve talent pool (issue 5); a
    # kindergarten admin's per-kindergarten figures are scoped to their own kindergarten
    "staffing.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "staffing.plan.write": frozenset({Role.district_hr}),
    "pool.read": frozenset({Role.district_hr, Role.inspector}),
    "pool.match": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "pool.write": frozenset({Role.district_hr}),
    "pool.place": frozenset({Role.district_hr}),
    # Excel/CSV imports and exports (issue 6). An import kind needs the same permission as the
    # endpoint that creates one such record; an admin's rows must be their own kindergarten's.
    "import.run": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.kindergartens": frozenset({Role.district_hr}),
    "import.staff": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.certificates": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.training-results": frozenset({Role.district_hr}),
    "import.credits": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "import.pool-candidates": frozenset({Role.district_hr}),
    "export.read": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    # PDF reports (issue 6): scoped like the data behind them (a teacher their own record, an admin
    # their own kindergarten); district-wide reports for district HR and inspectors; the ethics
    # veto list for district HR only. Verifying a code needs no login (GET /reports/verify/{code}).
    "report.staff": ALL_ROLES,
    "report.kindergarten": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "report.district": frozenset({Role.district_hr, Role.inspector}),
    "report.ethics": frozenset({Role.district_hr}),
    # web pages (issue 7): each page also requires the permissions of the API data it shows; the
    # district dashboard is for the district-wide roles (an admin's home is their kindergarten's page)
    "dashboard.read": frozenset({Role.district_hr, Role.inspector}),
    "me": ALL_ROLES,  # the caller's own account: /me, logout, the notification inbox (issue 16)
    # two-level review (issue 15): an admin sees their kindergarten's change requests and withdraws
    # their own; district HR see all and decide
    "change.read": frozenset({Role.district_hr, Role.kindergarten_admin}),
    "change.decide": frozenset({Role.district_hr}),
    # credit claims with evidence (issue 16): a teacher reports her own outside training; her
    # kindergarten's admin checks it, district HR decides it; inspectors read; each claim is scoped
    "claim.submit": frozenset({Role.teacher}),
    "claim.read": ALL_ROLES,
    "claim.list": frozenset({Role.district_hr, Role.kindergarten_admin, Role.inspector}),
    "claim.review": frozenset({Role.district_hr, Role.kindergarten_admin}),
    # the email outbox (issue 16): what was mailed, what waits and what failed
    "mail.read": frozenset({Role.district_hr}),
}


def allowed(permission: str, role: Role | str) -> bool:
    return Role(role) in PERMISSIONS[permission]


def requires(permission: str) -> Any:
    """A guard: the caller's role must hold ``permission`` in the matrix (PERMISSIONS above)."""

    # async, so Litestar calls it on the event loop instead of handing it to a worker thread
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        user = connection.scope.get("user")
        if not isinstance(user, Principal):
            raise NotAuthorizedException(_("authentication required"))
        if not allowed(permission, user.role):
            raise PermissionDeniedException(
                _("role {role} may not do this ({permission})", role=term(Role, user.role), permission=permission)
            )

    guard.__name__ = f"requires_{permission.replace('.', '_')}"
    return guard
