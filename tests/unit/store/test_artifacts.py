"""The chunk layout of stored worlds: pages map to the chunks they overlap, chunks
round-trip, each id's details sit in the one bucket a lookup reads."""

from __future__ import annotations

import json
from typing import Any

import pytest

from worlds.generator import generate_world, resolve_spec
from worlds.store import artifacts


def json_normal(value: Any) -> Any:
    """As JSON gives it back (tuples become lists)."""
    return json.loads(json.dumps(value))


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    return generate_world(resolve_spec(None, 120, 30, None, 5))


@pytest.mark.parametrize(("offset", "limit", "count", "expected"), [
    (0, 1000, 0, range(0)),          # empty world
    (0, 1, 10, range(0, 1)),
    (0, 10, 10, range(0, 3)),
    (9, 1, 10, range(2, 3)),
    (10, 5, 10, range(0)),           # just past the end
    (10**18, 5, 10, range(0)),       # far past the end
    (0, 4, 25, range(0, 1)),
    (3, 2, 25, range(0, 2)),         # straddles chunks 0 and 1
    (4, 4, 25, range(1, 2)),
    (5, 20000, 25, range(1, 7)),     # clipped at the end
])
def test_chunk_span(offset: int, limit: int, count: int, expected: range) -> None:
    assert artifacts.chunk_span(offset, limit, 4, count) == expected


def test_runs_round_trip_in_order(world) -> None:  # type: ignore[no-untyped-def]
    for kind, items in (("nodes", world.nodes), ("edges", world.edges)):
        chunks = artifacts.run_chunks(kind, items, 7)
        assert [c.index for c in chunks] == list(range(len(chunks)))
        assert sum(c.item_count for c in chunks) == len(items)
        decoded = [item for c in chunks for item in artifacts.decode_run(kind, c.data)]
        assert decoded == json_normal(items)


def test_details_sit_in_the_bucket_a_lookup_reads(world) -> None:  # type: ignore[no-untyped-def]
    entries = artifacts.with_edges(world.principals, world.edges)
    chunks, buckets = artifacts.bucket_chunks("principals", entries, 16)
    assert buckets == -(-len(entries) // 16) and len(chunks) == buckets
    for key in list(world.principals)[::7]:
        bucket = artifacts.decode(chunks[artifacts.bucket_of(key, buckets)].data)
        details = artifacts.decode_detail(bucket[key], key)
        assert ({k: v for k, v in details.items() if not k.endswith("_edges")}
                == json_normal(world.principals[key]))
        expected_in = [e for e in world.edges if e["target"] == key]
        expected_out = [e for e in world.edges if e["source"] == key]
        assert [r["edge_id"] for r in details["inbound_edges"]] == [e["id"] for e in expected_in]
        assert [r["edge_id"] for r in details["outbound_edges"]] == [e["id"] for e in expected_out]
        for ref, edge in zip(details["inbound_edges"], expected_in, strict=True):
            assert ref == {"edge_id": edge["id"], "edge_type": edge["edge_type"],
                           "severity": edge["severity"], "source": edge["source"],
                           "target": edge["target"]}


def test_bucket_of_is_stable() -> None:
    # crc32, not hash(): the same id must land in the same bucket in every process.
    assert artifacts.bucket_of("d0-u00001", 237) == artifacts.bucket_of("d0-u00001", 237)
    assert [artifacts.bucket_of(f"d0-c{i:05d}", 40) for i in range(3)] == [
        __import__("zlib").crc32(f"d0-c{i:05d}".encode()) % 40 for i in range(3)]


def test_encoded_world_describes_its_layout_and_digest(world) -> None:  # type: ignore[no-untyped-def]
    encoded = artifacts.encode_world(world)
    assert encoded.sha256 == world.sha256() == encoded.refs["sha256"]
    layout = encoded.refs["layout"]
    assert layout["nodes"]["count"] == len(world.nodes)
    assert layout["edges"]["count"] == len(world.edges) == encoded.stats["total_edges"]
    assert layout["hosts"]["count"] == len(world.hosts) == encoded.stats["total_hosts"]
    assert layout["principals"]["count"] == encoded.stats["total_principals"]
    per_kind: dict[str, int] = {}
    for chunk in encoded.chunks:
        per_kind[chunk.kind] = per_kind.get(chunk.kind, 0) + chunk.item_count
    # Beside the world's parts: the principal search index and the basic principal records,
    # one entry per principal each.
    assert per_kind == {"nodes": len(world.nodes), "edges": len(world.edges),
                        "hosts": len(world.hosts), "principals": len(world.principals),
                        "principal_index": len(world.principals),
                        "principal_rows": len(world.principals)}
