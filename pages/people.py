"""The people forms (issue 15): a new person with her certificates and training results (one
``staff.onboard`` write; without rows: a plain new person), and a record's edit, status change and
transfer (``staff.update`` / ``staff.name`` / ``staff.status`` / ``staff.transfer``).

Each goes through ``changes.write``: district HR's applies at once, a kindergarten admin's is
checked and kept for district HR's review (the page says so, with a link to "my submissions").
Guards are the API's (kernel.auth.PERMISSIONS); a person out of the caller's scope is a 404 page, as
the API answers. An error: the form again, as typed, each message next to its field (4xx).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect

from certificates.onboarding import OnboardingCreate, OnboardingOut
from credits.codes import CourseCategory
from kernel.auth import Principal, requires
from kernel.codes import CertificateType, Role
from kernel.common.time import today
from kernel.errors import DomainError
from kernel.i18n import _
from pages.form_support import Render, set_flash
from pages.forms import (
    MY_CHANGES,
    FormState,
    Locate,
    attempt,
    nothing_changed,
    optional,
    posted,
    refusable,
    row_values,
    rows_posted,
    same_field,
    text,
    validate,
    written,
)
from registry.changes.codes import ChangeKind
from registry.changes.services import Applied, Changes
from registry.kindergartens.schemas import KindergartenOut
from registry.kindergartens.services import get_kindergarten, id_of_code, list_kindergartens
from registry.staff.changes import update_kind
from registry.staff.codes import Education, Employment, Honour, Post, StaffStatus, Title
from registry.staff.schemas import StaffDetail, StaffUpdate, TransferIn
from registry.staff.services import get_staff
from registry.staff.transfers import undo_transfer
from training.catalogue import list_sessions
from training.schemas import SessionOut

Req = Request[Any, Any, Any]
ChangesDep = NamedDependency[Changes]
RenderDep = NamedDependency[Render]

STAFF_FIELDS = ("name", "id_number", "kindergarten_id", "post", "employment", "title", "education", "hired_on")
CERT_FIELDS = ("type", "number", "issuer", "issued_on", "expires_on")
TRAIN_FIELDS = ("session_id", "hours", "passed", "score", "completed_on")
CERT_ROWS, TRAIN_ROWS = 3, 2  # the empty rows offered without JavaScript (blank rows are left out)
ONBOARD_STATUSES = (StaffStatus.on_post, StaffStatus.pending_induction)
EDIT_FIELDS = ("name", "post", "employment", "title", "honours", "education", "hired_on")
SESSION_YEARS = 5  # the induction sessions offered: those of the last five years
KINDERGARTEN_PAGE = 500


def _codes(enum: Any) -> list[str]:
    return [member.value for member in enum]


CHOICES = {
    "posts": _codes(Post),
    "employments": _codes(Employment),
    "titles": _codes(Title),
    "honours": _codes(Honour),
    "educations": _codes(Education),
    "statuses": _codes(StaffStatus),
    "onboard_statuses": [s.value for s in ONBOARD_STATUSES],
    "certificate_types": _codes(CertificateType),
}


# --- what the forms offer --------------------------------------------------------------------------------


async def all_kindergartens(who: Principal) -> list[KindergartenOut]:
    """Every kindergarten the caller sees (district HR: all), by code."""
    out: list[KindergartenOut] = []
    while True:
        page = await list_kindergartens(who, limit=KINDERGARTEN_PAGE, offset=len(out))
        out += page.items
        if not page.items or len(out) >= page.total:
            return out


async def induction_sessions(who: Principal) -> list[SessionOut]:
    """The sessions of induction and principal courses (the training a post certificate needs) of the
    last few years, newest first."""
    since = today() - timedelta(days=365 * SESSION_YEARS)
    found: list[SessionOut] = []
    for category in (CourseCategory.induction, CourseCategory.principal):
        page = await list_sessions(who, category=category.value, from_=since, limit=500, offset=0)
        found += page.items
    return sorted(found, key=lambda s: (s.starts_on, s.id), reverse=True)


def _pairs(kindergartens: list[KindergartenOut]) -> list[tuple[int, str]]:
    return [(k.id, f"{k.code} {k.name}") for k in kindergartens]


# --- a new person ----------------------------------------------------------------------------------------


def onboarding_locate(cert_at: list[int], train_at: list[int], fixed_kindergarten: bool) -> Locate:
    """Where an onboarding error goes: ``staff.X`` on the person's field; ``certificates.i.X`` on the
    form's row that the i-th certificate came from (blank rows are left out of the body)."""

    def locate(path: str) -> str | None:
        head, _dot, rest = path.partition(".")
        if head == "staff":
            if rest == "kindergarten_id" and fixed_kindergarten:
                return None
            return rest if rest in (*STAFF_FIELDS, "honours", "status") else None
        index, _dot2, name = rest.partition(".")
        for section, prefix, at, fields in (
            ("certificates", "cert", cert_at, CERT_FIELDS),
            ("training", "train", train_at, TRAIN_FIELDS),
        ):
            if head == section and index.isdigit() and int(index) < len(at):
                return f"{prefix}-{at[int(index)]}-{name if name in fields else fields[0]}"
        return None

    return locate


