"""The ethics forms (issue 15).

- ``/kindergartens/{id}/ethics-evaluations``: the annual evaluation (师德考核) of a kindergarten's whole
  roster on one form (``ethics.roster.evaluation_roster``: on post in the posts the policy evaluates):
  a school year, the day evaluated, and a grade (and a note) per person; people evaluated for that
  year already are shown with their grade, and a grade given to them is a correction of it
  (``supersedes``: the evaluation shown). One submission is one ``changes.write_many
  ("ethics.evaluation")``: district HR's applied at once, a kindergarten admin's (their own
  kindergarten) each a change request. Blank rows are skipped; one bad row writes nothing.
- ``/staff/{id}/sanctions``: a person's sanctions and the form that records one, or an appeal's outcome
  that changes or lifts one (district HR only: ``ethics.services.add_sanction``, not reviewed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from pydantic import ValidationError

from ethics.codes import EthicsGrade, SanctionKind, SanctionOutcome
from ethics.roster import evaluation_roster
from ethics.rules import latest_ended_school_year, school_year_of
from ethics.schemas import EvaluationCreate, EvaluationRoster, RosterEntry, SanctionCreate
from ethics.services import add_sanction, staff_ethics
from kernel.auth import requires
from kernel.codes import label
from kernel.common.text import chinese_part
from kernel.common.time import today
from kernel.errors import DomainError
from kernel.i18n import _
from kernel.policy import policy_on
from pages.form_support import (
    FormErrors,
    Namer,
    Render,
    add_domain,
    add_validation,
    after_write,
    blank,
    pending_changes,
    refused_item,
    set_flash,
)
from registry.changes.codes import ChangeKind
from registry.changes.schemas import ChangeOut
from registry.changes.services import Changes
from registry.kindergartens.services import get_kindergarten
from registry.staff.services import get_staff

Req = Request[Any, Any, Any]
SchoolYear = Annotated[
    str | None, QueryParameter(pattern=r"^\d{4}-\d{4}$", description='e.g. "2025-2026"; default: the one evaluated now')
]
ROW_FIELDS = ("grade", "note")
APPEAL_OUTCOMES = (SanctionOutcome.changed, SanctionOutcome.lifted)
SANCTION_FIELDS = ("supersedes", "outcome", "violation", "sanction", "decided_on", "facts", "revoke_qualification")


def evaluated_year(day: date) -> str:
    """The school year evaluated on ``day``: the annual evaluation is made as a year ends (June to
    August: the year ending), otherwise the last year that has ended."""
    return school_year_of(day) if 6 <= day.month <= 8 else latest_ended_school_year(day)


def school_years(day: date) -> list[str]:
    """The years a form offers: the one evaluated now and the three before it."""
    first = int(evaluated_year(day)[:4])
    return [f"{y}-{y + 1}" for y in range(first, first - 4, -1)]


# --- the annual evaluation of a roster -------------------------------------------------------------------------


@dataclass
class EvaluationRow:
    key: str  # the inputs' prefix: s<staff id>
    person: RosterEntry
    pending: ChangeOut | None = None
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(ROW_FIELDS, ""))


def _row_namer(key: str) -> Namer:
    def name_of(api_field: str) -> str | None:
        if api_field in ROW_FIELDS:
            return f"{key}-{api_field}"
        return "evaluated_on" if api_field == "evaluated_on" else None

    return name_of


async def _evaluation_rows(who: Any, roster: EvaluationRoster) -> list[EvaluationRow]:
    waiting = {
        c.target_id: c
        for c in await pending_changes(who, ChangeKind.ethics_evaluation, roster.kindergarten_id)
        if c.payload.get("school_year") == roster.school_year
    }
    return [EvaluationRow(f"s{p.staff_id}", p, waiting.get(p.staff_id)) for p in roster.people]


async def evaluation_context(
    who: Any,
    kindergarten_id: int,
    school_year: str,
    rows: list[EvaluationRow] | None,
    roster: EvaluationRoster | None,
    errors: FormErrors,
    evaluated_on: str,
    reviewed: bool,
) -> dict[str, Any]:
    kg = await get_kindergarten(who, kindergarten_id)
    roster = roster or await evaluation_roster(who, kindergarten_id, school_year)
    rows = rows if rows is not None else await _evaluation_rows(who, roster)
    day = today()
    return {
        "kg": kg,
        "roster": roster,
        "rows": rows,
        "school_year": roster.school_year,
        "school_years": school_years(day),
        "evaluated_on": evaluated_on or day.isoformat(),
        "grades": [(g.value, label(EthicsGrade, g.value)) for g in EthicsGrade],
        "errors": errors,
        "titles": {r.key: r.person.name for r in rows},
        "evaluated": sum(r.person.evaluation_id is not None for r in rows),
        "reviewed": reviewed,
        "today": day,
    }


async def submit_evaluations(
    who: Any, changes: Changes, roster: EvaluationRoster, rows: list[EvaluationRow], form: Any
) -> tuple[FormErrors, list[Any], int]:
    errors = FormErrors()
    evaluated_on = str(form.get("evaluated_on") or "").strip()
    items: list[tuple[EvaluationCreate, int | None]] = []
    keys: list[str] = []
    for row in rows:
        if row.pending is not None:
            continue
        row.values = {f: str(form.get(f"{row.key}-{f}") or "").strip() for f in ROW_FIELDS}
        if blank(row.values["grade"]):
            if row.values["note"]:
                errors.add(f"{row.key}-grade", _("choose a grade, or clear the note"))
            continue
        data: dict[str, Any] = {"school_year": roster.school_year, **row.values}
        if evaluated_on:
            data["evaluated_on"] = evaluated_on
        shown = str(form.get(f"{row.key}-supersedes") or "").strip()
        if shown:
            data["supersedes"] = shown
        try:
            items.append((EvaluationCreate.model_validate(data), row.person.staff_id))
            keys.append(row.key)
        except ValidationError as exc:
            add_validation(errors, exc, _row_namer(row.key), fallback=row.key)
    if not errors and not items:
        errors.add(None, _("Nothing to record: choose the grade of at least one person"))
    if errors:
        return errors, [], 0
    try:
        outcomes = await changes.write_many(who, ChangeKind.ethics_evaluation, list(items))
    except DomainError as exc:
        index = refused_item(exc, len(items))
        key = keys[index] if index is not None else None
        name_of = _row_namer(key) if key else (lambda f: "evaluated_on" if f == "evaluated_on" else None)
        add_domain(errors, exc, name_of, fallback=key)
        return errors, [], 0
    return errors, list(outcomes), len(items)


class EthicsEvaluationPages(Controller):
    path = "/kindergartens/{kindergarten_id:int}/ethics-evaluations"
    guards = [requires("kindergarten.read"), requires("ethics.read"), requires("ethics.evaluate")]

    @get("/", summary="The annual ethics evaluation of a kindergarten's roster, on one form")
    async def roster(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        kindergarten_id: FromPath[int],
        school_year: SchoolYear = None,
    ) -> Response[Any]:
        who = request.user
        year = school_year or evaluated_year(today())
        reviewed = changes.needs_review(who, ChangeKind.ethics_evaluation)
        context = await evaluation_context(who, kindergarten_id, year, None, None, FormErrors(), "", reviewed)
        return render.page(request, "ethics_roster.html", context)

    @post(
        "/",
        summary="Record the roster's evaluations (district HR: applied; a kindergarten admin: sent for review)",
        status_code=303,
    )
    async def record(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        kindergarten_id: FromPath[int],
    ) -> Response[Any]:
        who = request.user
        form = await request.form()
        year = str(form.get("school_year") or "") or evaluated_year(today())
        roster = await evaluation_roster(who, kindergarten_id, year)  # another kindergarten: 404
        rows = await _evaluation_rows(who, roster)
        errors, outcomes, count = await submit_evaluations(who, changes, roster, rows, form)
        if errors:
            reviewed = changes.needs_review(who, ChangeKind.ethics_evaluation)
            evaluated_on = str(form.get("evaluated_on") or "")
            context = await evaluation_context(who, kindergarten_id, year, rows, roster, errors, evaluated_on, reviewed)
            return render.page(request, "ethics_roster.html", context, status_code=errors.status)
        after_write(request, outcomes, _("Recorded {count} ethics evaluations", count=count))
        return Redirect(
            path=f"/kindergartens/{kindergarten_id}/ethics-evaluations",
            query_params={"school_year": year},
            status_code=303,
        )


# --- a sanction (district HR) ----------------------------------------------------------------------------------


def _sanction_payload(values: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "facts": values["facts"],
        "revoke_qualification": values["revoke_qualification"] == "yes",
    }
    for name in ("supersedes", "outcome", "violation", "sanction", "decided_on"):
        if values[name]:
            data[name] = values[name]
    return data


async def sanction_context(who: Any, staff_id: int, values: dict[str, str], errors: FormErrors) -> dict[str, Any]:
    person = await get_staff(who, staff_id)  # out of scope: 404
    record = await staff_ethics(who, staff_id)
    day = today()
    return {
        "person": person,
        "record": record,
        "veto_words": chinese_part(record.veto_today.detail) if record.veto_today else "",
        "appealable": [s for s in record.sanctions if s.current and s.outcome != SanctionOutcome.lifted],
        "values": values,
        "errors": errors,
        "kinds": [(k.value, label(SanctionKind, k.value)) for k in SanctionKind],
        "outcomes": [(o.value, label(SanctionOutcome, o.value)) for o in APPEAL_OUTCOMES],
        "violations": list(range(1, policy_on(day).ethics.violation_kinds + 1)),
        "today": day,
    }


class SanctionPages(Controller):
    path = "/staff/{staff_id:int}/sanctions"
    guards = [requires("staff.read"), requires("ethics.read"), requires("ethics.sanction")]

    @get("/", summary="A person's sanctions, and the form that records one or an appeal's outcome")
    async def form(self, request: Req, render: NamedDependency[Render], staff_id: FromPath[int]) -> Response[Any]:
        values = dict.fromkeys(SANCTION_FIELDS, "")
        values["decided_on"] = today().isoformat()
        context = await sanction_context(request.user, staff_id, values, FormErrors())
        return render.page(request, "sanction_form.html", context)

    @post("/", summary="Record a sanction, or an appeal's outcome (district HR)", status_code=303)
    async def record(self, request: Req, render: NamedDependency[Render], staff_id: FromPath[int]) -> Response[Any]:
        who = request.user
        form = await request.form()
        values = {f: str(form.get(f) or "").strip() for f in SANCTION_FIELDS}
        errors = FormErrors()
        name_of: Namer = lambda f: f if f in SANCTION_FIELDS else None  # noqa: E731
        try:
            out = await add_sanction(who, staff_id, SanctionCreate.model_validate(_sanction_payload(values)))
        except ValidationError as exc:
            add_validation(errors, exc, name_of)
        except DomainError as exc:
            if exc.status == 404 and not exc.errors:
                raise  # the person is not in the caller's scope: the page's 404
            add_domain(errors, exc, name_of)
        if errors:
            context = await sanction_context(who, staff_id, values, errors)
            return render.page(request, "sanction_form.html", context, status_code=errors.status)
        if out.revoked_certificate_id is not None:
            set_flash(request, _("Sanction recorded; the teacher qualification was revoked"))
        else:
            set_flash(request, _("Sanction recorded"))
        return Redirect(path=f"/staff/{staff_id}/sanctions", status_code=303)


CONTROLLERS: list[type[Controller]] = [EthicsEvaluationPages, SanctionPages]
