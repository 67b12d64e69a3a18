"""The manifest RPCs: list and read manifests, page through their graphs, read details.

The artifact reads decode and convert on the database thread, so that a 20,000-edge page
never occupies the event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection

from worlds.api import validation
from worlds.api.base import RpcBase, page_offset
from worlds.api.boundary import Context, unary
from worlds.convert import manifests as manifest_convert
from worlds.core.access import WorkspaceAccess
from worlds.core.errors import NotFound
from worlds.store import manifests as manifest_store
from worlds.v1 import worlds_service_pb2

R = TypeVar("R")


class ManifestRpcs(RpcBase):
    def _manifest(self, conn: Connection, access: WorkspaceAccess, manifest_id: str) -> Any:
        row = manifest_store.get_manifest(conn, access.workspace_id, manifest_id)
        if row is None:
            raise NotFound(f"Manifest '{manifest_id}' not found",
                           metadata={"manifest_id": manifest_id})
        return row

    async def _manifest_read(self, request: Any, context: Context,
                             read: Callable[[Connection, Any], R]) -> R:
        """Validate `request`, find its manifest in the caller's workspace, then `read` it,
        all in one read transaction."""
        def work(conn: Connection, access: WorkspaceAccess) -> R:
            validation.validate(request)
            return read(conn, self._manifest(conn, access, request.manifest_id))

        return await self._read(context, request.org, request.workspace, work)

    @unary
    async def ListManifests(self, request: worlds_service_pb2.ListManifestsRequest,
                            context: Context
                            ) -> worlds_service_pb2.ListManifestsResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")

        def work(conn: Connection, access: WorkspaceAccess) -> manifest_store.ManifestPage:
            validation.validate(request)
            flt = manifest_store.ManifestFilter(
                workspace_id=access.workspace_id,
                project_id=validation.present(request, "project_id"),
                created_by=validation.present(request, "created_by"),
            )
            return manifest_store.list_manifests(conn, flt, page_offset(page, page_size), page_size)

        result = await self._read(context, request.org, request.workspace, work)
        return worlds_service_pb2.ListManifestsResponse(
            items=[manifest_convert.manifest_to_proto(row) for row in result.rows],
            page=page, page_size=page_size, total=result.total)

    @unary
    async def GetManifest(self, request: worlds_service_pb2.GetManifestRequest,
                          context: Context
                          ) -> worlds_service_pb2.GetManifestResponse:
        row = await self._manifest_read(request, context, lambda conn, manifest: manifest)
        return worlds_service_pb2.GetManifestResponse(
            manifest=manifest_convert.manifest_to_proto(row))

    async def _run_page(self, request: Any, context: Context, kind: str,
                        respond: Callable[[list[dict[str, Any]], int], R]) -> R:
        """One page (`offset`, `limit`) of a manifest's `nodes` or `edges` run, as `respond`
        wraps it with the run's total."""
        limit = validation.int_or_default(request, "limit")
        offset = validation.int_or_default(request, "offset")
        return await self._manifest_read(request, context, lambda conn, manifest: respond(
            manifest_store.read_run(conn, manifest, kind, offset, limit),
            manifest_store.run_count(manifest, kind)))

    @unary
    async def ListGraphNodes(self, request: worlds_service_pb2.ListGraphNodesRequest,
                             context: Context
                             ) -> worlds_service_pb2.ListGraphNodesResponse:
        def respond(nodes: list[dict[str, Any]], total: int
                    ) -> worlds_service_pb2.ListGraphNodesResponse:
            response = worlds_service_pb2.ListGraphNodesResponse(count=len(nodes), total=total)
            manifest_convert.add_nodes(response.nodes, nodes)
            return response

        return await self._run_page(request, context, "nodes", respond)

    @unary
    async def ListGraphEdges(self, request: worlds_service_pb2.ListGraphEdgesRequest,
                             context: Context
                             ) -> worlds_service_pb2.ListGraphEdgesResponse:
        def respond(edges: list[dict[str, Any]], total: int
                    ) -> worlds_service_pb2.ListGraphEdgesResponse:
            response = worlds_service_pb2.ListGraphEdgesResponse(count=len(edges), total=total)
            manifest_convert.add_edges(response.edges, edges)
            return response

        return await self._run_page(request, context, "edges", respond)

    @unary
    async def GetHostDetails(self, request: worlds_service_pb2.GetHostDetailsRequest,
                             context: Context
                             ) -> worlds_service_pb2.GetHostDetailsResponse:
        def read(conn: Connection, manifest: Any) -> worlds_service_pb2.GetHostDetailsResponse:
            details = detail(conn, manifest, "hosts", "host_id", request.host_id, "Host")
            return worlds_service_pb2.GetHostDetailsResponse(
                host=manifest_convert.host_to_proto(details))

        return await self._manifest_read(request, context, read)

    @unary
    async def GetPrincipalDetails(self, request: worlds_service_pb2.GetPrincipalDetailsRequest,
                                  context: Context
                                  ) -> worlds_service_pb2.GetPrincipalDetailsResponse:
        def read(conn: Connection, manifest: Any
                 ) -> worlds_service_pb2.GetPrincipalDetailsResponse:
            details = detail(conn, manifest, "principals", "principal_id",
                              request.principal_id, "Principal")
            return worlds_service_pb2.GetPrincipalDetailsResponse(
                principal=manifest_convert.principal_to_proto(details))

        return await self._manifest_read(request, context, read)


def detail(conn: Connection, manifest: Any, bucket: str, field: str, item_id: str,
            noun: str) -> Any:
    """One host's or principal's stored details, or NOT_FOUND naming it."""
    details = manifest_store.read_detail(conn, manifest, bucket, item_id)
    if details is None:
        raise NotFound(f"{noun} '{item_id}' not found in this manifest", metadata={field: item_id})
    return details
