"""Watch streams for tests, over gRPC, NDJSON and SSE, read in a background thread.

Every transport is reduced to the same `Seen` record, so one test can assert the
same sequence of events whichever way it was delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import socket
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import grpc
import httpx

from tests.support.grpc_client import GrpcClient, RpcFailure, decode_failure
from worlds.v1 import jobs_pb2

_END = object()
T = TypeVar("T")


@dataclass(frozen=True)
class Seen:
    """One event as a watcher received it."""

    type: str  # snapshot, changed, heartbeat
    event_id: str
    job_id: str | None = None
    status: str | None = None
    progress: float | None = None
    cancel_requested: bool = False
    manifest_id: str | None = None
    error: str | None = None


def seen_from_proto(event: jobs_pb2.JobEvent) -> Seen:
    kind = jobs_pb2.JobEventType.Name(event.type).removeprefix("JOB_EVENT_TYPE_").lower()
    if not event.HasField("job"):
        return Seen(kind, event.event_id)
    job = event.job
    return Seen(kind, event.event_id, job.id,
                jobs_pb2.JobStatus.Name(job.status).removeprefix("JOB_STATUS_").lower(),
                job.progress if job.HasField("progress") else None,
                job.HasField("cancel_requested_at"),
                dict(job.result.items()).get("manifest_id"),
                job.error if job.HasField("error") else None)


def seen_from_json(event: dict[str, Any]) -> Seen:
    job = event.get("job")
    if job is None:
        return Seen(event["type"], event["event_id"])
    return Seen(event["type"], event["event_id"], job["id"], job["status"], job["progress"],
                job["cancel_requested_at"] is not None, (job["result"] or {}).get("manifest_id"),
                job["error"])


class Watcher:
    """Reads a stream in a thread; `next`/`until` take what arrived, with a timeout."""

    def __init__(self, events: Callable[[], Iterator[Seen]], cancel: Callable[[], None]) -> None:
        self._queue: queue.Queue[Any] = queue.Queue()
        self._cancel = cancel
        self.failure: Any = None
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, args=(events,), daemon=True)
        self._thread.start()

    def _read(self, events: Callable[[], Iterator[Seen]]) -> None:
        try:
            for seen in events():
                self._queue.put(seen)
        except Exception as exc:  # the test asserts on it
            self.failure = exc
        finally:
            self.ended.set()
            self._queue.put(_END)

    def next(self, timeout: float = 10) -> Seen | None:
        """The next event; None when the stream ended. Fails after `timeout` seconds."""
        try:
            item = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no event within {timeout} s") from None
        if item is _END:
            self._queue.put(_END)
            return None
        return item

    def until(self, done: Callable[[Seen], bool], timeout: float = 30,
              skip_heartbeats: bool = True) -> list[Seen]:
        """Events up to and including the first for which `done` holds."""
        taken: list[Seen] = []
        while True:
            seen = self.next(timeout)
            if seen is None:
                raise AssertionError(f"the stream ended first ({self.failure!r}); got {taken}")
            if skip_heartbeats and seen.type == "heartbeat":
                continue
            taken.append(seen)
            if done(seen):
                return taken

    def rest(self, timeout: float = 30) -> list[Seen]:
        """Every event until the stream ends by itself."""
        taken = []
        while (seen := self.next(timeout)) is not None:
            taken.append(seen)
        return taken

    def cancel(self) -> None:
        """Hang up, without waiting for the reader to notice."""
        self._cancel()

    def close(self) -> None:
        self._cancel()
        self.ended.wait(10)
        self._thread.join(10)


def grpc_watch(client: GrpcClient, method: str, request: Any, key: str | None) -> Watcher:
    call = getattr(client.stub, method)(request, metadata=client._metadata(key, "bearer"))

    def events() -> Iterator[Seen]:
        try:
            for response in call:
                yield seen_from_proto(response.event)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:  # type: ignore[attr-defined]
                raise

    return Watcher(events, call.cancel)


def grpc_failure(watcher: Watcher) -> RpcFailure:
    """The decoded error a gRPC watch ended with."""
    watcher.ended.wait(10)
    assert isinstance(watcher.failure, grpc.RpcError), f"expected an RPC error: {watcher.failure!r}"
    return decode_failure(watcher.failure)


@dataclass
class HttpStream:
    """What a REST watch returned: status, headers and, for an error, its envelope."""

    status: int = 0
    headers: httpx.Headers | None = None
    envelope: dict[str, Any] | None = None
    # Items that were not events: SSE comments (heartbeats) and in-stream errors.
    comments: list[str] | None = None
    errors: list[dict[str, Any]] | None = None


def rest_watch(base_url: str, path: str, key: str, *, sse: bool,
               last_event_id: str | None = None) -> tuple[Watcher, HttpStream]:
    """A REST watch; the returned HttpStream fills in as the response arrives."""
    client = httpx.Client(base_url=base_url, timeout=httpx.Timeout(30, read=None))
    headers = {"X-API-Key": key, "Accept": "text/event-stream" if sse else "application/x-ndjson"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    info = HttpStream(comments=[], errors=[])
    opened = threading.Event()
    closed = threading.Event()
    sockets: list[socket.socket] = []

    def events() -> Iterator[Seen]:
        try:
            with client.stream("GET", path, headers=headers) as response:
                info.status, info.headers = response.status_code, response.headers
                stream = response.extensions.get("network_stream")
                if stream is not None:
                    sockets.append(stream.get_extra_info("socket"))
                opened.set()
                if response.status_code != 200:
                    info.envelope = json.loads(response.read())
                    return
                lines = response.iter_lines()
                yield from (_sse(lines, info) if sse else _ndjson(lines, info))
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.StreamClosed):
            if not closed.is_set():
                raise
        finally:
            opened.set()
            client.close()

    def cancel() -> None:
        closed.set()
        # Closing a socket does not wake a thread blocked reading it (it would wait for
        # the server's next heartbeat); shutting it down does.
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        client.close()

    watcher = Watcher(events, cancel)
    opened.wait(30)
    return watcher, info


def _ndjson(lines: Iterator[str], info: HttpStream) -> Iterator[Seen]:
    for line in lines:
        if not line:
            continue
        item = json.loads(line)
        if "error" in item:
            info.errors.append(item["error"])  # type: ignore[union-attr]
            continue
        yield seen_from_json(item)


def _sse(lines: Iterator[str], info: HttpStream) -> Iterator[Seen]:
    block: dict[str, str] = {}
    data: list[str] = []
    for line in lines:
        if line == "":
            if data and block.get("event") == "error":
                info.errors.append(json.loads("\n".join(data)))  # type: ignore[union-attr]
            elif data and block.get("event") != "done":
                event = json.loads("\n".join(data))
                assert block.get("id") == event["event_id"], "every event carries its id"
                yield seen_from_json(event)
            elif "id" in block:  # a heartbeat comment with its id
                yield Seen("heartbeat", block["id"])
            block, data = {}, []
        elif line.startswith(":"):
            info.comments.append(line[1:].strip())  # type: ignore[union-attr]
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data.append(value)
            else:
                block[name] = value


class GrpcCrowd:
    """Many gRPC watches read by one event loop (grpc.aio) in one thread, not a thread each.

    A thousand reader threads in the test process contend for the GIL with the in-process
    server they watch; on a slower machine that contention alone outlasts any timeout.
    `seen[i]` is what the i-th watch received so far (appended on the crowd's loop)."""

    def __init__(self, target: str) -> None:
        from worlds.v1 import worlds_service_pb2_grpc

        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()

        async def connect() -> Any:
            return grpc.aio.insecure_channel(target)

        self._channel = self._run(connect())
        self._stub = worlds_service_pb2_grpc.WorldsServiceStub(self._channel)
        self._calls: list[Any] = []
        self._readers: list[asyncio.Future[None]] = []
        self.seen: list[list[Seen]] = []

    def _run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def open(self, calls: list[tuple[str, Any]], key: str) -> None:
        """Start a watch per (method, request), authenticated with `key`."""
        metadata = (("authorization", f"Bearer {key}"),)

        async def start() -> None:
            for method, request in calls:
                call = getattr(self._stub, method)(request, metadata=metadata)
                seen: list[Seen] = []
                self._calls.append(call)
                self.seen.append(seen)
                self._readers.append(asyncio.ensure_future(self._read(call, seen)))

        self._run(start())

    @staticmethod
    async def _read(call: Any, seen: list[Seen]) -> None:
        try:
            async for response in call:
                seen.append(seen_from_proto(response.event))
        except (grpc.aio.AioRpcError, asyncio.CancelledError):
            pass  # hung up by cancel(); the test asserts on what arrived

    def wait_all(self, done: Callable[[list[Seen]], bool], timeout: float, what: str) -> None:
        """Until `done(seen)` holds for every watch."""
        deadline = time.monotonic() + timeout
        pending = list(self.seen)
        while pending:
            pending = [seen for seen in pending if not done(seen)]
            if pending and time.monotonic() > deadline:
                raise AssertionError(f"{len(pending)} of {len(self.seen)} watches: no {what} "
                                     f"within {timeout} s")
            time.sleep(0.05)

    def ended(self) -> int:
        """How many of the watches have ended."""
        return sum(reader.done() for reader in self._readers)

    def cancel(self) -> None:
        """Hang up every watch and wait until each reader has seen it."""
        async def cancel() -> None:
            for call in self._calls:
                call.cancel()
            await asyncio.gather(*self._readers, return_exceptions=True)

        self._run(cancel())

    def close(self) -> None:
        self._run(self._channel.close())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
