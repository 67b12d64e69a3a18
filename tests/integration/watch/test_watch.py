"""Watching jobs over gRPC, NDJSON and SSE, on both engines: every transition in order,
resume without gaps or repeats, cancel, filters, heartbeats, expired tokens, scoping,
the polling fallback, and watchers that come and go without leaking anything."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
import pytest
from sqlalchemy import text

from tests.conftest import service_settings
from tests.support.grpc_client import GrpcClient
from tests.support.jobs import create_job, wait_for
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from tests.support.watching import (
    GrpcCrowd,
    Seen,
    Watcher,
    grpc_failure,
    grpc_watch,
    rest_watch,
)
from worlds.core.lease import Lease, LeasePolicy
from worlds.store import events
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.notify import APPLICATION_NAME
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb

TRANSPORTS = ["grpc", "ndjson", "sse"]
OWNER = "test-worker"


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    """No worker: tests move jobs themselves, one transition at a time. A short poll
    and heartbeat keep the fallback and idle-stream tests quick."""
    running = RunningService(service_settings(
        tmp_path, database_url, poll_interval=0.3, watch_heartbeat=0.5)).start()
    try:
        yield running
    finally:
        running.stop()


def watch(service: RunningService, client: GrpcClient, tenant: Tenant, transport: str,
          job_id: str | None = None, token: str | None = None, key: str | None = None,
          **filters: Any) -> Watcher:
    """WatchJob (with `job_id`) or WatchJobs over `transport`, resuming after `token`."""
    key = key or tenant.reader.key
    if transport == "grpc":
        base = {"org": tenant.org, "workspace": tenant.workspace}
        if token is not None:
            base["resume_token"] = token
        if job_id is not None:
            return grpc_watch(client, "WatchJob", pb.WatchJobRequest(job_id=job_id, **base), key)
        enums = {"status": lambda v: jobs_pb2.JobStatus.Value(f"JOB_STATUS_{v.upper()}")}
        request = pb.WatchJobsRequest(**base, **{k: enums.get(k, lambda v: v)(v)
                                                  for k, v in filters.items()})
        return grpc_watch(client, "WatchJobs", request, key)
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs"
    path += f"/{job_id}/watch" if job_id is not None else ":watch"
    query = dict(filters)
    if token is not None and transport == "ndjson":
        query["resume_token"] = token
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    watcher, info = rest_watch(service.base_url, path, key, sse=transport == "sse",
                               last_event_id=token if transport == "sse" else None)
    assert info.status == 200, info.envelope
    return watcher


class Driver:
    """Moves a job through the queue's transitions on the service's loop, as a worker
    in this process would (so each commit wakes the watchers at once)."""

    def __init__(self, service: RunningService, job_id: str) -> None:
        self.service = service
        self.job_id = job_id
        self.lease: Lease | None = None
        db = service.app.db
        assert db is not None
        self.db = db
        self.dialect = dialect_for(db.engine)

    def _write(self, fn: Any) -> Any:
        return self.service.call(self.db.write(fn))

    def claim(self) -> None:
        now = self.service.app.clock()

        def work(conn: Any) -> Any:
            return queue_store.claim(self.dialect, conn, OWNER, now, LeasePolicy().expiry(now),
                                     ("manifest_generation",))
        row = self._write(work)
        assert row is not None and row.id == self.job_id
        self.lease = Lease(row.id, row.attempt, OWNER)

    def progress(self, value: float) -> None:
        self._write(lambda conn: queue_store.report_progress(
            self.dialect, conn, self.lease, value, self.service.app.clock()))

    def fail(self, error: str) -> None:
        self._write(lambda conn: queue_store.fail(
            self.dialect, conn, self.lease, self.service.app.clock(), error))

    def acknowledge_cancel(self) -> None:
        self._write(lambda conn: queue_store.acknowledge_cancel(
            self.dialect, conn, self.lease, self.service.app.clock()))


def cancel(client: GrpcClient, tenant: Tenant, job_id: str) -> Any:
    return client.call("CancelJob", pb.CancelJobRequest(org=tenant.org, workspace=tenant.workspace,
                                                        job_id=job_id), tenant.owner.key).job


def assert_in_order(seen: list[Seen]) -> None:
    ids = [int(s.event_id) for s in seen]
    assert ids == sorted(set(ids)), f"event ids must strictly increase: {ids}"


def the_lifecycle(driver: Driver) -> None:
    driver.claim()
    driver.progress(0.25)
    driver.progress(0.75)
    driver.fail("generator exploded")


LIFECYCLE = [("queued", None), ("running", 0.0), ("running", 0.25), ("running", 0.75),
             ("failed", 0.75)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_every_transition_in_order(service: RunningService, grpc_client: GrpcClient,
                                   tenant: Tenant, transport: str) -> None:
    workspace = watch(service, grpc_client, tenant, transport)
    start = workspace.next()
    assert start is not None and start.type == "heartbeat"  # where the watch starts
    job = create_job(grpc_client, tenant, seed=1)
    one = watch(service, grpc_client, tenant, transport, job.id)
    snapshot = one.next()
    assert snapshot is not None and (snapshot.type, snapshot.status) == ("snapshot", "queued")
    the_lifecycle(Driver(service, job.id))

    everything = workspace.until(lambda s: s.status == "failed")
    assert [(s.status, s.progress) for s in everything] == LIFECYCLE
    assert {s.type for s in everything} == {"changed"} and {s.job_id for s in everything} == {job.id}
    assert everything[-1].error == "generator exploded"
    assert_in_order([start, *everything])
    # The one-job watch: the snapshot, then each later change, then the stream ends.
    rest = one.rest()
    assert [s for s in rest if s.type != "heartbeat"] == everything[1:]
    assert snapshot.event_id == everything[0].event_id
    workspace.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_resumed_watch_misses_nothing_and_repeats_nothing(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    job = create_job(grpc_client, tenant, seed=2)
    driver = Driver(service, job.id)
    first = watch(service, grpc_client, tenant, transport, job.id)
    got = [first.next()]
    driver.claim()
    got += first.until(lambda s: s.status == "running")
    first.close()  # the connection drops…
    driver.progress(0.25)  # …while the job moves on
    driver.progress(0.75)
    second = watch(service, grpc_client, tenant, transport, job.id, token=got[-1].event_id)
    driver.fail("boom")
    resumed = [s for s in second.rest() if s.type != "heartbeat"]
    assert [(s.status, s.progress) for s in got + resumed] == [
        ("queued", None), ("running", 0.0), ("running", 0.25), ("running", 0.75), ("failed", 0.75)]
    assert_in_order(got + resumed)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_cancel_is_seen_from_request_to_cancelled(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    job = create_job(grpc_client, tenant, seed=3)
    driver = Driver(service, job.id)
    driver.claim()
    watcher = watch(service, grpc_client, tenant, transport, job.id)
    assert watcher.until(lambda s: True)[0].status == "running"
    cancel(grpc_client, tenant, job.id)
    requested = watcher.until(lambda s: s.cancel_requested)
    assert requested[-1].status == "running"
    driver.acknowledge_cancel()
    assert [s.status for s in watcher.rest() if s.type != "heartbeat"] == ["cancelled"]
    # A queued job is cancelled at once: one event, and the stream ends.
    queued = create_job(grpc_client, tenant, seed=4)
    watcher = watch(service, grpc_client, tenant, transport, queued.id)
    assert watcher.next().status == "queued"  # type: ignore[union-attr]
    cancel(grpc_client, tenant, queued.id)
    ended = [s for s in watcher.rest() if s.type != "heartbeat"]
    assert [(s.status, s.cancel_requested) for s in ended] == [("cancelled", True)]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_resumed_workspace_watch_runs_on_past_finished_jobs(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    start = watch(service, grpc_client, tenant, transport)
    token = start.next().event_id  # type: ignore[union-attr]
    start.close()
    finished = create_job(grpc_client, tenant, seed=12)
    cancel(grpc_client, tenant, finished.id)
    resumed = watch(service, grpc_client, tenant, transport, token=token)
    backlog = resumed.until(lambda s: s.status == "cancelled")
    assert [(s.job_id, s.status) for s in backlog] == [(finished.id, "queued"),
                                                       (finished.id, "cancelled")]
    later = create_job(grpc_client, tenant, seed=13)
    assert resumed.until(lambda s: True)[0].job_id == later.id
    resumed.close()


def test_a_finished_job_is_one_snapshot_then_the_end(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    job = create_job(grpc_client, tenant, seed=5)
    cancel(grpc_client, tenant, job.id)
    watcher = watch(service, grpc_client, tenant, "grpc", job.id)
    assert [(s.type, s.status) for s in watcher.rest()] == [("snapshot", "cancelled")]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_workspace_watch_filters_like_the_list(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    watcher = watch(service, grpc_client, tenant, transport, status="running")
    jobs = [create_job(grpc_client, tenant, seed=10 + i) for i in range(3)]
    cancel(grpc_client, tenant, jobs[0].id)
    for job in jobs[1:]:
        Driver(service, job.id).claim()
    got = watcher.until(lambda s: s.job_id == jobs[2].id)
    assert [(s.job_id, s.status) for s in got] == [(jobs[1].id, "running"), (jobs[2].id, "running")]
    watcher.close()


def test_idle_streams_get_heartbeats(service: RunningService, grpc_client: GrpcClient,
                                     tenant: Tenant) -> None:
    """Heartbeats every `watch_heartbeat` (0.5 s here) carry the current position; over
    SSE they are comments with an id (so Last-Event-ID moves on)."""
    watcher = watch(service, grpc_client, tenant, "grpc")
    beats = [watcher.next(5) for _ in range(3)]
    assert {b.type for b in beats} == {"heartbeat"}  # type: ignore[union-attr]
    watcher.close()
    sse, info = rest_watch(service.base_url,
                           f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs:watch",
                           tenant.reader.key, sse=True)
    assert info.headers["content-type"].startswith("text/event-stream")  # type: ignore[union-attr]
    assert [sse.next(5).type for _ in range(2)] == ["heartbeat", "heartbeat"]  # type: ignore[union-attr]
    sse.close()
    assert "heartbeat" in info.comments  # type: ignore[operator]


def test_a_change_committed_without_a_wakeup_arrives_by_polling(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    """A lost NOTIFY (or a change by another process on SQLite) is covered by the
    hub's poll: here the change is committed outside the service's write path."""
    job = create_job(grpc_client, tenant, seed=6)
    watcher = watch(service, grpc_client, tenant, "grpc", job.id)
    assert watcher.next().type == "snapshot"  # type: ignore[union-attr]
    dialect = dialect_for(service.app.db.engine)  # type: ignore[union-attr]
    now = service.app.clock()
    service.run_db(lambda conn: queue_store.claim(
        dialect, conn, OWNER, now, LeasePolicy().expiry(now), ("manifest_generation",)))
    started = time.monotonic()
    assert watcher.until(lambda s: True, timeout=5)[0].status == "running"
    assert time.monotonic() - started < 2.0  # the poll is 0.3 s here
    watcher.close()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_expired_resume_token_is_a_clear_conflict(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant, transport: str) -> None:
    job = create_job(grpc_client, tenant, seed=7)
    old = service.run_db(lambda conn: events.last_seq(conn, job_id=job.id))
    create_job(grpc_client, tenant, seed=8)
    later = service.app.clock() + timedelta(seconds=1)
    assert service.run_db(events.prune, later) >= 2
    if transport == "grpc":
        failure = grpc_failure(watch(service, grpc_client, tenant, "grpc", job.id, token=str(old)))
        assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION,
                                                  "RESUME_TOKEN_EXPIRED")
        assert "list" in failure.message.lower() or "read the job" in failure.message.lower()
        return
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs/{job.id}/watch"
    sse = transport == "sse"
    if not sse:
        path += f"?resume_token={old}"
    watcher, info = rest_watch(service.base_url, path, tenant.reader.key, sse=sse,
                               last_event_id=str(old) if sse else None)
    watcher.rest()
    assert info.status == 409 and info.envelope["type"] == "conflict", info.envelope  # type: ignore[index]


def test_watches_are_scoped_and_validated_like_reads(
        service: RunningService, grpc_client: GrpcClient, tenant: Tenant) -> None:
    job = create_job(grpc_client, tenant, seed=9)
    base = {"org": tenant.org, "workspace": tenant.workspace}
    cases = [
        (pb.WatchJobRequest(job_id=job.id, **base), None, grpc.StatusCode.UNAUTHENTICATED),
        (pb.WatchJobRequest(job_id=job.id, **base), "wk_not_a_key", grpc.StatusCode.UNAUTHENTICATED),
        (pb.WatchJobRequest(job_id=job.id, **base), tenant.outsider.key, grpc.StatusCode.NOT_FOUND),
        (pb.WatchJobRequest(job_id=job.id, org=tenant.org, workspace=tenant.other_workspace),
         tenant.owner.key, grpc.StatusCode.NOT_FOUND),
        (pb.WatchJobRequest(job_id="not-a-uuid", **base), tenant.reader.key,
         grpc.StatusCode.INVALID_ARGUMENT),
        (pb.WatchJobRequest(job_id=job.id, resume_token="abc", **base), tenant.reader.key,
         grpc.StatusCode.INVALID_ARGUMENT),
        (pb.WatchJobRequest(job_id=job.id, resume_token="99999999", **base), tenant.reader.key,
         grpc.StatusCode.INVALID_ARGUMENT),
        (pb.WatchJobsRequest(resume_token="", **base), tenant.reader.key,
         grpc.StatusCode.INVALID_ARGUMENT),
    ]
    for request, key, code in cases:
        method = "WatchJob" if isinstance(request, pb.WatchJobRequest) else "WatchJobs"
        failure = grpc_failure(grpc_watch(grpc_client, method, request, key))
        assert failure.code == code, (request, failure)
    other = grpc_client.call("CreateManifestJob", pb.CreateManifestJobRequest(
        org=tenant.org, workspace=tenant.other_workspace), tenant.outsider.key).job.id
    failure = grpc_failure(grpc_watch(grpc_client, "WatchJob", pb.WatchJobRequest(
        job_id=other, **base), tenant.owner.key))
    assert failure.code == grpc.StatusCode.NOT_FOUND
    # Over REST: the envelope, before the stream starts.
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs/{other}/watch"
    for sse in (False, True):
        watcher, info = rest_watch(service.base_url, path, tenant.owner.key, sse=sse)
        watcher.rest()
        assert (info.status, info.envelope["type"]) == (404, "not_found")  # type: ignore[index]
    watcher, info = rest_watch(service.base_url, path.replace(other, job.id) + "?resume_token=x",
                               tenant.owner.key, sse=False)
    watcher.rest()
    assert (info.status, info.envelope["errors"][0]["loc"]) == (  # type: ignore[index]
        422, ["query", "resume_token"])


@pytest.fixture
def quiet_service(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    """The default heartbeat (15 s): at `service`'s 0.5 s, a thousand idle watches alone
    are 2,000 messages a second, which is not what this test is about."""
    running = RunningService(service_settings(tmp_path, database_url)).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.slow
# A stress test: 1,040 streams through one process (~10 s alone on the 2-CPU machine); its
# own limit leaves room for a slower machine than the suite's default 120 s does.
@pytest.mark.timeout(240)
def test_a_thousand_watchers_come_and_go_without_leaks(quiet_service: RunningService) -> None:
    service = quiet_service
    hub = service.app.hub
    assert hub is not None
    tenant = service.run_db(create_tenant)
    client = GrpcClient(service.grpc_target)

    def tasks() -> int:
        async def count() -> int:
            import asyncio

            return len(asyncio.all_tasks())
        return service.call(count())

    before = tasks()
    job = create_job(client, tenant, seed=11)
    base = {"org": tenant.org, "workspace": tenant.workspace}
    crowd = GrpcCrowd(service.grpc_target)
    try:
        crowd.open([("WatchJob", pb.WatchJobRequest(job_id=job.id, **base)) if i % 2 else
                    ("WatchJobs", pb.WatchJobsRequest(**base)) for i in range(1000)],
                   tenant.reader.key)
        crowd.wait_all(lambda seen: bool(seen), 60, what="first event")
        assert hub.subscribers == 1000
        # One change reaches every one of them.
        cancel(client, tenant, job.id)
        crowd.wait_all(lambda seen: any(s.status == "cancelled" for s in seen), 60,
                       what="cancelled event")
        # REST watchers that hang up free theirs too.
        rest = [watch(service, client, tenant, "sse" if i % 2 else "ndjson") for i in range(40)]
        for watcher in rest:
            assert watcher.next(30) is not None
        crowd.cancel()
        assert crowd.ended() == 1000
        for watcher in rest:
            watcher.cancel()
        for watcher in rest:
            watcher.close()
    finally:
        crowd.close()
        client.close()
    wait_for(lambda: hub.subscribers == 0, 20, what="every subscription to be released")
    wait_for(lambda: tasks() <= before, 20, what="the watch tasks to end")
    if service.app.db.dialect_name == "postgresql":  # type: ignore[union-attr]
        # Watchers share the process's one LISTEN connection; none opened its own.
        listeners = service.run_db(lambda conn: conn.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name = :name"), {"name": APPLICATION_NAME}).scalar())
        assert listeners == 1


def test_a_shutdown_ends_open_watches_at_once(tmp_path: Path, database_url: str) -> None:
    """Open streams never end by themselves; a stopping server ends them (clients resume
    elsewhere with their last event_id) instead of waiting out its grace period."""
    running = RunningService(service_settings(tmp_path, database_url, grace_period=10.0)).start()
    client = GrpcClient(running.grpc_target)
    try:
        tenant = running.run_db(create_tenant)
        grpc_watcher = watch(running, client, tenant, "grpc")
        sse_watcher, info = rest_watch(
            running.base_url, f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs:watch",
            tenant.reader.key, sse=True)
        assert grpc_watcher.next() is not None and sse_watcher.next() is not None
        started = time.monotonic()
        running.stop()
        assert time.monotonic() - started < 5, "the grace period was waited out"
        failure = grpc_failure(grpc_watcher)
        assert (failure.code, failure.reason) == (grpc.StatusCode.UNAVAILABLE, "SHUTTING_DOWN")
        assert "resume" in failure.message
        sse_watcher.rest()
        assert [e["type"] for e in info.errors] == ["bad_gateway"]  # type: ignore[union-attr]
    finally:
        client.close()
