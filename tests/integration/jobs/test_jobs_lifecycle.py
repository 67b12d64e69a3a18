"""Jobs through the real service with its in-process worker, on both engines:
queued → running → completed with monotonic progress, a manifest whose stats match
its stored graph, determinism, and cancellation in every state."""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest

from tests.conftest import service_settings
from tests.support.grpc_client import GrpcClient
from tests.support.jobs import create_job, get_job, status_name, wait_for, wait_for_status
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from worlds.store import queue as queue_store
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    """The service with its in-process worker (the shared fixture runs none)."""
    running = RunningService(service_settings(tmp_path, database_url,
                                              in_process_worker=True)).start()
    try:
        yield running
    finally:
        running.stop()


def manifest_request(tenant: Tenant, manifest_id: str, **fields: Any) -> dict[str, Any]:
    return {"org": tenant.org, "workspace": tenant.workspace, "manifest_id": manifest_id, **fields}


def all_items(client: GrpcClient, tenant: Tenant, manifest_id: str, method: str, field: str,
              limit: int) -> list[Any]:
    request_type = getattr(pb, f"{method}Request")
    items: list[Any] = []
    while True:
        page = getattr(client.call(method, request_type(**manifest_request(
            tenant, manifest_id, limit=limit, offset=len(items))), tenant.reader.key), field)
        if not page:
            return items
        items.extend(item.data for item in page)


