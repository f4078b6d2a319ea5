"""JSON request bodies the API refuses before decoding them: bytes that are not UTF-8, and nesting
deeper than ``MAX_JSON_DEPTH``. Both are a 400 "Malformed request", like any body that is not JSON.

The app uses ``JsonCheckedRequest`` as its request class (``create_app``), so every JSON body a
handler reads goes through ``check_json_body`` first. Without it, the JSON decoder's
``UnicodeDecodeError`` and ``RecursionError`` (at about 1,000 levels) escaped as 500s, before
any login.
"""

from __future__ import annotations

import re
from typing import Any

from litestar import Request
from litestar.exceptions import SerializationException
from litestar.types import Empty

from kernel.i18n import _

MAX_JSON_DEPTH = 32
"""Arrays and objects inside each other. The API's deepest body has 3 levels (a pool candidate's
certificates); the limit only refuses what no client of the API sends."""

# A JSON string (its escapes included): its brackets are text, not nesting.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
_OPENING = frozenset(b"[{")


def nesting_depth_over(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the arrays and objects of a JSON text nest deeper than ``limit``; strings are skipped."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False  # the usual case: too few brackets to nest that deep, no scan
    brackets = _STRING.sub(b"", body).translate(None, _NOT_BRACKET)
    depth = 0
    for b in brackets:
        if b in _OPENING:
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def check_json_body(body: bytes) -> None:
    """Raise ``SerializationException`` (Litestar answers it as a 400) for a body the API refuses
    before decoding it."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SerializationException(
            _("the request body is not valid UTF-8 (byte {byte}): send JSON encoded as UTF-8", byte=exc.start)
        ) from None
    if nesting_depth_over(body):
        raise SerializationException(_("the JSON body is nested deeper than {levels} levels", levels=MAX_JSON_DEPTH))


class JsonCheckedRequest(Request[Any, Any, Any]):
    """Litestar's request, with the body checked by ``check_json_body`` before it is decoded as JSON."""

    async def json(self) -> Any:
        if self._json is Empty and self._connection_state.json is Empty:
            check_json_body(await self.body())
        return await super().json()
