"""``/ui/api/…`` → the gateway's own ``/api/…``, in-process, with the session's API key.

Plain ASGI re-dispatch into the gateway app (no socket, no copy of the body): the request
keeps its method, query, body and headers, minus the browser's cookies and any credentials of
its own, plus ``X-API-Key`` from the ``worlds_key`` cookie. Responses stream through as they
come, so a ``jobs:watch`` SSE stream reaches the browser event by event. The answers are the
API's own, envelopes included: the console has no route of its own to the store.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from google.rpc import code_pb2
from worlds_gateway.endpoint import error_response
from worlds_gateway.errors import make_status

from .session import KEY_COOKIE, csrf_ok, parse_cookies

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PREFIX = "/ui"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
REASON_SIGNED_OUT = "CONSOLE_SIGNED_OUT"
REASON_CSRF = "CSRF_TOKEN_MISMATCH"
# Request headers the API must not see from the browser: the console's cookies, and
# credentials other than the session's key.
_DROPPED = frozenset({b"cookie", b"x-api-key", b"authorization"})
# Keys Starlette's router added while matching the console route; the re-dispatch routes anew.
_ROUTING_KEYS = ("path_params", "endpoint", "route", "router", "worlds_gateway.raw_path")


def api_scope(scope: Scope, api_key: str) -> Scope:
    """The scope of the same request addressed to ``/api/…`` with ``X-API-Key``."""
    inner = {k: v for k, v in scope.items() if k not in _ROUTING_KEYS}
    inner["path"] = scope["path"][len(PREFIX):]
    raw = scope.get("raw_path")
    if isinstance(raw, bytes) and raw.startswith(PREFIX.encode() + b"/"):
        inner["raw_path"] = raw[len(PREFIX):]
    else:
        inner.pop("raw_path", None)
    headers = [(k, v) for k, v in scope["headers"] if k not in _DROPPED]
    headers.append((b"x-api-key", api_key.encode("latin-1")))
    inner["headers"] = headers
    return inner


class ApiForwarder:
    """The ASGI endpoint of ``/ui/api/{path}``, every method (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cookies = parse_cookies(scope["headers"])
        key = cookies.get(KEY_COOKIE, "")
        if not key:
            status = make_status(code_pb2.UNAUTHENTICATED, "Sign in to the console first",
                                 REASON_SIGNED_OUT)
            await error_response(status)(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS and not csrf_ok(cookies, scope["headers"]):
            status = make_status(code_pb2.PERMISSION_DENIED,
                                 "Missing or wrong CSRF token: reload the console", REASON_CSRF)
            await error_response(status)(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"x-content-type-options", b"nosniff")]
            await send(message)

        await self._app(api_scope(scope, key), receive, send_guarded)


async def call_api(app: ASGIApp, scope: Scope, method: str, path: str,
                   api_key: str) -> tuple[int, bytes]:
    """One in-process request to ``app`` with no body, collected: (status, body).

    ``scope`` is the console request's, for its server and client fields."""
    inner: Scope = {
        "type": "http", "asgi": scope.get("asgi", {"version": "3.0"}), "http_version": "1.1",
        "method": method, "scheme": scope.get("scheme", "http"), "path": path,
        "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"accept", b"application/json"), (b"x-api-key", api_key.encode("latin-1"))],
        "server": scope.get("server"), "client": scope.get("client"),
    }
    status = 500
    body = bytearray()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])
        elif message["type"] == "http.response.body":
            body.extend(message.get("body", b""))

    await app(inner, receive, send)
    return status, bytes(body)
