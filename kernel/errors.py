"""Domain errors, and the one place that turns any error into an RFC 9457 problem document.

Services raise the domain errors below and never HTTP exceptions; ``exception_handlers``
is registered once on the app.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from pydantic import BaseModel, ValidationError

from kernel.i18n import N_, _, field_label, translate
from kernel.validation_messages import validation_message

log = logging.getLogger("registry.errors")

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://registry.chaoyang.example/problems/"


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


@dataclass
class DomainError(Exception):
    """``detail`` and the field messages are made with ``kernel.i18n._`` (the reader's language);
    ``title`` is a catalogue message (``N_``) translated when answered; ``code``, when given, a
    stable English name of the rule for programs (default: ``kind``)."""

    detail: str
    errors: list[FieldError] = field(default_factory=list)
    status: int = 500
    title: str = N_("Error")
    kind: str = "error"
    extra: dict[str, Any] = field(default_factory=dict)
    code: str | None = None

    def __str__(self) -> str:
        return self.detail


class NotFound(DomainError):
    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail=detail, status=404, title=N_("Not found"), kind="not-found", extra=extra)


class Conflict(DomainError):
    """A duplicate, or a rule of the domain that the request would break."""

    def __init__(
        self, detail: str, errors: list[FieldError] | None = None, code: str | None = None, **extra: Any
    ) -> None:
        super().__init__(
            detail=detail,
            errors=errors or [],
            status=409,
            title=N_("Conflict"),
            kind="conflict",
            extra=extra,
            code=code,
        )


class Forbidden(DomainError):
    def __init__(self, detail: str, code: str | None = None) -> None:
        super().__init__(detail=detail, status=403, title=N_("Forbidden"), kind="forbidden", code=code)


class Invalid(DomainError):
    """A field value that is well-formed JSON but breaks a rule of its own (422)."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None, code: str | None = None) -> None:
        super().__init__(
            detail=detail, errors=errors or [], status=422, title=N_("Invalid field"), kind="invalid", code=code
        )

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        return cls(_("{field}: {message}", field=field_label(name), message=message), [FieldError(name, message)])

    @classmethod
    def fields(cls, errors: list[FieldError], labels: Mapping[str, str] | None = None) -> Invalid:
        """One 422 naming every field in ``errors``; ``labels`` names a field where the shared name
        would mislead (a course's ``title`` is not a person's 职称)."""
        names = labels or {}
        detail = _("; ").join(
            _("{field}: {message}", field=names.get(e.field) or field_label(e.field), message=e.message) for e in errors
        )
        return cls(detail, errors)

    @classmethod
    def of(cls, exc: ValidationError, labels: Mapping[str, str] | None = None) -> Invalid:
        """A schema's validation error, checked in a service rather than by the framework (a form's text
        fields), as the same 422 the framework gives a JSON body."""
        return cls.fields(
            [
                FieldError(".".join(str(p) for p in e["loc"]) or "body", validation_message(str(e["msg"])))
                for e in exc.errors()
            ],
            labels,
        )


class BadRequest(DomainError):
    def __init__(self, detail: str, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail=detail, errors=errors or [], status=400, title=N_("Bad request"), kind="bad-request")


class TooLarge(DomainError):
    """A body, file or table over a configured limit (413)."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(
            detail=detail, errors=errors or [], status=413, title=N_("Too large"), kind="too-large", extra=extra
        )


class UnsupportedMediaType(DomainError):
    """Content the endpoint cannot read at all, e.g. an upload that is not a spreadsheet (415)."""

    def __init__(self, detail: str, errors: list[FieldError] | None = None, **extra: Any) -> None:
        super().__init__(
            detail=detail,
            errors=errors or [],
            status=415,
            title=N_("Unsupported media type"),
            kind="unsupported-media-type",
            extra=extra,
        )


class Unauthorized(DomainError):
    def __init__(self, detail: str) -> None:
        super().__init__(detail=detail, status=401, title=N_("Unauthorized"), kind="unauthorized")


class TooManyAttempts(DomainError):
    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(
            detail=detail,
            status=429,
            title=N_("Too many attempts"),
            kind="too-many-attempts",
            extra={"retry_after": retry_after},
        )


class Busy(DomainError):
    """Work the service does a bounded number of at once (long tasks: exports, PDFs; password
    hashing) has its slots taken and more waiting than it can start soon: try again (Retry-After),
    instead of a queue that grows without end."""

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(
            detail=detail,
            status=503,
            title=N_("Busy"),
            kind="busy",
            extra={"retry_after": retry_after},
        )


class ProblemFieldOut(BaseModel):
    field: str
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered: ``title``, ``detail`` and the
    fields' messages in the reader's language (Chinese; English with ``Accept-Language: en``),
    ``code`` and the fields' names in stable English for programs."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemFieldOut] | None = None


PROBLEM_DESCRIPTIONS = {
    400: "Malformed JSON, or a bad or unknown query parameter",
    401: "No token, or an expired or tampered one",
    403: "The caller's role may not do this",
    404: "No such row, or one outside the caller's scope",
    409: "A duplicate, or a rule of the domain that the request would break",
    413: "The body is over the size limit",
    415: "The uploaded content is of a type the endpoint cannot read (e.g. not a spreadsheet)",
    422: "A field breaks its rule; `errors` names each field and the reason",
    429: "Too many failed logins for this username from this address (or, from an address it has not "
    "logged in from, from everywhere): try again after Retry-After seconds",
    503: "Too many long tasks (exports, PDFs) or logins are running or waiting: try again after Retry-After seconds",
}


def problem_responses(codes: list[int]) -> dict[int, Any]:
    """OpenAPI response specs for the given error codes (all answered as problem details)."""

    return {
        code: ResponseSpec(
            data_container=ProblemDetails,
            description=PROBLEM_DESCRIPTIONS[code],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for code in codes
    }


def problem(
    status: int,
    title: str,
    detail: str,
    kind: str,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    code: str | None = None,
    /,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """A problem document; ``title`` a catalogue message (translated here), ``detail`` already in the
    reader's language; ``extra`` adds extension members (any name, e.g. an import's ``kind`` and row
    ``errors``: the parameters are positional-only so they never collide)."""
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind,
        "title": translate(title),
        "status": status,
        "detail": detail,
        "code": code or kind,
    }
    if errors:
        body["errors"] = [{"field": e.field, "message": e.message} for e in errors]
    body.update(extra)
    return Response(content=body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _domain_handler(_request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    headers = None
    if isinstance(exc, TooManyAttempts | Busy):
        headers = {"Retry-After": str(exc.extra["retry_after"])}
    return problem(exc.status, exc.title, exc.detail, exc.kind, exc.errors, headers, exc.code, **exc.extra)


def _field_path(key: Any) -> str:
    return str(key) if key else "body"


def _validation_handler(_request: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    # Litestar raises ValidationException both for bodies it cannot decode at all (400)
    # and for values that decode but fail validation (422).
    if not extra:
        if not exc.detail:
            return problem(400, N_("Malformed request"), _("the request body is not valid JSON"), "malformed")
        # the decoder's own words (where it stopped) kept, for whoever mends the request
        return problem(
            400,
            N_("Malformed request"),
            _("the request body is not valid JSON ({reason})", reason=translate(exc.detail)),
            "malformed",
        )
    errors: list[FieldError] = []
    for item in extra:
        if isinstance(item, dict):
            errors.append(
                FieldError(_field_path(item.get("key")), validation_message(str(item.get("message", "invalid"))))
            )
        else:  # pragma: no cover - defensive
            errors.append(FieldError("body", validation_message(str(item))))
    sources = {item.get("source") for item in extra if isinstance(item, dict)}
    if sources & {"query", "path", "header", "cookie"}:
        status, title = 400, N_("Invalid parameter")
    else:
        status, title = 422, N_("Invalid field")
    detail = _("; ").join(_("{field}: {message}", field=field_label(e.field), message=e.message) for e in errors)
    return problem(status, title, detail, "invalid" if status == 422 else "bad-request", errors)


# Litestar's own words that reach a client as a problem's detail (translated where shown)
FRAMEWORK_WORDS = (
    N_("Invalid multipart/form-data"),
    N_("Unexpected eof in multipart/form-data"),
    N_("Request Entity Too Large"),
    N_("Not Found"),
)


def _http_handler(_request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    status = exc.status_code
    titles = {
        400: N_("Malformed request"),
        401: N_("Unauthorized"),
        403: N_("Forbidden"),
        404: N_("Not found"),
        405: N_("Method not allowed"),
        413: N_("Request body too large"),
        429: N_("Too many requests"),
    }
    kinds = {
        400: "malformed",
        401: "unauthorized",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        413: "too-large",
        429: "too-many-requests",
    }
    # Litestar's own words (its routing, its body limit) are catalogue messages too; ours are made
    # with _ where they are raised
    detail = translate(exc.detail) if exc.detail else translate(titles.get(status, N_("Error")))
    if exc.detail and exc.detail.startswith("JSON is malformed"):  # the decoder's words: where it stopped
        detail = _("the request body is not valid JSON ({reason})", reason=exc.detail)
    if isinstance(exc, NotAuthorizedException) and not exc.detail:
        detail = _("authentication required")
    if isinstance(exc, PermissionDeniedException) and not exc.detail:
        detail = _("your role may not do this")
    return problem(status, titles.get(status, N_("Error")), detail, kinds.get(status, "error"), None, exc.headers)


def _integrity_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """A constraint the database enforced that a service's own check did not see first: two
    concurrent requests creating the same thing (the loser gets this), or a row still referenced."""
    text = str(exc).lower()
    if "unique" in text or "duplicate" in text:
        detail = _("a record with the same unique value exists already (created concurrently)")
    else:
        detail = _("the change conflicts with related records")
    return problem(409, N_("Conflict"), detail, "conflict")


def _out_of_range_handler(_request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    return problem(
        400, N_("Value out of range"), _("a value in the request is out of the supported range"), "bad-request"
    )


def _unexpected_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, N_("Internal error"), _("an unexpected error occurred"), "internal")


def _database_exception_handlers() -> dict[Any, Any]:

    # heavy optional dependency: imported on first use, not at start-up
    import asyncpg

    return {
        sqlite3.IntegrityError: _integrity_handler,
        asyncpg.exceptions.IntegrityConstraintViolationError: _integrity_handler,
        OverflowError: _out_of_range_handler,
        asyncpg.exceptions.NumericValueOutOfRangeError: _out_of_range_handler,
        asyncpg.exceptions.DatetimeFieldOverflowError: _out_of_range_handler,
        asyncpg.exceptions.DataError: _out_of_range_handler,  # a value the driver cannot encode
    }


exception_handlers: dict[Any, Any] = {
    **_database_exception_handlers(),
    DomainError: _domain_handler,
    ValidationException: _validation_handler,
    HTTPException: _http_handler,
    Exception: _unexpected_handler,
}

__all__ = [
    "PROBLEM_JSON",
    "BadRequest",
    "Busy",
    "Conflict",
    "DomainError",
    "FieldError",
    "Forbidden",
    "Invalid",
    "NotFound",
    "TooLarge",
    "TooManyAttempts",
    "Unauthorized",
    "UnsupportedMediaType",
    "exception_handlers",
    "problem",
]
