"""Server streams over REST: NDJSON and SSE framing, resume, errors, deadlines, disconnects.

Runs in both backend modes like every REST test. Finite streams go through httpx's ASGI
transport (which collects the whole body); anything that must watch a stream as it is sent, or
leave half-way, uses :class:`~tests.gateway.driver.AsgiStream` or a real uvicorn server.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from worlds_gateway import InProcessBackend, create_gateway_app
from worlds_gateway.transcode import Transcoder

from tests.gateway.conftest import (
    BASE,
    CHANGED,
    JOB_ID,
    SECRET,
    SNAPSHOT,
    TRACKER,
    WORLDS,
    WorldsEcho,
    _job,
    asgi_client,
    assert_envelope,
    backend_for,
    job_event,
    serve,
)
from tests.gateway.driver import AsgiStream, parse_sse
from worlds.v1 import jobs_pb2

pytestmark = pytest.mark.anyio

SSE = {"Accept": "text/event-stream"}
JOB_FIELDS = 18  # the job record, updated_at included


def watch(job_id: str) -> str:
    return f"{BASE}/jobs/{job_id}/watch"


def lines(response: httpx.Response) -> list[Any]:
    assert response.text.endswith("\n"), "every NDJSON line ends with a newline"
    return [json.loads(line) for line in response.text.split("\n")[:-1]]


def assert_stream(response: httpx.Response, media_type: str) -> None:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == media_type
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["x-accel-buffering"] == "no"
    assert "content-length" not in response.headers


@pytest.fixture(scope="session")
def quick_app(mode: str, channel) -> Any:
    """A gateway that sends a quiet stream's headers after 0.1 s."""
    backend = backend_for(mode, channel, WorldsEcho())
    return create_gateway_app(WORLDS, backend, default_timeout=5.0, stream_headers_timeout=0.1)


def tag(request: pytest.FixtureRequest) -> str:
    """A tracker tag unique to this test and mode (no dots: it is part of a job_id)."""
    return request.node.name.replace(".", "_").replace("[", "-").rstrip("]")


# -- NDJSON ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept", [None, "*/*", "application/json", "application/x-ndjson", "text/html",
               "text/event-stream;q=0.5, application/json"],
)
async def test_ndjson_is_the_default_one_event_per_line(client, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = await client.get(watch("count.3"), headers=headers)
    assert_stream(response, "application/x-ndjson")
    assert response.headers["vary"] == "accept"
    events = lines(response)
    assert [(e["type"], e["event_id"]) for e in events] == [
        ("snapshot", "1"), ("changed", "2"), ("changed", "3")
    ]
    # The event object itself (response_body), no {"result": …} wrapper, the full job record.
    assert set(events[0]) == {"type", "event_id", "job"}
    assert len(events[0]["job"]) == JOB_FIELDS and events[0]["job"]["id"] == JOB_ID
    assert [e["job"]["status"] for e in events] == ["queued", "running", "running"]


async def test_ndjson_sends_heartbeats_as_lines(client) -> None:
    events = lines(await client.get(watch("heartbeats")))
    assert events[1:3] == [
        {"type": "heartbeat", "event_id": "1", "job": None},
        {"type": "heartbeat", "event_id": "", "job": None},
    ]
    assert [e["type"] for e in events] == ["snapshot", "heartbeat", "heartbeat", "changed"]


async def test_a_long_stream_arrives_whole_and_in_order(client) -> None:
    events = lines(await client.get(watch("many.300")))
    assert [e["event_id"] for e in events] == [str(i) for i in range(1, 301)]


# -- SSE -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept", ["text/event-stream", "text/event-stream, application/json;q=0.9",
               "application/json;q=0.1, text/*", "TEXT/EVENT-STREAM; charset=utf-8"],
)
async def test_sse_framing_is_exact(client, accept: str) -> None:
    ndjson = (await client.get(watch("count.2"))).text.split("\n")
    response = await client.get(watch("count.2"), headers={"Accept": accept})
    assert_stream(response, "text/event-stream")
    assert response.content == (
        f"id: 1\nevent: snapshot\ndata: {ndjson[0]}\n\n"
        f"id: 2\nevent: changed\ndata: {ndjson[1]}\n\n"
        "event: done\ndata: {}\n\n"
    ).encode()


