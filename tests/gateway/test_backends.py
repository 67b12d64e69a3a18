"""The two backends: InProcessContext's grpc semantics, and identical Status in both modes."""

from __future__ import annotations

import asyncio
import logging
import socket

import grpc
import pytest
from google.rpc import code_pb2, error_details_pb2
from grpc_status import rpc_status
from worlds_gateway import (
    ChannelBackend,
    InProcessBackend,
    InProcessContext,
    RpcStatusError,
    create_gateway_app,
)

from tests.gateway.conftest import (
    BASE,
    WORLDS,
    WorldsEcho,
    asgi_client,
    assert_envelope,
    rich_status,
)
from worlds.v1 import worlds_service_pb2, worlds_service_pb2_grpc

pytestmark = pytest.mark.anyio

CREATE = WORLDS.methods_by_name["CreateManifestJob"]
GET = WORLDS.methods_by_name["GetJob"]
CANCEL = WORLDS.methods_by_name["CancelJob"]


def _reason(status) -> str:
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info.reason


async def _status_of(backend, method, request, timeout=5.0):
    with pytest.raises(RpcStatusError) as raised:
        await backend.unary(method, request, [("authorization", "Bearer k")], timeout)
    return raised.value.status


# -- InProcessContext ---------------------------------------------------------------------------


async def test_context_reads_like_grpcs() -> None:
    context = InProcessContext([("X-Api-Key", "k"), ("trace-bin", b"\x01")], peer="ipv4:1.2.3.4:5")
    assert context.invocation_metadata() == (("x-api-key", "k"), ("trace-bin", b"\x01"))
    assert context.invocation_metadata()[0].key == "x-api-key"
    assert context.peer() == "ipv4:1.2.3.4:5"
    assert context.time_remaining() is None
    assert not context.cancelled() and not context.done()
    await context.send_initial_metadata([("a", "b")])
    context.set_trailing_metadata([("c", "d")])
    assert context.trailing_metadata() == (("c", "d"),)
    deadline = asyncio.get_running_loop().time() + 2
    assert 1.5 < InProcessContext(deadline=deadline).time_remaining() <= 2


async def test_abort_raises_grpcs_exception_with_the_rich_status() -> None:
    status = rich_status(code_pb2.NOT_FOUND, "gone", "JOB_NOT_FOUND")
    context = InProcessContext()
    with pytest.raises(grpc.aio.AbortError) as raised:
        await context.abort_with_status(rpc_status.to_status(status))
    assert raised.value.status == status
    with pytest.raises(grpc.aio.AbortError) as plain:
        await context.abort(grpc.StatusCode.ALREADY_EXISTS, "dup")
    assert (plain.value.status.code, plain.value.status.message) == (code_pb2.ALREADY_EXISTS, "dup")
    assert _reason(plain.value.status) == "ALREADY_EXISTS"
    with pytest.raises(grpc.aio.AbortError) as ok:
        await context.abort(grpc.StatusCode.OK, "odd")
    assert ok.value.status.code == code_pb2.UNKNOWN


async def test_abort_uses_trailers_set_before() -> None:
    status = rich_status(code_pb2.ABORTED, "retry", "CONFLICT")
    context = InProcessContext()
    context.set_trailing_metadata(rpc_status.to_status(status).trailing_metadata)
    with pytest.raises(grpc.aio.AbortError) as raised:
        await context.abort(grpc.StatusCode.ABORTED, "retry")
    assert raised.value.status == status


# -- InProcessBackend ------------------------------------------------------------------------------


class Odd(worlds_service_pb2_grpc.WorldsServiceServicer):
    """Servicer misbehaviours."""

    def __init__(self) -> None:
        self.contexts: list[InProcessContext] = []

    def ListJobs(self, request, context):
        return worlds_service_pb2.ListJobsResponse(total=1)

    async def GetJob(self, request, context):
        self.contexts.append(context)
        if request.job_id == "none":
            return None
        if request.job_id == "wrong":
            return worlds_service_pb2.ListJobsResponse()
        if request.job_id == "timeout-error":
            raise TimeoutError("from a library, not the deadline")
        if request.job_id == "sleep":
            await asyncio.sleep(10)
        return worlds_service_pb2.GetJobResponse()


async def test_in_process_failures_are_statuses(caplog) -> None:
    odd = Odd()
    backend = InProcessBackend(odd)
    listed = await backend.unary(WORLDS.methods_by_name["ListJobs"],
                                 worlds_service_pb2.ListJobsRequest(), [], None)
    assert listed.total == 1
    for job_id in ("none", "wrong", "timeout-error"):
        status = await _status_of(backend, GET, worlds_service_pb2.GetJobRequest(job_id=job_id))
        assert (status.code, status.message) == (code_pb2.INTERNAL, "Internal error"), job_id
    # The generated base class sets UNIMPLEMENTED, then raises NotImplementedError.
    unimplemented = await _status_of(backend, CANCEL, worlds_service_pb2.CancelJobRequest())
    assert unimplemented.code == code_pb2.UNIMPLEMENTED
    assert "Method not implemented" not in unimplemented.message
    assert "unexpected exception in worlds.v1.WorldsService.GetJob" in caplog.text
    missing = await _status_of(InProcessBackend(object()), GET, worlds_service_pb2.GetJobRequest())
    assert missing.code == code_pb2.UNIMPLEMENTED


