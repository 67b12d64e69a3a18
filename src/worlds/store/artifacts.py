"""How a generated world is cut into compressed chunks, and read back.

A world is stored as rows of `manifest_chunks`, each a zlib-compressed JSON
document, so that no request has to load a whole enterprise world:

- `nodes` and `edges`: runs of a fixed number of items in the world's stored
  order (nodes by id, edges by id). A page `[offset, offset + limit)` reads only
  the chunks it overlaps (`chunk_span`). Nodes are stored as their objects;
  edges, all alike, as columns (`{"id": [...], "source": [...], ...}`), which
  halves the JSON to write and to read.
- `hosts` and `principals`: the details of each, with their inbound and outbound
  edges, in hash buckets (`crc32(id) % buckets`). One lookup reads one bucket.
  An entry is `[details, inbound, outbound]`, each edge a row `[edge_id,
  edge_type, severity, other end]` (the entry's own id is the missing end):
  a group like Domain Users has tens of thousands of them.

- `principal_index` and `principal_rows`: the principal search index and the principals'
  basic records, in the world's stored order (see `worlds.store.principal_index`).

`encode_world` runs in the generation process (it is CPU-heavy: JSON and zlib);
the manifest's `artifact_refs` records the layout (`layout`), so readers never
assume today's constants and old manifests stay readable if they change.
"""

from __future__ import annotations

import hashlib
import math
import zlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from worlds.store import principal_index

FORMAT = "worlds.artifacts/v1"
CODEC = "zlib+json"
STORE = "manifest_chunks"

NODES_PER_CHUNK = 1_000
EDGES_PER_CHUNK = 2_000
DETAILS_PER_BUCKET = 256
# zlib level 1: about twice as fast as the default 6 for ~20 % more bytes; the
# generation process spends its time here on enterprise worlds.
_LEVEL = 1

EDGE_FIELDS = ("id", "source", "target", "edge_type", "severity")

@dataclass(frozen=True)
class Chunk:
    kind: str
    index: int
    item_count: int
    data: bytes


@dataclass(frozen=True)
class EncodedWorld:
    """What the generation process hands back: a few MB, however large the world."""

    stats: dict[str, Any]
    sha256: str
    refs: dict[str, Any]
    chunks: list[Chunk]

    @property
    def item_count(self) -> int:
        return sum(chunk.item_count for chunk in self.chunks)


def encode(value: Any) -> bytes:
    # orjson: the same JSON as the standard library's compact form, several times faster;
    # the generation process and every graph page spend most of their time here.
    return zlib.compress(orjson.dumps(value), _LEVEL)


def decode(data: bytes) -> Any:
    return orjson.loads(zlib.decompress(data))


def bucket_of(key: str, buckets: int) -> int:
    """The bucket holding `key`; stable across processes and Python versions."""
    return zlib.crc32(key.encode("utf-8")) % buckets


