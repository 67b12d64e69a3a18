"""trajectory-create, job-wait -q on a trajectory job, trajectory-list, manifest-trajectories,
trajectory-get, trajectory-replay and commands against a real server."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.cli.conftest import Rest, worlds
from tests.support.served import Served


@pytest.fixture(scope="module")
def world(busy: Served, busy_rest: Rest) -> dict[str, Any]:
    job = worlds(busy, "manifest-create", "--preset", "small", "--seed", "5", "--json").json()
    done = busy_rest.wait_done(job["id"])
    assert done["status"] == "completed", done
    return done


@pytest.fixture(scope="module")
def batch(busy: Served, world: dict[str, Any]) -> list[str]:
    """The ids of a three-trajectory job, as `job-wait -q` prints them."""
    created = worlds(busy, "trajectory-create", "--manifest-id", world["resource_id"],
                     "--goal", "Domain Admins", "--count", "3", "--strategy", "random",
                     "--max-steps", "40", "--seed", "3", "--threads", "2", "--mode", "kali", "-q")
    assert created.code == 0, created.err
    waited = worlds(busy, "job-wait", created.out.strip(), "-q")
    assert waited.code == 0, waited.err
    ids = waited.out.split()
    assert len(ids) == 3
    return ids


def test_trajectory_create_sends_every_flag(busy: Served, busy_rest: Rest,
                                            world: dict[str, Any]) -> None:
    job = worlds(busy, "trajectory-create", "--manifest-id", world["resource_id"], "--count", "2",
                 "--strategy", "smart-random", "--max-steps", "5", "--seed", "-9",
                 "--threads", "2", "--only-successful", "--mode", "c2", "--name", "two",
                 "--json").json()
    assert (job["kind"], job["resource_type"]) == ("trajectory_generation", "trajectory_batch")
    done = busy_rest.wait_done(job["id"])
    assert done["status"] == "completed" and done["result"]["sampled"] == 2


def test_trajectory_create_errors_name_the_flags(busy: Served, world: dict[str, Any]) -> None:
    done = worlds(busy, "trajectory-create", "--manifest-id", world["resource_id"],
                  "--count", "101")
    assert done.code == 1 and "--count: must be between 1 and 100" in done.err
    # The goal is checked against the world once the fields are valid.
    done = worlds(busy, "trajectory-create", "--manifest-id", world["resource_id"],
                  "--goal", "host:NOWHERE")
    assert done.code == 1 and "--goal:" in done.err and "accepted forms" in done.err


def test_lists_and_records(busy: Served, world: dict[str, Any], batch: list[str]) -> None:
    listed = worlds(busy, "manifest-trajectories", world["resource_id"], "--limit", "100",
                    "--json").json()
    assert [t["id"] for t in listed["items"] if t["id"] in batch] == batch
    # The manifest is the filter (a query parameter of ListTrajectories' route), never dropped.
    unknown = "00000000-0000-4000-8000-000000000000"
    for args in (["manifest-trajectories", unknown], ["trajectory-list", "--manifest-id", unknown]):
        done = worlds(busy, *args, "--json")
        assert done.code == 1 and f"Manifest '{unknown}' not found" in done.err, args
    table = worlds(busy, "trajectory-list", "--manifest-id", world["resource_id"]).out
    assert all(trajectory_id in table for trajectory_id in batch) and "trajectories" in table
    record = worlds(busy, "trajectory-get", batch[1], "--json").json()
    assert record["sequence_index"] == 1 and record["seed"] == 3
    assert re.search(r"sequence index: +1\n", worlds(busy, "trajectory-get", batch[1]).out)


def test_the_replay_reads_as_a_transcript(busy: Served, batch: list[str]) -> None:
    replay = worlds(busy, "trajectory-replay", batch[0], "--json").json()
    text = worlds(busy, "trajectory-replay", batch[0]).out
    assert text.startswith("goal: Domain Admins")
    for step in replay["steps"]:
        assert f"[{step['index']}] {step['title']}" in text
        assert f"$ {step['command']}" in text
    assert text.count("  => ") == replay["step_count"]


def test_commands_lists_the_catalog(busy: Served, world: dict[str, Any]) -> None:
    catalog = worlds(busy, "commands", world["resource_id"], "--json").json()
    assert catalog["count"] == len(catalog["items"]) > 10
    text = worlds(busy, "commands", world["resource_id"]).out
    assert f"{catalog['count']} commands" in text and "network_scan:" in text
