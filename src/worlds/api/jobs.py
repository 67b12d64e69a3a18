"""The job RPCs: create, list, read, cancel and watch jobs."""

from __future__ import annotations

import functools
import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from worlds import logs
from worlds.api import auth, idempotency, paging, validation
from worlds.api.base import RpcBase, page_offset
from worlds.api.boundary import Context, streaming, unary
from worlds.convert.jobs import enum_name, job_to_proto
from worlds.core.access import Action, WorkspaceAccess
from worlds.core.clock import Clock
from worlds.core.errors import FieldViolation, InvalidArgument, NotFound
from worlds.core.jobstate import Kind, ResourceType
from worlds.store import events, tenancy
from worlds.store import idempotency as idempotency_store
from worlds.store import jobs as job_store
from worlds.store import queue as queue_store
from worlds.store.batching import GroupCommit
from worlds.store.engine import Database
from worlds.v1 import jobs_pb2, worlds_service_pb2
from worlds.watch.hub import EventHub
from worlds.watch.streams import Scope, Watch, parse_token

if TYPE_CHECKING:
    from worlds.store.notify import JobSignals


@dataclass(frozen=True)
class _Create:
    key: str
    request: worlds_service_pb2.CreateManifestJobRequest
    seed: int
    claim: idempotency_store.Claim | None
    # Of the request that creates the job: the worker's lines about the job carry it.
    request_id: str | None = None


def _batch_order(call: _Create) -> tuple[str, str, str]:
    # Calls with an idempotency key take its row lock: in (workspace, key) order.
    if call.claim is None:
        return ("", "", "")
    return (call.request.org, call.request.workspace, call.claim.key)


@dataclass(frozen=True)
class _Created:
    job: dict[str, Any]
    authorized: tenancy.Authorized
    # An earlier request's job, returned again for the same idempotency key.
    replayed: bool


def random_seed() -> int:
    """A seed for a request that gave none: any non-negative signed 64-bit integer."""
    return secrets.randbits(63)


