"""One log line per request, and the request id that ties a request's lines together.

REST (`RequestLogMiddleware`, around the gateway): the id is the client's `X-Request-ID`
when it sent a usable one (1-128 of `A-Z a-z 0-9 . _ : -`), else a new one; it is put
back into the request's headers (so the gateway forwards it to the servicer as
`x-request-id` metadata), returned in the response's `X-Request-ID` header and logged.
gRPC (`worlds.api.interceptors.RequestLogInterceptor`): the same from the `x-request-id`
metadata, returned in the initial metadata of a unary call and the trailing metadata of a
stream.

The line (logger `worlds.access`, level INFO) has `method`, `route` (the path template,
or the RPC), `status` (HTTP status or gRPC code), `duration_ms`, `key_id` (the caller's
API key id once authenticated, never the key or its hash) and `request_id`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from typing import Any

from worlds import logs
from worlds.api.metrics import ASGIApp, Receive, Scope, Send, route_label

access_log = logging.getLogger("worlds.access")

_HEADER = logs.REQUEST_ID_HEADER.encode()


def log_request(method: str, route: str, status: str, started: float,
                context: logs.RequestContext) -> None:
    duration_ms = round((time.perf_counter() - started) * 1000, 3)
    access_log.info("%s %s %s %.1f ms", method, route, status, duration_ms, extra={
        "method": method, "route": route, "status": status, "duration_ms": duration_ms,
        "key_id": context.key_id, "request_id": context.request_id})


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        sent = None
        headers = []
        for name, value in scope["headers"]:
            if name == _HEADER:
                sent = value.decode("latin-1")
            else:
                headers.append((name, value))
        request_id = logs.accept_request_id(sent)
        # In place: the routing below records the matched route on this same scope.
        scope["headers"] = [*headers, (_HEADER, request_id.encode())]
        started = time.perf_counter()
        status = 500

        async def sending(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message["headers"] = [*message.get("headers", ()), (_HEADER, request_id.encode())]
            await send(message)

        with logs.request_context(request_id) as context:
            try:
                await self._app(scope, receive, sending)
            finally:
                log_request(scope.get("method", ""), route_label(scope), str(status), started,
                            context)