def chunk_span(offset: int, limit: int, chunk_size: int, count: int) -> range:
    """Indexes of the chunks that hold items `[offset, offset + limit)` of `count`."""
    end = min(offset + limit, count)
    if offset >= end:
        return range(0)
    return range(offset // chunk_size, (end - 1) // chunk_size + 1)


def _edge_columns(edges: Sequence[Mapping[str, Any]]) -> dict[str, list[Any]]:
    return {name: [edge[name] for edge in edges] for name in EDGE_FIELDS}


def run_chunks(kind: str, items: Sequence[Any], size: int) -> list[Chunk]:
    chunks = []
    for index, start in enumerate(range(0, len(items), size)):
        part = items[start:start + size]
        chunks.append(Chunk(kind, index, len(part),
                            encode(_edge_columns(part) if kind == "edges" else part)))
    return chunks


def decode_run(kind: str, data: bytes) -> list[dict[str, Any]]:
    """The items of one `nodes` or `edges` chunk, as objects."""
    value = decode(data)
    if kind == "edges":
        return [dict(zip(EDGE_FIELDS, row, strict=True))
                for row in zip(*(value[name] for name in EDGE_FIELDS), strict=True)]
    nodes: list[dict[str, Any]] = value
    return nodes


def decode_detail(entry: Sequence[Any], key: str) -> dict[str, Any]:
    """A bucket entry back to the contract's details object with its edge refs."""
    details, inbound, outbound = entry
    return {
        **details,
        "inbound_edges": [{"edge_id": e, "edge_type": t, "severity": s, "source": other,
                           "target": key} for e, t, s, other in inbound],
        "outbound_edges": [{"edge_id": e, "edge_type": t, "severity": s, "source": key,
                            "target": other} for e, t, s, other in outbound],
    }


def bucket_chunks(kind: str, details: Mapping[str, Any], per_bucket: int,
                  on_quarter: Callable[[float], None] | None = None) -> tuple[list[Chunk], int]:
    """Details in hash buckets; (chunks, number of buckets). Empty buckets are stored
    too, so a lookup of an unknown id finds its bucket and no entry in it.
    `on_quarter(fraction)` is called as each quarter of the buckets is encoded."""
    buckets = max(1, math.ceil(len(details) / per_bucket))
    grouped: list[dict[str, Any]] = [{} for _ in range(buckets)]
    for key in sorted(details):
        grouped[bucket_of(key, buckets)][key] = details[key]
    chunks = []
    quarter = max(1, math.ceil(buckets / 4))
    for index, group in enumerate(grouped):
        chunks.append(Chunk(kind, index, len(group), encode(group)))
        if on_quarter is not None and (index + 1) % quarter == 0 and index + 1 < buckets:
            on_quarter((index + 1) / buckets)
    return chunks, buckets


def with_edges(details: Mapping[str, Any], edges: Iterable[Mapping[str, Any]]
               ) -> dict[str, list[Any]]:
    """Bucket entries `[details, inbound, outbound]` (see the module doc), edges in
    edge order."""
    inbound: dict[str, list[tuple[str, str, str, str]]] = {key: [] for key in details}
    outbound: dict[str, list[tuple[str, str, str, str]]] = {key: [] for key in details}
    for edge in edges:
        source, target = edge["source"], edge["target"]
        into = inbound.get(target)
        if into is not None:
            into.append((edge["id"], edge["edge_type"], edge["severity"], source))
        out = outbound.get(source)
        if out is not None:
            out.append((edge["id"], edge["edge_type"], edge["severity"], target))
    return {key: [value, inbound[key], outbound[key]] for key, value in details.items()}


def _principal_chunks(world: Any, layout: dict[str, Any]) -> list[Chunk]:
    """The search index and basic records of the world's principals; records `layout`."""
    order = principal_index.ordered_principals(world.nodes, world.principals)
    columns = principal_index.index_columns(order, world.principals)
    chunks = []
    size = principal_index.INDEX_PER_CHUNK
    for index, start in enumerate(range(0, len(order), size)):
        part = {name: values[start:start + size] for name, values in columns.items()}
        chunks.append(Chunk(principal_index.INDEX_KIND, index, len(part["ids"]), encode(part)))
    records = [principal_index.basic_principal(world.principals[key]) for key, _ in order]
    chunks += run_chunks(principal_index.RECORDS_KIND, records, principal_index.RECORDS_PER_CHUNK)
    layout[principal_index.INDEX_KIND] = {"count": len(order), "chunk_size": size,
                                          "shape": "columns"}
    layout[principal_index.RECORDS_KIND] = {"count": len(order),
                                            "chunk_size": principal_index.RECORDS_PER_CHUNK,
                                            "shape": "objects"}
    return chunks


def _scaled(report: Callable[[str, float], None], part: str, start: float, end: float
            ) -> Callable[[float], None]:
    """`report` for a fraction of `part`, mapped into [start, end]."""
    return lambda fraction: report(part, start + (end - start) * fraction)


def encode_world(world: Any,
                 on_part: Callable[[str, float], None] | None = None) -> EncodedWorld:
    """Cut a generated `worlds.generator.World` into chunks and describe the layout.
    `on_part(part, fraction_done)` is called after each part (its digest, its runs, its
    detail buckets), for progress reports."""
    report = on_part or (lambda part, done: None)
    canonical = world.canonical_bytes()
    digest = hashlib.sha256(canonical).hexdigest()
    canonical_size = len(canonical)
    del canonical
    # Each part reports the share of an enterprise world's encoding time done by its end.
    report("digest", 0.1)
    chunks = run_chunks("nodes", world.nodes, NODES_PER_CHUNK)
    chunks += run_chunks("edges", world.edges, EDGES_PER_CHUNK)
    report("graph_runs", 0.17)
    layout: dict[str, Any] = {
        "nodes": {"count": len(world.nodes), "chunk_size": NODES_PER_CHUNK, "shape": "objects"},
        "edges": {"count": len(world.edges), "chunk_size": EDGES_PER_CHUNK, "shape": "columns"},
    }
    chunks += _principal_chunks(world, layout)
    report("principal_index", 0.45)
    for kind, details, joined, done in (("hosts", world.hosts, 0.5, 0.55),
                                        ("principals", world.principals, 0.75, 1.0)):
        entries = with_edges(details, world.edges)
        report(f"{kind}_edges", joined)
        bucketed, buckets = bucket_chunks(kind, entries, DETAILS_PER_BUCKET,
                                          _scaled(report, f"{kind}_details", joined, done))
        del entries
        chunks += bucketed
        layout[kind] = {"count": len(details), "buckets": buckets, "hash": "crc32",
                        "shape": "details+edge-rows"}
        report(f"{kind}_details", done)
    refs = {
        "format": FORMAT,
        "store": STORE,
        "codec": CODEC,
        # Of the world's canonical bytes (worlds.generator.world): equal inputs give
        # equal digests, so this is how two manifests are compared.
        "sha256": digest,
        "canonical_bytes": canonical_size,
        "layout": layout,
    }
    return EncodedWorld(stats=dict(world.stats), sha256=digest, refs=refs, chunks=chunks)


# Every kind of chunk a world is stored in (see the module docstring).
WORLD_KINDS = ("nodes", "edges", "hosts", "principals")


def decode_world(parts: Iterable[Chunk], seed: int) -> dict[str, Any]:
    """The world dict back from its stored chunks (the inverse of `encode_world`, minus
    `attack_paths`, which are not stored): `{"spec": {"seed"}, "nodes", "edges", "hosts",
    "principals"}`, nodes and edges in stored order, details without their edge refs
    (the edge list holds them). Chunks may come in any order; CPU-heavy on big worlds,
    so it runs where the sampling runs."""
    runs: dict[str, list[tuple[int, list[Any]]]] = {"nodes": [], "edges": []}
    details: dict[str, dict[str, Any]] = {"hosts": {}, "principals": {}}
    for part in parts:
        if part.kind in runs:
            runs[part.kind].append((part.index, decode_run(part.kind, part.data)))
        elif part.kind in details:
            target = details[part.kind]
            for key, entry in decode(part.data).items():
                target[key] = entry[0]
    nodes = [item for _, items in sorted(runs["nodes"], key=lambda run: run[0]) for item in items]
    edges = [item for _, items in sorted(runs["edges"], key=lambda run: run[0]) for item in items]
    return {"spec": {"seed": seed}, "nodes": nodes, "edges": edges,
            "hosts": dict(sorted(details["hosts"].items())),
            "principals": dict(sorted(details["principals"].items()))}
