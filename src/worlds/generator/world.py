"""The generated `World` and its canonical serialization.

Canonical form: one JSON object
`{"format", "spec", "stats", "nodes", "edges", "hosts", "principals", "attack_paths"}`
encoded with sorted keys, separators `(",", ":")`, `ensure_ascii=False`, no NaN,
as UTF-8. Lists keep their defined order:

- `nodes`: sorted by id;
- `edges`: generation order, which is also id order (`e0000000`, `e0000001`, ...);
- `hosts`, `principals`: objects keyed by id (so sorted by the encoder);
- inside a principal, `membership_ids` and `credentials` in the order granted;
  inside a host, `services` by (port, proto) and `artifacts` in creation order;
- `attack_paths`: one list per planted path, in domain order, user first.

Equal specs give byte-identical canonical forms in any process.

The bytes are exactly `json.dumps(world.to_dict(), sort_keys=True,
separators=(",", ":"), ensure_ascii=False).encode()`, written by orjson (the tests
compare the two).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any, TypedDict

import orjson

from worlds.generator.context import BuildContext
from worlds.generator.exposure import Exposure, compute_exposure
from worlds.generator.records import EdgeRecord, HostRecord, NodeRecord, PrincipalRecord
from worlds.generator.spec import WorldSpec

FORMAT = "worlds.world/v1"

_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    # A world has no reference cycles; skipping the check saves time on large ones.
    check_circular=False,
)


class WorldStats(TypedDict):
    network_id: str
    total_hosts: int
    total_principals: int
    total_edges: int
    domains: list[str]
    security_level: str
    exposure: Exposure


@dataclass(frozen=True, eq=False)
class World:
    """A generated world. Treat it as read-only: the canonical bytes are not cached."""

    spec: WorldSpec
    nodes: list[NodeRecord]
    edges: list[EdgeRecord]
    hosts: dict[str, HostRecord]
    principals: dict[str, PrincipalRecord]
    attack_paths: list[list[str]]
    stats: WorldStats

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready structure behind `canonical_bytes` (shares this world's data)."""
        return {
            "format": FORMAT,
            "spec": self.spec.to_dict(),
            "stats": self.stats,
            "nodes": self.nodes,
            "edges": self.edges,
            "hosts": self.hosts,
            "principals": self.principals,
            "attack_paths": self.attack_paths,
        }

    def canonical_bytes(self) -> bytes:
        # orjson writes exactly the text of the module doc's `json.dumps` call (sorted keys,
        # compact, UTF-8, the same string escapes) about five times faster; worlds hold no
        # floats in exponent form, the one place the two spell numbers differently.
        return orjson.dumps(self.to_dict(), option=orjson.OPT_SORT_KEYS)

    def sha256(self) -> str:
        """Hex sha256 of `canonical_bytes()`; callers needing both should hash the bytes."""
        return hashlib.sha256(self.canonical_bytes()).hexdigest()


def network_id(spec: WorldSpec) -> str:
    """A UUID naming the generated network; equal specs give equal ids."""
    material = _ENCODER.encode({"format": FORMAT, "spec": spec.to_dict()}).encode("utf-8")
    return str(uuid.UUID(bytes=hashlib.sha256(material).digest()[:16], version=5))


def finalize(ctx: BuildContext) -> World:
    """Freeze the build context into a `World` (edges get their ids here)."""
    nodes = sorted(ctx.nodes, key=lambda node: node["id"])
    width = max(7, len(str(len(ctx.edges))))
    ids = map(f"e%0{width}d".__mod__, range(len(ctx.edges)))
    edges: list[EdgeRecord] = [
        {"id": edge_id, "source": source, "target": target,
         "edge_type": edge_type, "severity": severity}
        for edge_id, (source, target, edge_type, severity) in zip(ids, ctx.edges.items, strict=True)
    ]
    stats: WorldStats = {
        "network_id": network_id(ctx.spec),
        "total_hosts": len(ctx.hosts),
        "total_principals": len(ctx.principals),
        "total_edges": len(edges),
        "domains": list(ctx.spec.domains),
        "security_level": ctx.spec.security_level,
        "exposure": compute_exposure(ctx),
    }
    return World(
        spec=ctx.spec,
        nodes=nodes,
        edges=edges,
        hosts=ctx.hosts,
        principals=ctx.principals,
        attack_paths=ctx.attack_paths,
        stats=stats,
    )
