"""The ASGI handler of a server-streaming binding: one call, relayed as SSE or NDJSON.

What happens, in order (the framing itself is in ``stream_formats.py``):

1. The request is read exactly as for a unary binding (same checks, same errors). The
   ``Last-Event-ID`` header, when the binding has ``http_stream.resume_field``, fills that
   request field, and wins over the same field given as a query parameter (an EventSource
   reconnects to the same URL, and only the header holds the last id it received). A field
   error on it is reported at ``["header", "Last-Event-ID"]``. The call's deadline is
   ``Grpc-Timeout`` when sent, else ``Limits.stream_timeout`` (none by default: a watch lasts
   as long as its client), never the unary default.
2. ``Accept`` picks the format: ``text/event-stream`` when preferred, else NDJSON (``*/*``,
   ``application/json`` and no header included; see :func:`~worlds_gateway.stream_formats.negotiate`).
3. The call starts. The HTTP status is decided when the call *starts*: it sent its initial
   metadata (``await context.send_initial_metadata(())``: "accepted"), its first message, or
   ended; as grpc-gateway waits for ``stream.Header()`` before writing a status. A call that
   fails before that (bad key, not found, invalid resume token) gets the ordinary error
   response, HTTP status and envelope, as on any route. A call that says nothing for
   ``Limits.stream_headers_timeout`` seconds gets its ``200`` headers anyway, so clients and
   proxies see a live response (the grpc-gateway #4537 failure mode).
4. After the ``200``: each message is framed and sent at once (one ASGI body message each,
   which servers write and flush); a failure is written in-stream in the envelope's shape
   (SSE ``event: error``, NDJSON ``{"error": {…}}``) and ends the response; an OK end is
   SSE ``event: done`` or the plain end of an NDJSON body.
5. The client going away (``http.disconnect``) is watched for during the whole call, not
   only when the next write fails, so a quiet watch is cancelled at once: the call is
   cancelled (its servicer sees ``CancelledError`` and its done callbacks run) and nothing
   of it outlives the request.
"""

from __future__ import annotations

import asyncio
import logging

from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2

from .backend import Backend
from .endpoint import (
    BindingEndpoint,
    ClientDisconnected,
    Limits,
    Receive,
    Scope,
    Send,
    header,
    peer_of,
    query_pairs,
)
from .errors import REASON_INTERNAL, Locator, RpcStatusError, make_status, to_http
from .metadata import call_timeout, grpc_metadata
from .server_stream import ServerStream
from .stream_formats import Framer, framer_for, negotiate
from .transcode import Transcoder

logger = logging.getLogger(__name__)

LAST_EVENT_ID = "Last-Event-ID"
_LAST_EVENT_ID = b"last-event-id"


# Rendered items kept per streaming binding: enough for the events of one burst of changes
# to reach every stream before they are evicted.
_RENDERED = 64


def _internal() -> status_pb2.Status:
    return make_status(code_pb2.INTERNAL, "Internal error", REASON_INTERNAL)


