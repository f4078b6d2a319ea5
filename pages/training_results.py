"""Training results for a whole session's roster on one form (issue 15).

``/training/sessions`` lists a year's sessions, each with a link to its roster;
``/training/sessions/{id}/results`` is the roster: the people enrolled (a kindergarten admin sees their
own staff only, as the API's enrolment list), each with hours, passed, score and completion day. One
submission is one ``changes.write_many("training.result")``: district HR's results are applied at
once in one transaction, a kindergarten admin's are checked together and kept as one change request
each. Rows left blank are skipped; one bad row and nothing is written: the form comes back with that
row's error beside its field and everything typed kept. People with a result, or with one waiting for
review, are shown as such instead of inputs (a second result would be refused).
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

from kernel.auth import requires
from kernel.common.schemas import Page
from kernel.common.time import today
from kernel.errors import DomainError
from kernel.i18n import _
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
)
from pages.schemas import Pager
from registry.changes.codes import ChangeKind
from registry.changes.schemas import ChangeOut
from registry.changes.services import Changes
from registry.kindergartens.services import get_kindergarten
from training.catalogue import get_course, get_session, list_sessions
from training.enrolments import list_enrolments
from training.schemas import EnrolmentOut, ResultCreate, SessionOut

Req = Request[Any, Any, Any]
FIELDS = ("hours", "passed", "score", "completed_on")
PASSED = {"yes": True, "no": False}
ROSTER_PAGE = 100  # people per roster form (a larger session is paged)
SESSIONS_PAGE = 50
Year = Annotated[int | None, QueryParameter(ge=2000, le=2100, description="sessions of this calendar year")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000, description="rows to skip")]


@dataclass
class ResultRow:
    """One enrolled person on the roster: the inputs' values as typed, or why there are none."""

    key: str  # the inputs' prefix: e<enrolment id>
    enrolment: EnrolmentOut
    kindergarten: str
    pending: ChangeOut | None = None
    values: dict[str, str] = field(default_factory=lambda: dict.fromkeys(FIELDS, ""))

    @property
    def open(self) -> bool:
        return self.enrolment.result is None and self.pending is None


@dataclass
class Roster:
    session: SessionOut
    course_hours: float
    enrolled: Page[EnrolmentOut]
    rows: list[ResultRow]
    offset: int

    @property
    def started(self) -> bool:
        return self.session.starts_on <= today()


def _namer(key: str) -> Namer:
    return lambda api_field: f"{key}-{api_field}" if api_field in FIELDS else None


def _payload(row: ResultRow) -> dict[str, Any]:
    """The row as the API's body: blank inputs left out (a required one is then "required")."""
    v = row.values
    data: dict[str, Any] = {"enrolment_id": row.enrolment.id}
    if v["hours"]:
        data["hours"] = v["hours"]
    if v["passed"]:
        data["passed"] = PASSED.get(v["passed"], v["passed"])
    if v["score"]:
        data["score"] = v["score"]
    if v["completed_on"]:
        data["completed_on"] = v["completed_on"]
    return data


async def sessions_page(who: Any, year: int | None, limit: int, offset: int) -> dict[str, Any]:
    day = today()
    year = year or day.year
    found = await list_sessions(who, from_=date(year, 1, 1), to=date(year, 12, 31), limit=limit, offset=offset)
    return {
        "sessions": found.items,
        "pager": Pager(total=found.total, limit=limit, offset=offset),
        "year": year,
        "years": list(range(day.year + 1, day.year - 4, -1)),
        "today": day,
    }


async def load_roster(who: Any, session_id: int, offset: int) -> Roster:
    session = await get_session(who, session_id)  # none: 404
    course = await get_course(who, session.course_id)
    enrolled = await list_enrolments(who, session_id, limit=ROSTER_PAGE, offset=offset)
    waiting = {
        change.payload.get("enrolment_id"): change for change in await pending_changes(who, ChangeKind.training_result)
    }
    names = {kg: (await get_kindergarten(who, kg)).name for kg in sorted({e.kindergarten_id for e in enrolled.items})}
    rows = [ResultRow(f"e{e.id}", e, names[e.kindergarten_id], waiting.get(e.id)) for e in enrolled.items]
    return Roster(session, course.hours, enrolled, rows, offset)