def onboarding_payload(who: Principal, values: dict[str, Any]) -> tuple[dict[str, Any], list[int], list[int]]:
    """The body of ``POST /staff/onboarding`` from the form (blank rows left out), and the form's row
    of each certificate and training result in it."""
    staff: dict[str, Any] = optional(values, *STAFF_FIELDS, "status")
    if who.role == Role.kindergarten_admin:
        staff["kindergarten_id"] = who.kindergarten_id
    staff["honours"] = values.get("honours", [])
    certificates, cert_at = [], []
    for n in rows_posted(values, "cert", CERT_FIELDS, CERT_ROWS):
        row = row_values(values, "cert", n, CERT_FIELDS)
        if row:
            certificates.append(row)
            cert_at.append(n)
    training, train_at = [], []
    for n in rows_posted(values, "train", TRAIN_FIELDS, TRAIN_ROWS):
        row = row_values(values, "train", n, TRAIN_FIELDS)
        if set(row) - {"passed"}:  # "passed" has a default: a row with nothing else is blank
            training.append(row)
            train_at.append(n)
    return {"staff": staff, "certificates": certificates, "training": training}, cert_at, train_at


async def new_person_context(who: Principal, state: FormState) -> dict[str, Any]:
    if who.role == Role.kindergarten_admin:
        own = [await get_kindergarten(who, who.kindergarten_id)] if who.kindergarten_id is not None else []
        kindergartens, fixed = _pairs(own), own[0] if own else None
    else:
        kindergartens, fixed = _pairs(await all_kindergartens(who)), None
    return {
        "state": state,
        "kindergartens": kindergartens,
        "fixed_kindergarten": fixed,
        "sessions": [(s.id, s) for s in await induction_sessions(who)],
        "cert_rows": rows_posted(state.values, "cert", CERT_FIELDS, CERT_ROWS),
        "train_rows": rows_posted(state.values, "train", TRAIN_FIELDS, TRAIN_ROWS),
        **CHOICES,
    }


def new_person_defaults(who: Principal, kindergarten_id: int | None) -> dict[str, Any]:
    values: dict[str, Any] = {
        "post": Post.teacher.value,
        "employment": Employment.contract.value,
        "title": Title.none.value,
        "status": StaffStatus.on_post.value,
        "honours": [],
    }
    if who.role != Role.kindergarten_admin and kindergarten_id is not None:
        values["kindergarten_id"] = str(kindergarten_id)
    for n in range(TRAIN_ROWS):
        values[f"train-{n}-passed"] = "true"
    return values


# --- a record's edit, status and transfer ------------------------------------------------------------------


def record_values(person: StaffDetail) -> dict[str, Any]:
    """The record as the edit form shows it (text, as typed)."""
    return {
        "name": person.name,
        "id_number": person.id_number,
        "post": person.post.value,
        "employment": person.employment.value,
        "title": person.title.value,
        "honours": [h.value for h in person.honours],
        "education": person.education.value if person.education else "",
        "hired_on": person.hired_on.isoformat() if person.hired_on else "",
        "status": person.status.value,
        "left_on": person.left_on.isoformat() if person.left_on else "",
    }


def edited(who: Principal, person: StaffDetail, values: dict[str, Any]) -> dict[str, Any]:
    """A PATCH of the fields changed on the form (only those: a reviewer sees just what changes)."""
    now = record_values(person)
    fields = (*EDIT_FIELDS, "id_number") if who.role == Role.district_hr else EDIT_FIELDS
    patch: dict[str, Any] = {}
    for name in fields:
        if name == "honours":
            chosen = [v for v in values.get("honours", []) if isinstance(v, str)]
            if sorted(chosen) != sorted(now["honours"]):
                patch["honours"] = chosen
            continue
        if name not in values:
            continue
        typed, old = text(values, name), now[name]
        if (typed.upper() == old.upper()) if name == "id_number" else typed == old:
            continue
        patch[name] = None if typed == "" and name in ("education", "hired_on") else typed
    return patch


