"""A person's certificates on the pages (issue 15): add one, correct its details, record its
registration (定期注册, a teacher qualification's), and — district HR — suspend, revoke or reinstate
it with the reason. Each is the API's write (``certificate.create`` / ``certificate.update`` /
``certificate.register``) through ``changes.write``: a kindergarten admin's goes to district HR's
review. Reached from the person's page (``/staff/{id}``); a person or certificate out of the caller's
scope is a 404 page, as the API answers.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from certificates.codes import RegistrationResult
from certificates.schemas import CertificateCreate, CertificateOut, CertificateUpdate, RegistrationIn
from certificates.services import list_for_staff
from kernel.auth import Principal, requires
from kernel.codes import CertificateStatus, CertificateType
from kernel.common.time import today
from kernel.errors import NotFound
from kernel.i18n import _
from pages.form_support import Render
from pages.forms import (
    FormState,
    attempt,
    nothing_changed,
    optional,
    posted,
    same_field,
    text,
    validate,
    written,
)
from registry.changes.codes import ChangeKind
from registry.changes.services import Changes
from registry.staff.schemas import StaffDetail
from registry.staff.services import get_staff

Req = Request[Any, Any, Any]
ChangesDep = NamedDependency[Changes]
RenderDep = NamedDependency[Render]

DETAILS = ("type", "number", "issuer", "issued_on", "expires_on")
REGISTRATION = ("registered_on", "result", "hours", "note")
# a certificate's status as it may change by hand (expired follows from its date): where it can go
NEXT_STATUS = {
    CertificateStatus.valid: (CertificateStatus.suspended, CertificateStatus.revoked),
    CertificateStatus.expired: (CertificateStatus.suspended, CertificateStatus.revoked),
    CertificateStatus.suspended: (CertificateStatus.valid, CertificateStatus.revoked),
    CertificateStatus.revoked: (CertificateStatus.valid,),
}
READ = [requires("staff.read"), requires("certificate.read")]


async def certificate_of(who: Principal, staff_id: int, certificate_id: int) -> tuple[StaffDetail, CertificateOut]:
    """The person and one of their certificates, in the caller's scope (else NotFound)."""
    person = await get_staff(who, staff_id)
    for certificate in await list_for_staff(who, staff_id):
        if certificate.id == certificate_id:
            return person, certificate
    raise NotFound(_("no certificate {certificate_id}", certificate_id=certificate_id))


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def details_of(certificate: CertificateOut) -> dict[str, Any]:
    return {
        "type": certificate.type.value,
        "number": certificate.number,
        "issuer": certificate.issuer,
        "issued_on": _day(certificate.issued_on),
        "expires_on": _day(certificate.expires_on),
    }


def details_patch(certificate: CertificateOut, values: dict[str, Any]) -> dict[str, Any]:
    """The details changed on the form (a blank expiry: no expiry)."""
    now = details_of(certificate)
    patch: dict[str, Any] = {}
    for name in ("number", "issuer", "issued_on", "expires_on"):
        typed = text(values, name)
        if name in values and (typed.upper() if name == "number" else typed) != now[name]:
            patch[name] = None if typed == "" and name == "expires_on" else typed
    return patch


def _context(person: StaffDetail, state: FormState, certificate: CertificateOut | None = None) -> dict[str, Any]:
    return {
        "person": person,
        "certificate": certificate,
        "state": state,
        "certificate_types": [t.value for t in CertificateType],
        "results": [r.value for r in RegistrationResult],
        "next_statuses": [s.value for s in NEXT_STATUS[certificate.status]] if certificate else [],
        "today": today(),
    }


