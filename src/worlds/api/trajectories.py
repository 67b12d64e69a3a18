"""The trajectory RPCs: create trajectory jobs, list and read trajectories, replay one,
and serve a manifest's command catalog (trajectories.md, inspection.md).

CreateTrajectoryJob checks everything before it writes (nothing is enqueued on any
error), in the order a caller can fix them: the request's fields (422), the agent
fields of `mode: "agent"` (422 naming the missing one), the manifest (404), the
project (422 unless it is the manifest's), an agent runtime (404: this server hosts
none), then the goal against the manifest's world (422 on `goal`).
"""

from __future__ import annotations

from typing import Any

import grpc
from sqlalchemy import Connection, Row

from worlds.api import idempotency, validation
from worlds.api.base import MAX_OFFSET, RpcBase
from worlds.api.boundary import unary
from worlds.api.worlds import WorldViews
from worlds.convert import trajectories as trajectory_convert
from worlds.convert.jobs import enum_name, job_to_proto
from worlds.core.access import Action, WorkspaceAccess
from worlds.core.clock import Clock
from worlds.core.errors import FieldViolation, InvalidArgument, NotFound
from worlds.core.jobstate import Kind, ResourceType
from worlds.store import idempotency as idempotency_store
from worlds.store import jobs as job_store
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store import trajectories as trajectory_store
from worlds.store import trajectory_artifacts
from worlds.store.engine import Database
from worlds.v1 import trajectories_pb2
from worlds.v1.trajectories_pb2 import TrajectoryMode, TrajectoryStrategy

_Req = trajectories_pb2.CreateTrajectoryJobRequest
_AGENT_FIELDS = ("runtime_id", "capability_name")


def _manifest_or_404(conn: Connection, workspace_id: str, manifest_id: str) -> Row[Any]:
    row = manifest_store.get_manifest(conn, workspace_id, manifest_id)
    if row is None:
        raise NotFound(f"Manifest '{manifest_id}' not found", metadata={"manifest_id": manifest_id})
    return row


def _trajectory_or_404(conn: Connection, workspace_id: str, trajectory_id: str) -> Row[Any]:
    row = trajectory_store.get_trajectory(conn, workspace_id, trajectory_id)
    if row is None:
        raise NotFound(f"Trajectory '{trajectory_id}' not found",
                       metadata={"trajectory_id": trajectory_id})
    return row


def _agent_checks(request: _Req) -> None:
    """`mode: "agent"` needs runtime_id and capability_name (422 naming the missing ones)."""
    if request.mode != TrajectoryMode.TRAJECTORY_MODE_AGENT:
        return
    missing = [name for name in _AGENT_FIELDS if not request.HasField(name)]
    if missing:
        raise InvalidArgument([FieldViolation(name, "is required when mode is agent", "missing")
                               for name in missing])


