"""Starlette routes for bindings, so Starlette's router does the dispatching.

A :class:`TranscodedRoute` answers ``Match.FULL`` when both its template and its HTTP method
match, ``Match.PARTIAL`` when only the template does. Starlette's router then serves the full
match, or hands the request to the first partial one, which answers 405 with an ``Allow`` header
listing every method bound to that path (across RPCs: ``GET`` and ``POST .../manifests`` are
two RPCs); with no match at all it raises its own 404, which the app's exception handler turns
into the envelope.

Templates are matched against the raw, still percent-encoded path (ASGI ``raw_path``), because
``http.proto`` decodes single- and multi-segment variables differently.

Custom verbs: a path whose last segment ends in ``:<verb>`` for a verb some route declares
(``jobs/{job_id}:watch``) only ever matches routes with that verb; it never falls back to a
verb-less template whose last variable would swallow the colon (``jobs/{job_id}`` with
``job_id = "…:watch"``), whatever the HTTP method or the route order. An unregistered suffix
stays part of the segment (``/v1/things/a:b`` is ``name = "a:b"``). This is Envoy's transcoder
rule (``match_unregistered_custom_verb`` off, its default); grpc-gateway instead retries
verb-less patterns with the verb glued back on, which makes the outcome depend on route order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote

from google.rpc import code_pb2
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Message, Receive, Scope, Send

from .bindings import Binding
from .endpoint import ClientDisconnected, error_response
from .errors import REASON_METHOD_NOT_ALLOWED, make_status

_RAW_PATH_KEY = "worlds_gateway.raw_path"

Endpoint = Callable[[Scope, Receive, Send], Awaitable[None]]


def raw_route_path(scope: Scope) -> str:
    """The request path as sent (percent-encoded), without query string or ``root_path``."""
    cached: str | None = scope.get(_RAW_PATH_KEY)
    if cached is not None:
        return cached
    raw = scope.get("raw_path")
    if raw is None:
        path = quote(scope["path"], safe="/:@!$&'()*+,;=-._~")
    else:
        # Some servers (and httpx's ASGI transport) leave the query string in raw_path.
        path = raw.decode("latin-1").partition("?")[0]
    root = scope.get("root_path", "")
    if root and path.startswith(root):
        path = path[len(root) :]
    scope[_RAW_PATH_KEY] = path
    return path


class RouteTable:
    """All transcoded routes of an app; answers which methods a path allows."""

    def __init__(self) -> None:
        self.routes: list[TranscodedRoute] = []
        self.verbs: set[str] = set()

    def add(self, route: TranscodedRoute) -> None:
        self.routes.append(route)
        if route.template.verb is not None:
            self.verbs.add(route.template.verb)

    def has_verb(self, path: str) -> bool:
        """Whether ``path`` ends in the ``:verb`` of some route (see the module docstring)."""
        last = path.rpartition("/")[2]
        return ":" in last and last.rpartition(":")[2] in self.verbs

    def allowed_methods(self, path: str) -> list[str]:
        # HEAD goes with every GET (RFC 9110 §9.3.2) and is not listed separately.
        methods = {r.binding.http_method for r in self.routes if r.match(path) is not None}
        return sorted(methods)


class TranscodedRoute(BaseRoute):
    """The route of one binding."""

    def __init__(self, binding: Binding, endpoint: Endpoint, table: RouteTable) -> None:
        self.binding = binding
        self.template = binding.template
        self.endpoint = endpoint
        self.table = table
        self.path = binding.template.source
        self.name = binding.operation_id
        self.methods = {binding.http_method}
        if binding.http_method == "GET":
            self.methods.add("HEAD")
        table.add(self)

    def match(self, path: str) -> dict[str, str] | None:
        """The path variables if this route's template takes ``path``, else None."""
        if self.template.verb is None and self.table.has_verb(path):
            return None
        return self.template.match(path)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        values = self.match(raw_route_path(scope))
        if values is None:
            return Match.NONE, {}
        child: dict[str, Any] = {"endpoint": self.endpoint, "path_params": values}
        if scope["method"] in self.methods:
            return Match.FULL, child
        return Match.PARTIAL, child

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "HEAD" and "HEAD" in self.methods:
            await _head(self.endpoint, scope, receive, send)
            return
        if scope["method"] != self.binding.http_method:
            allow = ", ".join(self.table.allowed_methods(raw_route_path(scope)))
            status = make_status(
                code_pb2.UNIMPLEMENTED,
                f"Method {scope['method']} is not allowed here; allowed: {allow}",
                REASON_METHOD_NOT_ALLOWED,
                metadata={"allow": allow},
            )
            await error_response(status)(scope, receive, send)
            return
        await self.endpoint(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> Any:
        raise NoMatchFound(name, path_params)

    def __repr__(self) -> str:
        return f"TranscodedRoute({self.binding.http_method} {self.path} -> {self.binding.operation_id})"


class _HeadAnswered(ClientDisconnected):
    """The head of a HEAD response is out: the GET behind it is not run further (its
    endpoint treats this as a client that left)."""


async def _head(endpoint: Endpoint, scope: Scope, receive: Receive, send: Send) -> None:
    """HEAD of a GET route (RFC 9110 §9.3.2): the GET's status and headers, no body.
    The GET runs until its response starts; a stream behind it is not followed."""
    answered = False

    async def head_only(message: Message) -> None:
        nonlocal answered
        if answered:
            raise _HeadAnswered
        if message["type"] == "http.response.start":
            await send(message)
            return
        answered = True
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        raise _HeadAnswered

    try:
        await endpoint({**scope, "method": "GET"}, receive, head_only)
    except _HeadAnswered:
        return
