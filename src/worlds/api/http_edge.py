"""The HTTP/1.1 edge: what a connection may send before the gateway sees a request.

uvicorn's h11 protocol, with bounds a public listener needs and errors in the
contract's envelope (JSON, `{"code", "detail", "type"}`) instead of bare text:

- the head (request line and headers) at most `max_head_bytes`, and at most
  `max_headers` header lines: otherwise 431;
- the head received within `head_timeout` seconds of the connection opening
  (or of the previous response on a kept-alive connection), and the body within
  `body_timeout` seconds of the head: otherwise 408, and the connection closes
  (slowly sent requests cannot hold connections open);
- a request h11 cannot parse: 400 with the envelope.

Each of these answers closes the connection.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

# The gateway's reasons and envelope types for these statuses (worlds_gateway.errors,
# which this layer does not import): the same table, written out.
REASON_MALFORMED_REQUEST = "MALFORMED_REQUEST"
REASON_HEADERS_TOO_LARGE = "HEADERS_TOO_LARGE"
REASON_REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
_TYPES = {400: "invalid_request", 408: "invalid_request", 431: "invalid_request"}

_REASONS = {400: b"Bad Request", 408: b"Request Timeout", 431: b"Request Header Fields Too Large"}


@dataclass(frozen=True)
class EdgeLimits:
    max_head_bytes: int = 16 * 1024
    max_headers: int = 100
    head_timeout: float = 10.0
    body_timeout: float = 30.0


def envelope_bytes(http_status: int, reason: str, message: str) -> bytes:
    """A complete HTTP/1.1 error response carrying the contract's envelope."""
    # `reason` names the cause in logs; the envelope has the contract's three fields.
    del reason
    body = json.dumps({"code": http_status, "detail": message, "type": _TYPES[http_status]},
                      separators=(",", ":")).encode()
    head = [b"HTTP/1.1 %d %s" % (http_status, _REASONS[http_status]),
            b"content-type: application/json", b"content-length: %d" % len(body),
            b"connection: close"]
    return b"\r\n".join(head) + b"\r\n\r\n" + body


def edge_protocol(limits: EdgeLimits) -> type[H11Protocol]:
    """The protocol class for uvicorn's `http=` setting, bound to `limits`."""
    return type("BoundedH11Protocol", (BoundedH11Protocol,), {"limits": limits})


class BoundedH11Protocol(H11Protocol):
    limits: ClassVar[EdgeLimits] = EdgeLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._answered = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._update_timers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_timers()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._answered:
            return
        self._unset_keepalive_if_required()
        self.conn.receive_data(data)
        if self.conn.their_state is h11.IDLE and self._head_too_large():
            return
        self.handle_events()
        self._update_timers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._update_timers()

    def send_400_response(self, msg: str) -> None:
        self._answer(400, REASON_MALFORMED_REQUEST, "The request is not valid HTTP/1.1")

    # -- bounds ----------------------------------------------------------------------

    def _head_too_large(self) -> bool:
        buffered, _ = self.conn.trailing_data
        limits = self.limits
        end = buffered.find(b"\r\n\r\n", 0, limits.max_head_bytes + 4)
        head = buffered if end < 0 else buffered[:end]
        if end < 0 and len(buffered) <= limits.max_head_bytes:
            lines = head.count(b"\n")
            if lines <= limits.max_headers + 1:
                return False
        elif end >= 0 and head.count(b"\n") <= limits.max_headers:
            return False
        if end < 0 and len(buffered) > limits.max_head_bytes:
            message = f"The request head exceeds {limits.max_head_bytes} bytes"
        else:
            message = f"The request has more than {limits.max_headers} header fields"
        self._answer(431, REASON_HEADERS_TOO_LARGE, message)
        return True

    def _update_timers(self) -> None:
        state = self.conn.their_state
        loop = asyncio.get_running_loop()
        if state is h11.IDLE and not self._answered:
            if self._head_timer is None:
                self._head_timer = loop.call_later(self.limits.head_timeout, self._timed_out,
                                                   "head")
            return
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        if state is h11.SEND_BODY:
            if self._body_timer is None:
                self._body_timer = loop.call_later(self.limits.body_timeout, self._timed_out,
                                                   "body")
        elif self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _cancel_timers(self) -> None:
        for timer in (self._head_timer, self._body_timer):
            if timer is not None:
                timer.cancel()
        self._head_timer = self._body_timer = None

    def _timed_out(self, part: str) -> None:
        if part == "head":
            self._head_timer = None
            if self.conn.their_state is not h11.IDLE:
                return
            if not self.conn.trailing_data[0]:
                # An idle kept-alive connection: close it quietly, as keep-alive does.
                self._answered = True
                self.transport.close()
                return
            limit = self.limits.head_timeout
        else:
            self._body_timer = None
            if self.conn.their_state is not h11.SEND_BODY:
                return
            limit = self.limits.body_timeout
        cycle = self.cycle
        if cycle is not None and cycle.response_started:
            self._answered = True
            self.transport.close()
            return
        self._answer(408, REASON_REQUEST_TIMEOUT,
                     f"The request {part} was not received within {limit:g} s")

    def _answer(self, http_status: int, reason: str, message: str) -> None:
        """Write an error envelope and close; the application (if it runs) sees a
        disconnect and whatever it sends is dropped."""
        self._answered = True
        self._cancel_timers()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            cycle.disconnected = True
            cycle.message_event.set()
        if not self.transport.is_closing():
            self.transport.write(envelope_bytes(http_status, reason, message))
            self.transport.close()