def status_patch(person: StaffDetail, values: dict[str, Any]) -> dict[str, Any]:
    status, left_on = text(values, "status"), text(values, "left_on")
    patch: dict[str, Any] = {}
    if status != person.status.value:
        patch["status"] = status
    if status == StaffStatus.left.value and left_on and left_on != record_values(person)["left_on"]:
        patch["left_on"] = left_on
    return patch


async def transfer_context(who: Principal, person: StaffDetail, state: FormState) -> dict[str, Any]:
    others: list[tuple[int, str]] = []
    if who.role == Role.district_hr:
        others = [p for p in _pairs(await all_kindergartens(who)) if p[0] != person.kindergarten_id]
    return {"person": person, "state": state, "kindergartens": others, "today": today(), **CHOICES}


def transfer_locate(who: Principal) -> Locate:
    """A kindergarten admin names the new kindergarten by its code: its errors go there."""
    where = "kindergarten_id" if who.role == Role.district_hr else "kindergarten_code"
    fields = same_field("on", "post", "reason")
    return lambda path: where if path == "kindergarten_id" else fields(path)


async def transfer_payload(who: Principal, person: StaffDetail, state: FormState) -> TransferIn | None:
    """The transfer's body from the form (None: the form's errors are in ``state``)."""
    values = state.values
    payload: dict[str, Any] = optional(values, "on", "reason")
    if text(values, "post") and text(values, "post") != person.post.value:
        payload["post"] = text(values, "post")
    if who.role == Role.district_hr:
        payload["kindergarten_id"] = text(values, "kindergarten_id")
    else:
        code = text(values, "kindergarten_code")
        found = await id_of_code(code) if code else None
        if not code:
            state.fail("kindergarten_code", _("is required"))
        elif found is None:
            state.fail("kindergarten_code", _("no kindergarten with code {code}", code=code))
        payload["kindergarten_id"] = found if found is not None else 0  # the code's error is said already
    data = validate(TransferIn, payload, state, transfer_locate(who))
    return None if state.failed else data


# --- the pages -----------------------------------------------------------------------------------------------


