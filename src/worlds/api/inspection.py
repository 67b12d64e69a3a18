"""The inspection RPCs (inspection.md): basic principal and host records, principal
search, subgraphs and the aggregated overview.

Search, subgraph and overview read what a whole manifest holds; they get it from the
per-process `WorldCache` (built once per manifest: a manifest never changes), and only
the caller's check, the manifest's row and the page of records they return are read per
request.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from worlds.api import validation
from worlds.api.base import MAX_OFFSET
from worlds.api.boundary import Context, unary
from worlds.api.manifests import ManifestRpcs, detail
from worlds.api.world_cache import WorldCache
from worlds.convert import inspection as convert
from worlds.core.errors import NotFound
from worlds.store import manifests as manifest_store
from worlds.store import overview as overview_store
from worlds.store.graph_index import GraphIndex
from worlds.store.principal_index import basic_principal
from worlds.v1 import inspection_pb2 as pb


class InspectionRpcs(ManifestRpcs):
    _world_cache: WorldCache

    def _principals(self, conn: Connection, manifest: Row[Any]
                    ) -> manifest_store.LoadedPrincipals:
        return self._world_cache.get(manifest.id, "principals",
                                     lambda: manifest_store.read_principal_index(conn, manifest))

    def _graph(self, conn: Connection, manifest: Row[Any]) -> GraphIndex:
        def build() -> GraphIndex:
            nodes = manifest_store.read_all(conn, manifest, "nodes")
            edges = manifest_store.read_all(conn, manifest, "edges")
            return GraphIndex(nodes, edges, [convert.subgraph_node_field(n) for n in nodes],
                              [convert.subgraph_edge_field(e) for e in edges])

        return self._world_cache.get(manifest.id, "graph", build)

    def _overview(self, conn: Connection, manifest: Row[Any]) -> overview_store.Overview:
        return self._world_cache.get(
            manifest.id, "overview",
            lambda: overview_store.aggregate(self._graph(conn, manifest)))

    @unary
    async def GetPrincipal(self, request: pb.GetPrincipalRequest,
                           context: Context) -> pb.GetPrincipalResponse:
        def read(conn: Connection, manifest: Row[Any]) -> pb.GetPrincipalResponse:
            found = detail(conn, manifest, "principals", "principal_id", request.principal_id,
                           "Principal")
            return pb.GetPrincipalResponse(principal=convert.principal_to_proto(
                basic_principal(found)))

        return await self._manifest_read(request, context, read)

    @unary
    async def GetHost(self, request: pb.GetHostRequest,
                      context: Context) -> pb.GetHostResponse:
        def read(conn: Connection, manifest: Row[Any]) -> pb.GetHostResponse:
            found = detail(conn, manifest, "hosts", "host_id", request.host_id, "Host")
            return pb.GetHostResponse(host=convert.host_to_proto(found))

        return await self._manifest_read(request, context, read)

    @unary
    async def SearchPrincipals(self, request: pb.SearchPrincipalsRequest,
                               context: Context
                               ) -> pb.SearchPrincipalsResponse:
        page = validation.int_or_default(request, "page")
        page_size = validation.int_or_default(request, "page_size")
        kind = request.principal_type if request.HasField("principal_type") else None

        def read(conn: Connection, manifest: Row[Any]) -> pb.SearchPrincipalsResponse:
            loaded = self._principals(conn, manifest)
            hits = loaded.index.search(request.query, kind)
            offset = min((page - 1) * page_size, MAX_OFFSET)
            positions = hits[offset:offset + page_size]
            if loaded.records is not None:
                records = [loaded.records[p] for p in positions]
            else:
                records = manifest_store.read_principal_rows(conn, manifest, positions)
            return pb.SearchPrincipalsResponse(
                items=[convert.principal_to_proto(r) for r in records],
                page=page, page_size=page_size, total=len(hits))

        return await self._manifest_read(request, context, read)

    @unary
    async def GetSubgraph(self, request: pb.GetSubgraphRequest,
                          context: Context) -> pb.GetSubgraphResponse:
        depth = validation.int_or_default(request, "depth")

        def read(conn: Connection, manifest: Row[Any]) -> pb.GetSubgraphResponse:
            graph = self._graph(conn, manifest)
            center = graph.number.get(request.center)
            if center is None:
                raise NotFound(f"Node '{request.center}' not found in this manifest",
                               metadata={"center": request.center})
            sub = graph.subgraph(center, depth)
            return convert.subgraph_response(
                request.center, depth, sub.truncated,
                [graph.node_bytes[n] for n in sub.nodes],
                [graph.edge_bytes[e] for e in sub.edges])

        return await self._manifest_read(request, context, read)

    @unary
    async def GetGraphOverview(self, request: pb.GetGraphOverviewRequest,
                               context: Context
                               ) -> pb.GetGraphOverviewResponse:
        max_nodes = validation.int_or_default(request, "max_nodes")
        max_edges = validation.int_or_default(request, "max_edges")

        def read(conn: Connection, manifest: Row[Any]) -> pb.GetGraphOverviewResponse:
            def build() -> pb.GetGraphOverviewResponse:
                cut = overview_store.bounded(self._overview(conn, manifest), max_nodes,
                                             max_edges)
                return convert.overview_to_proto(cut.nodes, cut.edges,
                                                 overview_store.severity_name)

            # The bounded response too is a pure function of the manifest and the bounds.
            return self._world_cache.get(manifest.id, f"overview:{max_nodes}:{max_edges}",
                                         build)

        return await self._manifest_read(request, context, read)
