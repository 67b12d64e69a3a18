"""The ASGI handler of a unary binding: read the HTTP request, call the backend, write back.

Plain ASGI on purpose: no FastAPI dependency injection or Starlette ``Request`` on the hot path;
everything per binding is precomputed by :class:`~worlds_gateway.transcode.Transcoder`.

HTTP-level checks, in order (each fails with the contract's envelope):
``Grpc-Timeout`` syntax (400) → ``Content-Type`` must be ``application/json`` when a body is sent
(415) → size, from ``Content-Length`` and from the bytes actually received (413) → JSON syntax
(400; valid JSON of the wrong shape is a 422 from the codec instead, per the contract) → the
request's fields (422) → a declared header metadata cannot carry (400, ``metadata.py``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from google.rpc import code_pb2, status_pb2
from starlette.responses import Response

from .backend import Backend
from .errors import (
    REASON_INTERNAL,
    REASON_MALFORMED_REQUEST,
    REASON_PAYLOAD_TOO_LARGE,
    REASON_UNSUPPORTED_MEDIA_TYPE,
    Locator,
    RpcStatusError,
    make_status,
    to_http,
)
from .metadata import call_timeout, grpc_metadata
from .transcode import NO_BODY, Transcoder

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]

_JSON_HEADERS = [(b"content-type", b"application/json")]


class ClientDisconnected(Exception):
    """The client went away before sending its whole body; nothing to answer."""


def error_response(status: status_pb2.Status, locate: Locator | None = None) -> Response:
    """The one writer of error responses: the Status through the table, as a Response."""
    http = to_http(status, locate) if locate is not None else to_http(status)
    return Response(
        http.body_bytes(),
        status_code=http.status_code,
        headers=dict(http.headers),
        media_type="application/json",
    )


def _bad_request(message: str, reason: str = REASON_MALFORMED_REQUEST) -> RpcStatusError:
    return RpcStatusError(make_status(code_pb2.INVALID_ARGUMENT, message, reason))


def header(scope: Scope, name: bytes) -> bytes | None:
    headers: list[tuple[bytes, bytes]] = scope["headers"]
    for key, value in headers:
        if key == name:
            return value
    return None


def _is_json(content_type: bytes) -> bool:
    media_type, _, params = content_type.decode("latin-1").partition(";")
    if media_type.strip().lower() != "application/json":
        return False
    for param in params.split(";"):
        key, _, value = param.partition("=")
        # RFC 8259 §8.1: JSON exchanged between systems is UTF-8; any other charset is refused.
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() != "utf-8":
            return False
    return True


def _reject_constant(name: str) -> Any:
    # json.loads accepts NaN and Infinity, which are not JSON (RFC 8259 §6).
    raise ValueError(f"{name} is not valid JSON")


def peer_of(scope: Scope) -> str | None:
    client = scope.get("client")
    if not client:
        return None
    host, port = client[0], client[1]
    return f"ipv6:[{host}]:{port}" if ":" in host else f"ipv4:{host}:{port}"


def query_pairs(scope: Scope) -> list[tuple[str, str]] | tuple[()]:
    """The decoded query string, in order, blank values kept."""
    raw_query = scope["query_string"]
    return parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True) if raw_query else ()


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-app limits: body size, and call deadlines when the client sends no Grpc-Timeout."""

    max_body_bytes: int
    default_timeout: float | None
    stream_timeout: float | None = None
    """Default deadline of a server stream: none, a watch runs as long as its client stays."""
    stream_headers_timeout: float | None = 5.0
    """Send a stream's 200 headers after this long even if the call has said nothing yet."""


class BindingEndpoint:
    """What the ASGI handler of one binding holds: its transcoder, the backend, the limits."""

    def __init__(self, transcoder: Transcoder, backend: Backend, limits: Limits) -> None:
        self.transcoder = transcoder
        self.backend = backend
        self.limits = limits
        self.binding = transcoder.binding
        self.method = self.binding.method
        self.locate: Locator = self.binding.locate
        # The headers the method declares, by the lowercase name ASGI gives them.
        self.declared_headers = {h.key.encode("latin-1"): h.name for h in self.binding.headers}

    async def body(self, scope: Scope, receive: Receive) -> Any:
        """The request's JSON body when the binding takes one (at most ``max_body_bytes``),
        else ``NO_BODY``."""
        if not self.binding.body:
            return NO_BODY
        return await read_body(scope, receive, self.limits.max_body_bytes)


class UnaryEndpoint(BindingEndpoint):
    """Serves one binding of a unary RPC through ``backend``."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self._serve(scope, receive, send)
        except RpcStatusError as error:
            await error_response(error.status, self.locate)(scope, receive, send)
        except ClientDisconnected:
            return
        except Exception:
            # A bug here must still answer with the envelope, and never with its text.
            logger.exception("gateway failure serving %s", self.method.full_name)
            status = make_status(code_pb2.INTERNAL, "Internal error", REASON_INTERNAL)
            await error_response(status)(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = scope["headers"]
        timeout = call_timeout(headers, self.limits.default_timeout)
        body = await self.body(scope, receive)
        request = self.transcoder.request(scope["path_params"], query_pairs(scope), body)
        metadata = grpc_metadata(headers, scope.get("client"), self.declared_headers)
        response = await self.backend.unary(
            self.method, request, metadata, timeout, peer=peer_of(scope)
        )
        payload = self.transcoder.response_body(response)
        out_headers = [*_JSON_HEADERS, (b"content-length", str(len(payload)).encode())]
        location = self.transcoder.location(request, response)
        if location is not None:
            out_headers.append((b"location", location.encode("latin-1")))
        await send(
            {
                "type": "http.response.start",
                "status": self.transcoder.success_code,
                "headers": out_headers,
            }
        )
        await send({"type": "http.response.body", "body": payload})


async def read_body(scope: Scope, receive: Receive, limit: int) -> Any:
    """The JSON request body, after the checks in the module docstring; ``{}`` when empty."""
    content_type = header(scope, b"content-type")
    if content_type is not None and not _is_json(content_type):
        raise _unsupported()
    declared = header(scope, b"content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _bad_request("Content-Length is not a number")
        if int(declared) > limit:
            raise _too_large(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnected
        chunk = message.get("body", b"")
        if chunk:
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            chunks.append(chunk)
        if not message.get("more_body", False):
            break
    if not size:
        # A POST without a body on a body route means "no fields": {} (every field of a
        # create request is optional, worlds-api.md).
        return {}
    if content_type is None:
        raise _unsupported()
    try:
        return json.loads(b"".join(chunks), parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise _bad_request("Malformed JSON body") from None


def _unsupported() -> RpcStatusError:
    return _bad_request("Content-Type must be application/json", REASON_UNSUPPORTED_MEDIA_TYPE)


def _too_large(limit: int) -> RpcStatusError:
    return _bad_request(f"Request body exceeds {limit} bytes", REASON_PAYLOAD_TOO_LARGE)