async def test_sse_heartbeats_are_comments(client) -> None:
    response = await client.get(watch("heartbeats"), headers=SSE)
    assert b"\n\n: heartbeat\nid: 1\n\n: heartbeat\n\nid: 2\nevent: changed\n" in response.content
    items = parse_sse(response.content)
    assert [item.get("event") or item.get("comment") or "id-only" for item in items] == [
        "snapshot", "heartbeat", "id-only", "heartbeat", "changed", "done"
    ]
    # A heartbeat's id moves Last-Event-ID on (an id without data) but dispatches no event.
    assert items[2] == {"id": "1"}
    assert json.loads(items[4]["data"])["job"]["status"] == "running"


async def test_sse_without_a_stream_rule_is_plain_messages(tclient) -> None:
    response = await tclient.get("/v1/watch/w1", headers=SSE)
    items = parse_sse(response.content)
    assert [item["event"] for item in items] == ["message", "message", "done"]
    assert all("id" not in item for item in items)
    assert json.loads(items[0]["data"])["id"] == "w1"


async def test_ids_types_and_heartbeats_from_any_field_kind(tclient) -> None:
    # Tail: int64 ids, a string type, heartbeat "ping", body "*", a reader/writer servicer.
    response = await tclient.post("/v1/logs/pings:tail", json={"count": 4, "after": 10},
                                  headers=SSE)
    assert_stream(response, "text/event-stream")
    items = parse_sse(response.content)
    assert items == [
        {"id": "11", "event": "line", "data": items[0]["data"]},
        {"comment": "heartbeat"},
        {"id": "12"},
        {"id": "13", "event": "line", "data": items[3]["data"]},
        {"comment": "heartbeat"},
        {"id": "14"},
        {"event": "done", "data": "{}"},
    ]
    # A line break inside a value stays escaped inside the JSON: one data line per event.
    assert json.loads(items[0]["data"]) == {
        "seq": 11, "kind": "line", "text": "line 11\nwith a break", "signal": None
    }
    ndjson = lines(await tclient.post("/v1/logs/pings:tail", json={"count": 2}))
    assert [(e["seq"], e["kind"]) for e in ndjson] == [(1, "line"), (2, "ping")]


# -- resume ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "header", "seen"),
    [
        ("", None, "after:-"),
        ("?resume_token=q7", None, "after:q7"),
        ("", "h9", "after:h9"),
        # EventSource reconnects to the same URL with a fresher Last-Event-ID: it wins.
        ("?resume_token=q7", "h9", "after:h9"),
        ("?resume_token=q7", " ", "after:q7"),
    ],
)
async def test_last_event_id_fills_the_resume_field(client, query, header, seen) -> None:
    headers = {"Last-Event-ID": header} if header is not None else {}
    events = lines(await client.get(watch("resume") + query, headers=headers))
    assert events[0]["event_id"] == seen


async def test_a_resumed_stream_continues_after_the_id(client) -> None:
    response = await client.get(watch("count.2"), headers={**SSE, "Last-Event-ID": "41"})
    assert [item.get("id") for item in parse_sse(response.content)] == ["42", "43", None]


async def test_a_bad_last_event_id_is_located_at_the_header(client, tclient) -> None:
    # The gateway's own parsing (an int64 resume field)...
    response = await tclient.post("/v1/logs/x:tail", json={}, headers={"Last-Event-ID": "abc"})
    envelope = assert_envelope(response, 422, "validation_error")
    assert [e["loc"] for e in envelope["errors"]] == [["header", "Last-Event-ID"]]
    # ...and the servicer's verdict on the token, wherever the client put it.
    by_header = await client.get(watch("badtoken"), headers={"Last-Event-ID": "x"})
    envelope = assert_envelope(by_header, 422, "validation_error")
    assert envelope["errors"] == [{"loc": ["header", "Last-Event-ID"],
                                   "msg": "is older than the retained history",
                                   "type": "resume_token_expired"}]
    by_query = await client.get(watch("badtoken") + "?resume_token=x")
    envelope = assert_envelope(by_query, 422, "validation_error")
    assert envelope["errors"][0]["loc"] == ["query", "resume_token"]


