"""What the data-entry pages share (issue 15): a form's values as typed, its errors by input (each
message in the reader's language, shown next to its field), and the words after a write: applied at
once (district HR), or sent for review (a kindergarten admin: "已提交，等待区教委审核", with a link to
their submissions).

A form is read as it was typed (text), then turned into the API's input model of the write
(``ResultCreate``, ``EvaluationCreate``, ``SanctionCreate``, ``EntryCreate``): its validation errors
and the domain's refusals (``DomainError.errors`` name the API's fields) are mapped back to the
inputs they concern; a message naming no input is the form's (or its row's) own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from litestar.response import Template
from pydantic import ValidationError

from kernel.auth import Principal
from kernel.errors import DomainError
from kernel.i18n import _, field_label
from kernel.validation_messages import validation_message
from registry.changes.codes import ChangeKind, ChangeStatus
from registry.changes.schemas import ChangeOut
from registry.changes.services import Applied, Submitted, list_changes

MY_SUBMISSIONS = "/my/changes"  # a kindergarten admin's submissions (the review pages)
PENDING_PAGE = 200  # change requests read per query when looking for pending ones

Namer = Callable[[str], str | None]  # an API field's name → the input it came from (None: none)


@dataclass(frozen=True)
class Render:
    """The pages' renderer (``pages.controllers.page``: the template with the navigation, the message
    and the logged-in person), provided by ``mount()`` to every page handler as the dependency named
    ``render``: the data-entry modules are mounted by ``pages.controllers``, so they cannot import it."""

    page: Callable[..., Template]


@dataclass
class FormErrors:
    """Messages by input name (or by a row's key: a message about the whole row), in the order they
    were found (the first one gets the focus), and the form's own messages."""

    fields: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    status: int = 422

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            if message not in self.general:
                self.general.append(message)
        else:
            self.fields.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    @property
    def first(self) -> str | None:
        return next(iter(self.fields), None)

    @property
    def count(self) -> int:
        return len(self.fields) + len(self.general)


def _api_field(loc: Sequence[Any]) -> str:
    return ".".join(str(part) for part in loc) or "body"


def add_validation(errors: FormErrors, exc: ValidationError, name_of: Namer, fallback: str | None = None) -> None:
    """The input model's refusals, each on its input (a field no input gave: on ``fallback``)."""
    for e in exc.errors():
        api_field = _api_field(e["loc"])
        message = validation_message(str(e["msg"]))
        name = name_of(api_field)
        if name is None:
            message = _("{field}: {message}", field=field_label(api_field), message=message)
        errors.add(name if name is not None else fallback, message)


def add_domain(errors: FormErrors, exc: DomainError, name_of: Namer, fallback: str | None = None) -> None:
    """A domain error: each field it names on its input; its whole message on ``fallback`` (a row, or
    the form) when it names no input of the form. Re-raised when it is not the caller's to mend (5xx)."""
    if exc.status >= 500:
        raise exc
    unplaced = not exc.errors
    for e in exc.errors:
        name = name_of(e.field)
        if name is None:
            unplaced = True
        else:
            errors.add(name, e.message)
    if unplaced:
        errors.add(fallback, exc.detail)
    errors.status = exc.status


def refused_item(exc: DomainError, count: int) -> int | None:
    """Which of ``count`` writes (``Changes.write_many``) a domain error refused."""
    item = exc.extra.get("item")
    if isinstance(item, int):
        return item
    return 0 if count == 1 else None


def blank(*values: str) -> bool:
    return not any(v.strip() for v in values)


# --- after a write --------------------------------------------------------------------------------


def set_flash(request: Any, text: str, kind: str = "ok", href: str | None = None, link: str | None = None) -> None:
    """The message the next page shows (base.html), with a link when given."""
    session = request.scope.get("session")
    if not isinstance(session, dict):
        session = {}
    flash: dict[str, str] = {"kind": kind, "text": text}
    if href and link:
        flash.update(href=href, link=link)
    session["flash"] = flash
    request.set_session(session)


def after_write(request: Any, outcomes: Sequence[Applied | Submitted], applied: str) -> None:
    """Say what happened: ``applied`` when the writes were applied; sent for review otherwise."""
    submitted = [o for o in outcomes if isinstance(o, Submitted)]
    if not submitted:
        set_flash(request, applied)
        return
    if len(submitted) == 1:
        text = _("Submitted, waiting for the district's review")
    else:
        text = _("Submitted, waiting for the district's review ({count} records)", count=len(submitted))
    set_flash(request, text, href=MY_SUBMISSIONS, link=_("my submissions"))


async def pending_changes(who: Principal, kind: ChangeKind, kindergarten_id: int | None = None) -> list[ChangeOut]:
    """The change requests of ``kind`` waiting for review that the caller sees (an admin: their
    kindergarten's), so a form shows what is submitted already instead of taking it twice."""
    out: list[ChangeOut] = []
    offset = 0
    while True:
        page = await list_changes(
            who,
            status=ChangeStatus.pending,
            kind=kind,
            kindergarten_id=kindergarten_id,
            limit=PENDING_PAGE,
            offset=offset,
        )
        out.extend(page.items)
        offset += PENDING_PAGE
        if offset >= page.total:
            return out
