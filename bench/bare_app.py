"""The baseline of bench_staff_api.py: a bare Litestar app that runs the service's SQL.

Two handlers on the service's own paths, so the same load-generator URLs hit both apps:

* ``GET /api/v1/staff`` (``street`` + ``status``, or ``search``; ``limit``): the page query and the
  count query that ``registry.staff.services.list_staff`` runs;
* ``GET /api/v1/staff/{staff_id}``: the row query and the assignments query of
  ``registry.staff.services.get_staff``.

The SQL is taken from Piccolo once, at start-up: the same ``Staff.select(*COLUMNS)`` chains as the
service, compiled for the engine in use, with the engine's placeholders turned back into
Piccolo's ``{}``. Each request then only runs those strings through the same Piccolo engine
(``engine.run_querystring``): no auth, no query-parameter check, no pydantic, rows out as JSON.

Serve it like the service: ``uvicorn bare_app:create_app --factory --app-dir bench`` with the same
``REGISTRY_DATABASE_URL``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from functools import cache
from typing import Any

from litestar import Litestar, get
from litestar.exceptions import NotFoundException
from piccolo.columns.combination import Or
from piccolo.query.base import Query
from piccolo.querystring import QueryString

from kernel.db import close_pool, get_engine, start_pool
from kernel.settings import get_settings
from registry.staff.services import ASSIGNMENT_COLUMNS, COLUMNS
from registry.staff.tables import Staff as S
from registry.staff.tables import StaffAssignment as A

_PG_PLACEHOLDER = re.compile(r"\$\d+")


def _template(query: Query[Any, Any]) -> str:
    """The query's SQL with its values as ``{}`` placeholders (Piccolo's QueryString style)."""
    engine = get_engine()
    sql, _ = query.querystrings[0].compile_string(engine_type=engine.engine_type)
    sql = sql.replace("{", "{{").replace("}", "}}")
    if engine.engine_type == "sqlite":
        return sql.replace("?", "{}")
    return _PG_PLACEHOLDER.sub("{}", sql)


def _page(query: Any, limit: int) -> Any:
    return query.order_by(S.kindergarten).order_by(S.name).order_by(S.id).limit(limit).offset(0)


@cache
def filtered_sql(limit: int) -> tuple[str, str]:
    where = (S.kindergarten.street == "street", S.status == "status")
    return _template(_page(S.select(*COLUMNS).where(*where), limit)), _template(S.count().where(*where))


@cache
def search_sql(limit: int) -> tuple[str, str]:
    where = Or(S.name.like("%term%"), S.id_number.like("term%"))
    return _template(_page(S.select(*COLUMNS).where(where), limit)), _template(S.count().where(where))


@cache
def detail_sql() -> tuple[str, str]:
    row = S.select(*COLUMNS).where(S.id == 0).first()
    moves = (
        A.select(*ASSIGNMENT_COLUMNS)
        .where(A.staff == 0)
        .order_by(A.starts_on, ascending=False)
        .order_by(A.id, ascending=False)
    )
    return _template(row), _template(moves)


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await get_engine().run_querystring(QueryString(sql, *args))]


@get("/api/v1/staff")
async def staff_list(
    street: str | None = None, status: str | None = None, search: str | None = None, limit: int = 50
) -> dict[str, Any]:
    if search:
        page_sql, count_sql = search_sql(limit)
        args: tuple[str, ...] = (f"%{search}%", f"{search}%")
    else:
        page_sql, count_sql = filtered_sql(limit)
        args = (street or "", status or "")
    items = await _rows(page_sql, *args)
    total = (await _rows(count_sql, *args))[0]["count"]
    return {"items": items, "total": total, "limit": limit, "offset": 0}


@get("/api/v1/staff/{staff_id:int}")
async def staff_detail(staff_id: int) -> dict[str, Any]:
    row_sql, moves_sql = detail_sql()
    rows = await _rows(row_sql, staff_id)
    if not rows:
        raise NotFoundException(f"no staff member {staff_id}")
    return {**rows[0], "assignments": await _rows(moves_sql, staff_id)}


@get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


def create_app() -> Litestar:
    @asynccontextmanager
    async def db_pool(_: Litestar) -> AsyncGenerator[None, None]:
        await start_pool(get_settings().pg_pool_max)
        try:
            yield
        finally:
            await close_pool()

    for limit in (50,):  # compile the common templates before the first request
        filtered_sql(limit)
        search_sql(limit)
    detail_sql()
    return Litestar(route_handlers=[staff_list, staff_detail, health], lifespan=[db_pool], debug=False)
