"""job-wait's stream follower against scripted HTTP answers: reconnection with the resume
token, watching anew, giving up, the deadline. (tests/cli runs it against the real server.)"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from worlds.client.errors import ApiError, Unreachable, WaitTimedOut
from worlds.client.options import ClientOptions
from worlds.client.wait import Policy, wait_for_job

JOB_ID = "0b3e6c1e-9a4f-4c1e-8d2b-6f1a2b3c4d5e"
OPTIONS = ClientOptions(server="http://worlds.test", api_key="wk_k", key_source="--api-key", org="local",
                        workspace="main")
FAST = Policy(liveness=5, first_pause=0, max_pause=0, give_up_after=0.5)


def job(status: str, progress: float | None = None, error: str | None = None) -> dict[str, Any]:
    return {"id": JOB_ID, "status": status, "progress": progress, "error": error}


def event(kind: str, event_id: str, record: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": kind, "event_id": event_id, "job": record}


async def _lines(items: list[Any]) -> AsyncIterator[bytes]:
    for item in items:
        if isinstance(item, Exception):
            raise item
        if item == "hang":
            await asyncio.sleep(3600)
        yield json.dumps(item).encode() + b"\n"


Answer = Callable[[httpx.Request], httpx.Response]


def stream(*items: Any) -> Answer:
    """A 200 NDJSON answer made of these events; an exception in it breaks the connection."""
    return lambda request: httpx.Response(200, headers={"content-type": "application/x-ndjson"},
                                          content=_lines(list(items)))


def error(code: int, type_: str, detail: str = "no") -> Answer:
    return lambda request: httpx.Response(code, json={"code": code, "detail": detail, "type": type_})


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("All connection attempts failed", request=request)


class Server:
    """Answers each request with the next scripted answer, and keeps the requests."""

    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert self.answers, f"unexpected request {request.url}"
        return self.answers.pop(0)(request)

    def tokens(self) -> list[str | None]:
        return [r.url.params.get("resume_token") for r in self.requests]


class Shown:
    def __init__(self) -> None:
        self.jobs: list[dict[str, Any]] = []

    def update(self, record: dict[str, Any]) -> None:
        self.jobs.append(record)

    def tick(self) -> None:
        pass

    def close(self) -> None:
        pass


def wait(server: Server, shown: Shown | None = None, **kwargs: Any) -> dict[str, Any]:
    return wait_for_job(OPTIONS, JOB_ID, shown or Shown(), policy=kwargs.pop("policy", FAST),
                        transport=httpx.MockTransport(server), **kwargs)


def test_follows_the_stream_until_the_job_ends() -> None:
    server = Server(stream(event("snapshot", "1", job("queued")), event("heartbeat", "1"),
                           event("changed", "2", job("running", 0.5)),
                           event("changed", "3", job("completed", 1.0))))
    shown = Shown()
    assert wait(server, shown)["status"] == "completed"
    assert [j["status"] for j in shown.jobs] == ["queued", "running", "completed"]
    (request,) = server.requests
    assert request.url.path == f"/api/v1/org/local/ws/main/worlds/jobs/{JOB_ID}/watch"
    assert request.headers["accept"] == "application/x-ndjson"
    assert request.headers["x-api-key"] == "wk_k"


def test_a_dropped_connection_resumes_after_the_last_event() -> None:
    server = Server(stream(event("snapshot", "4", job("running", 0.1)), event("heartbeat", "6"),
                           httpx.ReadError("connection reset")),
                    stream(event("changed", "9", job("failed", 0.3, "boom"))))
    final = wait(server)
    assert (final["status"], final["error"]) == ("failed", "boom")
    assert server.tokens() == [None, "6"]


def test_a_server_error_in_the_stream_resumes_too() -> None:
    failed = {"error": {"code": 504, "detail": "Deadline exceeded", "type": "gateway_timeout"}}
    server = Server(stream(event("snapshot", "4", job("running")), failed),
                    stream(event("changed", "5", job("completed", 1.0))))
    assert wait(server)["status"] == "completed"
    assert server.tokens() == [None, "4"]


def test_an_expired_token_watches_anew() -> None:
    server = Server(stream(event("snapshot", "4", job("running")), httpx.RemoteProtocolError("cut")),
                    error(409, "conflict", "Resume token 4 is too old"),
                    stream(event("snapshot", "80", job("cancelled"))))
    assert wait(server)["status"] == "cancelled"
    assert server.tokens() == [None, "4", None]


def test_a_stream_that_ends_before_the_job_does_is_watched_anew() -> None:
    server = Server(stream(event("snapshot", "4", job("running"))),
                    stream(event("snapshot", "7", job("completed", 1.0))))
    assert wait(server)["status"] == "completed"
    assert server.tokens() == [None, None]


def test_an_unreachable_server_fails_at_once() -> None:
    server = Server(refused)
    with pytest.raises(Unreachable) as raised:
        wait(server)
    assert "cannot reach the server at http://worlds.test" in raised.value.message
    assert len(server.requests) == 1


def test_a_server_that_stays_away_is_given_up() -> None:
    server = Server(stream(event("snapshot", "4", job("running")), httpx.ReadError("reset")),
                    *[refused] * 10_000)
    with pytest.raises(Unreachable):
        wait(server, policy=Policy(liveness=5, first_pause=0.01, max_pause=0.01, give_up_after=0.2))
    assert 3 < len(server.requests) < 1000
    assert set(server.tokens()[1:]) == {"4"}


@pytest.mark.parametrize(("code", "type_"), [(401, "authentication_error"), (404, "not_found"),
                                             (500, "internal_error")])
def test_errors_before_the_stream_starts_are_final(code: int, type_: str) -> None:
    server = Server(error(code, type_))
    with pytest.raises(ApiError) as raised:
        wait(server)
    assert (raised.value.status, raised.value.type) == (code, type_)
    assert len(server.requests) == 1


def test_the_deadline_stops_waiting_and_keeps_the_last_state() -> None:
    server = Server(stream(event("snapshot", "4", job("running", 0.25)), "hang"))
    with pytest.raises(WaitTimedOut) as raised:
        wait(server, timeout=0.2)
    assert raised.value.job == job("running", 0.25)
    assert "stopped waiting after 0.2 s" in raised.value.message


def test_a_line_that_is_not_json_is_an_error() -> None:
    server = Server(lambda request: httpx.Response(200, content=b"<html>\n"))
    with pytest.raises(ApiError, match="not a JSON object"):
        wait(server)