class PeoplePages(Controller):
    path = "/staff"

    @get("/new", guards=[requires("staff.onboard")], summary="Form: a new person with certificates and training")
    async def new_form(
        self, request: Req, render: RenderDep, kindergarten_id: FromQuery[int | None] = None
    ) -> Response[Any]:
        state = FormState(new_person_defaults(request.user, kindergarten_id))
        return render.page(request, "person_new.html", await new_person_context(request.user, state))

    @post("/new", guards=[requires("staff.onboard")], summary="Register a new person (staff.onboard)", status_code=303)
    async def new(self, request: Req, render: RenderDep, changes: ChangesDep) -> Response[Any]:
        who: Principal = request.user
        state = FormState(await posted(request, many=("honours",)))
        payload, cert_at, train_at = onboarding_payload(who, state.values)
        locate = onboarding_locate(cert_at, train_at, who.role == Role.kindergarten_admin)
        data = validate(OnboardingCreate, payload, state, locate)
        if data is not None:
            outcome = await attempt(changes.write(who, ChangeKind.staff_onboard, data), state, locate)
            if isinstance(outcome, Applied) and isinstance(outcome.result, OnboardingOut):
                done = _("{name} is registered", name=outcome.result.staff.name)
                return written(request, outcome, done, f"/staff/{outcome.result.id}")
            if outcome is not None:
                return written(request, outcome, "", MY_CHANGES)
        context = await new_person_context(who, state)
        return render.page(request, "person_new.html", context, status_code=state.status)

    @get("/{staff_id:int}/edit", guards=[requires("staff.read"), requires("staff.write")], summary="Form: edit")
    async def edit_form(self, request: Req, render: RenderDep, staff_id: FromPath[int]) -> Response[Any]:
        person = await get_staff(request.user, staff_id)
        state = FormState(record_values(person))
        return render.page(request, "person_edit.html", {"person": person, "state": state, **CHOICES})

    @post(
        "/{staff_id:int}/edit",
        guards=[requires("staff.read"), requires("staff.write")],
        summary="Edit a record (PATCH of the fields changed)",
        status_code=303,
    )
    async def edit(
        self, request: Req, render: RenderDep, changes: ChangesDep, staff_id: FromPath[int]
    ) -> Response[Any]:
        who: Principal = request.user
        person = await get_staff(who, staff_id)
        state = FormState(await posted(request, many=("honours",)))
        back = f"/staff/{staff_id}"
        patch = edited(who, person, state.values)
        if not patch:
            return nothing_changed(request, back)
        locate = same_field(*EDIT_FIELDS, "id_number")
        data = validate(StaffUpdate, patch, state, locate)
        if data is not None:
            outcome = await attempt(changes.write(who, update_kind(data), data, staff_id), state, locate)
            if outcome is not None:
                return written(request, outcome, _("The record of {name} is saved", name=person.name), back)
        context = {"person": person, "state": state, **CHOICES}
        return render.page(request, "person_edit.html", context, status_code=state.status)

    @get("/{staff_id:int}/status", guards=[requires("staff.read"), requires("staff.write")], summary="Form: status")
    async def status_form(self, request: Req, render: RenderDep, staff_id: FromPath[int]) -> Response[Any]:
        person = await get_staff(request.user, staff_id)
        state = FormState(record_values(person))
        return render.page(request, "person_status.html", {"person": person, "state": state, **CHOICES})

    @post(
        "/{staff_id:int}/status",
        guards=[requires("staff.read"), requires("staff.write")],
        summary="Change a record's status (on post, on leave, pending induction, left)",
        status_code=303,
    )
    async def status(
        self, request: Req, render: RenderDep, changes: ChangesDep, staff_id: FromPath[int]
    ) -> Response[Any]:
        who: Principal = request.user
        person = await get_staff(who, staff_id)
        state = FormState(await posted(request))
        back = f"/staff/{staff_id}"
        patch = status_patch(person, state.values)
        if not patch:
            return nothing_changed(request, back)
        locate = same_field("status", "left_on")
        data = validate(StaffUpdate, patch, state, locate)
        if data is not None:
            outcome = await attempt(changes.write(who, update_kind(data), data, staff_id), state, locate)
            if outcome is not None:
                return written(request, outcome, _("The status of {name} is changed", name=person.name), back)
        context = {"person": person, "state": state, **CHOICES}
        return render.page(request, "person_status.html", context, status_code=state.status)

    @get("/{staff_id:int}/transfer", guards=[requires("staff.read"), requires("staff.transfer")], summary="Form")
    async def transfer_form(self, request: Req, render: RenderDep, staff_id: FromPath[int]) -> Response[Any]:
        person = await get_staff(request.user, staff_id)
        state = FormState({"on": today().isoformat(), "post": person.post.value})
        return render.page(request, "person_transfer.html", await transfer_context(request.user, person, state))

    @post(
        "/{staff_id:int}/transfer",
        guards=[requires("staff.read"), requires("staff.transfer")],
        summary="Transfer a person to another kindergarten (an admin's: reviewed)",
        status_code=303,
    )
    async def transfer(
        self, request: Req, render: RenderDep, changes: ChangesDep, staff_id: FromPath[int]
    ) -> Response[Any]:
        who: Principal = request.user
        person = await get_staff(who, staff_id)
        state = FormState(await posted(request))
        data = await transfer_payload(who, person, state)
        if data is not None:
            write = changes.write(who, ChangeKind.staff_transfer, data, staff_id)
            outcome = await attempt(write, state, transfer_locate(who))
            if outcome is not None:
                return written(request, outcome, _("{name} is transferred", name=person.name), f"/staff/{staff_id}")
        context = await transfer_context(who, person, state)
        return render.page(request, "person_transfer.html", context, status_code=state.status)

    @post(
        "/{staff_id:int}/transfer/undo",
        guards=[requires("staff.read"), requires("staff.transfer.undo")],
        summary="Undo the person's transfer made today (district HR)",
        status_code=303,
    )
    async def undo(self, request: Req, staff_id: FromPath[int]) -> Redirect:
        """A button on the person's page: the domain says why not (a 409 with its reason) when the
        latest transfer was not made today or the record changed since."""
        who: Principal = request.user
        person = await get_staff(who, staff_id)
        try:
            await undo_transfer(who, staff_id)
        except DomainError as exc:
            if not refusable(exc):
                raise
            set_flash(request, exc.detail, kind="error")
        else:
            set_flash(request, _("The transfer of {name} made today is undone", name=person.name))
        return Redirect(path=f"/staff/{staff_id}", status_code=303)


PEOPLE_PAGES: list[type[Controller]] = [PeoplePages]
