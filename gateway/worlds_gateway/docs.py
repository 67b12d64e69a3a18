"""``/docs``: Swagger UI on the gateway's OpenAPI document, with nothing fetched from elsewhere.

FastAPI's page loads Swagger UI from a CDN and its favicon from FastAPI's site, so it is blank
without a network. Here the page is FastAPI's (``get_swagger_ui_html``) with its assets served
by the gateway itself under ``/docs/assets/``, from the swagger-ui-bundle-v2 package (pinned in
pyproject.toml: Swagger UI 5.31.0, the files of npm's swagger-ui-dist, Apache-2.0 like the
package; 5.x is the first to read OpenAPI 3.1). The online validator badge, which would ask
validator.swagger.io about the document, is off.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route
from swagger_ui_bundle import swagger_ui_path

ASSETS_PATH = "/docs/assets"
# The files the page loads, and their content types (set here: mimetypes' guess for .js
# differs between Python versions).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "favicon-32x32.png": "image/png",
}


def docs_routes(openapi_path: str, title: str) -> list[Route]:
    """``GET /docs`` and ``GET /docs/assets/{name}`` for the files in ``ASSETS``."""
    folder = Path(str(swagger_ui_path))

    async def page(request: Request) -> HTMLResponse:
        # Behind a proxy that strips a prefix, every URL of the page carries it again.
        root = request.scope.get("root_path", "")
        assets = f"{root}{ASSETS_PATH}"
        return get_swagger_ui_html(
            openapi_url=f"{root}{openapi_path}",
            title=title,
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in ASSETS:
            # The app's handler answers it with the envelope, as for any path it does not serve.
            raise HTTPException(404)
        return FileResponse(folder / name, media_type=ASSETS[name])

    return [
        Route("/docs", page, methods=["GET"], include_in_schema=False),
        Route(f"{ASSETS_PATH}/{{name}}", asset, methods=["GET"], include_in_schema=False),
    ]
