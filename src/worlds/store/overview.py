"""The aggregated overview of a world (inspection.md; the grouping rules are **ours**).

Grouping ("semantic"): a domain node and a tier-0 group (a group with `admin_count`) are
kept as themselves, under their own ids; every other node joins the aggregate of its
domain and kind (`agg:<domain>:<kind>`): users, groups, OUs, GPOs, and computers by role
(domain controllers, servers, workstations). Edges become one aggregate edge per (source
aggregate, target aggregate, edge type) with the count of edges it stands for and their
highest severity.

`aggregate` runs once per manifest (the cache keeps its result); `bounded` cuts it to a
request's `max_nodes` / `max_edges`: nodes ranked domains, tier-0 groups, then aggregates
by member count (ties by id), the overflow merged into `agg:other`; edges ranked by count,
then severity, then id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worlds.store.graph_index import SEVERITIES, GraphIndex, NodeMeta

OTHER = "agg:other"

_KINDS = {"user": "users", "group": "groups", "ou": "OUs", "gpo": "GPOs",
          "computer": "computers"}
_ROLES = {"domain_controller": "domain controllers", "server": "servers",
          "workstation": "workstations"}
_RANK_KEPT = {"domain": 0, "group": 1}


@dataclass
class AggregateNode:
    id: str
    label: str
    node_type: str
    properties: dict[str, Any]
    count: int
    rank: int
    """0 domains, 1 tier-0 groups, 2 aggregates: the order nodes are kept in."""


@dataclass
class AggregateEdge:
    source: str
    target: str
    edge_type: str
    count: int = 0
    severity: int = 0

    @property
    def id(self) -> str:
        return f"{self.source}|{self.edge_type}|{self.target}"


@dataclass
class Overview:
    nodes: list[AggregateNode] = field(default_factory=list)
    edges: list[AggregateEdge] = field(default_factory=list)


def _group_of(node_id: str, meta: NodeMeta) -> tuple[str, str, str, str | None, bool]:
    """(group id, kind, display kind, domain, kept as itself)."""
    if meta.node_type == "domain" or (meta.node_type == "group" and meta.admin_count):
        return node_id, meta.node_type, meta.node_type, meta.domain, True
    kind = _KINDS.get(meta.node_type, f"{meta.node_type}s")
    if meta.node_type == "computer" and meta.role in _ROLES:
        kind = _ROLES[meta.role]
    domain = meta.domain or "unknown"
    return f"agg:{domain}:{kind.replace(' ', '_').lower()}", meta.node_type, kind, domain, False


def aggregate(graph: GraphIndex) -> Overview:
    """Every aggregate node and edge of the world, unbounded."""
    groups: dict[str, AggregateNode] = {}
    member_of: list[str] = []
    for node_id, meta in zip(graph.ids, graph.meta, strict=True):
        group_id, node_type, kind, domain, kept = _group_of(node_id, meta)
        member_of.append(group_id)
        node = groups.get(group_id)
        if node is None:
            if kept:
                node = AggregateNode(group_id, meta.label, node_type,
                                     {"domain": domain, "kind": node_type, "aggregate": False},
                                     0, _RANK_KEPT.get(node_type, 1))
            else:
                node = AggregateNode(group_id, "", node_type,
                                     {"domain": domain, "kind": kind, "aggregate": True}, 0, 2)
            groups[group_id] = node
        node.count += 1
    for node in groups.values():
        node.properties["count"] = node.count
        if node.rank == 2:
            node.label = f"{node.properties['domain']} {node.properties['kind']} ({node.count:,})"
    edges: dict[tuple[str, str, str], AggregateEdge] = {}
    types, severities = graph.edge_types, graph.edge_severities
    for number, (s, t) in enumerate(zip(graph.source, graph.target, strict=True)):
        if s < 0 or t < 0:
            continue
        key = (member_of[s], member_of[t], types[number])
        edge = edges.get(key)
        if edge is None:
            edge = edges[key] = AggregateEdge(*key)
        edge.count += 1
        if severities[number] > edge.severity:
            edge.severity = severities[number]
    return Overview(list(groups.values()), list(edges.values()))


def bounded(full: Overview, max_nodes: int, max_edges: int) -> Overview:
    """`full` cut to the bounds (see the module doc)."""
    ranked = sorted(full.nodes, key=lambda n: (n.rank, -n.count if n.rank == 2 else 0, n.id))
    if len(ranked) <= max_nodes:
        kept, rest = ranked, []
    else:
        kept, rest = ranked[:max_nodes - 1], ranked[max_nodes - 1:]
    rename = {node.id: OTHER for node in rest}
    nodes = list(kept)
    if rest:
        total = sum(node.count for node in rest)
        nodes.append(AggregateNode(OTHER, f"other ({total:,})", "other",
                                   {"domain": None, "kind": "other", "aggregate": True,
                                    "count": total}, total, 3))
    merged: dict[tuple[str, str, str], AggregateEdge] = {}
    for edge in full.edges:
        key = (rename.get(edge.source, edge.source), rename.get(edge.target, edge.target),
               edge.edge_type)
        into = merged.get(key)
        if into is None:
            into = merged[key] = AggregateEdge(*key)
        into.count += edge.count
        into.severity = max(into.severity, edge.severity)
    edges = sorted(merged.values(), key=lambda e: (-e.count, -e.severity, e.id))[:max_edges]
    return Overview(nodes, edges)


def severity_name(level: int) -> str:
    return SEVERITIES[level]
