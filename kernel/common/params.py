"""Query parameters: the list page parameters, and refusing unknown ones and NUL characters (400).

Litestar ignores query parameters a handler does not declare; the API contract says an
unknown filter is a 400, so a typo never silently returns the unfiltered list.
"""

from __future__ import annotations

import re
import weakref
from typing import Annotated, Any

from litestar import Request
from litestar.handlers import HTTPRouteHandler
from litestar.params import ParameterKwarg, ParamType, QueryParameter

from kernel.common.schemas import DEFAULT_LIMIT, MAX_LIMIT, NUL_MESSAGE
from kernel.errors import BadRequest, FieldError
from kernel.i18n import _, translate

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"page size (max {MAX_LIMIT})")]
Offset = Annotated[int, QueryParameter(ge=0, le=10_000_000, description="rows to skip")]
Group = Annotated[int | None, QueryParameter(ge=1, le=15, description="collaboration group 协作组, 1–15")]
DEFAULT_PAGE = {"limit": DEFAULT_LIMIT, "offset": 0}

_RESERVED = {"request", "data", "state", "scope", "socket", "headers", "cookies", "query", "body"}
# keyed by the handler itself, weakly: an id() outlived the handler (tests build many apps) and a new
# handler given the same id read another route's parameters (an unknown-parameter 400 on /search?q=)
_allowed_cache: weakref.WeakKeyDictionary[HTTPRouteHandler, frozenset[str]] = weakref.WeakKeyDictionary()
_PATH_NAME = re.compile(r"\{(\w+)")


def query_parameter_names(handler: HTTPRouteHandler) -> frozenset[str]:
    """The query parameters a route handler declares (once per handler)."""
    try:
        cached = _allowed_cache.get(handler)
    except TypeError:  # a handler Litestar makes per route without weak references (OPTIONS): not cached
        return _declared(handler)
    if cached is None:
        cached = _allowed_cache[handler] = _declared(handler)
    return cached


def _declared(handler: HTTPRouteHandler) -> frozenset[str]:
    dependencies = set(handler.resolve_dependencies())
    path_names = {name for path in handler.paths for name in _PATH_NAME.findall(path)}
    names: set[str] = set()
    for name, field in handler.parsed_fn_signature.parameters.items():
        if name in _RESERVED or name in dependencies or name in path_names:
            continue
        kwarg = field.kwarg_definition
        if isinstance(kwarg, ParameterKwarg):
            if kwarg.param_type not in (None, ParamType.QUERY) or kwarg.header or kwarg.cookie:
                continue
            names.add(kwarg.name or kwarg.query or name)
        else:
            names.add(name)
    return frozenset(names)


async def check_query_params(request: Request[Any, Any, Any]) -> None:
    """App-wide before_request hook: an unknown query parameter, or a NUL character in a query or path
    parameter (refused alike on both engines: PostgreSQL cannot store or compare it), is a 400."""
    nul = [name for name, value in request.query_params.multi_items() if "\x00" in value]
    nul += [name for name, value in request.path_params.items() if isinstance(value, str) and "\x00" in value]
    if nul:
        message = translate(NUL_MESSAGE)
        raise BadRequest(
            _("{field}: {message}", field=", ".join(nul), message=message),
            [FieldError(name, message) for name in dict.fromkeys(nul)],
        )
    if not request.query_params:
        return
    allowed = query_parameter_names(request.route_handler)
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadRequest(
            _(
                "unknown query parameter(s): {unknown}; allowed: {allowed}",
                unknown=", ".join(unknown),
                allowed=", ".join(sorted(allowed)) or _("none"),
            ),
            [FieldError(name, _("unknown query parameter")) for name in unknown],
        )