class CertificatePages(Controller):
    path = "/staff/{staff_id:int}/certificates"

    @get("/new", guards=[*READ, requires("certificate.write")], summary="Form: a new certificate")
    async def new_form(self, request: Req, render: RenderDep, staff_id: FromPath[int]) -> Response[Any]:
        person = await get_staff(request.user, staff_id)
        return render.page(request, "certificate_new.html", _context(person, FormState()))

    @post("/new", guards=[*READ, requires("certificate.write")], summary="Record a certificate", status_code=303)
    async def new(self, request: Req, render: RenderDep, changes: ChangesDep, staff_id: FromPath[int]) -> Response[Any]:
        who: Principal = request.user
        person = await get_staff(who, staff_id)
        state = FormState(await posted(request))
        locate = same_field(*DETAILS)
        data = validate(CertificateCreate, optional(state.values, *DETAILS), state, locate)
        if data is not None:
            outcome = await attempt(changes.write(who, ChangeKind.certificate_create, data, staff_id), state, locate)
            if outcome is not None:
                return written(request, outcome, _("The certificate is recorded"), f"/staff/{staff_id}")
        return render.page(request, "certificate_new.html", _context(person, state), status_code=state.status)

    @get("/{certificate_id:int}/edit", guards=[*READ, requires("certificate.write")], summary="Form: correct")
    async def edit_form(
        self, request: Req, render: RenderDep, staff_id: FromPath[int], certificate_id: FromPath[int]
    ) -> Response[Any]:
        person, certificate = await certificate_of(request.user, staff_id, certificate_id)
        state = FormState(details_of(certificate))
        return render.page(request, "certificate_edit.html", _context(person, state, certificate))

    @post(
        "/{certificate_id:int}/edit",
        guards=[*READ, requires("certificate.write")],
        summary="Correct a certificate's details",
        status_code=303,
    )
    async def edit(
        self,
        request: Req,
        render: RenderDep,
        changes: ChangesDep,
        staff_id: FromPath[int],
        certificate_id: FromPath[int],
    ) -> Response[Any]:
        who: Principal = request.user
        person, certificate = await certificate_of(who, staff_id, certificate_id)
        state = FormState(await posted(request))
        back = f"/staff/{staff_id}"
        patch = details_patch(certificate, state.values)
        if not patch:
            return nothing_changed(request, back)
        locate = same_field(*DETAILS)
        data = validate(CertificateUpdate, patch, state, locate)
        if data is not None:
            write = changes.write(who, ChangeKind.certificate_update, data, certificate_id)
            outcome = await attempt(write, state, locate)
            if outcome is not None:
                return written(request, outcome, _("The certificate is saved"), back)
        context = _context(person, state, certificate)
        return render.page(request, "certificate_edit.html", context, status_code=state.status)

    @get(
        "/{certificate_id:int}/registration",
        guards=[*READ, requires("certificate.write")],
        summary="Form: a registration (定期注册)",
    )
    async def registration_form(
        self, request: Req, render: RenderDep, staff_id: FromPath[int], certificate_id: FromPath[int]
    ) -> Response[Any]:
        person, certificate = await certificate_of(request.user, staff_id, certificate_id)
        state = FormState({"registered_on": today().isoformat(), "result": RegistrationResult.passed.value})
        return render.page(request, "certificate_registration.html", _context(person, state, certificate))

    @post(
        "/{certificate_id:int}/registration",
        guards=[*READ, requires("certificate.write")],
        summary="Record a teacher qualification's registration (定期注册)",
        status_code=303,
    )
    async def registration(
        self,
        request: Req,
        render: RenderDep,
        changes: ChangesDep,
        staff_id: FromPath[int],
        certificate_id: FromPath[int],
    ) -> Response[Any]:
        who: Principal = request.user
        person, certificate = await certificate_of(who, staff_id, certificate_id)
        state = FormState(await posted(request))
        locate = same_field(*REGISTRATION)
        data = validate(RegistrationIn, optional(state.values, *REGISTRATION), state, locate)
        if data is not None:
            write = changes.write(who, ChangeKind.certificate_register, data, certificate_id)
            outcome = await attempt(write, state, locate)
            if outcome is not None:
                return written(request, outcome, _("The registration is recorded"), f"/staff/{staff_id}")
        context = _context(person, state, certificate)
        return render.page(request, "certificate_registration.html", context, status_code=state.status)

    @get(
        "/{certificate_id:int}/status",
        guards=[*READ, requires("certificate.revoke")],
        summary="Form: suspend, revoke or reinstate (district HR)",
    )
    async def status_form(
        self, request: Req, render: RenderDep, staff_id: FromPath[int], certificate_id: FromPath[int]
    ) -> Response[Any]:
        person, certificate = await certificate_of(request.user, staff_id, certificate_id)
        return render.page(request, "certificate_status.html", _context(person, FormState(), certificate))

    @post(
        "/{certificate_id:int}/status",
        guards=[*READ, requires("certificate.revoke")],
        summary="Suspend, revoke or reinstate a certificate, with the reason (district HR)",
        status_code=303,
    )
    async def status(
        self,
        request: Req,
        render: RenderDep,
        changes: ChangesDep,
        staff_id: FromPath[int],
        certificate_id: FromPath[int],
    ) -> Response[Any]:
        who: Principal = request.user
        person, certificate = await certificate_of(who, staff_id, certificate_id)
        state = FormState(await posted(request))
        locate = same_field("status", "reason")
        if not text(state.values, "status"):
            state.fail("status", _("is required"))
        data = validate(CertificateUpdate, optional(state.values, "status", "reason"), state, locate)
        if data is not None and not state.failed:
            write = changes.write(who, ChangeKind.certificate_update, data, certificate_id)
            outcome = await attempt(write, state, locate)
            if outcome is not None:
                return written(request, outcome, _("The certificate's status is changed"), f"/staff/{staff_id}")
        context = _context(person, state, certificate)
        return render.page(request, "certificate_status.html", context, status_code=state.status)


CERTIFICATE_PAGES: list[type[Controller]] = [CertificatePages]