async def test_in_process_deadline_cancels_the_handler() -> None:
    odd = Odd()
    seen: list[bool] = []
    backend = InProcessBackend(odd)
    task = asyncio.ensure_future(
        _status_of(backend, GET, worlds_service_pb2.GetJobRequest(job_id="sleep"), timeout=0.05)
    )
    while not odd.contexts:
        await asyncio.sleep(0)
    odd.contexts[0].add_done_callback(lambda context: seen.append(context.cancelled()))
    status = await task
    assert (status.code, status.message) == (code_pb2.DEADLINE_EXCEEDED, "Deadline Exceeded")
    assert odd.contexts[0].done() and seen == [True]


async def test_a_finished_call_is_done_not_cancelled() -> None:
    odd = Odd()
    await InProcessBackend(odd).unary(GET, worlds_service_pb2.GetJobRequest(), [], 5.0)
    assert odd.contexts[0].done() and not odd.contexts[0].cancelled()


# -- parity ----------------------------------------------------------------------------------------


@pytest.fixture
def both(channel):
    return InProcessBackend(WorldsEcho()), ChannelBackend(channel)


@pytest.mark.parametrize(
    "name",
    ["fail:NOT_FOUND", "fail:rate", "fail:violations", "fail:UPGRADE_REQUIRED",
     "fail:plain:ABORTED", "fail:plain:UNAUTHENTICATED", "fail:setcode"],
)
async def test_both_backends_produce_the_same_status(both, name: str) -> None:
    request = worlds_service_pb2.CreateManifestJobRequest(name=name)
    in_process, over_channel = [await _status_of(backend, CREATE, request) for backend in both]
    assert in_process == over_channel


async def test_both_backends_time_out_the_same_way(both) -> None:
    request = worlds_service_pb2.CreateManifestJobRequest(name="sleep")
    statuses = [await _status_of(backend, CREATE, request, timeout=0.05) for backend in both]
    assert statuses[0] == statuses[1]
    assert (statuses[0].code, _reason(statuses[0])) == (4, "DEADLINE_EXCEEDED")


async def test_both_backends_pass_the_same_metadata(both) -> None:
    request = worlds_service_pb2.GetJobRequest(job_id="whoami")
    metadata = [("authorization", "Bearer k"), ("x-api-key", "k"), ("tenant-bin", b"\x00")]
    results = []
    for backend in both:
        job = (await backend.unary(GET, request, metadata, None)).job
        results.append(dict(job.result["metadata"]))
        assert job.result["time_remaining"] is None, "no timeout, no deadline"
    assert results[0] == results[1] == {"authorization": "Bearer k", "x-api-key": "k"}


# -- unreachable ------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_an_unreachable_backend_is_502(caplog) -> None:
    caplog.set_level(logging.ERROR)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{_closed_port()}") as dead:
        status = await _status_of(ChannelBackend(dead), GET, worlds_service_pb2.GetJobRequest())
        assert (status.code, _reason(status)) == (code_pb2.UNAVAILABLE, "BACKEND_UNAVAILABLE")
        app = create_gateway_app(WORLDS, ChannelBackend(dead), default_timeout=5)
        async with asgi_client(app) as client:
            response = await client.get(f"{BASE}/jobs/x")
    body = assert_envelope(response, 502, "bad_gateway")
    assert body["detail"] == "The backend service is unavailable"
    assert "127.0.0.1" not in response.text


async def test_a_closed_channel_is_502() -> None:
    dead = grpc.aio.insecure_channel(f"127.0.0.1:{_closed_port()}")
    await dead.close()
    app = create_gateway_app(WORLDS, ChannelBackend(dead))
    async with asgi_client(app) as client:
        assert_envelope(await client.get(f"{BASE}/jobs/x"), 502, "bad_gateway")


# -- server streams ----------------------------------------------------------------------------------

WATCH = WORLDS.methods_by_name["WatchJob"]


async def _stream_outcome(backend, job_id: str, timeout: float | None = 5.0, *, started=True):
    """(event ids received, final Status or None) of one WatchJob call."""
    stream = backend.stream(WATCH, worlds_service_pb2.WatchJobRequest(job_id=job_id),
                            [("authorization", "Bearer k")], timeout)
    ids: list[str] = []
    try:
        if started:
            await stream.started()
        async for response in stream:
            ids.append(response.event.event_id)
    except RpcStatusError as error:
        return ids, error.status
    finally:
        await stream.aclose()
    return ids, None


@pytest.mark.parametrize(
    "job_id",
    ["count.3", "abort.NOT_FOUND", "abort.violations", "abort.plain:ABORTED", "after.rate",
     "after.UPGRADE_REQUIRED", "setcode", "badtoken"],
)
async def test_both_backends_stream_the_same(both, job_id: str) -> None:
    in_process, over_channel = [await _stream_outcome(backend, job_id) for backend in both]
    assert in_process == over_channel


