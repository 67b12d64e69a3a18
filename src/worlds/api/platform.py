"""The PlatformService servicer: the scope reads clients make before any worlds call.

Every read but the health probes authenticates the call's key first (401 for a missing,
unknown or revoked key) and then shows only what the key's user is a member of: an
organization or workspace it cannot see is NOT_FOUND, as on WorldsService (platform.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Connection

from worlds.api import auth, validation
from worlds.api.base import MAX_OFFSET, RpcBase
from worlds.api.boundary import Context, unary
from worlds.convert import platform as convert
from worlds.core import access
from worlds.core.access import Principal
from worlds.core.clock import Clock, system_clock
from worlds.core.errors import Unavailable
from worlds.store import tenancy
from worlds.store.engine import Database
from worlds.v1 import platform_service_pb2 as pb
from worlds.v1 import platform_service_pb2_grpc

T = TypeVar("T")


class PlatformServicer(RpcBase, platform_service_pb2_grpc.PlatformServiceServicer):
    def __init__(self, db: Database, *, clock: Clock = system_clock) -> None:
        super().__init__(db, clock)

    async def _as_user(self, context: Context,
                       fn: Callable[[Connection, Principal], T]) -> T:
        """Authenticate the call's key, then run `fn` in the same read transaction."""
        key = auth.key_from_metadata(context.invocation_metadata())

        def work(conn: Connection) -> tuple[T, tenancy.Authenticated]:
            authenticated = tenancy.authenticate(conn, access.hash_key(key), self._clock())
            return fn(conn, authenticated.principal), authenticated

        result, authenticated = await self._db.read(work)
        if authenticated.needs_touch:
            self._touch_later(authenticated.principal.key_id)
        return result

    @unary
    async def GetCurrentUser(self, request: pb.GetCurrentUserRequest,
                             context: Context) -> pb.GetCurrentUserResponse:
        row = await self._as_user(
            context, lambda conn, principal: tenancy.user_record(conn, principal.user_id))
        return pb.GetCurrentUserResponse(user=convert.user_to_proto(row))

    @unary
    async def GetOrganization(self, request: pb.GetOrganizationRequest,
                              context: Context) -> pb.GetOrganizationResponse:
        row = await self._as_user(context, lambda conn, principal: tenancy.visible_organization(
            conn, principal.user_id, request.org))
        return pb.GetOrganizationResponse(organization=convert.organization_to_proto(row))

    @unary
    async def ListWorkspaces(self, request: pb.ListWorkspacesRequest,
                             context: Context) -> pb.ListWorkspacesResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")

        def work(conn: Connection, principal: Principal) -> tenancy.WorkspacePage:
            validation.validate(request)
            offset = min((page - 1) * page_size, MAX_OFFSET)
            return tenancy.list_visible_workspaces(conn, principal.user_id, request.org,
                                                   offset, page_size)

        result = await self._as_user(context, work)
        total_pages = math.ceil(result.total / page_size)
        return pb.ListWorkspacesResponse(
            workspaces=[convert.workspace_to_proto(row) for row in result.rows],
            page=page, limit=page_size, total=result.total, total_pages=total_pages,
            has_next=page < total_pages, has_previous=page > 1)

    @unary
    async def GetWorkspace(self, request: pb.GetWorkspaceRequest,
                           context: Context) -> pb.GetWorkspaceResponse:
        row = await self._as_user(context, lambda conn, principal: tenancy.visible_workspace(
            conn, principal.user_id, request.org, request.workspace))
        return pb.GetWorkspaceResponse(workspace=convert.workspace_to_proto(row))

    @unary
    async def ListProjects(self, request: pb.ListProjectsRequest,
                           context: Context) -> pb.ListProjectsResponse:
        def work(conn: Connection, principal: Principal) -> list[pb.Project]:
            workspace = tenancy.visible_workspace(conn, principal.user_id, request.org,
                                                  request.workspace)
            return [convert.project_to_proto(row)
                    for row in tenancy.list_projects(conn, workspace.id)]

        return pb.ListProjectsResponse(projects=await self._as_user(context, work))

    @unary
    async def GetProject(self, request: pb.GetProjectRequest,
                         context: Context) -> pb.GetProjectResponse:
        def work(conn: Connection, principal: Principal) -> pb.Project:
            validation.validate(request)
            workspace = tenancy.visible_workspace(conn, principal.user_id, request.org,
                                                  request.workspace)
            return convert.project_to_proto(
                tenancy.project_by_key(conn, workspace.id, request.project))

        return pb.GetProjectResponse(project=await self._as_user(context, work))

    @unary
    async def GetHealth(self, request: pb.GetHealthRequest,
                        context: Context) -> pb.GetHealthResponse:
        # Liveness only: a process that answers at all is alive. No key, no database.
        return pb.GetHealthResponse(status="ok")

    @unary
    async def GetReadiness(self, request: pb.GetReadinessRequest,
                           context: Context) -> pb.GetReadinessResponse:
        try:
            await self._db.read(tenancy.ping)
        except Exception as exc:
            # The cause (a host name, a driver message) stays in the log, not the answer.
            raise Unavailable("The database is not reachable", reason="DATABASE_UNAVAILABLE") from exc
        return pb.GetReadinessResponse(status="ok", database="ok")
