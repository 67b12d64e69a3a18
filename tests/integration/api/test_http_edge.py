"""The HTTP edge on real sockets: header size and count bounds (431), slow heads and
bodies timed out (408), unparsable requests, all as the contract's JSON envelope, and
HEAD on GET routes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import BOOTSTRAP_KEY, service_settings
from tests.support.service import RunningService


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    running = RunningService(service_settings(
        tmp_path, database_url, http_max_head_bytes=8192, http_max_headers=50,
        http_head_timeout=1.0, http_body_timeout=1.0)).start()
    try:
        yield running
    finally:
        running.stop()


def exchange(service: RunningService, *chunks: bytes, pause: float = 0.0,
             timeout: float = 10) -> tuple[int, dict[str, str], dict]:
    """Send `chunks` (pausing between them) and read the response until the server closes."""
    with socket.create_connection(("127.0.0.1", service.app.http.port), timeout=timeout) as sock:  # type: ignore[union-attr]
        try:
            for chunk in chunks:
                sock.sendall(chunk)
                time.sleep(pause)
        except (BrokenPipeError, ConnectionResetError):
            pass
        data = b""
        while True:
            try:
                part = sock.recv(65536)
            except ConnectionResetError:
                break
            if not part:
                break
            data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, json.loads(body)


JOBS = b"GET /api/v1/org/local/ws/main/worlds/jobs HTTP/1.1\r\nHost: x\r\n"


def assert_envelope(status: int, headers: dict[str, str], body: dict, expected: int) -> None:
    assert status == expected
    assert headers["content-type"] == "application/json"
    assert body["code"] == expected and body["type"] and body["detail"]


def test_an_oversized_header_is_431(service: RunningService) -> None:
    status, headers, body = exchange(service, JOBS + b"X-Big: " + b"a" * 20000 + b"\r\n\r\n")
    assert_envelope(status, headers, body, 431)


def test_a_32_mb_header_is_refused_without_reading_it_all(service: RunningService) -> None:
    chunk = b"a" * (1 << 20)
    status, headers, body = exchange(service, JOBS + b"X-Big: ", *([chunk] * 32))
    assert_envelope(status, headers, body, 431)


def test_too_many_headers_is_431(service: RunningService) -> None:
    many = b"".join(b"X-H%d: v\r\n" % i for i in range(60))
    status, headers, body = exchange(service, JOBS + many + b"\r\n")
    assert_envelope(status, headers, body, 431)
    assert "header" in body["detail"]


def test_a_slowly_sent_head_is_408(service: RunningService) -> None:
    started = time.monotonic()
    status, headers, body = exchange(service, JOBS, b"X-Slow: 1\r\n", b"X-Slow: 2\r\n",
                                     pause=0.6)
    assert_envelope(status, headers, body, 408)
    assert time.monotonic() - started < 5


def test_a_slowly_sent_body_is_408(service: RunningService) -> None:
    head = (b"POST /api/v1/org/local/ws/main/worlds/manifests HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 20\r\n"
            b"X-API-Key: " + BOOTSTRAP_KEY.encode() + b"\r\n\r\n")
    status, headers, body = exchange(service, head, b"{", b" ", b" ", pause=0.6)
    assert_envelope(status, headers, body, 408)


def test_an_unparsable_request_is_a_400_envelope(service: RunningService) -> None:
    status, headers, body = exchange(service, b"GET /x HTTP/1.1\r\nBad Header Line\r\n\r\n")
    assert_envelope(status, headers, body, 400)


def test_normal_requests_and_keep_alive_are_unaffected(service: RunningService) -> None:
    with httpx.Client(base_url=service.base_url, headers={"x-api-key": BOOTSTRAP_KEY}) as client:
        for _ in range(3):
            assert client.get("/api/v1/org/local/ws/main/worlds/jobs").status_code == 200
        time.sleep(1.5)  # longer than the head timeout: an idle connection is not a 408
        assert client.get("/api/v1/org/local/ws/main/worlds/jobs").status_code == 200


def test_head_on_a_get_route_is_the_get_without_its_body(service: RunningService) -> None:
    with httpx.Client(base_url=service.base_url, headers={"x-api-key": BOOTSTRAP_KEY}) as client:
        got = client.get("/api/v1/org/local/ws/main/worlds/jobs")
        head = client.head("/api/v1/org/local/ws/main/worlds/jobs")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert client.head("/api/v1/org/local/ws/main/worlds/jobs/x").status_code == 422
        assert client.head("/healthz").status_code == 200
        job = client.post("/api/v1/org/local/ws/main/worlds/manifests", json={}).json()
        post_only = client.head(f"/api/v1/org/local/ws/main/worlds/jobs/{job['id']}/cancel")
        assert post_only.status_code == 405  # a POST-only route still refuses HEAD
        assert "HEAD" not in post_only.headers["allow"]
