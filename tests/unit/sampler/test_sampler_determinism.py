"""Determinism: a trajectory is a pure function of (world, request, sequence_index)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.sampler.worlds import fresh_world, index
from worlds.sampler import STRATEGIES, SampleRequest, encode_steps, prepare, sample

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_the_same_request_twice_gives_byte_identical_steps(strategy: str) -> None:
    request = SampleRequest(strategy=strategy, mode="c2", max_steps=200, seed=7)
    first = sample(index("small", 2), request, 3)
    # A second index over a separately decoded copy: nothing is shared but the data.
    second = sample(prepare(fresh_world("small", 2)), request, 3)
    assert encode_steps(first.steps) == encode_steps(second.steps)
    assert first == second


def test_different_sequence_indexes_give_different_trajectories() -> None:
    ix = index("medium", 1)
    request = SampleRequest(strategy="random", max_steps=50, seed=42)
    blobs = {encode_steps(sample(ix, request, n).steps) for n in range(6)}
    assert len(blobs) == 6


def test_different_seeds_give_different_trajectories() -> None:
    ix = index("small", 1)
    blobs = {encode_steps(sample(ix, SampleRequest(max_steps=50, seed=s), 0).steps)
             for s in (1, 2, 3)}
    assert len(blobs) == 3


def test_the_order_of_sampling_does_not_matter() -> None:
    ix = index("small", 3)
    request = SampleRequest(strategy="smart-random", max_steps=120, seed=5)
    forward = [encode_steps(sample(ix, request, n).steps) for n in range(4)]
    backward = [encode_steps(sample(ix, request, n).steps) for n in reversed(range(4))]
    assert forward == backward[::-1]


_CHILD = """
import hashlib, json, sys
from worlds.generator import generate_world, resolve_spec
from worlds.sampler import SampleRequest, encode_steps, prepare, sample
world = json.loads(generate_world(resolve_spec("small", None, None, None, 2)).canonical_bytes())
request = SampleRequest(strategy="recon-first", max_steps=150, seed=11)
print(hashlib.sha256(encode_steps(sample(prepare(world), request, 1).steps)).hexdigest())
"""


def test_another_process_with_another_hash_seed_gives_the_same_bytes() -> None:
    request = SampleRequest(strategy="recon-first", max_steps=150, seed=11)
    expected = hashlib.sha256(encode_steps(sample(index("small", 2), request, 1).steps)).hexdigest()
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    result = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120, check=True)
    assert result.stdout.strip() == expected


def test_the_step_encoding_is_the_canonical_json_text() -> None:
    import json

    steps = sample(index("small", 1), SampleRequest(mode="c2", max_steps=80), 0).steps
    expected = json.dumps(steps, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert encode_steps(steps) == expected.encode("utf-8")