def reachable(edges: list[Any], start: set[str]) -> set[str]:
    out: dict[str, list[str]] = {}
    for edge in edges:
        out.setdefault(edge.source, []).append(edge.target)
    seen, todo = set(start), deque(start)
    while todo:
        for nxt in out.get(todo.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def test_a_job_runs_to_completion_and_leaves_an_inspectable_world(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Record every progress write the worker makes; write at every phase.
    written: list[float] = []
    real = queue_store.report_progress

    def recording(dialect: Any, conn: Any, lease: Any, progress: float, now: Any) -> bool:
        written.append(progress)
        return real(dialect, conn, lease, progress, now)

    monkeypatch.setattr(queue_store, "report_progress", recording)
    assert service.app.worker is not None
    service.app.worker.config = dataclasses.replace(service.app.worker.config,
                                                    progress_interval=0.0)

    created = create_job(grpc_client, tenant, name="lab", num_users=2000, num_hosts=300, seed=99)
    assert status_name(created) == "queued"
    seen: list[tuple[str, float]] = []

    def observe() -> Any:
        job = get_job(grpc_client, tenant, created.id)
        seen.append((status_name(job), job.progress if job.HasField("progress") else -1.0))
        return job if status_name(job) in ("completed", "failed", "cancelled") else None

    job = wait_for(observe, 60, 0.01, "the job to finish")
    assert status_name(job) == "completed", job.error
    statuses = [status for status, _ in seen]
    assert statuses == sorted(statuses, key=["queued", "running", "completed"].index)
    polled = [p for _, p in seen if p >= 0]
    assert polled == sorted(polled) and polled[-1] == 1.0
    # One write per generator phase (7), then one per part of the encoding (7, and more
    # within the detail buckets of a world that has more than a few), each a step forward.
    assert len(written) >= 14 and written == sorted(written) and len(set(written)) == len(written)
    assert written[0] > 0 and written[-1] < 1
    assert job.HasField("started_at") and job.HasField("completed_at")

    manifest_id = job.resource_id
    assert job.result["manifest_id"] == manifest_id
    manifest = grpc_client.call("GetManifest", pb.GetManifestRequest(
        **manifest_request(tenant, manifest_id)), tenant.reader.key).manifest
    assert (manifest.source_job_id, manifest.name, manifest.seed) == (created.id, "lab", 99)
    assert not manifest.HasField("preset")
    assert manifest.stats.total_hosts == 300
    assert job.result["stats"]["total_edges"] == manifest.stats.total_edges
    assert len(manifest.artifact_refs["sha256"]) == 64

    nodes = all_items(grpc_client, tenant, manifest_id, "ListGraphNodes", "nodes", 5000)
    edges = all_items(grpc_client, tenant, manifest_id, "ListGraphEdges", "edges", 20000)
    assert len(edges) == manifest.stats.total_edges
    assert len({edge.id for edge in edges}) == len(edges)
    types = [node.node_type for node in nodes]
    assert types.count("computer") == manifest.stats.total_hosts
    assert sum(types.count(t) for t in ("user", "group", "computer")) == manifest.stats.total_principals
    ids = {node.id for node in nodes}
    assert len(ids) == len(nodes)
    assert all(edge.source in ids and edge.target in ids for edge in edges)

    # An ordinary enabled user reaches Domain Admins (the planted attack path).
    ordinary = {n.id for n in nodes if n.node_type == "user" and n.properties["enabled"]
                and not n.properties["admin_count"]}
    admins = {n.id for n in nodes if n.label.startswith("DOMAIN ADMINS@")}
    assert admins & reachable(edges, ordinary)

    host = next(n for n in nodes if n.node_type == "computer")
    details = grpc_client.call("GetHostDetails", pb.GetHostDetailsRequest(
        **manifest_request(tenant, manifest_id, host_id=host.id)), tenant.reader.key).host
    assert details.host_id == host.id and details.services
    assert [e.edge_id for e in details.inbound_edges] == [e.id for e in edges if e.target == host.id]
    assert [e.edge_id for e in details.outbound_edges] == [e.id for e in edges if e.source == host.id]
    principal_id = next(iter(admins))
    principal = grpc_client.call("GetPrincipalDetails", pb.GetPrincipalDetailsRequest(
        **manifest_request(tenant, manifest_id, principal_id=principal_id)),
        tenant.reader.key).principal
    assert principal.principal_type == "group" and principal.sam == "Domain Admins"
    assert len(principal.inbound_edges) == sum(1 for e in edges if e.target == principal_id)


def test_same_inputs_give_the_same_world_and_another_seed_another(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    jobs = [create_job(grpc_client, tenant, seed=seed, num_users=60, num_hosts=12)
            for seed in (5, 5, 6)]
    jobs.append(create_job(grpc_client, tenant, project_id=tenant.other_project_id))  # no seed
    done = [wait_for_status(grpc_client, tenant, job.id, ["completed"]) for job in jobs]
    digests = []
    for job in done:
        manifest = grpc_client.call("GetManifest", pb.GetManifestRequest(
            **manifest_request(tenant, job.resource_id)), tenant.owner.key).manifest
        digests.append(manifest.artifact_refs["sha256"])
    assert digests[0] == digests[1] != digests[2]

    # The server chose a seed and recorded it: the same inputs regenerate the same world.
    chosen = grpc_client.call("GetManifest", pb.GetManifestRequest(
        **manifest_request(tenant, done[3].resource_id)), tenant.owner.key).manifest
    again = wait_for_status(grpc_client, tenant, create_job(
        grpc_client, tenant, seed=chosen.seed).id, ["completed"])
    rerun = grpc_client.call("GetManifest", pb.GetManifestRequest(
        **manifest_request(tenant, again.resource_id)), tenant.owner.key).manifest
    assert rerun.artifact_refs["sha256"] == digests[3]
    assert chosen.stats.total_hosts == 20  # an all-null request means "small"

    # Listing: newest first, exact totals, filters.
    listed = grpc_client.call("ListManifests", pb.ListManifestsRequest(
        org=tenant.org, workspace=tenant.workspace, page_size=2), tenant.reader.key)
    assert listed.total == 5 and len(listed.items) == 2
    everything = grpc_client.call("ListManifests", pb.ListManifestsRequest(
        org=tenant.org, workspace=tenant.workspace), tenant.reader.key).items
    stamps = [(m.created_at.ToDatetime(), m.id) for m in everything]
    assert stamps == sorted(stamps, reverse=True)
    other = grpc_client.call("ListManifests", pb.ListManifestsRequest(
        org=tenant.org, workspace=tenant.workspace, project_id=tenant.other_project_id),
        tenant.reader.key)
    assert other.total == 1 and other.items[0].source_job_id == jobs[3].id
    mine = grpc_client.call("ListManifests", pb.ListManifestsRequest(
        org=tenant.org, workspace=tenant.workspace, created_by=tenant.reader.user_id),
        tenant.reader.key)
    assert mine.total == 0 and not mine.items

    # Another workspace's manifest does not exist for its members.
    failure = grpc_client.fail("GetManifest", pb.GetManifestRequest(
        org=tenant.org, workspace=tenant.other_workspace, manifest_id=done[0].resource_id),
        tenant.outsider.key)
    assert failure.code == grpc.StatusCode.NOT_FOUND


def test_the_security_level_is_generated_and_recorded_with_the_exposure(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    levels = (jobs_pb2.SECURITY_LEVEL_HARDENED, jobs_pb2.SECURITY_LEVEL_VULNERABLE, None)
    jobs = [create_job(grpc_client, tenant, seed=3, preset=jobs_pb2.PRESET_MEDIUM,
                       **({} if level is None else {"security_level": level})) for level in levels]
    stats = []
    for job in jobs:
        done = wait_for_status(grpc_client, tenant, job.id, ["completed"], 60)
        stats.append(grpc_client.call("GetManifest", pb.GetManifestRequest(
            **manifest_request(tenant, done.resource_id)), tenant.owner.key).manifest.stats)
    hardened, vulnerable, default = stats
    assert [s.security_level for s in stats] == [
        jobs_pb2.SECURITY_LEVEL_HARDENED, jobs_pb2.SECURITY_LEVEL_VULNERABLE,
        jobs_pb2.SECURITY_LEVEL_TYPICAL]
    # The bands the levels are calibrated to (BloodHound Enterprise's), on a medium world.
    assert hardened.exposure.share < 0.40 <= default.exposure.share < 0.95 <= vulnerable.exposure.share
    for s in stats:
        exposure = s.exposure
        assert exposure.users_with_path == round(exposure.share * exposure.users_considered)
        assert sum(exposure.edge_counts.values()) == s.total_edges
        assert exposure.tier0_size > 0 and exposure.roastable.kerberoastable > 0


def test_cancel_in_every_state(service: RunningService, grpc_client: GrpcClient,
                               tenant: Tenant) -> None:
    def cancel(job_id: str, key: str | None = None) -> Any:
        return grpc_client.call("CancelJob", pb.CancelJobRequest(
            org=tenant.org, workspace=tenant.workspace, job_id=job_id), key or tenant.owner.key).job

    big = create_job(grpc_client, tenant, preset=jobs_pb2.PRESET_ENTERPRISE)
    behind = create_job(grpc_client, tenant)  # queued: the single slot is busy with `big`
    wait_for(lambda: get_job(grpc_client, tenant, big.id).progress > 0.06, 60, 0.02,
             "the enterprise world to be mid-generation")

    job = cancel(behind.id)
    assert status_name(job) == "cancelled"
    assert job.HasField("completed_at") and job.HasField("cancel_requested_at")

    failure = grpc_client.fail("CancelJob", pb.CancelJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=big.id), tenant.reader.key)
    assert failure.code == grpc.StatusCode.PERMISSION_DENIED

    began = time.monotonic()
    job = cancel(big.id)
    assert status_name(job) == "running" and job.HasField("cancel_requested_at")
    job = wait_for_status(grpc_client, tenant, big.id, ["cancelled", "completed", "failed"], 5,
                          0.01)
    elapsed = time.monotonic() - began
    assert status_name(job) == "cancelled" and elapsed < 1.0, elapsed
    assert not job.HasField("resource_id")

    failure = grpc_client.fail("CancelJob", pb.CancelJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=big.id), tenant.owner.key)
    assert failure.code == grpc.StatusCode.FAILED_PRECONDITION
    assert failure.message == "Job is already cancelled"

    # The worker carries on (with a fresh generation process) and finished jobs stay finished.
    small = wait_for_status(grpc_client, tenant, create_job(grpc_client, tenant).id, ["completed"])
    failure = grpc_client.fail("CancelJob", pb.CancelJobRequest(
        org=tenant.org, workspace=tenant.workspace, job_id=small.id), tenant.owner.key)
    assert (failure.code, failure.message) == (grpc.StatusCode.FAILED_PRECONDITION,
                                               "Job is already completed")
    listed = grpc_client.call("ListManifests", pb.ListManifestsRequest(
        org=tenant.org, workspace=tenant.workspace), tenant.owner.key)
    assert [m.source_job_id for m in listed.items] == [small.id]
