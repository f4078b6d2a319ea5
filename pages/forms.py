"""The pages' forms that write (issue 15): what a form posted, kept as typed; its errors, each next
to its field (a validation error's or a domain error's, named by the schema's path and placed on the
form's field by the form's ``locate``); and a write's outcome told to the person (applied at once, or
submitted for district HR's review, with a link to "my submissions").

A form's field names are the schema's paths where they can be (``name``, ``hired_on``); a repeated
row's fields are ``<row>-<n>-<field>`` (``cert-0-number``), its place on the form, which a payload's
index (blank rows left out) is mapped back to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from litestar import Request
from litestar.response import Redirect
from pydantic import BaseModel, ValidationError

from kernel.errors import DomainError, Invalid
from kernel.i18n import _
from kernel.validation_messages import validation_message
from pages.form_support import MY_SUBMISSIONS, after_write, set_flash
from pages.security import CSRF_FIELD
from registry.changes.services import Applied, Submitted

Req = Request[Any, Any, Any]
M = TypeVar("M", bound=BaseModel)
Locate = Callable[[str], str | None]  # a schema's field path → the form's field (None: the whole form's)


MAX_ROWS = 20  # repeated rows a form takes (OnboardingCreate's lists hold at most 20)
MY_CHANGES = MY_SUBMISSIONS


@dataclass
class FormState:
    """A form as typed, with its errors: ``errors`` by the form's field name, ``messages`` for the
    whole form (a rule the submission breaks that names no field of it)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    status: int = 422  # what the form is answered with when it failed

    def get(self, name: str, default: Any = "") -> Any:
        return self.values.get(name, default)

    def many(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return list(value) if isinstance(value, list | tuple) else [value]

    def fail(self, name: str | None, message: str) -> None:
        if name is None:
            if message not in self.messages:
                self.messages.append(message)
        elif name in self.errors:
            if message not in self.errors[name]:
                self.errors[name] += _("; ") + message
        else:
            self.errors[name] = message

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.messages)

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors), None)


async def posted(request: Req, many: Iterable[str] = ()) -> dict[str, Any]:
    """The form's fields as typed (the CSRF token left out); fields in ``many`` as lists."""
    form = await request.form()
    lists = set(many)
    values: dict[str, Any] = {}
    for key in form:
        if key == CSRF_FIELD:
            continue
        items = [v for v in form.getall(key) if isinstance(v, str)]
        values[key] = items if key in lists else (items[-1] if items else "")
    for key in lists:
        values.setdefault(key, [])
    return values


def text(values: dict[str, Any], name: str) -> str:
    value = values.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def optional(values: dict[str, Any], *names: str) -> dict[str, str]:
    """The named fields that were filled in (a blank one is left out: the schema's default)."""
    return {name: text(values, name) for name in names if text(values, name)}


def rows_posted(values: dict[str, Any], prefix: str, fields: Iterable[str], least: int) -> list[int]:
    """The places of a repeated row on the form: every row posted (JavaScript may add rows), at
    least ``least`` (the empty rows a page offers without JavaScript), at most MAX_ROWS."""
    fields = tuple(fields)
    seen = [-1]
    for key in values:
        head, _sep, rest = key.partition("-")
        number, _sep2, name = rest.partition("-")
        if head == prefix and number.isdigit() and name in fields:
            seen.append(int(number))
    return list(range(min(max(max(seen) + 1, least), MAX_ROWS)))


def row_values(values: dict[str, Any], prefix: str, n: int, fields: Iterable[str]) -> dict[str, str]:
    """One row's filled-in fields, by the schema's names."""
    return {f: text(values, f"{prefix}-{n}-{f}") for f in fields if text(values, f"{prefix}-{n}-{f}")}


def validate(model: type[M], payload: dict[str, Any], state: FormState, locate: Locate) -> M | None:
    """The schema's model of ``payload``, or None with each problem in ``state`` next to its field."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            state.fail(locate(path) if path else None, validation_message(str(error["msg"])))
        return None


def refused(exc: DomainError, state: FormState, locate: Locate) -> None:
    """A domain error on the form: each field error next to its field; the error's sentence for the
    whole form unless it only says what the fields say (an invalid field's detail)."""
    placed = True
    for error in exc.errors:
        name = locate(error.field)
        placed = placed and name is not None
        state.fail(name, error.message if name is not None else exc.detail)
    if not exc.errors or not placed or not isinstance(exc, Invalid):
        state.fail(None, exc.detail)


def refusable(exc: DomainError) -> bool:
    """A domain error a form answers itself (a client's mistake or a rule); the rest go on to the
    pages' error handler (503 busy and the like)."""
    return 400 <= exc.status < 500 and exc.status not in (401, 429)


Outcome = Applied | Submitted


async def attempt(write: Awaitable[Outcome], state: FormState, locate: Locate) -> Outcome | None:
    """The write's outcome, or None when the domain refused it: then its messages are on the form and
    ``state.status`` is the API's status for the refusal (4xx)."""
    try:
        return await write
    except DomainError as exc:
        if not refusable(exc):
            raise
        refused(exc, state, locate)
        state.status = exc.status
        return None


def written(request: Req, outcome: Applied | Submitted, done: str, back: str) -> Redirect:
    """After a write: applied (``done`` said, back to ``back``), or submitted for review (said so,
    with the link to my submissions: the data-entry forms' words)."""
    after_write(request, [outcome], done)
    return Redirect(path=back, status_code=303)


def nothing_changed(request: Req, back: str) -> Redirect:
    set_flash(request, _("Nothing was changed."), kind="info")
    return Redirect(path=back, status_code=303)


def same_field(*names: str) -> Locate:
    """A form whose fields are the schema's own (``locate`` for it)."""
    known = set(names)
    return lambda path: path if path in known else None