async def _send_error(send: Send, status: status_pb2.Status, locate: Locator) -> None:
    http = to_http(status, locate)
    body = http.body_bytes()
    headers = [*http.raw_headers(), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": http.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _disconnected(receive: Receive) -> None:
    """Returns when the client has gone away."""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return


class StreamingEndpoint(BindingEndpoint):
    """Serves one binding of a server-streaming RPC through ``backend``."""

    def __init__(self, transcoder: Transcoder, backend: Backend, limits: Limits) -> None:
        super().__init__(transcoder, backend, limits)
        self.rule = self.binding.stream
        resume_field = transcoder.resume_field

        def locate_header(field: str, reason: str) -> list[str | int]:
            if field == resume_field:
                return ["header", LAST_EVENT_ID]
            return self.binding.locate(field, reason)

        self._locate_header: Locator = locate_header
        # The last items rendered, by (message identity, format): see `_chunk`.
        self._rendered: dict[tuple[int, str], tuple[Message, bytes]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        locate = self.locate
        try:
            headers = scope["headers"]
            timeout = call_timeout(headers, self.limits.stream_timeout)
            body = await self.body(scope, receive)
            resume = self._last_event_id(scope)
            if resume is not None:
                locate = self._locate_header
            request = self.transcoder.request(scope["path_params"], query_pairs(scope), body, resume)
            metadata = grpc_metadata(headers, scope.get("client"), self.declared_headers)
        except RpcStatusError as error:
            await _send_error(send, error.status, locate)
            return
        except ClientDisconnected:
            return
        except Exception:
            logger.exception("gateway failure serving %s", self.method.full_name)
            await _send_error(send, _internal(), locate)
            return
        accept = header(scope, b"accept")
        framer = framer_for(negotiate(accept.decode("latin-1") if accept else None), self.rule)
        stream = self.backend.stream(self.method, request, metadata, timeout, peer=peer_of(scope))
        await self._relay(stream, framer, locate, receive, send)

    def _last_event_id(self, scope: Scope) -> str | None:
        if self.transcoder.resume_field is None:
            return None
        raw = header(scope, _LAST_EVENT_ID)
        if raw is None or not raw.strip():
            return None  # WHATWG: an EventSource with no last id sends no header at all
        try:
            return raw.decode().strip()
        except UnicodeDecodeError:
            return raw.decode("latin-1").strip()

    async def _relay(
        self, stream: ServerStream, framer: Framer, locate: Locator, receive: Receive, send: Send
    ) -> None:
        pump = asyncio.ensure_future(self._pump(stream, framer, locate, send))
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            await asyncio.wait({pump, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            pump.cancel()
            gone.cancel()
            await asyncio.wait({pump, gone})
            await stream.aclose()
        for task in (pump, gone):
            if not task.cancelled() and task.exception() is not None:
                logger.error("stream relay of %s failed", self.method.full_name,
                             exc_info=task.exception())

    async def _pump(self, stream: ServerStream, framer: Framer, locate: Locator, send: Send) -> None:
        try:
            await self._write(stream, framer, locate, send)
        except OSError:
            # ASGI 2.4: a server may report a client that went away when we write.
            logger.debug("client of %s left while we wrote", self.method.full_name)

    async def _write(self, stream: ServerStream, framer: Framer, locate: Locator, send: Send) -> None:
        try:
            await asyncio.wait_for(stream.started(), self.limits.stream_headers_timeout)
        except TimeoutError:
            pass  # quiet so far: commit to 200 anyway (module docstring, step 3)
        except RpcStatusError as error:
            await _send_error(send, error.status, locate)
            return
        await send({"type": "http.response.start", "status": 200, "headers": framer.headers})
        try:
            async for message in stream:
                chunk = self._chunk(framer, message)
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            final = framer.end()
        except RpcStatusError as error:
            final = framer.error(to_http(error.status, locate).body)
        except OSError:
            raise
        except Exception:
            logger.exception("gateway failure streaming %s", self.method.full_name)
            final = framer.error(to_http(_internal(), locate).body)
        await send({"type": "http.response.body", "body": final, "more_body": False})

    def _chunk(self, framer: Framer, message: Message) -> bytes:
        """`message` rendered in `framer`'s format, once for every stream it goes to.

        A service may send one response object to many streams (an in-process backend's
        watchers of one job all get the event the service built once); rendering it per
        stream made a thousand SSE watchers cost a thousand JSON encodings per event. The
        entry holds the message, so its id cannot be reused while the entry exists, and a
        hit is checked by identity. Messages are not changed once sent."""
        key = (id(message), framer.media_type)
        hit = self._rendered.get(key)
        if hit is not None and hit[0] is message:
            return hit[1]
        chunk = framer.item(self.transcoder.encode(message))
        self._rendered[key] = (message, chunk)
        if len(self._rendered) > _RENDERED:
            del self._rendered[next(iter(self._rendered))]
        return chunk

    def __repr__(self) -> str:
        return f"StreamingEndpoint({self.method.full_name})"
