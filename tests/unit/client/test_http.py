"""The one-shot calls' transport: every way a server can fail to answer becomes the client's
error, against real sockets on 127.0.0.1 that answer badly on purpose."""

from __future__ import annotations

import dataclasses
import socket
import ssl
import threading
from collections.abc import Callable, Iterator

import pytest

from worlds.client import http
from worlds.client.errors import ApiError, Unreachable
from worlds.client.options import ClientOptions

Behaviour = Callable[[socket.socket], None]


@pytest.fixture
def server() -> Iterator[Callable[[Behaviour], str]]:
    """A listener that reads each request (into `received`) and then handles the connection
    with the given behaviour; yields a function that sets it and returns the URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()
    behaviour: list[Behaviour] = []
    received: list[bytes] = []

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                received.append(conn.recv(65536))
                behaviour[0](conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()

    def start(handle: Behaviour) -> str:
        behaviour.append(handle)
        return f"http://127.0.0.1:{listener.getsockname()[1]}"

    start.received = received  # type: ignore[attr-defined]
    yield start
    stop.set()
    thread.join(5)
    listener.close()


def api(url: str) -> http.Api:
    return http.Api(ClientOptions(server=url, api_key="wk_x", key_source="test", org="o",
                                  workspace="w"))


def answer(status: str, body: bytes, *headers: str) -> Behaviour:
    def handle(conn: socket.socket) -> None:
        head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers, "", ""]
        conn.sendall("\r\n".join(head).encode() + body)

    return handle


def test_a_silent_server_did_not_answer_in_time(server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(http, "READ_TIMEOUT", 0.3)
    done = threading.Event()
    url = server(lambda conn: done.wait(5))
    with pytest.raises(Unreachable, match="did not answer in time"):
        api(url).call("ListJobs")
    done.set()


def test_a_connection_closed_without_an_answer_is_a_broken_connection(server) -> None:
    url = server(lambda conn: None)
    with pytest.raises(Unreachable, match=r"the connection to .* failed \(RemoteDisconnected"):
        api(url).call("GetJob", job_id="j")


def test_a_redirect_is_not_followed(server) -> None:
    url = server(answer("302 Found", b"", "Location: http://elsewhere.test/"))
    with pytest.raises(ApiError) as error:
        api(url).call("ListJobs")
    assert error.value.status == 302 and error.value.detail.startswith("HTTP 302 from ")


def test_the_envelope_of_an_error_and_the_json_of_a_success(server) -> None:
    envelope = b'{"code": 404, "detail": "Job \'j\' not found", "type": "not_found"}'
    url = server(answer("404 Not Found", envelope, "Content-Type: application/json"))
    with pytest.raises(ApiError) as error:
        api(url).call("GetJob", job_id="j")
    assert (error.value.status, error.value.detail) == (404, "Job 'j' not found")


def test_a_success_that_is_not_a_json_object(server) -> None:
    url = server(answer("200 OK", b"[]", "Content-Type: application/json"))
    with pytest.raises(ApiError, match="is not a JSON object"):
        api(url).call("ListJobs")


def test_the_query_carries_what_the_path_does_not_bind(server) -> None:
    url = server(answer("200 OK", b'{"items": []}'))
    assert api(url).call("ListTrajectories", query={"page": 1, "kind": None},
                         manifest_id="m 1") == {"items": []}
    request = server.received[0].split(b"\r\n")
    assert request[0] == b"GET /api/v1/org/o/ws/w/worlds/trajectories?page=1&manifest_id=m+1 HTTP/1.1"
    assert b"X-Api-Key: wk_x" in request and any(h.startswith(b"User-Agent: worlds/") for h in request)


def test_tls_trusts_httpxs_bundle_and_an_http_server_gets_none() -> None:
    options = ClientOptions(server="https://x.test", api_key="k", key_source="t", org="o",
                            workspace="w")
    tls = http.tls_context(options)
    assert tls.verify_mode == ssl.CERT_REQUIRED and tls.check_hostname
    assert tls.cert_store_stats()["x509_ca"] > 50
    plain = http.tls_context(dataclasses.replace(options, server="http://x.test"))
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.cert_store_stats()["x509_ca"] == 0
