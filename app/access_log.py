"""The access log keeps no query strings.

uvicorn's access log line is ``client - "GET /path?query HTTP/1.1" 200``: a search for a person
(``?search=110105199001011234``, or a name) would land in the log in full, and logs are kept, copied and
read by more people than the registry's data. ``create_app`` puts this filter on the ``uvicorn.access``
logger (of whichever process serves the app: ``registry serve``, ``uvicorn --factory``, several
workers), so the line keeps the path and drops the query: ``"GET /api/v1/staff?… HTTP/1.1" 200``.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "…"


def without_query(target: str) -> str:
    path, sep, _ = target.partition("?")
    return f"{path}?{REDACTED}" if sep else path


class DropQueryString(logging.Filter):
    """Rewrites uvicorn's access record (its arguments: client, method, path with query, HTTP version,
    status); other records pass unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], without_query(args[2]), args[3], args[4])
        return True


def install_access_log_filter() -> None:
    """Idempotent: once per logger, however many apps the process makes."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())
