"""The query-parameter check's cache follows the handler itself (issue 15: a cache keyed by id() gave a
new handler the parameters of a dropped one that had had the same id, so /search?q= was refused as an
unknown parameter once the test suite had built enough apps)."""

from __future__ import annotations

import gc
from typing import Any

from litestar import Litestar, get

from kernel.common.params import query_parameter_names


def _handler_of(app: Litestar) -> Any:
    handler = app.routes[0].route_handler_map["GET"]  # type: ignore[attr-defined]
    return handler[0] if isinstance(handler, tuple) else handler


def test_each_new_handler_gets_its_own_parameters() -> None:
    for i in range(60):
        namespace: dict[str, Any] = {"__name__": __name__}
        exec(f"async def endpoint(p{i}: int = 0) -> None: ...", namespace)
        app = Litestar([get("/x", sync_to_thread=False)(namespace["endpoint"])])
        assert query_parameter_names(_handler_of(app)) == {f"p{i}"}
        del app, namespace
        gc.collect()


async def test_an_options_request_with_query_parameters_is_not_a_500(client: Any, world: Any) -> None:
    """Litestar's OPTIONS handlers take no weak reference: they are checked without the cache."""
    r = await client.options("/api/v1/kindergartens?group=0.5", headers=world.h("district_hr"))
    assert r.status_code < 500, r.text