async def test_a_failure_before_any_message_is_raised_by_started(both) -> None:
    for backend in both:
        stream = backend.stream(WATCH, worlds_service_pb2.WatchJobRequest(job_id="abort.NOT_FOUND"),
                                [], 5.0)
        with pytest.raises(RpcStatusError) as raised:
            await stream.started()
        assert raised.value.code == code_pb2.NOT_FOUND
        await stream.aclose()


async def test_both_backends_time_out_a_stream_the_same_way(both) -> None:
    outcomes = [await _stream_outcome(backend, "stall", timeout=0.1) for backend in both]
    assert outcomes[0] == outcomes[1]
    ids, status = outcomes[0]
    assert ids == ["1"] and (status.code, _reason(status)) == (4, "DEADLINE_EXCEEDED")


class Streams(worlds_service_pb2_grpc.WorldsServiceServicer):
    """Streaming servicer misbehaviours and the in-process context's stream API."""

    def __init__(self) -> None:
        self.contexts: list[InProcessContext] = []
        self.log: list[str] = []

    async def WatchJob(self, request, context):
        self.contexts.append(context)
        if request.job_id == "wrong-type":
            yield worlds_service_pb2.GetJobResponse()
        elif request.job_id == "twice":
            await context.send_initial_metadata(())
            try:
                await context.send_initial_metadata(())
            except grpc.aio.UsageError:
                self.log.append("usage-error")
            yield worlds_service_pb2.WatchJobResponse()
        elif request.job_id == "late-headers":
            yield worlds_service_pb2.WatchJobResponse()
            try:  # the first message sent them already (grpc raises the same)
                await context.send_initial_metadata(())
            except grpc.aio.UsageError:
                self.log.append("usage-error")
        elif request.job_id == "sleep":
            try:
                await asyncio.sleep(10)
                yield worlds_service_pb2.WatchJobResponse()
            finally:
                self.log.append(f"closed; cancelled={context.cancelled()}, done={context.done()}")

    async def WatchJobs(self, request, context):
        # Reader/writer style: a coroutine that writes.
        for i in range(3):
            await context.write(worlds_service_pb2.WatchJobsResponse(
                event={"event_id": str(i)}))
        self.log.append(f"wrote; done={context.done()}")


async def test_in_process_stream_failures_are_statuses(caplog) -> None:
    servicer = Streams()
    backend = InProcessBackend(servicer)
    ids, status = await _stream_outcome(backend, "wrong-type")
    assert (ids, status.code, status.message) == ([], code_pb2.INTERNAL, "Internal error")
    assert "streamed GetJobResponse, not a worlds.v1.WatchJobResponse" in caplog.text
    ids, status = await _stream_outcome(InProcessBackend(object()), "x")
    assert status.code == code_pb2.UNIMPLEMENTED
    ids, status = await _stream_outcome(backend, "twice")
    assert (ids, status, servicer.log) == ([""], None, ["usage-error"])
    ids, status = await _stream_outcome(backend, "late-headers")
    assert (ids, status, servicer.log) == ([""], None, ["usage-error", "usage-error"])


async def test_in_process_writer_style_streams() -> None:
    servicer = Streams()
    stream = InProcessBackend(servicer).stream(
        WORLDS.methods_by_name["WatchJobs"], worlds_service_pb2.WatchJobsRequest(), [], None)
    assert [r.event.event_id async for r in stream] == ["0", "1", "2"]
    await stream.aclose()
    assert servicer.log == ["wrote; done=False"]
    with pytest.raises(grpc.aio.UsageError):
        await InProcessContext().write(worlds_service_pb2.WatchJobsResponse())


async def test_closing_an_in_process_stream_cancels_the_call() -> None:
    servicer = Streams()
    seen: list[bool] = []
    stream = InProcessBackend(servicer).stream(
        WATCH, worlds_service_pb2.WatchJobRequest(job_id="sleep"), [], None)
    waiting = asyncio.ensure_future(stream.started())
    while not servicer.contexts:
        await asyncio.sleep(0)
    context = servicer.contexts[0]
    context.add_done_callback(lambda ctx: seen.append(ctx.cancelled()))
    assert not context.done()
    await stream.aclose()  # returns once the servicer has been cancelled and closed
    # The servicer saw the cancellation in its finally block already.
    assert servicer.log == ["closed; cancelled=True, done=True"] and seen == [True]
    assert context.done() and context.cancelled()
    waiting.cancel()


async def test_a_deadline_cancels_an_in_process_stream() -> None:
    servicer = Streams()
    _, status = await _stream_outcome(InProcessBackend(servicer), "sleep", timeout=0.05)
    assert status.code == code_pb2.DEADLINE_EXCEEDED
    assert servicer.log == ["closed; cancelled=True, done=True"]
    assert servicer.contexts[0].cancelled()


async def test_a_stream_never_used_runs_nothing() -> None:
    servicer = Streams()
    stream = InProcessBackend(servicer).stream(
        WATCH, worlds_service_pb2.WatchJobRequest(job_id="sleep"), [], None)
    await stream.aclose()  # no "coroutine was never awaited" warning either
    assert servicer.contexts == []
