"""Inspection results to protobuf: basic records, subgraphs, overviews.

A subgraph response is assembled from its items' serialized bytes (see
`worlds.store.graph_index`): `subgraph_node_field` / `subgraph_edge_field` give each
item's bytes framed as a field of `GetSubgraphResponse`, computed once per manifest, and
`subgraph_response` joins the chosen ones and parses the result in one C call.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import struct_pb2

from worlds.convert.manifests import edge_to_proto, node_to_proto
from worlds.v1 import inspection_pb2 as pb
from worlds.v1 import manifests_pb2

_PRINCIPAL_OPTIONAL = ("upn", "dn", "sid", "domain", "email", "department", "title")
_HOST_REQUIRED = ("ip", "os_family", "os_version", "exposure_profile")
_HOST_OPTIONAL = ("fqdn", "domain", "role", "subnet", "site")
_NODES_FIELD = pb.GetSubgraphResponse.DESCRIPTOR.fields_by_name["nodes"].number
_EDGES_FIELD = pb.GetSubgraphResponse.DESCRIPTOR.fields_by_name["edges"].number


def _struct(value: Mapping[str, Any] | None) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(dict(value or {}))
    return struct


def principal_to_proto(record: Mapping[str, Any]) -> pb.Principal:
    """A basic principal record (`worlds.store.principal_index.basic_principal`)."""
    principal = pb.Principal(
        principal_id=record["principal_id"], principal_type=record.get("principal_type") or "",
        sam=record.get("sam") or "", enabled=bool(record.get("enabled")),
        tags=_struct(record.get("tags")))
    for name in _PRINCIPAL_OPTIONAL:
        value = record.get(name)
        if value is not None:
            setattr(principal, name, str(value))
    return principal


def host_to_proto(details: Mapping[str, Any]) -> pb.Host:
    """A host's basic record, from its stored details: the contract's required strings are
    never null (an absent one is ""), the optional ones null when absent."""
    host = pb.Host(host_id=details["host_id"], hostname=details.get("hostname") or "",
                   tags=_struct(details.get("tags")))
    for name in _HOST_REQUIRED:
        setattr(host, name, str(details.get(name) or ""))
    for name in _HOST_OPTIONAL:
        value = details.get(name)
        if value is not None:
            setattr(host, name, str(value))
    return host


def _frame(field_number: int, payload: bytes) -> bytes:
    out = bytearray()
    for value in (field_number << 3 | 2, len(payload)):
        while True:
            bits = value & 0x7F
            value >>= 7
            out.append(bits | 0x80 if value else bits)
            if not value:
                break
    return bytes(out) + payload


def subgraph_node_field(node: Mapping[str, Any]) -> bytes:
    return _frame(_NODES_FIELD, node_to_proto(dict(node)).SerializeToString())


def subgraph_edge_field(edge: Mapping[str, Any]) -> bytes:
    return _frame(_EDGES_FIELD, edge_to_proto(dict(edge)).SerializeToString())


def subgraph_response(center: str, depth: int, truncated: bool, node_fields: Sequence[bytes],
                      edge_fields: Sequence[bytes]) -> pb.GetSubgraphResponse:
    head = pb.GetSubgraphResponse(center=center, depth=depth, truncated=truncated)
    return pb.GetSubgraphResponse.FromString(
        head.SerializeToString() + b"".join(node_fields) + b"".join(edge_fields))


def overview_to_proto(nodes: Sequence[Any], edges: Sequence[Any],
                      severity_name: Any) -> pb.GetGraphOverviewResponse:
    """`worlds.store.overview` aggregates (already bounded) as the response."""
    response = pb.GetGraphOverviewResponse(count=len(nodes), edge_count=len(edges),
                                           grouping="semantic")
    for node in nodes:
        response.nodes.append(manifests_pb2.GraphNode(data=manifests_pb2.GraphNodeData(
            id=node.id, label=node.label, node_type=node.node_type,
            properties=_struct(node.properties))))
    for edge in edges:
        response.edges.append(pb.OverviewEdge(data=pb.OverviewEdgeData(
            id=edge.id, source=edge.source, target=edge.target, edge_type=edge.edge_type,
            severity=severity_name(edge.severity), count=edge.count)))
    return response
