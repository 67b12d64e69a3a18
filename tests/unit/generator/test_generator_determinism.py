"""Same spec, same bytes: across calls, processes and hash seeds."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import subprocess
import sys

import pytest

from worlds.generator import generate_world, resolve_spec

SPEC_ARGS = ("medium", 400, 120, ("corp.local", "lab.corp.local"), 2024)


def _generate(*args):
    return generate_world(resolve_spec(*args))


def test_same_spec_gives_identical_bytes():
    first, second = _generate(*SPEC_ARGS), _generate(*SPEC_ARGS)
    assert first.canonical_bytes() == second.canonical_bytes()
    assert first.sha256() == second.sha256()


def test_progress_callback_does_not_change_the_world():
    silent = _generate(*SPEC_ARGS)
    observed = generate_world(resolve_spec(*SPEC_ARGS), on_phase=lambda phase, fraction: None)
    assert silent.canonical_bytes() == observed.canonical_bytes()


def test_other_seed_gives_other_bytes():
    base = _generate(*SPEC_ARGS)
    other = _generate(*SPEC_ARGS[:-1], SPEC_ARGS[-1] + 1)
    assert base.canonical_bytes() != other.canonical_bytes()


@pytest.mark.parametrize("seed", [0, -1, -(2**63), 2**63 - 1])
def test_extreme_seeds_generate(seed):
    assert _generate("small", None, None, None, seed).sha256() != ""


def test_canonical_bytes_are_sorted_compact_utf8_json():
    world = _generate("small", None, None, None, 9)
    blob = world.canonical_bytes()
    reference = json.dumps(
        world.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    assert blob == reference
    assert world.sha256() == hashlib.sha256(blob).hexdigest()
    assert json.loads(blob)["stats"] == world.stats


def test_same_digest_in_a_process_with_another_hash_seed():
    expected = _generate(*SPEC_ARGS).sha256()
    script = (
        "from worlds.generator import generate_world, resolve_spec\n"
        f"print(generate_world(resolve_spec(*{SPEC_ARGS!r})).sha256())\n"
    )
    for hash_seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(
            [sys.executable, "-c", script], env=env, capture_output=True, text=True,
            check=True, timeout=60,
        )
        assert result.stdout.strip() == expected


def _reference_bytes(world) -> bytes:
    return json.dumps(
        world.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def test_canonical_bytes_match_plain_json_for_a_multi_domain_world(make_world):
    world = make_world("medium", 600, 80, ("corp.local", "emea.corp.local", "acme.test"), 13)
    assert world.canonical_bytes() == _reference_bytes(world)


@pytest.mark.parametrize(
    "odd_edge",
    [
        pytest.param({"id": "x", "source": "d0", "target": "d0", "edge_type": 'q " \\ \u00e9',
                      "severity": "info"}, id="escapes"),
        pytest.param({"id": "x", "source": "d0", "target": "d0", "edge_type": "Note",
                      "severity": "info", "comment": "sixth key"}, id="extra-key"),
        pytest.param({"id": "x", "source": "d0", "target": "d0", "edge_type": "Note",
                      "weight": 1}, id="other-key"),
        pytest.param({"id": "x", "source": "d0", "target": "d0", "edge_type": "Note",
                      "severity": None}, id="non-string"),
    ],
)
def test_unusual_edges_are_still_serialized_canonically(make_world, odd_edge):
    base = make_world(None, 1, 1, None, 2)
    world = dataclasses.replace(base, edges=[*base.edges, odd_edge])
    assert world.canonical_bytes() == _reference_bytes(world)