def roster_context(roster: Roster, errors: FormErrors, reviewed: bool) -> dict[str, Any]:
    s = roster.session
    return {
        "reviewed": reviewed,
        "session": s,
        "course_hours": roster.course_hours,
        "rows": roster.rows,
        "open_rows": sum(r.open for r in roster.rows),
        "started": roster.started,
        "errors": errors,
        "titles": {r.key: r.enrolment.staff_name for r in roster.rows},
        "pager": Pager(total=roster.enrolled.total, limit=ROSTER_PAGE, offset=roster.offset),
        "offset": roster.offset,
        "base": f"/training/sessions/{s.id}/results?",
        "today": today(),
        "year": s.starts_on.year,
    }


async def submit_roster(who: Any, changes: Changes, roster: Roster, form: Any) -> tuple[FormErrors, list[Any], int]:
    """The typed rows written as one (``write_many``), or the errors; the values stay on the rows."""
    errors = FormErrors()
    items: list[tuple[ResultCreate, int | None]] = []
    keys: list[str] = []
    for row in roster.rows:
        if not row.open:
            continue
        row.values = {f: str(form.get(f"{row.key}-{f}") or "").strip() for f in FIELDS}
        if blank(*row.values.values()):
            continue
        try:
            items.append((ResultCreate.model_validate(_payload(row)), None))
            keys.append(row.key)
        except ValidationError as exc:
            add_validation(errors, exc, _namer(row.key), fallback=row.key)
    if not errors and not items:
        errors.add(None, _("Nothing to record: fill in the result of at least one person"))
    if errors:
        return errors, [], 0
    try:
        outcomes = await changes.write_many(who, ChangeKind.training_result, list(items))
    except DomainError as exc:
        index = refused_item(exc, len(items))
        key = keys[index] if index is not None else None
        add_domain(errors, exc, _namer(key) if key else (lambda api_field: None), fallback=key)
        return errors, [], 0
    return errors, list(outcomes), len(items)


class TrainingResultPages(Controller):
    path = "/training/sessions"
    guards = [requires("training.read"), requires("training.result.submit")]

    @get("/", summary="Training sessions of a year, each with a link to its roster's results form")
    async def sessions(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        year: Year = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = SESSIONS_PAGE,
        offset: Offset = 0,
    ) -> Response[Any]:
        context = await sessions_page(request.user, year, limit, offset)
        context["reviewed"] = changes.needs_review(request.user, ChangeKind.training_result)
        return render.page(request, "training_sessions.html", context)

    @get("/{session_id:int}/results", summary="A session's roster: results for everyone enrolled on one form")
    async def roster(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        session_id: FromPath[int],
        offset: Offset = 0,
    ) -> Response[Any]:
        roster = await load_roster(request.user, session_id, offset)
        reviewed = changes.needs_review(request.user, ChangeKind.training_result)
        return render.page(request, "training_roster.html", roster_context(roster, FormErrors(), reviewed))

    @post(
        "/{session_id:int}/results",
        summary="Record the roster's results (district HR: applied; a kindergarten admin: sent for review)",
        status_code=303,
    )
    async def record(
        self,
        request: Req,
        render: NamedDependency[Render],
        changes: NamedDependency[Changes],
        session_id: FromPath[int],
        offset: Offset = 0,
    ) -> Response[Any]:
        roster = await load_roster(request.user, session_id, offset)
        errors, outcomes, count = await submit_roster(request.user, changes, roster, await request.form())
        if errors:
            reviewed = changes.needs_review(request.user, ChangeKind.training_result)
            context = roster_context(roster, errors, reviewed)
            return render.page(request, "training_roster.html", context, status_code=errors.status)
        after_write(request, outcomes, _("Recorded {count} training results", count=count))
        back = f"/training/sessions/{session_id}/results"
        return Redirect(path=back, query_params={"offset": str(offset)}, status_code=303)


CONTROLLERS: list[type[Controller]] = [TrainingResultPages]
