"""How a server-streaming route is documented in OpenAPI 3.1 (what ``stream_formats.py`` writes).

OpenAPI 3.1 has no way to say "a sequence of these" for a response (3.2 adds ``itemSchema``),
so the ``200`` response of a stream carries:

- ``application/x-ndjson``: the schema of *one line*: the event, or the ``StreamError`` line
  that ends a stream which failed after it started;
- ``text/event-stream``: a string (the raw SSE text), described in prose, plus the extension
  ``x-sse-events``: each SSE ``event:`` name the route can send, with the schema of its
  ``data:`` (the stream's own event types, ``error`` with the envelope, ``done``);
- the ``Last-Event-ID`` request header when the route can resume.

Errors before the stream starts are ordinary error responses, documented as on every route.
"""

from __future__ import annotations

from typing import Any

from .bindings import Binding, StreamRule
from .stream_formats import NDJSON, SSE

Schema = dict[str, Any]

ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
STREAM_ERROR_REF = {"$ref": "#/components/schemas/StreamError"}

SCHEMAS: dict[str, Schema] = {
    "StreamError": {
        "type": "object",
        "description": (
            "Last line of an NDJSON stream that failed after it started (the HTTP status was "
            "already 200): the error envelope under `error`."
        ),
        "required": ["error"],
        "additionalProperties": False,
        "properties": {"error": ENVELOPE_REF},
    }
}


def _field(path: str) -> str:
    return f"`{path}`"


def _sse_description(rule: StreamRule) -> str:
    parts = ["Server-Sent Events (WHATWG HTML), sent when `Accept` prefers `text/event-stream`."]
    shape = ["`data:` is the event as one line of JSON (the NDJSON line)"]
    if rule.event_id_field:
        shape.insert(0, f"`id:` is {_field(rule.event_id_field)} (on every event that has one)")
    if rule.event_type_field:
        shape.insert(1, f"`event:` is {_field(rule.event_type_field)}")
    parts.append("Each event: " + "; ".join(shape) + ".")
    if rule.heartbeat_type:
        heartbeat = f"Events whose type is `{rule.heartbeat_type}` are sent as the comment `: heartbeat`"
        if rule.event_id_field:
            heartbeat += " (with its `id:` when it has one, which moves `Last-Event-ID` on)"
        parts.append(heartbeat + ".")
    if rule.resume_field:
        parts.append(
            "Reconnect with the last id in `Last-Event-ID` to resume after it (EventSource does "
            "this by itself)."
        )
    parts.append(
        "A failure after the stream started is `event: error` with the error envelope as data, "
        "then the end; a normal end is `event: done` with `data: {}`."
    )
    return " ".join(parts)


def stream_response(binding: Binding, item: Schema) -> Schema:
    """The ``200`` response of a server-streaming binding whose items have schema ``item``."""
    rule = binding.stream or StreamRule()
    events: Schema = {}
    if rule.event_types:
        events.update((name, {"data": item}) for name in rule.event_types if name != rule.heartbeat_type)
    else:
        events["message"] = {"data": item}
    events["error"] = {"data": ENVELOPE_REF}
    events["done"] = {"data": {"type": "object", "maxProperties": 0}}
    ndjson = (
        "Newline-delimited JSON (the default, also for `Accept: application/json` or `*/*`): one "
        "event per line"
        + (", heartbeats included" if rule.heartbeat_type else "")
        + "; a failure after the stream started is a last line `{\"error\": {envelope}}`."
    )
    return {
        "description": f"A stream of events, flushed one by one. {ndjson}",
        "headers": {
            "Cache-Control": {"schema": {"type": "string", "const": "no-cache"}},
        },
        "content": {
            NDJSON: {"schema": {"oneOf": [item, STREAM_ERROR_REF]}},
            SSE: {
                "schema": {"type": "string", "description": _sse_description(rule)},
                "x-sse-events": events,
            },
        },
    }


def last_event_id_parameter(binding: Binding, schema: Schema) -> Schema | None:
    """The ``Last-Event-ID`` header of a resumable stream (``schema``: its field's)."""
    rule = binding.stream
    if rule is None or not rule.resume_field:
        return None
    return {
        "name": "Last-Event-ID",
        "in": "header",
        "required": False,
        "schema": schema,
        "description": (
            f"Resume after this event id: fills `{rule.resume_field}`, and wins over the query "
            "parameter of that name (an EventSource reconnects to the same URL with this header)."
        ),
    }
