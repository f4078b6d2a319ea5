"""The API documentation page (Swagger UI), served entirely by the service.

Litestar's own render plugins load Swagger UI, Redoc and their fonts and icons from public CDNs
(without integrity hashes): on an isolated network the page stays blank, and anyone who controls the
CDN runs script in the page. Here the page references nothing outside the service: Swagger UI's files
are vendored in ``swagger-ui/`` with their licence (see its README), served under
``/api/v1/schema/assets/``, and the page holds no inline script or style, so its content security
policy (``app.headers.DOCS_POLICY``) can be ``script-src 'self'; style-src 'self'``.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

from litestar import Request, Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

SWAGGER_UI_VERSION = "5.35.0"
ASSETS = Path(__file__).resolve().parent / "swagger-ui"
# under the OpenAPI router's path: /api/v1/schema/assets/5.35.0/ (a new version, a new address: see the cache)
ASSETS_PATH = f"/assets/{SWAGGER_UI_VERSION}"
ASSET_MAX_AGE = 86400  # a day


class LocalSwaggerRenderPlugin(OpenAPIRenderPlugin):
    """Swagger UI from the service's own files; the schema fetched from the service's JSON route."""

    def __init__(self, path: str = "/swagger") -> None:
        super().__init__(path=path, favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        base = request.app.route_reverse("registry_apidocs_assets", file_path="/").rstrip("/") + "/"
        title = escape(str(openapi_schema["info"]["title"]))
        schema_url = escape(self.get_openapi_json_route(request))
        page = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" type="image/png" href="{base}favicon-32x32.png">
<link rel="stylesheet" href="{base}swagger-ui.css">
<script src="{base}swagger-ui-bundle.js"></script>
<script src="{base}registry-init.js"></script>
</head>
<body>
<div id="swagger-ui" data-schema-url="{schema_url}"></div>
</body>
</html>
"""
        return page.encode()

    def receive_router(self, router: Router) -> None:
        """Serve the vendored files beside the page (and no OAuth2 redirect page: the API's only
        security scheme is a bearer token)."""
        router.register(
            create_static_files_router(
                path=ASSETS_PATH,
                directories=[ASSETS],
                name="registry_apidocs_assets",
                include_in_schema=False,
                cache_control=CacheControlHeader(public=True, max_age=ASSET_MAX_AGE),
                opt={"exclude_from_auth": True},
            )
        )
