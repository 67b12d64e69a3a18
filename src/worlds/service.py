"""The WorldsService servicer: check the caller, validate, call the store, map to protobuf.

Each RPC runs its database work in one transaction on the store's thread pool.
Domain errors become `google.rpc.Status` at one boundary (`_rpc`); anything
unexpected is logged and answered with a generic INTERNAL status.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import grpc
from grpc_status import rpc_status
from sqlalchemy import Connection

from worlds import auth, errors, validation
from worlds import convert_manifests as manifest_convert
from worlds.auth import Action, WorkspaceAccess
from worlds.bus import EventHub
from worlds.clock import Clock, system_clock
from worlds.convert import enum_name, job_to_proto
from worlds.errors import FieldViolation, InvalidArgument, NotFound, WorldsError
from worlds.jobstate import Kind, ResourceType
from worlds.store import events, tenancy
from worlds.store import jobs as job_store
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store.batching import GroupCommit
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.v1 import jobs_pb2, worlds_service_pb2, worlds_service_pb2_grpc
from worlds.watch import Scope, Watch, parse_token

if TYPE_CHECKING:
    from worlds.notify import JobSignals

log = logging.getLogger(__name__)

T = TypeVar("T")
Handler = Callable[[Any, Any, grpc.aio.ServicerContext], Awaitable[Any]]

# Offsets past this return empty pages; it keeps page*page_size inside 64 bits.
_MAX_OFFSET = 1 << 62


async def _abort(context: grpc.aio.ServicerContext, exc: Exception, method: str) -> None:
    """End the call with the status for `exc`: a domain error's own, or a generic
    INTERNAL (logged) for anything unexpected."""
    if isinstance(exc, WorldsError):
        status = errors.to_status(exc)
    else:
        log.error("unexpected error in %s", method, exc_info=exc)
        status = errors.internal_status()
    await context.abort_with_status(rpc_status.to_status(status))


def _rpc(method: Handler) -> Handler:
    """The error boundary of a unary RPC."""

    @functools.wraps(method)
    async def boundary(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(self, request, context)
        except Exception as exc:
            await _abort(context, exc, method.__name__)

    return boundary


def _stream(method: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    """The error boundary of a server-streaming RPC: an error after the first
    message still ends the call with a rich status (the gateway turns it into an
    in-stream error)."""

    @functools.wraps(method)
    async def boundary(self: Any, request: Any,
                       context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for message in method(self, request, context):
                yield message
        except Exception as exc:
            await _abort(context, exc, method.__name__)

    return boundary


@dataclass(frozen=True)
class _Create:
    key: str
    request: worlds_service_pb2.CreateManifestJobRequest
    seed: int


def random_seed() -> int:
    """A seed for a request that gave none: any non-negative signed 64-bit integer."""
    return secrets.randbits(63)


class WorldsServicer(worlds_service_pb2_grpc.WorldsServiceServicer):
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        max_attempts: int = 3,
        seed_source: Callable[[], int] = random_seed,
        signals: JobSignals | None = None,
        hub: EventHub | None = None,
        watch_heartbeat: float = 15.0,
    ) -> None:
        self._db = db
        # The in-process worker's signals, when one runs in this process: it then
        # hears of new jobs and cancels without a database round trip.
        self._signals = signals
        self._dialect = dialect_for(db.engine)
        self._clock = clock
        self._max_attempts = max_attempts
        self._seed_source = seed_source
        self._background: set[asyncio.Task[None]] = set()
        # Where watch streams get their events; started with the app (see WorldsApp).
        self._hub = hub or EventHub(db)
        self._watch_heartbeat = watch_heartbeat
        # Creates arriving together share a transaction (see worlds.store.batching).
        self._creates = GroupCommit(db, self._create_one, scope=functools.partial(
            job_store.deferred_writes, self._dialect))

    async def close(self) -> None:
        """Stop the watchers' event hub (open watch streams then see no more events)."""
        await self._hub.stop()

    # -- plumbing ---------------------------------------------------------------

    def _authorize(self, conn: Connection, key: str, org: str, workspace: str,
                   action: Action) -> tenancy.Authorized:
        """Authenticate `key`, then authorise `action` in org/workspace, in that order."""
        authorized = tenancy.authorize(conn, auth.hash_key(key), org, workspace, self._clock())
        authorized.access.require(action)
        return authorized

    async def _authorized(self, context: grpc.aio.ServicerContext, org: str, workspace: str,
                          action: Action) -> tenancy.Authorized:
        """The caller's access to org/workspace for `action`, checked in a read transaction
        (which, unlike a write, runs in parallel with other calls on every engine)."""
        key = auth.key_from_metadata(context.invocation_metadata())
        authorized = await self._db.read(self._authorize, key, org, workspace, action)
        if authorized.needs_touch:
            self._touch_later(authorized.access.principal.key_id)
        return authorized

    async def _read(self, context: grpc.aio.ServicerContext, org: str, workspace: str,
                    fn: Callable[[Connection, WorkspaceAccess], T]) -> T:
        """Run `fn` in one read transaction, once the caller may read org/workspace."""
        key = auth.key_from_metadata(context.invocation_metadata())

        def work(conn: Connection) -> tuple[T, tenancy.Authorized]:
            authorized = self._authorize(conn, key, org, workspace, Action.READ)
            return fn(conn, authorized.access), authorized

        result, authorized = await self._db.read(work)
        if authorized.needs_touch:
            self._touch_later(authorized.access.principal.key_id)
        return result

    def _touch_later(self, key_id: str) -> None:
        """Record a key's use off the request path: a read must not wait for a write."""
        task = asyncio.get_running_loop().create_task(self._touch(key_id))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _touch(self, key_id: str) -> None:
        try:
            await self._db.write(tenancy.touch_api_key, key_id, self._clock())
        except Exception:
            log.warning("could not record the last use of API key %s", key_id, exc_info=True)

    def _create_one(self, conn: Connection, call: _Create) -> tuple[dict[str, Any], tenancy.Authorized]:
        """One CreateManifestJob in a (shared) write transaction: the caller's check and
        the insert together. Every check comes before the first write (see GroupCommit)."""
        request = call.request
        now = self._clock()
        authorized = self._authorize(conn, call.key, request.org, request.workspace,
                                     Action.CREATE_JOB)
        validation.validate(request)
        access = authorized.access
        project_id = authorized.default_project_id
        if request.HasField("project_id"):
            if not tenancy.project_exists(conn, access.workspace_id, request.project_id):
                raise InvalidArgument([FieldViolation(
                    "project_id", "no such project in this workspace", "project_not_found")])
            project_id = request.project_id
        params = {
            "preset": enum_name(jobs_pb2.Preset, "PRESET_", request.preset)
            if request.HasField("preset") else None,
            "seed": call.seed,
            "seed_submitted": request.HasField("seed"),
            "num_users": request.num_users if request.HasField("num_users") else None,
            "num_hosts": request.num_hosts if request.HasField("num_hosts") else None,
            "domains": [d.lower() for d in request.domains] or None,
        }
        job = job_store.insert_job(self._dialect, conn, job_store.NewJob(
            organization_id=access.organization_id,
            workspace_id=access.workspace_id,
            project_id=project_id,
            created_by=access.principal.user_id,
            kind=Kind.MANIFEST_GENERATION,
            resource_type=ResourceType.MANIFEST,
            name=request.name if request.HasField("name") else None,
            params=params,
            max_attempts=self._max_attempts,
        ), now)
        # Wakes idle workers in other processes when this commits (PostgreSQL).
        queue_store.announce(self._dialect, conn, queue_store.QUEUED, job["id"])
        return job, authorized

    # -- RPCs ---------------------------------------------------------------------

    @_rpc
    async def CreateManifestJob(self, request: worlds_service_pb2.CreateManifestJobRequest,
                                context: grpc.aio.ServicerContext
                                ) -> worlds_service_pb2.CreateManifestJobResponse:
        key = auth.key_from_metadata(context.invocation_metadata())
        seed = request.seed if request.HasField("seed") else self._seed_source()
        job, authorized = await self._creates.submit(_Create(key, request, seed))
        access = authorized.access
        if authorized.needs_touch:
            # Not in the batch: a key's row lock taken mid-batch could order locks
            # differently from another process's batch.
            self._touch_later(access.principal.key_id)
        if self._signals is not None:
            self._signals.job_queued(job["id"])
        principal = access.principal
        job.update(user_email=principal.email, user_username=principal.username,
                   user_full_name=principal.full_name)
        return worlds_service_pb2.CreateManifestJobResponse(job=job_to_proto(job))

    @_rpc
    async def ListJobs(self, request: worlds_service_pb2.ListJobsRequest,
                       context: grpc.aio.ServicerContext) -> worlds_service_pb2.ListJobsResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")

        def work(conn: Connection, access: WorkspaceAccess) -> job_store.JobPage:
            validation.validate(request)
            flt = job_store.JobFilter(
                workspace_id=access.workspace_id,
                kind=enum_name(jobs_pb2.JobKind, "JOB_KIND_", request.kind)
                if request.HasField("kind") else None,
                status=enum_name(jobs_pb2.JobStatus, "JOB_STATUS_", request.status)
                if request.HasField("status") else None,
                project_id=request.project_id if request.HasField("project_id") else None,
                created_by=request.created_by if request.HasField("created_by") else None,
            )
            offset = min((page - 1) * page_size, _MAX_OFFSET)
            return job_store.list_jobs(conn, flt, offset, page_size)

        result = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.ListJobsResponse(
            items=[job_to_proto(row) for row in result.rows],
            page=page, page_size=page_size, total=result.total)

    @_rpc
    async def GetJob(self, request: worlds_service_pb2.GetJobRequest,
                     context: grpc.aio.ServicerContext) -> worlds_service_pb2.GetJobResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            row = job_store.get_job(conn, access.workspace_id, request.job_id)
            if row is None:
                raise NotFound(f"Job '{request.job_id}' not found", metadata={"job_id": request.job_id})
            return row

        row = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.GetJobResponse(job=job_to_proto(row))

    @_rpc
    async def CancelJob(self, request: worlds_service_pb2.CancelJobRequest,
                        context: grpc.aio.ServicerContext) -> worlds_service_pb2.CancelJobResponse:
        authorized = await self._authorized(context, request.org, request.workspace,
                                            Action.CANCEL_JOB)
        validation.validate(request)
        workspace_id = authorized.access.workspace_id
        row = await self._db.write(lambda conn: queue_store.request_cancel(
            self._dialect, conn, workspace_id, request.job_id, self._clock()))
        if self._signals is not None and row.status == "running":
            self._signals.cancel_requested(row.id)
        return worlds_service_pb2.CancelJobResponse(job=job_to_proto(row))

    # -- watching (see worlds.watch) ------------------------------------------------

    def _resume_token(self, conn: Connection, request: Any) -> int | None:
        if not request.HasField("resume_token"):
            return None
        token = parse_token(request.resume_token)
        if token > events.last_seq(conn):
            raise InvalidArgument([FieldViolation(
                "resume_token", "is not a token this service issued", "resume_token")])
        return token

    async def _watch(self, scope: Scope, token: int | None, wrap: Callable[..., Any]
                     ) -> AsyncIterator[Any]:
        await self._hub.start()
        watch = Watch(self._db, self._hub, scope, heartbeat=self._watch_heartbeat, wrap=wrap)
        async for response in watch.stream(token):
            yield response

    @_stream
    async def WatchJob(self, request: worlds_service_pb2.WatchJobRequest,
                       context: grpc.aio.ServicerContext
                       ) -> AsyncIterator[worlds_service_pb2.WatchJobResponse]:
        def check(conn: Connection, access: WorkspaceAccess) -> tuple[str, int | None]:
            validation.validate(request)
            if job_store.get_job(conn, access.workspace_id, request.job_id) is None:
                raise NotFound(f"Job '{request.job_id}' not found", metadata={"job_id": request.job_id})
            return access.workspace_id, self._resume_token(conn, request)

        workspace_id, token = await self._read(context, request.org, request.workspace, check)
        scope = Scope(workspace_id, request.job_id)
        async for response in self._watch(scope, token, worlds_service_pb2.WatchJobResponse):
            yield response

    @_stream
    async def WatchJobs(self, request: worlds_service_pb2.WatchJobsRequest,
                        context: grpc.aio.ServicerContext
                        ) -> AsyncIterator[worlds_service_pb2.WatchJobsResponse]:
        def check(conn: Connection, access: WorkspaceAccess) -> tuple[str, int | None]:
            validation.validate(request)
            return access.workspace_id, self._resume_token(conn, request)

        workspace_id, token = await self._read(context, request.org, request.workspace, check)
        wanted = {
            "kind": enum_name(jobs_pb2.JobKind, "JOB_KIND_", request.kind)
            if request.HasField("kind") else None,
            "status": enum_name(jobs_pb2.JobStatus, "JOB_STATUS_", request.status)
            if request.HasField("status") else None,
            "project_id": request.project_id if request.HasField("project_id") else None,
            "created_by": request.created_by if request.HasField("created_by") else None,
        }
        wanted = {name: value for name, value in wanted.items() if value is not None}

        def accept(event: events.Event) -> bool:
            return all(event.job.get(name) == value for name, value in wanted.items())

        scope = Scope(workspace_id, None, accept if wanted else None)
        async for response in self._watch(scope, token, worlds_service_pb2.WatchJobsResponse):
            yield response

    @_rpc
    async def ListManifests(self, request: worlds_service_pb2.ListManifestsRequest,
                            context: grpc.aio.ServicerContext
                            ) -> worlds_service_pb2.ListManifestsResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")

        def work(conn: Connection, access: WorkspaceAccess) -> manifest_store.ManifestPage:
            validation.validate(request)
            flt = manifest_store.ManifestFilter(
                workspace_id=access.workspace_id,
                project_id=request.project_id if request.HasField("project_id") else None,
                created_by=request.created_by if request.HasField("created_by") else None,
            )
            offset = min((page - 1) * page_size, _MAX_OFFSET)
            return manifest_store.list_manifests(conn, flt, offset, page_size)

        result = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.ListManifestsResponse(
            items=[manifest_convert.manifest_to_proto(row) for row in result.rows],
            page=page, page_size=page_size, total=result.total)

    def _manifest(self, conn: Connection, access: WorkspaceAccess, manifest_id: str) -> Any:
        row = manifest_store.get_manifest(conn, access.workspace_id, manifest_id)
        if row is None:
            raise NotFound(f"Manifest '{manifest_id}' not found",
                           metadata={"manifest_id": manifest_id})
        return row

    @_rpc
    async def GetManifest(self, request: worlds_service_pb2.GetManifestRequest,
                          context: grpc.aio.ServicerContext
                          ) -> worlds_service_pb2.GetManifestResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            return self._manifest(conn, access, request.manifest_id)

        row = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.GetManifestResponse(
            manifest=manifest_convert.manifest_to_proto(row))

    # The artifact reads below decode and convert on the database thread, so that
    # a 20,000-edge page never occupies the event loop.

    @_rpc
    async def ListGraphNodes(self, request: worlds_service_pb2.ListGraphNodesRequest,
                             context: grpc.aio.ServicerContext
                             ) -> worlds_service_pb2.ListGraphNodesResponse:
        limit = validation.int_or_default(request, "limit")
        offset = validation.int_or_default(request, "offset")

        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            manifest = self._manifest(conn, access, request.manifest_id)
            nodes = manifest_store.read_run(conn, manifest, "nodes", offset, limit)
            return worlds_service_pb2.ListGraphNodesResponse(
                nodes=[manifest_convert.node_to_proto(node) for node in nodes])

        return await self._read(context, request.org, request.workspace, work)

    @_rpc
    async def ListGraphEdges(self, request: worlds_service_pb2.ListGraphEdgesRequest,
                             context: grpc.aio.ServicerContext
                             ) -> worlds_service_pb2.ListGraphEdgesResponse:
        limit = validation.int_or_default(request, "limit")
        offset = validation.int_or_default(request, "offset")

        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            manifest = self._manifest(conn, access, request.manifest_id)
            edges = manifest_store.read_run(conn, manifest, "edges", offset, limit)
            return worlds_service_pb2.ListGraphEdgesResponse(
                edges=[manifest_convert.edge_to_proto(edge) for edge in edges])

        return await self._read(context, request.org, request.workspace, work)

    @_rpc
    async def GetHostDetails(self, request: worlds_service_pb2.GetHostDetailsRequest,
                             context: grpc.aio.ServicerContext
                             ) -> worlds_service_pb2.GetHostDetailsResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            manifest = self._manifest(conn, access, request.manifest_id)
            details = manifest_store.read_detail(conn, manifest, "hosts", request.host_id)
            if details is None:
                raise NotFound(f"Host '{request.host_id}' not found in this manifest",
                               metadata={"host_id": request.host_id})
            return worlds_service_pb2.GetHostDetailsResponse(
                host=manifest_convert.host_to_proto(details))

        return await self._read(context, request.org, request.workspace, work)

    @_rpc
    async def GetPrincipalDetails(self, request: worlds_service_pb2.GetPrincipalDetailsRequest,
                                  context: grpc.aio.ServicerContext
                                  ) -> worlds_service_pb2.GetPrincipalDetailsResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            manifest = self._manifest(conn, access, request.manifest_id)
            details = manifest_store.read_detail(conn, manifest, "principals",
                                                 request.principal_id)
            if details is None:
                raise NotFound(f"Principal '{request.principal_id}' not found in this manifest",
                               metadata={"principal_id": request.principal_id})
            return worlds_service_pb2.GetPrincipalDetailsResponse(
                principal=manifest_convert.principal_to_proto(details))

        return await self._read(context, request.org, request.workspace, work)
