"""A world's graph in memory, for the reads that need all of it: subgraphs and overviews.

Loaded once per manifest from its `nodes` and `edges` runs (a manifest never changes)
and kept by `worlds.api.world_cache`. Nodes and edges are numbered in stored order;
adjacency is a CSR array of edge numbers per node (both directions). Every node and
edge is also kept as opaque bytes the caller supplies (the API layer keeps each one's
serialized response field), so a response of 20,000 edges is one `bytes.join` and one
parse in C, never 20,000 message constructions in Python.

Subgraph rule (inspection.md, **ours** for the caps' order): breadth-first from the
centre, edges in either direction, nodes taken level by level in stored order until
`MAX_NODES`; then every edge between two taken nodes, nearest first (by the farther end's
level, then stored order) until `MAX_EDGES`. `truncated` is set when a node within reach
or an edge between taken nodes was left out.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

MAX_NODES = 5_000
MAX_EDGES = 20_000

SEVERITIES = ("info", "low", "medium", "high", "critical")
"""In increasing order: the overview keeps the highest of an aggregate edge's members."""


@dataclass(frozen=True)
class NodeMeta:
    """What the overview groups a node by."""

    node_type: str
    label: str
    domain: str | None
    role: str | None
    admin_count: bool


@dataclass(frozen=True)
class Subgraph:
    nodes: list[int]
    edges: list[int]
    truncated: bool


class GraphIndex:
    """One world's nodes and edges, numbered in stored order. Read-only once built."""

    def __init__(self, nodes: list[Mapping[str, Any]], edges: Iterable[Mapping[str, Any]],
                 node_bytes: list[bytes], edge_bytes: list[bytes]) -> None:
        self.ids = [node["id"] for node in nodes]
        self.number = {node_id: i for i, node_id in enumerate(self.ids)}
        self.meta = [_meta(node) for node in nodes]
        self.node_bytes = node_bytes
        self.edge_bytes = edge_bytes
        number = self.number
        source, target = array("i"), array("i")
        self.edge_types: list[str] = []
        self.edge_severities = array("b")
        self.edge_ids: list[str] = []
        for edge in edges:
            source.append(number.get(edge["source"], -1))
            target.append(number.get(edge["target"], -1))
            self.edge_types.append(edge["edge_type"])
            self.edge_ids.append(edge["id"])
            severity = edge.get("severity") or "info"
            self.edge_severities.append(SEVERITIES.index(severity)
                                        if severity in SEVERITIES else 0)
        self.source, self.target = source, target
        self._build_adjacency()

    def _build_adjacency(self) -> None:
        n = len(self.ids)
        degree = [0] * (n + 1)
        for end in (self.source, self.target):
            for node in end:
                if node >= 0:
                    degree[node + 1] += 1
        for i in range(n):
            degree[i + 1] += degree[i]
        offsets = array("i", degree)
        fill = list(degree[:-1])
        adjacent = array("i", bytes(4 * degree[-1]))
        for number, (s, t) in enumerate(zip(self.source, self.target, strict=True)):
            if s >= 0:
                adjacent[fill[s]] = number
                fill[s] += 1
            if t >= 0 and t != s:
                adjacent[fill[t]] = number
                fill[t] += 1
        self.offsets, self.adjacent = offsets, adjacent

    def edges_of(self, node: int) -> array[int]:
        return self.adjacent[self.offsets[node]:self.offsets[node + 1]]

    def subgraph(self, center: int, depth: int, max_nodes: int = MAX_NODES,
                 max_edges: int = MAX_EDGES) -> Subgraph:
        """The neighbourhood of `center` (see the module doc for the rule and the caps)."""
        level = {center: 0}
        order = [center]
        frontier = [center]
        truncated = False
        source, target = self.source, self.target
        for hop in range(1, depth + 1):
            found: set[int] = set()
            for node in frontier:
                for edge in self.edges_of(node):
                    other = target[edge] if source[edge] == node else source[edge]
                    if other >= 0 and other not in level:
                        found.add(other)
            room = max_nodes - len(order)
            ranked = sorted(found)
            if len(ranked) > room:
                truncated = True
                ranked = ranked[:room]
            for node in ranked:
                level[node] = hop
            order.extend(ranked)
            frontier = ranked
            if not frontier or truncated:
                break
        picked: list[tuple[int, int]] = []
        seen: set[int] = set()
        for node in order:
            for edge in self.edges_of(node):
                if edge in seen:
                    continue
                s, t = source[edge], target[edge]
                if s in level and t in level:
                    seen.add(edge)
                    picked.append((max(level[s], level[t]), edge))
        picked.sort()
        if len(picked) > max_edges:
            truncated = True
            picked = picked[:max_edges]
        return Subgraph(order, [edge for _, edge in picked], truncated)


def _meta(node: Mapping[str, Any]) -> NodeMeta:
    properties = node.get("properties") or {}
    domain = properties.get("domain")
    if node.get("node_type") == "domain":
        domain = properties.get("name") or domain
    return NodeMeta(node_type=str(node.get("node_type") or ""), label=str(node.get("label") or ""),
                    domain=domain if isinstance(domain, str) else None,
                    role=properties.get("role") if isinstance(properties.get("role"), str)
                    else None,
                    admin_count=properties.get("admin_count") is True)
