"""Fixtures of the gateway's conformance tests: test servicers, a real gRPC server, both backends.

Every REST test takes ``mode`` through its client fixture and so runs twice: through
``InProcessBackend`` (the servicer awaited directly) and through ``ChannelBackend`` (a real
``grpc.aio`` server on an ephemeral 127.0.0.1 port). The same assertions passing in both modes
is what shows the two backends behave identically.

The servicers are echo-style stand-ins, not the real ``WorldsService``: they reflect requests
back, and special inputs make them fail in chosen ways (see :func:`fail_as`). Their streaming
methods pick a behaviour from the request (``WorldsEcho.WatchJob``: ``job_id = "<mode>.<arg>"``)
and record what happened to each call in :data:`TRACKER`, shared by both modes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import grpc
import httpx
import pytest
import uvicorn
from google.protobuf import duration_pb2, timestamp_pb2
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc_status import rpc_status
from worlds_gateway import ChannelBackend, InProcessBackend, create_gateway_app
from worlds_gateway.backend import Backend

from tests.gateway.descriptors import message_class, transcode_service
from worlds.v1 import jobs_pb2, worlds_service_pb2, worlds_service_pb2_grpc

WORLDS = worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"]
JOB_ID = "0b3e6c1e-9a4f-4c1e-8d2b-6f1a2b3c4d5e"
CREATED_AT = "2026-11-23T10:00:00.123456Z"
SECRET = "could not connect to pg-internal-7.corp.example:5432: SELECT * FROM api_keys"
MAX_BODY = 4096
BASE = "/api/v1/org/acme/ws/lab/worlds"


def _created_at() -> timestamp_pb2.Timestamp:
    moment = datetime(2026, 11, 23, 10, 0, 0, tzinfo=UTC)
    return timestamp_pb2.Timestamp(seconds=int(moment.timestamp()), nanos=123456000)


def rich_status(
    code: int, message: str, reason: str, *, violations=(), retry: float | None = None
) -> status_pb2.Status:
    """A Status the way a servicer of this project sends one (grpcio-status)."""
    status = status_pb2.Status(code=code, message=message)
    status.details.add().Pack(error_details_pb2.ErrorInfo(reason=reason, domain="worlds"))
    if violations:
        status.details.add().Pack(
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=field, description=msg, reason=type_
                    )
                    for field, msg, type_ in violations
                ]
            )
        )
    if retry is not None:
        delay = duration_pb2.Duration()
        delay.FromNanoseconds(int(retry * 1e9))
        status.details.add().Pack(error_details_pb2.RetryInfo(retry_delay=delay))
    return status


async def fail_as(what: str, context: Any) -> bool:
    """Make the call fail as ``what`` says; True when the caller must return (set_code)."""
    if what == "sleep":
        await asyncio.sleep(10)
        return False
    if what == "boom":
        raise RuntimeError(SECRET)
    if not what.startswith("fail:"):
        return False
    kind = what[len("fail:") :]
    if kind == "rate":
        status = rich_status(code_pb2.RESOURCE_EXHAUSTED, "slow down", "RATE_LIMITED", retry=1.2)
    elif kind == "UPGRADE_REQUIRED":
        status = rich_status(code_pb2.FAILED_PRECONDITION, "too old", "UPGRADE_REQUIRED")
    elif kind == "violations":
        status = rich_status(
            code_pb2.INVALID_ARGUMENT,
            "bad fields",
            "VALIDATION_FAILED",
            violations=[
                ("num_hosts", "must be between 1 and 10000", "less_than_equal"),
                ("domains[2]", "must be a DNS name", "dns_name"),
                ("org", "no such organization", "org_parsing"),
            ],
        )
    elif kind.startswith("plain:"):
        code = kind[len("plain:") :]
        await context.abort(grpc.StatusCode[code], f"plain {code}")
    elif kind == "setcode":
        context.set_code(grpc.StatusCode.PERMISSION_DENIED)
        context.set_details("not yours")
        return True
    else:
        status = rich_status(code_pb2.Code.Value(kind), f"servicer says {kind}", kind)
    await context.abort_with_status(rpc_status.to_status(status))
    return True


def _job(**fields: Any) -> jobs_pb2.Job:
    job = jobs_pb2.Job(
        id=JOB_ID,
        kind=jobs_pb2.JOB_KIND_MANIFEST_GENERATION,
        status=jobs_pb2.JOB_STATUS_QUEUED,
        resource_type=jobs_pb2.RESOURCE_TYPE_MANIFEST,
        created_at=_created_at(),
    )
    for name, value in fields.items():
        setattr(job, name, value)
    return job


def _metadata_echo(context: Any) -> dict[str, Any]:
    # grpc's own "user-agent" exists only over a channel; everything the gateway sends is kept.
    metadata = {
        key: value
        for key, value in context.invocation_metadata()
        if key != "user-agent" and isinstance(value, str)
    }
    remaining = context.time_remaining()
    return {"metadata": metadata, "time_remaining": remaining}


class StreamTracker:
    """What happened to the tracked streaming calls, by tag."""

    def __init__(self) -> None:
        self.opened: Counter[str] = Counter()
        self.closed: Counter[str] = Counter()
        self.callbacks: Counter[str] = Counter()
        self.cancelled: Counter[str] = Counter()

    def track(self, tag: str, context: Any) -> None:
        self.opened[tag] += 1

        def done(ctx: Any) -> None:
            self.callbacks[tag] += 1
            if ctx.cancelled():
                self.cancelled[tag] += 1

        context.add_done_callback(done)

    async def settled(self, tag: str, count: int, timeout: float = 5.0) -> None:
        """Wait until ``count`` calls tagged ``tag`` have closed and run their callbacks."""
        async with asyncio.timeout(timeout):
            while self.closed[tag] < count or self.callbacks[tag] < count:
                await asyncio.sleep(0.005)


TRACKER = StreamTracker()
SNAPSHOT, CHANGED, HEARTBEAT = (
    jobs_pb2.JOB_EVENT_TYPE_SNAPSHOT,
    jobs_pb2.JOB_EVENT_TYPE_CHANGED,
    jobs_pb2.JOB_EVENT_TYPE_HEARTBEAT,
)


def job_event(
    type_: int, event_id: str, job: jobs_pb2.Job | None = None, *, response: Any = None
) -> Any:
    event = jobs_pb2.JobEvent(type=type_, event_id=event_id)
    if job is not None:
        event.job.CopyFrom(job)
    return (response or worlds_service_pb2.WatchJobResponse)(event=event)


class WorldsEcho(worlds_service_pb2_grpc.WorldsServiceServicer):
    """Reflects WorldsService requests; ``name``/``job_id`` values trigger failures."""

    async def CreateManifestJob(self, request, context):
        if await fail_as(request.name, context):
            return worlds_service_pb2.CreateManifestJobResponse()
        job = _job(organization_id=f"org:{request.org}", workspace_id=f"ws:{request.workspace}")
        if request.HasField("project_id"):
            job.project_id = request.project_id
        job.result.update(
            {
                "fields": sorted(field.name for field, _ in request.ListFields()),
                "seed": str(request.seed) if request.HasField("seed") else None,
                "preset": request.preset,
                "domains": list(request.domains),
            }
        )
        return worlds_service_pb2.CreateManifestJobResponse(job=job)

    async def ListJobs(self, request, context):
        item = _job(organization_id=request.org, workspace_id=request.workspace)
        for name in ("status", "kind", "project_id", "created_by"):
            if request.HasField(name):
                setattr(item, name, getattr(request, name))
        return worlds_service_pb2.ListJobsResponse(
            items=[item], page=request.page, page_size=request.page_size, total=-(2**63)
        )

    async def GetJob(self, request, context):
        if request.job_id == "missing":
            await context.abort_with_status(
                rpc_status.to_status(rich_status(code_pb2.NOT_FOUND, "no such job", "JOB_NOT_FOUND"))
            )
        job = _job(id=request.job_id)
        if request.job_id == "whoami":
            job.result.update(_metadata_echo(context))
        if request.job_id == "sleep":
            await asyncio.sleep(10)
        return worlds_service_pb2.GetJobResponse(job=job)

    async def WatchJob(self, request, context):
        """``job_id = "<mode>.<arg>"``; events count from the resume token (a number) on."""
        mode, _, arg = request.job_id.partition(".")
        token = request.resume_token if request.HasField("resume_token") else None
        after = int(token) if token and token.isdigit() else 0
        if mode == "count":  # a snapshot, then changes: ids after+1 … after+N
            statuses = [jobs_pb2.JOB_STATUS_QUEUED, jobs_pb2.JOB_STATUS_RUNNING]
            for i in range(int(arg)):
                job = _job(status=statuses[min(i, 1)], progress=i / 10)
                yield job_event(SNAPSHOT if i == 0 else CHANGED, str(after + i + 1), job)
        elif mode == "heartbeats":
            yield job_event(SNAPSHOT, "1", _job())
            yield job_event(HEARTBEAT, "1")
            yield job_event(HEARTBEAT, "")
            yield job_event(CHANGED, "2", _job(status=jobs_pb2.JOB_STATUS_RUNNING))
        elif mode == "resume":  # echoes the token it got
            yield job_event(SNAPSHOT, f"after:{token if token is not None else '-'}", _job())
        elif mode == "abort":  # fails before its first message
            await fail_as(f"fail:{arg}", context)
        elif mode == "crash":
            raise RuntimeError(SECRET)
        elif mode == "badtoken":  # the servicer's own check of the resume token
            violation = ("resume_token", "is older than the retained history", "resume_token_expired")
            status = rich_status(code_pb2.INVALID_ARGUMENT, "bad token", "VALIDATION_FAILED",
                                 violations=[violation])
            await context.abort_with_status(rpc_status.to_status(status))
        elif mode == "after":  # fails after its first message
            yield job_event(SNAPSHOT, "1", _job())
            await fail_as(f"fail:{arg}", context)
        elif mode == "boom":
            yield job_event(SNAPSHOT, "1", _job())
            raise RuntimeError(SECRET)
        elif mode == "setcode":
            yield job_event(SNAPSHOT, "1", _job())
            context.set_code(grpc.StatusCode.PERMISSION_DENIED)
            context.set_details("not yours")
        elif mode == "headers":  # accepted at once (initial metadata), first event later
            await context.send_initial_metadata(())
            await asyncio.sleep(float(arg or 0.2))
            yield job_event(SNAPSHOT, "1", _job())
        elif mode == "accepted":  # accepted, then fails before any message
            await context.send_initial_metadata(())
            await asyncio.sleep(0.05)
            await fail_as(f"fail:{arg}", context)
        elif mode == "stall":  # one event, then nothing: a deadline passes mid-stream
            yield job_event(SNAPSHOT, "1", _job())
            await asyncio.sleep(3600)
        elif mode == "whoami":
            job = _job()
            job.result.update(_metadata_echo(context))
            yield job_event(SNAPSHOT, "1", job)
        elif mode == "many":
            for i in range(int(arg)):
                yield job_event(CHANGED, str(i + 1), _job(progress=i / 1000))
        elif mode in ("slow", "quiet"):  # tracked; runs until cancelled
            TRACKER.track(arg, context)
            try:
                if mode == "slow":
                    yield job_event(SNAPSHOT, "1", _job())
                while True:
                    await asyncio.sleep(0.05 if mode == "slow" else 3600)
                    yield job_event(HEARTBEAT, "")
            finally:
                TRACKER.closed[arg] += 1
        else:  # any other id: that job's snapshot
            yield job_event(SNAPSHOT, "1", _job(id=request.job_id))

    async def WatchJobs(self, request, context):
        """Echoes the filters and the resume token in two events' ids."""
        token = request.resume_token if request.HasField("resume_token") else "-"
        status = jobs_pb2.JobStatus.Name(request.status) if request.HasField("status") else "-"
        response = worlds_service_pb2.WatchJobsResponse
        yield job_event(SNAPSHOT, f"{request.workspace}:{status}:{token}", _job(), response=response)
        yield job_event(HEARTBEAT, "", response=response)


