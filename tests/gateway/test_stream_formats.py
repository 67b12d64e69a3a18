"""Content negotiation and the SSE / NDJSON framing of stream items (no HTTP involved)."""

from __future__ import annotations

import logging

import pytest
from worlds_gateway.bindings import StreamRule
from worlds_gateway.stream_formats import NDJSON, SSE, NdjsonFramer, SseFramer, framer_for, negotiate

RULE = StreamRule(event_id_field="event_id", event_type_field="type", heartbeat_type="heartbeat")


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, NDJSON),
        ("", NDJSON),
        ("*/*", NDJSON),
        ("application/json", NDJSON),
        ("application/x-ndjson", NDJSON),
        ("application/jsonl", NDJSON),
        ("text/html", NDJSON),  # nothing we offer: NDJSON rather than a 406
        ("text/event-stream", SSE),
        ("text/*", SSE),
        ("Text/Event-Stream;charset=UTF-8", SSE),
        ("text/event-stream, */*", SSE),  # same q, but named: preferred over */*
        ("text/event-stream;q=0.5, application/json", NDJSON),
        ("application/json;q=0.5, text/event-stream", SSE),
        ("application/json, text/event-stream", NDJSON),  # a tie: the default
        ("text/event-stream;q=0, */*", NDJSON),
        ("text/event-stream;q=bogus, application/json;q=0.1", NDJSON),
        ("*/*;q=0.1, text/event-stream", SSE),
    ],
)
def test_negotiate(accept: str | None, chosen: str) -> None:
    assert negotiate(accept) == chosen


def test_ndjson_lines() -> None:
    framer = NdjsonFramer(RULE)
    assert framer.item({"type": "heartbeat", "event_id": "3", "job": None}) == (
        b'{"type":"heartbeat","event_id":"3","job":null}\n'
    )
    assert framer.item({"text": "a\nb", "é": 1}) == '{"text":"a\\nb","é":1}\n'.encode()
    assert framer.error({"code": 404, "detail": "x", "type": "not_found"}) == (
        b'{"error":{"code":404,"detail":"x","type":"not_found"}}\n'
    )
    assert framer.end() == b""
    assert dict(framer.headers)[b"content-type"] == b"application/x-ndjson"


def test_sse_events() -> None:
    framer = SseFramer(RULE)
    assert framer.item({"type": "changed", "event_id": "7", "job": {"a": "x\ny"}}) == (
        b'id: 7\nevent: changed\ndata: {"type":"changed","event_id":"7","job":{"a":"x\\ny"}}\n\n'
    )
    # No id: no id line (an empty "id:" would reset the client's Last-Event-ID).
    assert framer.item({"type": "changed", "event_id": "", "job": None}).startswith(b"event: ")
    assert framer.item({"type": None, "event_id": "8", "job": None}).startswith(b"id: 8\ndata: ")
    assert framer.item({"type": "heartbeat", "event_id": "9", "job": None}) == (
        b": heartbeat\nid: 9\n\n"
    )
    assert framer.item({"type": "heartbeat", "event_id": "", "job": None}) == b": heartbeat\n\n"
    assert framer.error({"code": 504}) == b'event: error\ndata: {"code":504}\n\n'
    assert framer.end() == b"event: done\ndata: {}\n\n"
    assert dict(framer.headers)[b"content-type"] == b"text/event-stream"


def test_sse_fields_from_nested_and_numeric_values() -> None:
    framer = SseFramer(StreamRule(event_id_field="meta.seq", event_type_field="meta.kind"))
    assert framer.item({"meta": {"seq": 12, "kind": "line"}}) == (
        b'id: 12\nevent: line\ndata: {"meta":{"seq":12,"kind":"line"}}\n\n'
    )
    assert framer.item(None) == b"data: null\n\n"
    assert SseFramer(None).item({"a": 1}) == b'data: {"a":1}\n\n'


def test_sse_never_lets_a_value_break_the_framing(caplog) -> None:
    caplog.set_level(logging.WARNING)
    framer = SseFramer(RULE)
    framed = framer.item({"type": "x\n\ndata: forged", "event_id": "1\r2", "job": None})
    assert framed.count(b"\n\n") == 1 and framed.startswith(b"data: ")
    assert "line break" in caplog.text
    # A string type named like the gateway's own events is sent as a plain message.
    assert framer.item({"type": "error", "event_id": "", "job": None}).startswith(b"data: ")
    assert "reserved" in caplog.text


def test_framer_for() -> None:
    assert isinstance(framer_for(SSE, RULE), SseFramer)
    assert isinstance(framer_for(NDJSON, RULE), NdjsonFramer)
