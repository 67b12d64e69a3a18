"""``InProcessContext``: the servicer context of a call dispatched without gRPC.

It implements the part of ``grpc.aio.ServicerContext`` a servicer uses, with grpc's semantics:
``abort`` and ``abort_with_status`` raise (grpc's own ``AbortError`` type), the rich status
rides in the ``grpc-status-details-bin`` trailer, metadata keys are lowercase, ``set_code``
without an abort still fails the call. :class:`~worlds_gateway.backend.InProcessBackend` creates
one per call; a servicer can't tell it from grpc's, so it behaves the same in both modes.

For a server-streaming call the backend also wires ``write`` (grpc.aio's reader/writer style,
the alternative to yielding) and ``send_initial_metadata``, which tells the gateway the call is
accepted so it can send the HTTP response headers before the first message (as
grpc-gateway waits for ``stream.Header()``).

One deliberate difference from grpc.aio 1.85's own server context: there ``cancelled()`` is
only true once the status code is CANCELLED and ``done()`` only once a status was sent, so a
client that goes away leaves both false (the handler task is cancelled and the done callbacks
run). Here both turn true when the caller goes away or the deadline passes. Portable servicer
code relies on what both do: ``asyncio.CancelledError`` raised at its current ``await`` (so
``try/finally`` runs) and ``add_done_callback`` callbacks.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple, NoReturn

import grpc
from google.rpc import status_pb2

from .errors import status_from_call

logger = logging.getLogger(__name__)

MetadataPairs = Sequence[tuple[str, str | bytes]]


class Metadatum(NamedTuple):
    """One metadata entry, like grpc's: unpacks as ``(key, value)``, has ``.key``/``.value``."""

    key: str
    value: str | bytes


class Aborted(grpc.aio.AbortError):
    """Raised by ``abort``: a subclass of grpc's, so servicer code that catches it still works."""

    def __init__(self, status: status_pb2.Status) -> None:
        super().__init__(status.message)
        self.status = status


class InProcessContext:
    """The subset of ``grpc.aio.ServicerContext`` this project's servicers use.

    ``deadline`` is in ``loop.time()`` seconds (None: no deadline); ``peer`` is the caller's
    address in grpc's form, ``ipv4:203.0.113.7:50312``.
    """

    def __init__(
        self, metadata: MetadataPairs = (), *, deadline: float | None = None, peer: str = "unknown"
    ) -> None:
        self._metadata = tuple(Metadatum(key.lower(), value) for key, value in metadata)
        self._deadline = deadline
        self._peer = peer
        self._code = grpc.StatusCode.OK
        self._details: str | None = None
        self._trailing: tuple[tuple[str, str | bytes], ...] = ()
        self._cancelled = False
        self._done = False
        self._finished = False
        self._callbacks: list[Callable[[Any], None]] = []
        self._headers_sent = False
        self._on_headers: Callable[[], None] | None = None
        self._writer: Callable[[Any], Awaitable[None]] | None = None

    def bind_stream(
        self, on_headers: Callable[[], None], writer: Callable[[Any], Awaitable[None]]
    ) -> None:
        """Used by the backend: where ``send_initial_metadata`` and ``write`` of a stream go."""
        self._on_headers = on_headers
        self._writer = writer

    # -- what the servicer reads
    def invocation_metadata(self) -> tuple[Metadatum, ...]:
        return self._metadata

    def peer(self) -> str:
        return self._peer

    def peer_identities(self) -> None:
        return None

    def peer_identity_key(self) -> None:
        return None

    def auth_context(self) -> dict[str, list[bytes]]:
        return {}

    def time_remaining(self) -> float | None:
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - asyncio.get_running_loop().time())

    def cancelled(self) -> bool:
        return self._cancelled

    def done(self) -> bool:
        return self._done

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        self._callbacks.append(callback)

    # -- how the servicer fails
    async def abort(
        self, code: grpc.StatusCode, details: str = "", trailing_metadata: MetadataPairs = ()
    ) -> NoReturn:
        if code == grpc.StatusCode.OK:
            # grpc.aio leaves such a call hanging; failing it is the useful reading.
            logger.error("abort() called with StatusCode.OK; failing the call with UNKNOWN")
            code = grpc.StatusCode.UNKNOWN
        trailers = tuple(trailing_metadata) or self._trailing
        raise Aborted(status_from_call(code.value[0], details, trailers))

    async def abort_with_status(self, status: grpc.Status) -> NoReturn:
        await self.abort(status.code, status.details, status.trailing_metadata)

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code

    def set_details(self, details: str) -> None:
        self._details = details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str | None:
        return self._details

    def set_trailing_metadata(self, trailing_metadata: MetadataPairs) -> None:
        self._trailing = tuple(trailing_metadata)

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:
        return self._trailing

    async def send_initial_metadata(self, initial_metadata: MetadataPairs) -> None:
        # REST response headers are not built from gRPC metadata (grpc-gateway's default
        # either); for a stream, sending them means "accepted": the HTTP headers can go out.
        if self._headers_sent:
            raise grpc.aio.UsageError("Send initial metadata failed: already sent")
        self._headers_sent = True
        if self._on_headers is not None:
            self._on_headers()

    async def write(self, message: Any) -> None:
        """Send one message of a server stream (grpc.aio's alternative to yielding it)."""
        if self._writer is None:
            raise grpc.aio.UsageError("write() is only available on a streaming call")
        if self._finished:
            raise grpc.aio.UsageError("RPC already finished.")
        self._headers_sent = True
        await self._writer(message)

    def set_compression(self, compression: grpc.Compression) -> None:
        return None

    def disable_next_message_compression(self) -> None:
        return None

    # -- bookkeeping for InProcessBackend
    def status(self) -> status_pb2.Status | None:
        """The failure set with ``set_code`` (grpc fails such a call), or None if OK."""
        if self._code == grpc.StatusCode.OK:
            return None
        return status_from_call(self._code.value[0], self._details, self._trailing)

    def cancel(self) -> None:
        """The caller went away: ``cancelled()`` and ``done()`` are true from now on, so the
        servicer sees it in its ``except CancelledError`` / ``finally`` blocks already."""
        self._cancelled = True
        self._done = True

    def finish(self, *, cancelled: bool = False) -> None:
        """End the call: ``done()`` turns true and each done callback runs, once."""
        self._cancelled = self._cancelled or cancelled
        self._done = True
        if self._finished:
            return
        self._finished = True
        for callback in self._callbacks:
            try:
                callback(self)
            except Exception:
                logger.exception("done callback of an in-process call failed")