# -- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("accept", [None, "text/event-stream"])
@pytest.mark.parametrize(
    ("job_id", "status", "type_"),
    [
        ("abort.UNAUTHENTICATED", 401, "authentication_error"),
        ("abort.PERMISSION_DENIED", 403, "permission_denied"),
        ("abort.NOT_FOUND", 404, "not_found"),
        ("abort.FAILED_PRECONDITION", 409, "conflict"),
        ("abort.rate", 429, "rate_limited"),
        ("crash", 500, "internal_error"),
    ],
)
async def test_errors_before_the_first_event_are_ordinary_responses(
    client, accept, job_id, status, type_
) -> None:
    response = await client.get(watch(job_id), headers={"Accept": accept} if accept else {})
    envelope = assert_envelope(response, status, type_)
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
    if status == 429:
        assert response.headers["retry-after"] == "2"
    assert SECRET not in response.text and envelope["code"] == status


async def test_request_errors_of_a_stream_route_are_ordinary_responses(client) -> None:
    bad_filter = await client.get(f"{BASE}/jobs:watch?status=bogus", headers=SSE)
    envelope = assert_envelope(bad_filter, 422, "validation_error")
    assert envelope["errors"][0]["loc"] == ["query", "status"]
    assert_envelope(await client.get(watch("count.1"), headers={"Grpc-Timeout": "x"}), 400,
                    "invalid_request")


@pytest.mark.parametrize(
    ("job_id", "envelope"),
    [
        ("after.NOT_FOUND", {"code": 404, "detail": "servicer says NOT_FOUND", "type": "not_found"}),
        ("after.UNAVAILABLE", {"code": 502, "detail": "The backend service is unavailable",
                               "type": "bad_gateway"}),
        ("boom", {"code": 500, "detail": "Internal server error", "type": "internal_error"}),
        ("setcode", {"code": 403, "detail": "not yours", "type": "permission_denied"}),
        ("accepted.NOT_FOUND", {"code": 404, "detail": "servicer says NOT_FOUND",
                                "type": "not_found"}),
    ],
)
async def test_errors_after_the_stream_started_are_in_stream(client, job_id, envelope) -> None:
    sse = await client.get(watch(job_id), headers=SSE)
    assert_stream(sse, "text/event-stream")
    items = parse_sse(sse.content)
    assert items[-1] == {"event": "error", "data": json.dumps(envelope, separators=(",", ":"))}
    assert all(item.get("event") != "done" for item in items)
    ndjson = await client.get(watch(job_id))
    assert_stream(ndjson, "application/x-ndjson")
    assert lines(ndjson)[-1] == {"error": envelope}
    if job_id != "accepted.NOT_FOUND":  # accepted (headers sent), then failed: no event
        assert lines(ndjson)[0]["type"] == "snapshot"
    assert SECRET not in sse.text + ndjson.text


async def test_in_stream_field_errors_keep_their_locations(client) -> None:
    (error,) = [e for e in lines(await client.get(watch("after.violations"))) if "error" in e]
    assert error["error"]["code"] == 422 and error["error"]["type"] == "validation_error"
    assert [e["loc"] for e in error["error"]["errors"]] == [
        ["query", "num_hosts"], ["query", "domains", 2], ["path", "org"]
    ]


# -- deadlines and metadata ------------------------------------------------------------------------


async def test_a_deadline_during_a_stream_ends_it_in_stream(client) -> None:
    response = await client.get(watch("stall"), headers={**SSE, "Grpc-Timeout": "200m"})
    items = parse_sse(response.content)
    assert [item["event"] for item in items] == ["snapshot", "error"]
    assert json.loads(items[1]["data"]) == {
        "code": 504, "detail": "The request deadline was exceeded", "type": "gateway_timeout"
    }


async def test_a_deadline_before_the_first_event_is_504(client, request) -> None:
    name = tag(request)
    response = await client.get(watch(f"quiet.{name}"), headers={"Grpc-Timeout": "100m"})
    assert_envelope(response, 504, "gateway_timeout")
    await TRACKER.settled(name, 1)


