"""A credit entry for one person (issue 15): ``/staff/{id}/credits/new``, linked from the person's
credits. Date, category, source, hours, a note, and (district HR only: the ledger's rule) credits set
by hand; one submission is one ``changes.write("credit.entry")`` (``credits.ledger.create_entry``):
district HR's applied at once, a kindergarten admin's (their own staff) kept as a change request."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from pydantic import ValidationError

from credits.codes import CourseCategory, CreditSource
from credits.schemas import EntryCreate
from kernel.auth import requires
from kernel.codes import Role, label
from kernel.common.time import today
from kernel.errors import DomainError
from kernel.i18n import _
from pages.form_support import FormErrors, Namer, Render, add_domain, add_validation, after_write
from registry.changes.codes import ChangeKind
from registry.changes.services import Changes
from registry.staff.services import get_staff

Req = Request[Any, Any, Any]
FIELDS = ("date", "category", "source", "hours", "credits", "reason")


def _payload(staff_id: int, values: dict[str, str], sets_credits: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"staff_id": staff_id, "reason": values["reason"]}
    for name in ("date", "category", "source", "hours"):
        if values[name]:
            data[name] = values[name]
    if sets_credits and values["credits"]:
        data["credits"] = values["credits"]
    return data


async def entry_context(
    who: Any, staff_id: int, values: dict[str, str], errors: FormErrors, reviewed: bool
) -> dict[str, Any]:
    person = await get_staff(who, staff_id)  # out of scope: 404
    return {
        "person": person,
        "values": values,
        "errors": errors,
        "categories": [(c.value, label(CourseCategory, c.value)) for c in CourseCategory],
        "sources": [(s.value, label(CreditSource, s.value)) for s in CreditSource],
        "sets_credits": who.role == Role.district_hr,
        "reviewed": reviewed,
        "today": today(),
    }


class CreditEntryPages(Controller):
    path = "/staff/{staff_id:int}/credits/new"
    guards = [requires("staff.read"), requires("credits.read"), requires("credits.write")]

    @get("/", summary="The form for one person's credit entry")
    async def form(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        staff_id: FromPath[int],
    ) -> Response[Any]:
        values = dict.fromkeys(FIELDS, "")
        values["date"] = today().isoformat()
        reviewed = changes.needs_review(request.user, ChangeKind.credit_entry)
        context = await entry_context(request.user, staff_id, values, FormErrors(), reviewed)
        return render.page(request, "credit_entry.html", context)

    @post(
        "/", summary="Record the entry (district HR: applied; a kindergarten admin: sent for review)", status_code=303
    )
    async def record(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        staff_id: FromPath[int],
    ) -> Response[Any]:
        who = request.user
        form = await request.form()
        values = {f: str(form.get(f) or "").strip() for f in FIELDS}
        sets_credits = who.role == Role.district_hr
        errors = FormErrors()
        name_of: Namer = lambda f: f if f in FIELDS else None  # noqa: E731
        await get_staff(who, staff_id)  # out of scope: the page's 404, before anything is read
        try:
            data = EntryCreate.model_validate(_payload(staff_id, values, sets_credits))
            outcome = await changes.write(who, ChangeKind.credit_entry, data)
        except ValidationError as exc:
            add_validation(errors, exc, name_of)
        except DomainError as exc:
            add_domain(errors, exc, name_of)
        if errors:
            reviewed = changes.needs_review(who, ChangeKind.credit_entry)
            context = await entry_context(who, staff_id, values, errors, reviewed)
            return render.page(request, "credit_entry.html", context, status_code=errors.status)
        after_write(request, [outcome], _("Credit entry recorded"))
        return Redirect(path=f"/staff/{staff_id}/credits", status_code=303)


CONTROLLERS: list[type[Controller]] = [CreditEntryPages]
