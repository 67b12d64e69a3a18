"""The generation child process: phases in order, the same bytes as in-process
generation, failures kept apart from crashes, and a kill that is immediate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest

from worlds.generator import generate_world, resolve_spec
from worlds.jobs.genproc import (
    GenerationCrashed,
    GenerationFailed,
    GenerationProcess,
    GenerationRequest,
)


@pytest.fixture
def process() -> Iterator[GenerationProcess]:
    proc = GenerationProcess()
    try:
        yield proc
    finally:
        proc.close()


def request(**fields: object) -> GenerationRequest:
    values: dict[str, object] = {"preset": None, "num_users": 40, "num_hosts": 10, "domains": None,
                                 "seed": 3}
    values.update(fields)
    return GenerationRequest(**values)  # type: ignore[arg-type]


def test_request_from_stored_params_resolves_defaults() -> None:
    req = GenerationRequest.from_params({"preset": None, "seed": 9, "seed_submitted": False,
                                         "num_users": None, "num_hosts": None, "domains": None})
    assert req == GenerationRequest(None, None, None, None, 9)
    spec = resolve_spec(req.preset, req.num_users, req.num_hosts, req.domains, req.seed)
    assert (spec.preset, spec.num_users, spec.num_hosts) == ("small", 50, 20)


def test_generates_the_same_world_as_in_process(process: GenerationProcess) -> None:
    phases: list[tuple[str, float]] = []

    async def on_phase(name: str, fraction: float) -> None:
        phases.append((name, fraction))

    encoded = asyncio.run(process.generate(request(), on_phase))
    expected = generate_world(resolve_spec(None, 40, 10, None, 3))
    assert encoded.sha256 == expected.sha256()
    # The generator's phases, then the parts of the encoding into chunks.
    assert [name for name, _ in phases] == ["domains", "directory", "hosts", "services", "edges",
                                            "attack_paths", "finalize", "digest", "graph_runs",
                                            "principal_index", "hosts_edges",
                                            "hosts_details", "principals_edges",
                                            "principals_details"]
    fractions = [f for _, f in phases]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_bad_input_fails_without_losing_the_process(process: GenerationProcess) -> None:
    async def ignore(name: str, fraction: float) -> None:
        return None

    with pytest.raises(GenerationFailed, match="num_users"):
        asyncio.run(process.generate(request(num_users=0), ignore))
    pid = process.pid
    asyncio.run(process.generate(request(), ignore))
    assert process.pid == pid


def test_kill_stops_a_generation_at_once(process: GenerationProcess) -> None:
    async def run() -> float:
        started = asyncio.Event()

        async def on_phase(name: str, fraction: float) -> None:
            started.set()

        task = asyncio.create_task(process.generate(request(preset="large", num_users=None,
                                                            num_hosts=None), on_phase))
        await started.wait()  # in the middle of a large world
        began = time.monotonic()
        process.kill()
        with pytest.raises(GenerationCrashed, match="killed by signal 9"):
            await task
        return time.monotonic() - began

    assert asyncio.run(run()) < 0.5

    async def ignore(name: str, fraction: float) -> None:
        return None

    assert asyncio.run(process.generate(request(), ignore)).stats["total_hosts"] == 10