async def test_a_stream_has_no_default_deadline_and_gets_the_metadata(client) -> None:
    # The app's unary default is 5 s; a watch lasts as long as its client.
    (event,) = lines(await client.get(watch("whoami"), headers={"X-API-Key": "wk_k"}))
    result = event["job"]["result"]
    assert result["time_remaining"] is None
    assert result["metadata"]["x-api-key"] == "wk_k"
    assert result["metadata"]["x-forwarded-for"] == "203.0.113.7"
    (timed,) = lines(await client.get(watch("whoami"), headers={"Grpc-Timeout": "3S"}))
    assert 2.0 < timed["job"]["result"]["time_remaining"] <= 3.1


# -- when the headers go -----------------------------------------------------------------------------


async def test_headers_go_out_when_the_servicer_accepts(worlds_app) -> None:
    stream = AsgiStream(worlds_app, "GET", watch("headers.0.5"), SSE)
    await stream.start(timeout=0.4)  # before the first event, which comes after 0.5 s
    assert stream.status == 200 and stream.headers["content-type"] == "text/event-stream"
    assert (await stream.next_chunk()).startswith(b"id: 1\nevent: snapshot\n")
    assert (await stream.read_all()).endswith(b"event: done\ndata: {}\n\n")
    await stream.finished()


async def test_a_quiet_stream_gets_its_headers_after_a_while(quick_app, request) -> None:
    name = tag(request)
    stream = AsgiStream(quick_app, "GET", watch(f"quiet.{name}"), SSE)
    await stream.start(timeout=1.0)
    assert stream.status == 200
    stream.disconnect()
    await stream.finished(timeout=1.0)
    await TRACKER.settled(name, 1)


async def test_a_quiet_stream_that_fails_late_fails_in_stream(quick_app) -> None:
    async with asgi_client(quick_app) as client:
        response = await client.get(watch("stall"), headers={"Grpc-Timeout": "300m"})
        assert_stream(response, "application/x-ndjson")
        assert lines(response)[-1]["error"]["code"] == 504


# -- disconnects -----------------------------------------------------------------------------------


async def test_a_client_that_leaves_cancels_the_call(worlds_app, mode, request) -> None:
    name = tag(request)
    stream = AsgiStream(worlds_app, "GET", watch(f"slow.{name}"), SSE)
    await stream.start()
    assert (await stream.next_chunk()).startswith(b"id: 1\n")
    stream.disconnect()
    await stream.finished(timeout=1.0)
    await TRACKER.settled(name, 1)
    if mode == "in_process":
        assert TRACKER.cancelled[name] == 1, "InProcessContext.cancelled() after a disconnect"


async def test_a_client_that_leaves_before_any_event_cancels_the_call(worlds_app, request) -> None:
    name = tag(request)
    stream = AsgiStream(worlds_app, "GET", watch(f"quiet.{name}"))
    stream.task = asyncio.ensure_future(stream.app(stream.scope, stream._receive, stream._send))
    async with asyncio.timeout(2):
        while not TRACKER.opened[name]:
            await asyncio.sleep(0.005)
    stream.disconnect()
    await stream.finished(timeout=1.0)
    await TRACKER.settled(name, 1)


async def test_many_clients_come_and_go_and_leak_nothing(worlds_app, request) -> None:
    name = tag(request)
    await asyncio.sleep(0.05)
    baseline = len(asyncio.all_tasks())
    rounds, width = 8, 25
    for _ in range(rounds):
        streams = [AsgiStream(worlds_app, "GET", watch(f"slow.{name}"), SSE) for _ in range(width)]
        await asyncio.gather(*(s.start() for s in streams))
        await asyncio.gather(*(s.next_chunk() for s in streams))
        for s in streams:
            s.disconnect()
        await asyncio.gather(*(s.finished(timeout=2.0) for s in streams))
    await TRACKER.settled(name, rounds * width)
    assert TRACKER.opened[name] == TRACKER.closed[name] == rounds * width
    async with asyncio.timeout(5):
        while len(asyncio.all_tasks()) > baseline:
            await asyncio.sleep(0.01)


