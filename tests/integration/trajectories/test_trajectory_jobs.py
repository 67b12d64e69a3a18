"""Trajectory jobs through the real service and its in-process worker, on both engines:
queued → running → completed with progress, records and replays as the contract shapes
them over REST and gRPC, determinism through the job path whatever `threads` is,
`only_successful`, and a cancel mid-batch that publishes nothing."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import threading
from typing import Any

import pytest

from tests.support.grpc_client import GrpcClient
from tests.support.jobs import status_name, wait_for, wait_for_status
from tests.support.rest_client import RestClient
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from tests.support.trajectories import digests_of_job, trajectories_per_job
from worlds import sampler
from worlds.store import artifacts
from worlds.store import queue as queue_store
from worlds.v1 import jobs_pb2, trajectories_pb2
from worlds.v1 import worlds_service_pb2 as pb

RECORD_FIELDS = {
    "id", "organization_id", "workspace_id", "project_id", "manifest_id", "source_job_id",
    "name", "goal", "strategy", "mode", "max_steps", "seed", "sequence_index", "success",
    "step_count", "termination_reason", "summary", "artifact_refs", "created_by",
    "created_by_user", "created_at", "updated_at"}
STEP_FIELDS = {
    "index", "title", "source", "command_name", "command", "technique", "target_summary",
    "targets", "exit_code", "failed", "failure_reason", "stdout", "stderr", "state_before",
    "state_after", "events", "duration_ms", "details"}


def base(tenant: Tenant) -> str:
    return f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds"


def create(rest: RestClient, tenant: Tenant, manifest_id: str, **fields: Any) -> dict[str, Any]:
    response = rest.request("POST", f"{base(tenant)}/trajectories", tenant.owner.key,
                            json={"manifest_id": manifest_id, **fields})
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"{base(tenant)}/jobs/{response.json()['id']}"
    return response.json()


def wait_done(rest: RestClient, tenant: Tenant, job_id: str, timeout: float = 60) -> Any:
    def done() -> Any:
        job = rest.request("GET", f"{base(tenant)}/jobs/{job_id}", tenant.owner.key).json()
        return job if job["status"] in ("completed", "failed", "cancelled") else None

    return wait_for(done, timeout, 0.05, f"job {job_id} to finish")


@pytest.fixture
def rest(service: RunningService) -> Any:
    client = RestClient(service.base_url)
    yield client
    client.close()


def test_a_batch_runs_to_completion_with_progress_and_records(
        service: RunningService, rest: RestClient, grpc_client: GrpcClient, tenant: Tenant,
        manifest: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[float] = []
    real = queue_store.report_progress

    def recording(dialect: Any, conn: Any, lease: Any, progress: float, now: Any) -> bool:
        written.append(progress)
        return real(dialect, conn, lease, progress, now)

    monkeypatch.setattr(queue_store, "report_progress", recording)
    worker = service.app.worker
    assert worker is not None
    worker.config = dataclasses.replace(worker.config, progress_interval=0.0)

    job = create(rest, tenant, manifest["id"], count=5, max_steps=60, strategy="smart-random",
                 name="batch")
    assert (job["kind"], job["status"], job["resource_type"]) == (
        "trajectory_generation", "queued", "trajectory_batch")
    done = wait_done(rest, tenant, job["id"])
    assert done["status"] == "completed", done["error"]
    assert done["progress"] == 1.0 and done["resource_id"] is None
    assert written and written == sorted(written) and written[-1] == 1.0
    result = done["result"]
    assert result["sampled"] == result["kept"] == 5 and 0 <= result["successful"] <= 5
    ids = result["trajectory_ids"]
    assert len(ids) == 5

    listed = rest.request("GET", f"{base(tenant)}/manifests/{manifest['id']}/trajectories",
                          tenant.reader.key).json()
    assert listed["total"] == 5 and [t["id"] for t in listed["items"]] == ids
    for index, item in enumerate(listed["items"]):
        assert set(item) == RECORD_FIELDS
        assert item["sequence_index"] == index and item["source_job_id"] == job["id"]
        assert (item["goal"], item["strategy"], item["mode"], item["max_steps"], item["seed"],
                item["name"]) == ("Domain Admins", "smart-random", "kali", 60, 42, "batch")
        assert item["created_by_user"]["username"] == "owen"
        assert item["success"] == (item["termination_reason"] == "goal_reached")
        assert item["artifact_refs"]["sha256"] and item["artifact_refs"]["store"] == \
            "trajectory_chunks"
    assert sum(item["success"] for item in listed["items"]) == result["successful"]

    # The workspace list has them too, and a second job's batch comes first (newest first).
    second = wait_done(rest, tenant, create(rest, tenant, manifest["id"], max_steps=5)["id"])
    everything = rest.request("GET", f"{base(tenant)}/trajectories", tenant.reader.key,
                              params={"page_size": 100}).json()
    assert [t["id"] for t in everything["items"]] == second["result"]["trajectory_ids"] + ids
    assert second["resource_type"] == "trajectory"
    assert second["resource_id"] == second["result"]["trajectory_ids"][0]

    # One record, over REST and gRPC alike.
    record = rest.request("GET", f"{base(tenant)}/trajectories/{ids[2]}", tenant.reader.key).json()
    assert record == listed["items"][2]
    over_grpc = grpc_client.call("GetTrajectory", trajectories_pb2.GetTrajectoryRequest(
        org=tenant.org, workspace=tenant.workspace, trajectory_id=ids[2]),
        tenant.reader.key).trajectory
    assert over_grpc.strategy == trajectories_pb2.TRAJECTORY_STRATEGY_SMART_RANDOM
    assert over_grpc.sequence_index == 2 and over_grpc.step_count == record["step_count"]
    assert over_grpc.artifact_refs["sha256"] == record["artifact_refs"]["sha256"]


def test_the_replay_holds_every_step_as_sampled(
        rest: RestClient, grpc_client: GrpcClient, tenant: Tenant,
        manifest: dict[str, Any]) -> None:
    done = wait_done(rest, tenant, create(rest, tenant, manifest["id"], max_steps=40,
                                          strategy="random", seed=3, mode="c2")["id"])
    trajectory_id = done["resource_id"]
    replay = rest.request("GET", f"{base(tenant)}/trajectories/{trajectory_id}/replay",
                          tenant.reader.key).json()
    assert set(replay) == {"id", "goal", "goal_spec", "source_format", "initial_state",
                           "node_names", "step_count", "steps"}
    assert replay["source_format"] == "worlds" and replay["id"] == trajectory_id
    # The same trajectory, sampled here from the same world and request.
    index = sampler.prepare(manifest["world"].to_dict())
    expected = sampler.sample(index, sampler.SampleRequest(
        strategy="random", mode="c2", max_steps=40, seed=3), 0)
    assert replay["step_count"] == expected.step_count == len(replay["steps"])
    assert replay["goal_spec"] == expected.goal_spec
    assert replay["initial_state"] == expected.initial_state
    assert replay["node_names"] == expected.node_names
    for step, sampled in zip(replay["steps"], expected.steps, strict=True):
        assert set(step) == STEP_FIELDS
        assert step == sampled
    over_grpc = grpc_client.call("GetTrajectoryReplay", trajectories_pb2.GetTrajectoryReplayRequest(
        org=tenant.org, workspace=tenant.workspace, trajectory_id=trajectory_id),
        tenant.reader.key).replay
    assert over_grpc.step_count == replay["step_count"]
    assert [s.command for s in over_grpc.steps] == [s["command"] for s in replay["steps"]]
    assert dict(over_grpc.node_names).keys() == replay["node_names"].keys()
    assert replay["steps"], "the fixture's world gives this request a non-empty walk"
    # The stored digest is the sha256 of the canonical step bytes.
    record = rest.request("GET", f"{base(tenant)}/trajectories/{trajectory_id}",
                          tenant.reader.key).json()

    assert record["artifact_refs"]["sha256"] == hashlib.sha256(expected.steps_bytes()).hexdigest()


def test_threads_never_change_the_output(service: RunningService, rest: RestClient,
                                         tenant: Tenant, manifest: dict[str, Any]) -> None:
    request = {"count": 12, "max_steps": 200, "strategy": "random", "seed": 99}
    jobs = [wait_done(rest, tenant, create(rest, tenant, manifest["id"], threads=threads,
                                           **request)["id"])
            for threads in (1, 4, 1)]
    assert {job["status"] for job in jobs} == {"completed"}
    db = service.app.db
    assert db is not None
    digests = [db.run_read(digests_of_job, job["id"]) for job in jobs]
    assert digests[0] == digests[1] == digests[2]
    assert len(set(digests[0])) > 1, "different sequence_index values give different walks"


def test_only_successful_keeps_only_what_reached_the_goal(
        rest: RestClient, tenant: Tenant, manifest: dict[str, Any]) -> None:
    done = wait_done(rest, tenant, create(rest, tenant, manifest["id"], count=20,
                                          max_steps=300, only_successful=True)["id"])
    result = done["result"]
    assert result["sampled"] == 20 and result["kept"] == result["successful"]
    assert len(result["trajectory_ids"]) == result["kept"]
    for trajectory_id in result["trajectory_ids"]:
        record = rest.request("GET", f"{base(tenant)}/trajectories/{trajectory_id}",
                              tenant.owner.key).json()
        assert record["success"] is True and record["termination_reason"] == "goal_reached"
    assert 0 < result["kept"] < 20, "the fixture's world makes some of these fail"


def test_a_cancel_mid_batch_publishes_nothing(service: RunningService, rest: RestClient,
                                              grpc_client: GrpcClient, tenant: Tenant,
                                              manifest: dict[str, Any],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    worker = service.app.worker
    assert worker is not None
    worker.config = dataclasses.replace(worker.config, progress_interval=0.0)
    reached, release = threading.Event(), threading.Event()
    real = worker._on_phase

    async def held(run: Any, phase: str, fraction: float) -> None:
        # Hold the batch after its first trajectory: mid-batch, for as long as the test says.
        await real(run, phase, fraction)
        if phase == "sampling":
            reached.set()
            await asyncio.to_thread(release.wait, 30)

    monkeypatch.setattr(worker, "_on_phase", held)
    job = create(rest, tenant, manifest["id"], count=10, max_steps=100)
    assert reached.wait(30)
    running = rest.request("GET", f"{base(tenant)}/jobs/{job['id']}", tenant.owner.key).json()
    assert running["status"] == "running" and 0 < running["progress"] < 1
    cancelled = grpc_client.call("CancelJob", pb.CancelJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=job["id"]), tenant.owner.key).job
    assert cancelled.cancel_requested_at.seconds > 0
    release.set()
    done = wait_for_status(grpc_client, tenant, job["id"], ["cancelled", "completed", "failed"])
    assert status_name(done) == "cancelled" and done.status == jobs_pb2.JOB_STATUS_CANCELLED
    assert not done.HasField("resource_id") and dict(done.result) == {}
    db = service.app.db
    assert db is not None
    assert db.run_read(trajectories_per_job) == {}
    listed = rest.request("GET", f"{base(tenant)}/trajectories", tenant.owner.key).json()
    assert listed["total"] == 0


def test_the_catalog_is_the_samplers_with_this_worlds_names(
        rest: RestClient, grpc_client: GrpcClient, tenant: Tenant,
        manifest: dict[str, Any]) -> None:
    body = rest.request("GET", f"{base(tenant)}/manifests/{manifest['id']}/commands",
                        tenant.reader.key).json()
    world = manifest["world"]
    expected = sampler.catalog_for_world(sampler.prepare(world.to_dict()))
    assert body == {"count": len(expected), "items": expected}
    domain = world.spec.domains[0]
    assert any(domain in example for item in body["items"] for example in item["examples"])
    over_grpc = grpc_client.call("ListCommands", trajectories_pb2.ListCommandsRequest(
        org=tenant.org, workspace=tenant.workspace, manifest_id=manifest["id"]),
        tenant.reader.key)
    assert over_grpc.count == len(expected) and [c.name for c in over_grpc.items] == [
        item["name"] for item in expected]


def test_the_world_is_read_back_as_generated(manifest: dict[str, Any],
                                             service: RunningService) -> None:
    from worlds.store import manifests as manifest_store

    db = service.app.db
    assert db is not None
    parts = db.run_read(manifest_store.read_world_chunks, manifest["id"])
    world = manifest["world"]
    decoded = artifacts.decode_world(parts, world.spec.seed)
    generated = json.loads(world.canonical_bytes())  # as JSON has it: tuples are lists
    for member in ("nodes", "edges", "hosts", "principals"):
        assert decoded[member] == generated[member], member