class JobRpcs(RpcBase):
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock,
        max_attempts: int,
        seed_source: Callable[[], int],
        signals: JobSignals | None,
        hub: EventHub | None,
        watch_heartbeat: float,
    ) -> None:
        super().__init__(db, clock)
        # The in-process worker's signals, when one runs in this process: it then
        # hears of new jobs and cancels without a database round trip.
        self._signals = signals
        self._max_attempts = max_attempts
        self._seed_source = seed_source
        # Where watch streams get their events; started with the app (see WorldsApp).
        self._hub = hub or EventHub(db)
        self._watch_heartbeat = watch_heartbeat
        # Creates arriving together share a transaction (see worlds.store.batching).
        self._creates = GroupCommit(db, self._create_one, scope=functools.partial(
            job_store.deferred_writes, self._dialect), order=_batch_order)

    async def close(self) -> None:
        """Stop the watchers' event hub (open watch streams then see no more events)."""
        await self._hub.stop()

    def _create_one(self, conn: Connection, call: _Create) -> _Created:
        """One CreateManifestJob in a (shared) write transaction: the caller's check, the
        idempotency key and the insert together. Every check comes before the first
        write (see GroupCommit)."""
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
            "num_users": validation.present(request, "num_users"),
            "num_hosts": validation.present(request, "num_hosts"),
            "domains": [d.lower() for d in request.domains] or None,
            "security_level": enum_name(jobs_pb2.SecurityLevel, "SECURITY_LEVEL_",
                                        request.security_level)
            if request.HasField("security_level") else None,
        }
        if call.request_id is not None:
            params["request_id"] = call.request_id
        job, replayed = idempotency_store.insert_job_once(self._dialect, conn, job_store.NewJob(
            organization_id=access.organization_id,
            workspace_id=access.workspace_id,
            project_id=project_id,
            created_by=access.principal.user_id,
            kind=Kind.MANIFEST_GENERATION,
            resource_type=ResourceType.MANIFEST,
            name=validation.present(request, "name"),
            params=params,
            max_attempts=self._max_attempts,
        ), call.claim, now)
        if not replayed:
            # Wakes idle workers in other processes when this commits (PostgreSQL).
            queue_store.announce(self._dialect, conn, queue_store.QUEUED, job["id"])
        return _Created(job, authorized, replayed)

    @unary
    async def CreateManifestJob(self, request: worlds_service_pb2.CreateManifestJobRequest,
                                context: Context
                                ) -> worlds_service_pb2.CreateManifestJobResponse:
        metadata = context.invocation_metadata()
        key = auth.key_from_metadata(metadata)
        claim = idempotency.claim_from_metadata("CreateManifestJob", request, metadata)
        seed = request.seed if request.HasField("seed") else self._seed_source()
        created = await self._creates.submit(_Create(key, request, seed, claim,
                                                     logs.current_request_id()))
        job, access = created.job, created.authorized.access
        logs.note_key_id(access.principal.key_id)
        if created.authorized.needs_touch:
            # Not in the batch: a key's row lock taken mid-batch could order locks
            # differently from another process's batch.
            self._touch_later(access.principal.key_id)
        if created.replayed:
            # The job as it is now, with its creator's fields from the read.
            return worlds_service_pb2.CreateManifestJobResponse(job=job_to_proto(job))
        if self._signals is not None:
            self._signals.job_queued(job["id"])
        principal = access.principal
        job.update(user_email=principal.email, user_username=principal.username,
                   user_full_name=principal.full_name)
        return worlds_service_pb2.CreateManifestJobResponse(job=job_to_proto(job))

    @unary
    async def ListJobs(self, request: worlds_service_pb2.ListJobsRequest,
                       context: Context) -> worlds_service_pb2.ListJobsResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")
        by_token = request.HasField("page_token")

        def work(conn: Connection, access: WorkspaceAccess
                 ) -> tuple[job_store.JobPage, tuple[Any, ...]]:
            validation.validate(request)
            if by_token and request.HasField("page"):
                raise InvalidArgument([FieldViolation(
                    "page", "cannot be combined with page_token", "exclusive")])
            flt = job_store.JobFilter(
                workspace_id=access.workspace_id,
                kind=enum_name(jobs_pb2.JobKind, "JOB_KIND_", request.kind)
                if request.HasField("kind") else None,
                status=enum_name(jobs_pb2.JobStatus, "JOB_STATUS_", request.status)
                if request.HasField("status") else None,
                project_id=validation.present(request, "project_id"),
                created_by=validation.present(request, "created_by"),
            )
            scope = (flt.workspace_id, flt.kind, flt.status, flt.project_id, flt.created_by)
            after = paging.decode(request.page_token, scope) if by_token else None
            offset = 0 if by_token else page_offset(page, page_size)
            # One more than the page holds, to know whether a next page exists.
            return job_store.list_jobs(conn, flt, offset, page_size + 1, after), scope

        result, scope = await self._read(context, request.org, request.workspace, work)
        rows = result.rows[:page_size]
        response = worlds_service_pb2.ListJobsResponse(
            items=[job_to_proto(row) for row in rows],
            page=0 if by_token else page, page_size=page_size, total=result.total)
        if len(result.rows) > page_size:
            response.next_page_token = paging.encode(rows[-1].created_at, rows[-1].id, scope)
        return response

    @unary
    async def GetJob(self, request: worlds_service_pb2.GetJobRequest,
                     context: Context) -> worlds_service_pb2.GetJobResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Any:
            validation.validate(request)
            row = job_store.get_job(conn, access.workspace_id, request.job_id)
            if row is None:
                raise NotFound(f"Job '{request.job_id}' not found", metadata={"job_id": request.job_id})
            return row

        row = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.GetJobResponse(job=job_to_proto(row))

    @unary
    async def CancelJob(self, request: worlds_service_pb2.CancelJobRequest,
                        context: Context) -> worlds_service_pb2.CancelJobResponse:
        authorized = await self._authorized(context, request.org, request.workspace,
                                            Action.CANCEL_JOB)
        validation.validate(request)
        workspace_id = authorized.access.workspace_id
        row = await self._db.write(lambda conn: queue_store.request_cancel(
            self._dialect, conn, workspace_id, request.job_id, self._clock()))
        if self._signals is not None and row.status == "running":
            self._signals.cancel_requested(row.id)
        return worlds_service_pb2.CancelJobResponse(job=job_to_proto(row))

    # -- watching (see worlds.watch.streams) ------------------------------------------------

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

    @streaming
    async def WatchJob(self, request: worlds_service_pb2.WatchJobRequest,
                       context: Context
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

    @streaming
    async def WatchJobs(self, request: worlds_service_pb2.WatchJobsRequest,
                        context: Context
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
            "project_id": validation.present(request, "project_id"),
            "created_by": validation.present(request, "created_by"),
        }
        wanted = {name: value for name, value in wanted.items() if value is not None}

        def accept(event: events.Event) -> bool:
            job = event.job
            for name, value in wanted.items():
                if job.get(name) == value:
                    continue
                # A job leaving the status filtered on: sent once more, with its new state.
                if name == "status" and job.get(events.PREVIOUS_STATUS) == value:
                    continue
                return False
            return True

        scope = Scope(workspace_id, None, accept if wanted else None)
        async for response in self._watch(scope, token, worlds_service_pb2.WatchJobsResponse):
            yield response