async def test_through_a_real_http_server(worlds_app, request) -> None:
    name = tag(request)
    async with serve(worlds_app) as url, httpx.AsyncClient(base_url=url) as http:
        async with asyncio.timeout(0.4), http.stream("GET", watch("headers.0.6"),
                                                     headers=SSE) as response:
            # Headers arrive before the first event does.
            assert response.status_code == 200
            assert response.headers["content-type"] == "text/event-stream"
            assert response.headers["transfer-encoding"] == "chunked"
        async with http.stream("GET", watch(f"slow.{name}"), headers=SSE) as response:
            received = b""
            async for chunk in response.aiter_raw():
                received += chunk
                if b"\n\n" in received:
                    break  # leave mid-stream: the connection closes
        assert parse_sse(received.partition(b"\n\n")[0] + b"\n\n")[0]["event"] == "snapshot"
        await TRACKER.settled(name, 1)
        whole = await http.get(watch("count.2"), headers=SSE)
        assert [item["event"] for item in parse_sse(whole.content)] == [
            "snapshot", "changed", "done"
        ]
        bad = await http.get(watch("abort.UNAUTHENTICATED"), headers=SSE)
        assert_envelope(bad, 401, "authentication_error")


# -- routing of the watch routes ---------------------------------------------------------------------


async def test_the_watch_routes_never_reach_get_job(client) -> None:
    watched = await client.get(f"{BASE}/jobs/{JOB_ID}/watch")
    assert_stream(watched, "application/x-ndjson")
    assert lines(watched)[0]["job"]["id"] == JOB_ID
    got = await client.get(f"{BASE}/jobs/{JOB_ID}")
    assert got.headers["content-type"] == "application/json" and got.json()["id"] == JOB_ID
    wrong = await client.post(f"{BASE}/jobs/{JOB_ID}/watch")
    assert_envelope(wrong, 405, "invalid_request")
    assert wrong.headers["allow"] == "GET"
    # `:watch` is a registered verb (the workspace watch): on a job it matches no route,
    # rather than reaching GetJob with the id "…:watch".
    assert_envelope(await client.get(f"{BASE}/jobs/{JOB_ID}:watch"), 404, "not_found")
    # An unregistered suffix, or an encoded colon, is part of the id (GetJob).
    assert (await client.get(f"{BASE}/jobs/{JOB_ID}:other")).json()["id"] == f"{JOB_ID}:other"
    assert (await client.get(f"{BASE}/jobs/x%3Awatch")).json()["id"] == "x:watch"


async def test_the_workspace_watch(client) -> None:
    response = await client.get(f"{BASE}/jobs:watch?status=running",
                                headers={**SSE, "Last-Event-ID": "s5"})
    items = parse_sse(response.content)
    assert items[0]["id"] == "lab:JOB_STATUS_RUNNING:s5"
    assert items[1:] == [{"comment": "heartbeat"}, {"event": "done", "data": "{}"}]
    assert_envelope(await client.post(f"{BASE}/jobs:watch"), 405, "invalid_request")


class SharedEvents(WorldsEcho):
    """Sends every watcher the same response objects, as the service does with an event it
    built once for all its watchers."""

    def __init__(self) -> None:
        super().__init__()
        self.responses = [
            job_event(SNAPSHOT, "1", _job()),
            job_event(CHANGED, "2", _job(status=jobs_pb2.JOB_STATUS_RUNNING)),
        ]

    async def WatchJob(self, request, context):
        for response in self.responses:
            yield response


async def test_a_response_shared_by_many_streams_is_rendered_once_per_format(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A thousand watchers of one job must not cost a thousand JSON encodings per event:
    the gateway renders a response object once per format, and every stream gets the
    same bytes it would have rendered itself."""
    rendered: list[int] = []
    encode = Transcoder.encode

    def counting(self: Transcoder, response: Any) -> Any:
        rendered.append(id(response))
        return encode(self, response)

    monkeypatch.setattr(Transcoder, "encode", counting)
    app = create_gateway_app(WORLDS, InProcessBackend(SharedEvents()), default_timeout=5.0)
    async with asgi_client(app) as client:
        sse = [await client.get(watch(JOB_ID), headers=SSE) for _ in range(3)]
        ndjson = [await client.get(watch(JOB_ID)) for _ in range(3)]
    assert len({r.content for r in sse}) == 1 and len({r.content for r in ndjson}) == 1
    assert [e["data"] for e in parse_sse(sse[0].content) if "data" in e][:2] == [
        json.dumps(line, separators=(",", ":"), ensure_ascii=False) for line in lines(ndjson[0])]
    assert len(rendered) == 2 * 2  # two responses, two formats, whatever the streams
