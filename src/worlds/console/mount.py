"""Adds the console's routes to a gateway app (``mount_console``).

Routes, all appended after the API's (see the package docstring):

- ``GET /`` and ``GET /ui`` → ``307`` to ``/ui/``; ``GET /ui/`` the page (``static/index.html``);
- ``GET /ui/static/{file}``, ``GET /ui/vendor/{file}``: see :mod:`.assets`;
- ``GET /ui/session`` → ``{signed_in, csrf}``; ``POST /ui/session`` with ``{"api_key": …}``
  signs in (the key is checked with ``GET /api/v1/user``: a bad key gets the API's own 401
  envelope and no cookie); ``DELETE /ui/session`` signs out (CSRF token required);
- ``/ui/api/{path}``, every method: :class:`.forward.ApiForwarder`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from google.rpc import code_pb2
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from worlds_gateway.endpoint import error_response
from worlds_gateway.errors import REASON_MALFORMED_REQUEST, make_status

from .assets import NODE_MODULES, STATIC_DIR, Assets, missing
from .forward import ApiForwarder, call_api
from .headers import security_headers
from .session import (
    CSRF_COOKIE,
    KEY_COOKIE,
    csrf_ok,
    parse_cookies,
    sign_in_cookies,
    sign_out_cookies,
    valid_api_key_syntax,
)

REASON_CROSS_ORIGIN = "CROSS_ORIGIN_REQUEST"
_MAX_SIGN_IN_BODY = 4096


def _json(content: Any, status_code: int = 200) -> JSONResponse:
    return JSONResponse(content, status_code=status_code,
                        headers={**security_headers(), "cache-control": "no-store"})


def _denied(message: str, reason: str, code: int = code_pb2.PERMISSION_DENIED) -> Response:
    response = error_response(make_status(code, message, reason))
    response.headers.update(security_headers())
    return response


def _same_origin(request: Request) -> bool:
    """A state-changing console request must come from a page of this origin.

    Browsers send ``Origin`` on every cross-origin request and on same-origin POST/DELETE; a
    non-browser client that sends none is not a CSRF vector."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return origin == f"{request.url.scheme}://{request.headers.get('host', '')}"


def mount_console(app: Any, *, static_dir: Path = STATIC_DIR, node_modules: Path = NODE_MODULES) -> None:
    """Append the console's routes to ``app`` (the gateway's FastAPI app), forwarding to it."""
    assets = Assets(static_dir, node_modules)
    index = assets.static("index.html")
    assert index is not None, f"{static_dir}/index.html is missing"

    async def to_console(request: Request) -> Response:
        return RedirectResponse("/ui/", status_code=307)

    async def page(request: Request) -> Response:
        response = index.response(request)
        return response

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        asset = assets.static(name)
        return asset.response(request) if asset is not None else missing(f"static/{name}")

    async def vendor(request: Request) -> Response:
        name = request.path_params["name"]
        asset = assets.vendor(name)
        return asset.response(request) if asset is not None else missing(f"vendor/{name}")

    async def session_get(request: Request) -> Response:
        cookies = parse_cookies(request.scope["headers"])
        signed_in = bool(cookies.get(KEY_COOKIE))
        return _json({"signed_in": signed_in, "csrf": cookies.get(CSRF_COOKIE) if signed_in else None})

    async def session_post(request: Request) -> Response:
        if not _same_origin(request):
            return _denied("Sign-in from another origin", REASON_CROSS_ORIGIN)
        # JSON only: a cross-site form cannot send it without a CORS preflight, which fails.
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _denied("Send the key as JSON", REASON_MALFORMED_REQUEST, code_pb2.INVALID_ARGUMENT)
        raw = await request.body()
        try:
            body = json.loads(raw) if len(raw) <= _MAX_SIGN_IN_BODY else None
        except ValueError:
            body = None
        key = body.get("api_key") if isinstance(body, dict) else None
        if not isinstance(key, str) or not valid_api_key_syntax(key.strip()):
            return _denied("Paste an API key", REASON_MALFORMED_REQUEST, code_pb2.INVALID_ARGUMENT)
        key = key.strip()
        status, answer = await call_api(app, request.scope, "GET", "/api/v1/user", key)
        if status != 200:
            return Response(answer, status_code=status, media_type="application/json",
                            headers={**security_headers(), "cache-control": "no-store"})
        values, token = sign_in_cookies(key, secure=request.url.scheme == "https")
        response = _json({"signed_in": True, "csrf": token, "user": json.loads(answer)})
        for value in values:
            response.headers.append("set-cookie", value)
        return response

    async def session_delete(request: Request) -> Response:
        cookies = parse_cookies(request.scope["headers"])
        if not _same_origin(request) or not csrf_ok(cookies, request.scope["headers"]):
            return _denied("Missing or wrong CSRF token: reload the console", "CSRF_TOKEN_MISMATCH")
        response = _json({"signed_in": False, "csrf": None})
        for value in sign_out_cookies(secure=request.url.scheme == "https"):
            response.headers.append("set-cookie", value)
        return response

    app.router.routes.extend([
        Route("/", to_console, methods=["GET"], include_in_schema=False),
        Route("/ui", to_console, methods=["GET"], include_in_schema=False),
        Route("/ui/", page, methods=["GET"], include_in_schema=False),
        Route("/ui/static/{name:path}", static, methods=["GET"], include_in_schema=False),
        Route("/ui/vendor/{name}", vendor, methods=["GET"], include_in_schema=False),
        Route("/ui/session", session_get, methods=["GET"], include_in_schema=False),
        Route("/ui/session", session_post, methods=["POST"], include_in_schema=False),
        Route("/ui/session", session_delete, methods=["DELETE"], include_in_schema=False),
        Route("/ui/api/{rest:path}", ApiForwarder(app), include_in_schema=False),
    ])