class TrajectoryRpcs(RpcBase):
    # Set by JobRpcs, the first class of the servicer's bases.
    _signals: Any
    _max_attempts: int

    def __init__(self, db: Database, clock: Clock) -> None:
        super().__init__(db, clock)
        self._worlds = WorldViews(db)

    # -- create ---------------------------------------------------------------------------

    def _params(self, request: _Req, goal: str) -> dict[str, Any]:
        strategy = request.strategy if request.HasField("strategy") \
            else TrajectoryStrategy.TRAJECTORY_STRATEGY_RANDOM
        mode = request.mode if request.HasField("mode") else TrajectoryMode.TRAJECTORY_MODE_KALI
        return {
            "manifest_id": request.manifest_id,
            "goal": goal,
            "count": validation.int_or_default(request, "count"),
            "strategy": enum_name(TrajectoryStrategy, "TRAJECTORY_STRATEGY_", strategy),
            "max_steps": validation.int_or_default(request, "max_steps"),
            "seed": validation.int_or_default(request, "seed"),
            "threads": validation.int_or_default(request, "threads"),
            "only_successful": request.only_successful,
            "mode": enum_name(TrajectoryMode, "TRAJECTORY_MODE_", mode),
        }

    @unary
    async def CreateTrajectoryJob(self, request: _Req, context: grpc.aio.ServicerContext[Any, Any]
                                  ) -> trajectories_pb2.CreateTrajectoryJobResponse:
        authorized = await self._authorized(context, request.org, request.workspace,
                                            Action.CREATE_JOB)
        access = authorized.access
        validation.validate(request)
        _agent_checks(request)
        manifest = await self._db.read(_manifest_or_404, access.workspace_id, request.manifest_id)
        project_id = manifest.project_id or authorized.default_project_id
        if request.HasField("project_id") and request.project_id != project_id:
            raise InvalidArgument([FieldViolation(
                "project_id", "must be the project of the manifest", "project_mismatch")])
        if request.mode == TrajectoryMode.TRAJECTORY_MODE_AGENT:
            raise NotFound(f"Agent runtime '{request.runtime_id}' not found: this server hosts "
                           "no agent runtimes", metadata={"runtime_id": request.runtime_id})
        goal = validation.string_or_default(request, "goal")
        await self._worlds.goal_spec(manifest, goal)
        params = self._params(request, goal)
        new = job_store.NewJob(
            organization_id=access.organization_id, workspace_id=access.workspace_id,
            project_id=project_id, created_by=access.principal.user_id,
            kind=Kind.TRAJECTORY_GENERATION,
            resource_type=ResourceType.TRAJECTORY if params["count"] == 1
            else ResourceType.TRAJECTORY_BATCH,
            name=request.name if request.HasField("name") else None,
            params=params, max_attempts=self._max_attempts)

        claim = idempotency.claim_from_metadata("CreateTrajectoryJob", request,
                                                context.invocation_metadata())

        def insert(conn: Connection) -> tuple[dict[str, Any], bool]:
            job, replayed = idempotency_store.insert_job_once(self._dialect, conn, new, claim,
                                                              self._clock())
            if not replayed:
                # Wakes idle workers in other processes when this commits (PostgreSQL).
                queue_store.announce(self._dialect, conn, queue_store.QUEUED, job["id"])
            return job, replayed

        job, replayed = await self._db.write(insert)
        if replayed:
            # An earlier request with this idempotency key made it: the job as it is now.
            return trajectories_pb2.CreateTrajectoryJobResponse(job=job_to_proto(job))
        if self._signals is not None:
            self._signals.job_queued(job["id"])
        principal = access.principal
        job.update(user_email=principal.email, user_username=principal.username,
                   user_full_name=principal.full_name)
        return trajectories_pb2.CreateTrajectoryJobResponse(job=job_to_proto(job))

    # -- reads ----------------------------------------------------------------------------

    @unary
    async def ListTrajectories(self, request: trajectories_pb2.ListTrajectoriesRequest,
                               context: grpc.aio.ServicerContext[Any, Any]
                               ) -> trajectories_pb2.ListTrajectoriesResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")

        def work(conn: Connection, access: WorkspaceAccess) -> trajectory_store.TrajectoryPage:
            validation.validate(request)
            manifest_id = request.manifest_id if request.HasField("manifest_id") else None
            if manifest_id is not None:
                _manifest_or_404(conn, access.workspace_id, manifest_id)
            flt = trajectory_store.TrajectoryFilter(
                workspace_id=access.workspace_id, manifest_id=manifest_id,
                project_id=request.project_id if request.HasField("project_id") else None,
                created_by=request.created_by if request.HasField("created_by") else None)
            offset = min((page - 1) * page_size, MAX_OFFSET)
            return trajectory_store.list_trajectories(conn, flt, offset, page_size)

        result = await self._read(context, request.org, request.workspace, work)
        return trajectories_pb2.ListTrajectoriesResponse(
            items=[trajectory_convert.trajectory_to_proto(row) for row in result.rows],
            page=page, page_size=page_size, total=result.total)

    @unary
    async def GetTrajectory(self, request: trajectories_pb2.GetTrajectoryRequest,
                            context: grpc.aio.ServicerContext[Any, Any]
                            ) -> trajectories_pb2.GetTrajectoryResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Row[Any]:
            validation.validate(request)
            return _trajectory_or_404(conn, access.workspace_id, request.trajectory_id)

        row = await self._read(context, request.org, request.workspace, work)
        return trajectories_pb2.GetTrajectoryResponse(
            trajectory=trajectory_convert.trajectory_to_proto(row))

    @unary
    async def GetTrajectoryReplay(self, request: trajectories_pb2.GetTrajectoryReplayRequest,
                                  context: grpc.aio.ServicerContext[Any, Any]
                                  ) -> trajectories_pb2.GetTrajectoryReplayResponse:
        # Decoded and converted on the database thread: a 1,000-step replay is a few MB.
        def work(conn: Connection, access: WorkspaceAccess
                 ) -> trajectories_pb2.GetTrajectoryReplayResponse:
            validation.validate(request)
            row = _trajectory_or_404(conn, access.workspace_id, request.trajectory_id)
            header, steps = trajectory_artifacts.decode_replay(
                trajectory_store.read_chunks(conn, row.id))
            return trajectories_pb2.GetTrajectoryReplayResponse(
                replay=trajectory_convert.replay_to_proto(row, header, steps))

        return await self._read(context, request.org, request.workspace, work)

    @unary
    async def ListCommands(self, request: trajectories_pb2.ListCommandsRequest,
                           context: grpc.aio.ServicerContext[Any, Any]
                           ) -> trajectories_pb2.ListCommandsResponse:
        def work(conn: Connection, access: WorkspaceAccess) -> Row[Any]:
            validation.validate(request)
            return _manifest_or_404(conn, access.workspace_id, request.manifest_id)

        manifest = await self._read(context, request.org, request.workspace, work)
        items = await self._worlds.catalog(manifest)
        return trajectories_pb2.ListCommandsResponse(
            count=len(items), items=[trajectory_convert.command_to_proto(item) for item in items])