class TranscodeEcho:
    """Servicer of the test-only ``gwtest.v1.TranscodeService``: echoes what it gets."""

    async def Echo(self, request, context):
        if await fail_as(request.name, context):
            return type(request)()
        return request

    def _shelf(self, request) -> Any:
        return message_class("ShelfResponse")(
            thing=request.thing, parent=request.parent, id=request.id, where_label=request.where.label
        )

    async def Shelve(self, request, context):
        return self._shelf(request)

    async def Fetch(self, request, context):
        return self._shelf(request)

    async def Archive(self, request, context):
        return self._shelf(request)

    async def Watch(self, request, context):
        yield self._shelf(request)
        yield self._shelf(request)

    async def Tail(self, request, context):
        # grpc.aio's reader/writer style: a coroutine that writes, instead of a generator.
        if await fail_as(request.name, context):
            return
        event = message_class("TailEvent")
        for i in range(request.count):
            seq = request.after + i + 1
            kind = "ping" if request.name == "pings" and i % 2 else "line"
            await context.write(event(seq=seq, kind=kind, text=f"line {seq}\nwith a break"))


def generic_handler(service: ServiceDescriptor, servicer: object) -> grpc.GenericRpcHandler:
    """Registers ``servicer`` for ``service`` on a grpc server without generated stubs."""
    handlers = {}
    for method in service.methods:
        function = getattr(servicer, method.name, None)
        if function is None:
            continue
        request = GetMessageClass(method.input_type)
        response = GetMessageClass(method.output_type)
        make = (
            grpc.unary_stream_rpc_method_handler
            if method.server_streaming
            else grpc.unary_unary_rpc_method_handler
        )
        handlers[method.name] = make(
            function,
            request_deserializer=request.FromString,
            response_serializer=response.SerializeToString,
        )
    return grpc.method_handlers_generic_handler(service.full_name, handlers)


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def grpc_target(anyio_backend: str) -> AsyncIterator[str]:
    """A real grpc.aio server on an ephemeral port, serving both test servicers."""
    server = grpc.aio.server()
    worlds_service_pb2_grpc.add_WorldsServiceServicer_to_server(WorldsEcho(), server)
    server.add_generic_rpc_handlers((generic_handler(transcode_service(), TranscodeEcho()),))
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    yield f"127.0.0.1:{port}"
    await server.stop(None)


