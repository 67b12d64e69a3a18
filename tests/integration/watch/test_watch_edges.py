"""Watch edge cases of issue 11, on both engines: a job watch resumed at its terminal
event ends at once, non-ASCII resume tokens are validation errors, a status-filtered
workspace watch sees a job leave the filter, and heartbeats are bookmarks that survive
pruning of events the filter skipped."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import grpc
import pytest

from tests.integration.watch.test_watch import TRANSPORTS, Driver, cancel, service, watch
from tests.support.grpc_client import GrpcClient
from tests.support.jobs import create_job
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from tests.support.watching import grpc_failure, grpc_watch, rest_watch
from worlds.store import events
from worlds.v1 import worlds_service_pb2 as pb

__all__ = ["service"]  # the watch tests' service: short poll and heartbeat


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_job_watch_resumed_at_the_terminal_event_ends_at_once(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    job = create_job(grpc_client, tenant, seed=21)
    cancel(grpc_client, tenant, job.id)
    last = service.run_db(lambda conn: events.last_seq(conn, job_id=job.id))
    watcher = watch(service, grpc_client, tenant, transport, job.id, token=str(last))
    # Heartbeats come every 0.5 s here: a stream that does not end would show within 3 s.
    assert watcher.ended.wait(3), "the stream kept running after the job's terminal event"
    assert [s for s in watcher.rest(timeout=5) if s.type != "heartbeat"] == []


@pytest.mark.parametrize("token", ["²", "١٢", "1²", "٣", "12345678901234567890"])
def test_a_non_ascii_or_oversized_resume_token_is_a_validation_error(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, token: str) -> None:
    job = create_job(grpc_client, tenant, seed=22)
    base = {"org": tenant.org, "workspace": tenant.workspace, "resume_token": token}
    for method, request in (("WatchJob", pb.WatchJobRequest(job_id=job.id, **base)),
                            ("WatchJobs", pb.WatchJobsRequest(**base))):
        failure = grpc_failure(grpc_watch(grpc_client, method, request, tenant.reader.key))
        assert failure.code == grpc.StatusCode.INVALID_ARGUMENT, (method, failure)
    watcher, info = rest_watch(
        service.base_url, f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs:watch"
        f"?resume_token={quote(token)}", tenant.reader.key, sse=False)
    watcher.rest()
    assert info.status == 422, info.envelope


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_status_filtered_watch_sees_a_job_leave_the_filter(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    watcher = watch(service, grpc_client, tenant, transport, status="running")
    job = create_job(grpc_client, tenant, seed=23)
    driver = Driver(service, job.id)
    driver.claim()
    driver.progress(0.5)
    driver.fail("boom")
    got = watcher.until(lambda s: s.status == "failed")
    assert [(s.job_id, s.status) for s in got] == [(job.id, "running"), (job.id, "running"),
                                                   (job.id, "failed")]
    # Changes of jobs that never matched are still filtered out.
    other = create_job(grpc_client, tenant, seed=24)
    cancel(grpc_client, tenant, other.id)
    beat = watcher.next(5)
    assert beat is not None and beat.type == "heartbeat"
    watcher.close()


def test_heartbeats_are_bookmarks_past_skipped_events(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    """The position in a filtered watch's heartbeat moves past the events its filter
    skips, so resuming from it after those were pruned is not "expired"."""
    watcher = watch(service, grpc_client, tenant, "grpc", status="running")
    first = watcher.next(5)
    assert first is not None and first.type == "heartbeat"
    jobs = [create_job(grpc_client, tenant, seed=30 + i) for i in range(3)]  # all queued
    newest = service.run_db(events.last_seq)
    assert newest > int(first.event_id)
    beat = watcher.next(5)
    for _ in range(8):  # heartbeats every 0.5 s: the position shows within a few
        if beat is None or int(beat.event_id) >= newest:
            break
        beat = watcher.next(5)
    assert beat is not None and beat.type == "heartbeat" and int(beat.event_id) == newest
    watcher.close()
    later = service.app.clock() + timedelta(seconds=1)
    assert service.run_db(events.prune, later) >= len(jobs)
    resumed = watch(service, grpc_client, tenant, "grpc", token=beat.event_id, status="running")
    assert resumed.next(5).type == "heartbeat"  # type: ignore[union-attr]
    assert resumed.failure is None
    resumed.close()
