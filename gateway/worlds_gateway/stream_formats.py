"""How a server stream is written over HTTP: content negotiation, SSE and NDJSON framing.

Each streamed message is first rendered by the codec, exactly as a unary response would be
(the ``response_body`` field when the binding names one, without grpc-gateway's
``{"result": …}`` wrapper: the contract streams the event object itself). Then:

``application/x-ndjson`` (the default)::

    {"type":"snapshot","event_id":"7","job":{…}}\\n        one JSON value per line, every item
    {"type":"heartbeat","event_id":"7","job":null}\\n      heartbeats too: clients see liveness
    {"error":{"code":504,"detail":"…","type":"gateway_timeout"}}\\n   last line, on failure

``text/event-stream`` (WHATWG HTML, "Server-sent events")::

    id: 7\\nevent: snapshot\\ndata: {…}\\n\\n      id: from event_id_field, event: from
                                                event_type_field (each only when non-empty)
    : heartbeat\\nid: 8\\n\\n                     a heartbeat is a comment; its id, if any, still
                                                moves the client's Last-Event-ID on (WHATWG:
                                                an id with no data updates it, fires nothing)
    event: error\\ndata: {"code":…,…}\\n\\n        a failure after the stream started, then end
    event: done\\ndata: {}\\n\\n                   the call ended OK: without it an EventSource
                                                cannot tell the end from a dropped connection
                                                and would reconnect forever

The ``error`` payload is the error envelope of the contract (``code``, ``detail``, ``type``,
``errors`` when there are field errors), built by the same table as every error response.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from .bindings import StreamRule
from .transcode import dumps

logger = logging.getLogger(__name__)

SSE = "text/event-stream"
NDJSON = "application/x-ndjson"

# Media ranges that select NDJSON, besides its own name: what a plain JSON client sends, and
# the newer name of the same format (JSON Lines).
_NDJSON_ALIASES = ("application/x-ndjson", "application/json", "application/jsonl")

_HEADERS = [
    (b"cache-control", b"no-cache"),
    # nginx buffers proxied responses unless told not to; events must not wait in a buffer.
    (b"x-accel-buffering", b"no"),
    (b"vary", b"accept"),
]
_LINE_BREAK = re.compile(r"[\r\n\0]")


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _quality(ranges: Sequence[tuple[str, float]], names: Sequence[str]) -> tuple[float, int]:
    """(q, how specifically it matched): RFC 9110 §12.5.1, the most specific range decides q."""
    best_rank, best_q = -1, 0.0
    for media, q in ranges:
        if media in names:
            rank = 2
        elif media.endswith("/*") and any(n.startswith(media[:-1]) for n in names):
            rank = 1
        elif media == "*/*":
            rank = 0
        else:
            continue
        if rank > best_rank:
            best_rank, best_q = rank, q
    return best_q, best_rank


def negotiate(accept: str | None) -> str:
    """:data:`SSE` or :data:`NDJSON` for an ``Accept`` header.

    SSE only when the client prefers it: a higher q, or the same q by a more specific range
    (``text/event-stream, */*``). NDJSON otherwise: for no ``Accept``, ``*/*``,
    ``application/json``, a tie, and also a header that accepts neither, as unary routes
    answer JSON whatever ``Accept`` says (no 406).
    """
    if not accept:
        return NDJSON
    ranges = _ranges(accept)
    sse = _quality(ranges, (SSE,))
    return SSE if sse[0] > 0 and sse > _quality(ranges, _NDJSON_ALIASES) else NDJSON


def _lookup(value: Any, path: tuple[str, ...]) -> Any:
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


class Framer:
    """Turns rendered stream items, failures and the end into bytes of one format."""

    media_type: str

    def __init__(self, rule: StreamRule | None) -> None:
        rule = rule or StreamRule()
        self._id_path = tuple(rule.event_id_field.split(".")) if rule.event_id_field else ()
        self._type_path = tuple(rule.event_type_field.split(".")) if rule.event_type_field else ()
        self._heartbeat = rule.heartbeat_type

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"content-type", self.media_type.encode()), *_HEADERS]

    def item(self, value: Any) -> bytes:
        raise NotImplementedError

    def error(self, envelope: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def end(self) -> bytes:
        raise NotImplementedError


class NdjsonFramer(Framer):
    media_type = NDJSON

    def item(self, value: Any) -> bytes:
        return dumps(value) + b"\n"

    def error(self, envelope: dict[str, Any]) -> bytes:
        return dumps({"error": envelope}) + b"\n"

    def end(self) -> bytes:
        return b""


def _field_text(value: Any, what: str) -> str | None:
    """An SSE field value, or None when there is none or it would break the framing."""
    if value is None or value == "":
        return None
    text = str(value)
    if _LINE_BREAK.search(text):
        logger.warning("dropping an SSE %s that contains a line break or NUL", what)
        return None
    return text


class SseFramer(Framer):
    media_type = SSE

    def item(self, value: Any) -> bytes:
        event_id = _field_text(_lookup(value, self._id_path), "id") if self._id_path else None
        event_type = (
            _field_text(_lookup(value, self._type_path), "event") if self._type_path else None
        )
        lines: list[str] = []
        if self._heartbeat and event_type == self._heartbeat:
            lines.append(": heartbeat")
            if event_id is not None:
                lines.append(f"id: {event_id}")
        else:
            if event_id is not None:
                lines.append(f"id: {event_id}")
            if event_type is not None:
                if event_type in ("error", "done"):
                    logger.warning("event type %r is reserved; sent as a plain message", event_type)
                else:
                    lines.append(f"event: {event_type}")
            lines.append("data: " + dumps(value).decode())
        return ("\n".join(lines) + "\n\n").encode()

    def error(self, envelope: dict[str, Any]) -> bytes:
        return b"event: error\ndata: " + dumps(envelope) + b"\n\n"

    def end(self) -> bytes:
        return b"event: done\ndata: {}\n\n"


def framer_for(media_type: str, rule: StreamRule | None) -> Framer:
    return SseFramer(rule) if media_type == SSE else NdjsonFramer(rule)
