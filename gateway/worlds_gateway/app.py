"""The gateway application: routes from a service's bindings, its OpenAPI, docs and health.

Configuration is passed in (``style.md``: read at entry points, never at import time); the
factory builds everything per call, so tests and processes can hold several gateways.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from google.protobuf.descriptor import ServiceDescriptor
from google.rpc import code_pb2
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .backend import Backend
from .bindings import Binding, service_bindings
from .docs import docs_routes
from .endpoint import Limits, UnaryEndpoint, error_response
from .errors import REASON_INTERNAL, REASON_ROUTE_NOT_FOUND, make_status, status_for_http
from .openapi import build_openapi
from .routing import RouteTable, TranscodedRoute
from .stream_endpoint import StreamingEndpoint
from .transcode import Transcoder

logger = logging.getLogger(__name__)

HealthCheck = Callable[[], Awaitable[bool]]


def _served(binding: Binding) -> bool:
    # Client and bidirectional streams have no REST form here (AIP-127: a bidi RPC should have
    # no HTTP binding; grpc-gateway's client streaming decodes a sequence of JSON bodies, which
    # no client of this API needs). They are parsed and validated, just not routed.
    if binding.client_streaming:
        logger.info(
            "not serving client-streaming binding %s %s",
            binding.http_method,
            binding.template.source,
        )
        return False
    return True


def _endpoint(binding: Binding, backend: Backend, limits: Limits) -> UnaryEndpoint | StreamingEndpoint:
    kind = StreamingEndpoint if binding.server_streaming else UnaryEndpoint
    return kind(Transcoder(binding), backend, limits)


def create_gateway_app(
    service: ServiceDescriptor | Sequence[ServiceDescriptor],
    backend: Backend,
    *,
    max_body_bytes: int = 1 << 20,
    default_timeout: float | None = 30.0,
    stream_timeout: float | None = None,
    stream_headers_timeout: float | None = 5.0,
    health_check: HealthCheck | None = None,
    title: str | None = None,
    version: str | None = None,
    comments: Mapping[str, str] | None = None,
    text_pattern: str | None = None,
) -> FastAPI:
    """A FastAPI app serving ``service``'s ``google.api.http`` bindings through ``backend``.

    ``service`` may be several services: their routes are served side by side (and must not
    bind the same method and path twice), the title and version come from the first one.

    Also serves ``/openapi.json`` (generated from the same bindings), ``/docs`` (Swagger UI on
    it) and ``GET /healthz`` (``{"status": "ok"}``; 502 envelope when ``health_check`` returns
    false or raises). ``default_timeout`` is the call deadline when the client sends no
    ``Grpc-Timeout``; None means no deadline. Server streams use ``stream_timeout`` instead
    (None: a watch lasts as long as its client) and send their ``200`` headers at the latest
    ``stream_headers_timeout`` seconds after the call started (see ``stream_endpoint.py``).
    ``comments`` (full name → text, see
    :func:`~worlds_gateway.openapi.comments_from_files`) feed OpenAPI descriptions.

    ``text_pattern`` (a JSON Schema ``pattern``) is documented on every request string that has
    no pattern of its own: the rule the service applies to all the text it accepts, which no
    descriptor carries. It is a parameter, not a proto option, because it is not a fact of one
    method or field but of the servicer's validation everywhere; the application passes the
    pattern its validation is built from, so the document and the check cannot drift. What
    belongs to a method (the headers it reads, the errors it can answer) comes from the protos
    instead (``worlds.v1.http_route`` and ``http_service``, see ``bindings.py``).
    """
    services = [service] if isinstance(service, ServiceDescriptor) else list(service)
    if not services:
        raise ValueError("create_gateway_app needs at least one service")
    bindings = [b for b in service_bindings(*services) if _served(b)]
    first = services[0]
    package = first.full_name.rpartition(".")[0]
    document = build_openapi(
        bindings,
        title=title or f"{first.name} REST API",
        version=version or package.rpartition(".")[2] or "v1",
        comments=comments,
        text_pattern=text_pattern,
    )
    openapi_bytes = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    app = FastAPI(
        title=document["info"]["title"], openapi_url=None, docs_url=None, redoc_url=None
    )
    # A redirect is a non-2xx response without the envelope; "/jobs/" is simply not a route.
    app.router.redirect_slashes = False
    # FastAPI's documented way to serve a prebuilt document: replace the app's openapi().
    app.openapi = lambda: document  # type: ignore[method-assign]
    app.state.bindings = bindings

    async def openapi_json(request: Request) -> Response:
        return Response(openapi_bytes, media_type="application/json")

    async def healthz(request: Request) -> Response:
        healthy = True
        if health_check is not None:
            try:
                healthy = await health_check()
            except Exception:
                logger.exception("health check failed")
                healthy = False
        if healthy:
            return JSONResponse({"status": "ok"})
        status = make_status(code_pb2.UNAVAILABLE, "Not serving", "NOT_SERVING")
        return error_response(status)

    app.router.routes.extend(
        [
            Route("/openapi.json", openapi_json, methods=["GET"], include_in_schema=False),
            *docs_routes("/openapi.json", f"{document['info']['title']} - docs"),
            Route("/healthz", healthz, methods=["GET"], include_in_schema=False),
        ]
    )
    limits = Limits(
        max_body_bytes=max_body_bytes,
        default_timeout=default_timeout,
        stream_timeout=stream_timeout,
        stream_headers_timeout=stream_headers_timeout,
    )
    table = RouteTable()
    ordered = sorted(bindings, key=lambda b: b.template.specificity())
    app.router.routes.extend(
        TranscodedRoute(b, _endpoint(b, backend, limits), table) for b in ordered
    )
    _install_error_handlers(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    """Route every error Starlette or FastAPI produce themselves through the one table."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            # Every route of the API answers its own 404s (a missing resource) with the
            # envelope; a 404 raised by the router itself means no route matched at all, and
            # says so, so that a client can tell a typo in a path from a missing resource.
            status = make_status(code_pb2.NOT_FOUND,
                                 f"No route matches {request.method} {request.url.path}",
                                 REASON_ROUTE_NOT_FOUND)
            return error_response(status)
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code < 500 else ""
        response = error_response(status_for_http(exc.status_code, detail))
        # Keep headers the raiser set (e.g. Allow on Starlette's own 405s).
        for key, value in (exc.headers or {}).items():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    async def request_validation(request: Request, exc: Exception) -> Response:
        status = make_status(code_pb2.INVALID_ARGUMENT, "Invalid request", "MALFORMED_REQUEST")
        return error_response(status)

    async def unexpected(request: Request, exc: Exception) -> Response:
        logger.error("unhandled exception on %s", request.url.path, exc_info=exc)
        return error_response(make_status(code_pb2.INTERNAL, "Internal error", REASON_INTERNAL))

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(Exception, unexpected)