@pytest.fixture(scope="session")
async def channel(grpc_target: str) -> AsyncIterator[grpc.aio.Channel]:
    async with grpc.aio.insecure_channel(grpc_target) as opened:
        yield opened


@pytest.fixture(scope="session", params=["in_process", "channel"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def backend_for(mode: str, channel: grpc.aio.Channel, servicer: object) -> Backend:
    return InProcessBackend(servicer) if mode == "in_process" else ChannelBackend(channel)


@pytest.fixture(scope="session")
def worlds_app(mode: str, channel: grpc.aio.Channel) -> Any:
    backend = backend_for(mode, channel, WorldsEcho())
    return create_gateway_app(WORLDS, backend, max_body_bytes=MAX_BODY, default_timeout=5.0)


@pytest.fixture(scope="session")
def transcode_app(mode: str, channel: grpc.aio.Channel) -> Any:
    backend = backend_for(mode, channel, TranscodeEcho())
    return create_gateway_app(transcode_service(), backend, max_body_bytes=MAX_BODY)


def asgi_client(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50312))
    return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


@pytest.fixture
async def client(worlds_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """REST client of the WorldsService gateway, in the current ``mode``."""
    async with asgi_client(worlds_app) as opened:
        yield opened


@pytest.fixture
async def tclient(transcode_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    """REST client of the TranscodeService gateway, in the current ``mode``."""
    async with asgi_client(transcode_app) as opened:
        yield opened


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """``app`` behind a real uvicorn on an ephemeral 127.0.0.1 port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        assert not task.done(), "uvicorn failed to start"
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


def assert_envelope(response: httpx.Response, status: int, type_: str) -> dict[str, Any]:
    """``response`` is the contract's error envelope with this status and type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert {"code", "detail", "type"} <= set(body) <= {"code", "detail", "type", "errors"}, body
    assert body["code"] == status and body["type"] == type_, body
    assert isinstance(body["detail"], str) and body["detail"]
    if "errors" in body:
        assert body["errors"], "errors is present only when there are some"
    return body


def locs(body: dict[str, Any]) -> dict[tuple[Any, ...], str]:
    """``loc`` → ``type`` of each field error."""
    return {tuple(error["loc"]): error["type"] for error in body.get("errors", [])}
