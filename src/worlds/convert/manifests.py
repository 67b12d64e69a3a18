"""Manifest rows and stored world items to protobuf messages.

Pages of nodes and edges are built field by field (several times faster than
`json_format.ParseDict`, and a page holds up to 20,000 items); details, one
object per request, go through ParseDict, except their edge lists, which can
hold tens of thousands of refs for a group like Domain Users.
"""

from __future__ import annotations

from typing import Any, TypeVar

from google.protobuf import json_format, struct_pb2

from worlds.convert.jobs import enum_value, timestamp
from worlds.v1 import jobs_pb2, manifests_pb2

_EDGE_LISTS = ("inbound_edges", "outbound_edges")


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(value)
    return struct


def manifest_to_proto(row: Any) -> manifests_pb2.Manifest:
    stats = row.stats or {}
    manifest = manifests_pb2.Manifest(
        id=row.id,
        organization_id=row.organization_id,
        workspace_id=row.workspace_id,
        source_job_id=row.source_job_id,
        manifest_kind=enum_value(manifests_pb2.ManifestKind, "MANIFEST_KIND_", row.manifest_kind),
        seed=row.seed,
        stats=manifests_pb2.ManifestStats(
            total_hosts=stats.get("total_hosts", 0),
            total_principals=stats.get("total_principals", 0),
            total_edges=stats.get("total_edges", 0),
            domains=stats.get("domains", []),
        ),
        artifact_refs=_struct(row.artifact_refs or {}),
        created_at=timestamp(row.created_at),
    )
    if stats.get("network_id") is not None:
        manifest.stats.network_id = stats["network_id"]
    if stats.get("security_level") is not None:
        manifest.stats.security_level = enum_value(
            jobs_pb2.SecurityLevel, "SECURITY_LEVEL_", stats["security_level"])
    if stats.get("exposure") is not None:
        manifest.stats.exposure.CopyFrom(exposure_to_proto(stats["exposure"]))
    for name in ("created_by", "project_id", "name"):
        value = getattr(row, name)
        if value is not None:
            setattr(manifest, name, value)
    if row.preset is not None:
        manifest.preset = enum_value(jobs_pb2.Preset, "PRESET_", row.preset)
    username = getattr(row, "user_username", None)
    if row.created_by is not None and username is not None:
        manifest.created_by_user.CopyFrom(jobs_pb2.User(
            id=row.created_by, email=row.user_email, username=username))
        if row.user_full_name is not None:
            manifest.created_by_user.full_name = row.user_full_name
    # A manifest is written once and never changes.
    manifest.updated_at.CopyFrom(timestamp(row.created_at))
    return manifest


def exposure_to_proto(exposure: dict[str, Any]) -> manifests_pb2.Exposure:
    message = manifests_pb2.Exposure(
        share=exposure.get("share", 0.0),
        users_considered=exposure.get("users_considered", 0),
        users_with_path=exposure.get("users_with_path", 0),
        distinct_first_hops=exposure.get("distinct_first_hops", 0),
        tier0_size=exposure.get("tier0_size", 0),
        edge_counts=exposure.get("edge_counts", {}),
        roastable=manifests_pb2.Roastable(**exposure.get("roastable", {})),
    )
    if exposure.get("median_path_length") is not None:
        message.median_path_length = exposure["median_path_length"]
    return message


# Graph items are built from plain dicts handed to the message constructors, which
# parse them in C (upb): for a page of 20,000 edges that is ~6x faster than building
# each nested message (and each Struct) in Python, the larger part of a page's time.
def _node_data(node: dict[str, Any]) -> dict[str, Any]:
    return {"id": node["id"], "label": node["label"], "node_type": node["node_type"],
            "properties": node.get("properties") or {}}


def _edge_data(edge: dict[str, Any]) -> dict[str, Any]:
    return {"id": edge["id"], "source": edge["source"], "target": edge["target"],
            "edge_type": edge["edge_type"], "severity": edge["severity"]}


def node_to_proto(node: dict[str, Any]) -> manifests_pb2.GraphNode:
    return manifests_pb2.GraphNode(data=_node_data(node))


def edge_to_proto(edge: dict[str, Any]) -> manifests_pb2.GraphEdge:
    return manifests_pb2.GraphEdge(data=_edge_data(edge))


def add_nodes(repeated: Any, nodes: list[dict[str, Any]]) -> None:
    """Append `nodes` to a repeated GraphNode field."""
    add = repeated.add
    for node in nodes:
        add(data=_node_data(node))


def add_edges(repeated: Any, edges: list[dict[str, Any]]) -> None:
    """Append `edges` to a repeated GraphEdge field."""
    add = repeated.add
    for edge in edges:
        add(data=_edge_data(edge))


_Details = TypeVar("_Details", manifests_pb2.HostDetails, manifests_pb2.PrincipalDetails)


def _with_edges(message: _Details, details: dict[str, Any]) -> _Details:
    json_format.ParseDict({k: v for k, v in details.items() if k not in _EDGE_LISTS}, message,
                          ignore_unknown_fields=True)
    for name in _EDGE_LISTS:
        getattr(message, name).extend(manifests_pb2.EdgeRef(**ref) for ref in details.get(name, ()))
    return message


def credential_items(principal_id: str, domain: str | None,
                     credentials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The world's credentials in the contract's shape (inspection.md): `cred_id` (the
    principal id and the credential's position: stable for a manifest), `kind` (the world's
    `type`), `principal_id`, `scope` (the domain the credential is valid in) and
    `secret_ref` (the world's `ref`, which host artifacts point at; null for a flag); the
    world's other fields (algorithm, crackable, ...) follow unchanged."""
    items = []
    for position, credential in enumerate(credentials):
        extra = {k: v for k, v in credential.items() if k not in ("type", "ref")}
        items.append({**extra, "cred_id": f"{principal_id}:cred:{position}",
                      "kind": credential.get("type") or "unknown", "principal_id": principal_id,
                      "scope": domain, "secret_ref": credential.get("ref")})
    return items


def artifact_items(host_id: str, artifacts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Host artifacts in the contract's shape: `artifact_id`, `artifact_type` (the world's
    `kind`), `host_id`, `path`, `template` (the world's template name, else its kind) and
    `metadata` (every other field of the world's artifact)."""
    items = []
    for artifact in artifacts:
        kind = artifact.get("artifact_type") or artifact.get("kind") or "unknown"
        metadata = {k: v for k, v in artifact.items()
                    if k not in ("artifact_id", "kind", "artifact_type", "path", "template",
                                 "host_id", "metadata")}
        metadata.update(artifact.get("metadata") or {})
        items.append({"artifact_id": artifact.get("artifact_id") or "",
                      "artifact_type": kind, "host_id": host_id,
                      "metadata": metadata, "path": artifact.get("path") or "",
                      "template": artifact.get("template") or kind})
    return items


def host_to_proto(details: dict[str, Any]) -> manifests_pb2.HostDetails:
    details = {**details, "artifacts": artifact_items(details["host_id"],
                                                      details.get("artifacts") or [])}
    return _with_edges(manifests_pb2.HostDetails(), details)


def principal_to_proto(details: dict[str, Any]) -> manifests_pb2.PrincipalDetails:
    credentials = credential_items(details["principal_id"], details.get("domain"),
                                   details.get("credentials") or [])
    details = {**details, "credentials": credentials,
               "credential_ids": [item["cred_id"] for item in credentials]}
    return _with_edges(manifests_pb2.PrincipalDetails(), details)
