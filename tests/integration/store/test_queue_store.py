"""The queue's store functions on both engines, with a pinned clock: claim order and
atomicity, leases and heartbeats, fencing of late writes, rescue, cancel, release,
and the one-transaction publication of a manifest."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.support.jobs import PinnedClock, counts_match_jobs, insert_job, job_row, manifests_per_job
from tests.support.tenants import Tenant, create_tenant
from worlds.core.errors import Conflict, NotFound
from worlds.core.lease import Lease, LeaseLost, LeasePolicy
from worlds.generator import generate_world, resolve_spec
from worlds.store import artifacts
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store.dialect import SqlDialect, dialect_for
from worlds.store.engine import Database
from worlds.store.models import ManifestChunk

KINDS = ("manifest_generation",)
POLICY = LeasePolicy(30)


@pytest.fixture
def dialect(db: Database) -> SqlDialect:
    return dialect_for(db.engine)


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


@pytest.fixture
def clock() -> PinnedClock:
    return PinnedClock()


@pytest.fixture(scope="module")
def tiny_world() -> artifacts.EncodedWorld:
    return artifacts.encode_world(generate_world(resolve_spec(None, 6, 3, None, 11)))


def claim(db: Database, dialect: SqlDialect, clock: PinnedClock, owner: str = "w1") -> Lease | None:
    now = clock()
    row = db.run_write(lambda c: queue_store.claim(dialect, c, owner, now, POLICY.expiry(now), KINDS))
    return None if row is None else Lease(row.id, row.attempt, owner)


def complete(db: Database, dialect: SqlDialect, clock: PinnedClock, lease: Lease,
             world: artifacts.EncodedWorld, manifest_id: str = "00000000-0000-4000-8000-000000000001"
             ) -> object:
    job = job_row(db, lease.job_id)
    manifest = manifest_store.NewManifest(
        id=manifest_id, organization_id=job.organization_id, workspace_id=job.workspace_id,
        project_id=job.project_id, created_by=job.created_by, source_job_id=job.id, name=job.name,
        preset=None, seed=7, stats=world.stats, artifact_refs=world.refs)
    return db.run_write(lambda c: queue_store.complete(dialect, c, lease, clock(), manifest,
                                                       world.chunks))


def assert_counts_exact(db: Database, tenant: Tenant) -> None:
    counted, actual = db.run_read(lambda c: counts_match_jobs(c, tenant.workspace_id))
    assert counted == actual


def test_claim_takes_the_oldest_queued_job_under_a_lease(db: Database, dialect: SqlDialect,
                                                         tenant: Tenant, clock: PinnedClock) -> None:
    ids = [insert_job(db, tenant, clock.advance(1)) for _ in range(3)]
    now = clock.advance(5)
    first = claim(db, dialect, clock)
    assert first is not None and first.job_id == ids[0] and first.attempt == 1
    row = job_row(db, ids[0])
    assert (row.status, row.lease_owner, row.progress, row.version) == ("running", "w1", 0.0, 2)
    assert row.started_at == row.updated_at == now
    assert row.lease_expires_at == now + timedelta(seconds=30)
    assert [claim(db, dialect, clock, "w2").job_id for _ in range(2)] == ids[1:]  # type: ignore[union-attr]
    assert claim(db, dialect, clock) is None
    assert_counts_exact(db, tenant)


@pytest.mark.parametrize("claimers", [6])
def test_concurrent_claims_never_share_a_job(db: Database, dialect: SqlDialect, tenant: Tenant,
                                             clock: PinnedClock, claimers: int) -> None:
    ids = {insert_job(db, tenant, clock.advance(0.001)) for _ in range(30)}
    claimed: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(claimers)

    def run(name: str) -> None:
        barrier.wait()
        while (lease := claim(db, dialect, clock, name)) is not None:
            with lock:
                claimed.append(lease.job_id)

    threads = [threading.Thread(target=run, args=(f"w{i}",)) for i in range(claimers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(claimed) == sorted(ids)
    assert_counts_exact(db, tenant)


def test_heartbeat_extends_the_lease_and_reports_a_cancel(db: Database, dialect: SqlDialect,
                                                         tenant: Tenant, clock: PinnedClock) -> None:
    job_id = insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    version = job_row(db, job_id).version
    later = clock.advance(20)
    assert db.run_write(queue_store.heartbeat, lease, POLICY.expiry(later)) is False
    row = job_row(db, job_id)
    assert row.lease_expires_at == later + timedelta(seconds=30)
    assert row.version == version  # a heartbeat is no change a watcher needs to see
    db.run_write(lambda c: queue_store.request_cancel(dialect, c, tenant.workspace_id, job_id,
                                                      clock()))
    assert db.run_write(queue_store.heartbeat, lease, POLICY.expiry(later)) is True
    assert db.run_read(queue_store.cancel_flag, lease) is True


def test_progress_bumps_the_version(db: Database, dialect: SqlDialect, tenant: Tenant,
                                    clock: PinnedClock) -> None:
    job_id = insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    before = job_row(db, job_id)
    assert db.run_write(lambda c: queue_store.report_progress(
        dialect, c, lease, 0.5, clock.advance(1))) is False
    after = job_row(db, job_id)
    assert (after.progress, after.version, after.updated_at) == (0.5, before.version + 1, clock())


def test_a_worker_whose_lease_was_taken_writes_nothing(db: Database, dialect: SqlDialect,
                                                        tenant: Tenant, clock: PinnedClock,
                                                        tiny_world: artifacts.EncodedWorld) -> None:
    job_id = insert_job(db, tenant, clock())
    stale = claim(db, dialect, clock, "dead-worker")
    assert stale is not None
    clock.advance(31)
    assert db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock())) is not None
    fresh = claim(db, dialect, clock, "new-worker")
    assert fresh is not None and fresh.attempt == 2
    before = job_row(db, job_id)

    late_writes = [
        lambda c: queue_store.heartbeat(c, stale, POLICY.expiry(clock())),
        lambda c: queue_store.report_progress(dialect, c, stale, 0.9, clock()),
        lambda c: queue_store.cancel_flag(c, stale),
        lambda c: queue_store.fail(dialect, c, stale, clock(), "late"),
        lambda c: queue_store.acknowledge_cancel(dialect, c, stale, clock()),
        lambda c: queue_store.release(dialect, c, stale, clock(), count_attempt=False),
    ]
    for write in late_writes:
        with pytest.raises(LeaseLost):
            db.run_write(write)
    with pytest.raises(LeaseLost):
        complete(db, dialect, clock, stale, tiny_world)
    assert job_row(db, job_id)._mapping == before._mapping
    assert db.run_read(manifests_per_job) == {}

    done = complete(db, dialect, clock, fresh, tiny_world)
    assert done.status == "completed"  # type: ignore[attr-defined]
    assert db.run_read(manifests_per_job) == {job_id: 1}
    with pytest.raises(LeaseLost):
        complete(db, dialect, clock, stale, tiny_world, "00000000-0000-4000-8000-000000000002")
    assert db.run_read(manifests_per_job) == {job_id: 1}
    assert_counts_exact(db, tenant)


def test_rescue_requeues_until_the_attempts_are_used_up_then_fails(
        db: Database, dialect: SqlDialect, tenant: Tenant, clock: PinnedClock) -> None:
    job_id = insert_job(db, tenant, clock(), max_attempts=2)
    for attempt in (1, 2):
        lease = claim(db, dialect, clock)
        assert lease is not None and lease.attempt == attempt
        assert db.run_read(queue_store.expired, clock.advance(29)) == []
        assert db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock())) is None
        assert db.run_read(queue_store.expired, clock.advance(2)) == [job_id]
        row = db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock()))
        assert row is not None
    assert (row.status, row.attempt, row.completed_at) == ("failed", 2, clock())
    assert row.error == ("gave up after 2 attempts: the worker running it stopped responding "
                         "(its lease expired)")
    assert claim(db, dialect, clock) is None
    assert_counts_exact(db, tenant)


def test_rescue_does_not_touch_a_job_that_finished_or_was_reclaimed(
        db: Database, dialect: SqlDialect, tenant: Tenant, clock: PinnedClock,
        tiny_world: artifacts.EncodedWorld) -> None:
    job_id = insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    complete(db, dialect, clock, lease, tiny_world)
    clock.advance(3600)
    assert db.run_read(queue_store.expired, clock()) == []
    assert db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock())) is None
    assert job_row(db, job_id).status == "completed"
    assert_counts_exact(db, tenant)


def test_rescue_cancels_a_job_whose_cancel_was_requested(db: Database, dialect: SqlDialect,
                                                         tenant: Tenant, clock: PinnedClock) -> None:
    job_id = insert_job(db, tenant, clock())
    assert claim(db, dialect, clock) is not None
    db.run_write(lambda c: queue_store.request_cancel(dialect, c, tenant.workspace_id, job_id,
                                                      clock()))
    row = db.run_write(lambda c: queue_store.rescue(dialect, c, job_id, clock.advance(31)))
    assert row is not None and row.status == "cancelled" and row.completed_at == clock()
    assert_counts_exact(db, tenant)


def test_cancel_in_every_state(db: Database, dialect: SqlDialect, tenant: Tenant,
                               clock: PinnedClock, tiny_world: artifacts.EncodedWorld) -> None:
    def cancel(job_id: str, workspace_id: str = tenant.workspace_id) -> object:
        return db.run_write(lambda c: queue_store.request_cancel(dialect, c, workspace_id, job_id,
                                                                 clock()))

    queued = insert_job(db, tenant, clock())
    row = cancel(queued)
    assert (row.status, row.completed_at, row.cancel_requested_at) == (  # type: ignore[attr-defined]
        "cancelled", clock(), clock())
    with pytest.raises(Conflict, match="Job is already cancelled"):
        cancel(queued)

    running = insert_job(db, tenant, clock.advance(1))
    lease = claim(db, dialect, clock)
    assert lease is not None and lease.job_id == running
    requested_at = clock.advance(1)
    row = cancel(running)
    assert (row.status, row.cancel_requested_at) == ("running", requested_at)  # type: ignore[attr-defined]
    version = job_row(db, running).version
    clock.advance(1)
    row = cancel(running)  # idempotent: the first request's time stays
    assert row.cancel_requested_at == requested_at and row.version == version  # type: ignore[attr-defined]
    # Completion is the last safe point: it cancels instead of publishing.
    done = complete(db, dialect, clock, lease, tiny_world)
    assert done.status == "cancelled"  # type: ignore[attr-defined]
    assert db.run_read(manifests_per_job) == {}

    finished = insert_job(db, tenant, clock.advance(1))
    lease = claim(db, dialect, clock)
    assert lease is not None
    complete(db, dialect, clock, lease, tiny_world)
    with pytest.raises(Conflict, match="Job is already completed"):
        cancel(finished)

    with pytest.raises(NotFound):
        cancel("00000000-0000-4000-8000-00000000dead")
    other_ws = db.run_read(lambda c: c.exec_driver_sql(
        "SELECT id FROM workspaces WHERE slug = 'blue'").scalar_one())
    with pytest.raises(NotFound):
        cancel(finished, other_ws)
    assert_counts_exact(db, tenant)


@pytest.mark.parametrize(("count_attempt", "attempt_after"), [(False, 0), (True, 1)])
def test_release_requeues_with_or_without_counting_the_attempt(
        db: Database, dialect: SqlDialect, tenant: Tenant, clock: PinnedClock,
        count_attempt: bool, attempt_after: int) -> None:
    insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    row = db.run_write(lambda c: queue_store.release(dialect, c, lease, clock(),
                                                     count_attempt=count_attempt))
    assert (row.status, row.attempt, row.lease_owner) == ("queued", attempt_after, None)
    again = claim(db, dialect, clock, "w2")
    assert again is not None and again.attempt == attempt_after + 1
    assert_counts_exact(db, tenant)


def test_a_failed_publication_rolls_the_completion_back(db: Database, dialect: SqlDialect,
                                                       tenant: Tenant, clock: PinnedClock,
                                                       tiny_world: artifacts.EncodedWorld) -> None:
    job_id = insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    broken = artifacts.EncodedWorld(tiny_world.stats, tiny_world.sha256, tiny_world.refs,
                                    tiny_world.chunks + tiny_world.chunks[:1])  # duplicate key
    with pytest.raises(IntegrityError):
        complete(db, dialect, clock, lease, broken)
    row = job_row(db, job_id)
    assert (row.status, row.resource_id) == ("running", None)
    assert db.run_read(lambda c: c.execute(select(ManifestChunk)).first()) is None
    assert complete(db, dialect, clock, lease, tiny_world).status == "completed"  # type: ignore[attr-defined]
    assert_counts_exact(db, tenant)


def test_one_job_can_never_have_two_manifests(db: Database, dialect: SqlDialect, tenant: Tenant,
                                              clock: PinnedClock,
                                              tiny_world: artifacts.EncodedWorld) -> None:
    job_id = insert_job(db, tenant, clock())
    lease = claim(db, dialect, clock)
    assert lease is not None
    complete(db, dialect, clock, lease, tiny_world)
    first = db.run_read(lambda c: manifest_store.manifest_of_job(c, job_id))
    second = manifest_store.NewManifest(
        id="00000000-0000-4000-8000-000000000009", organization_id=first.organization_id,
        workspace_id=first.workspace_id, project_id=None, created_by=None, source_job_id=job_id,
        name=None, preset=None, seed=7, stats={}, artifact_refs={})
    with pytest.raises(IntegrityError):
        db.run_write(manifest_store.insert_manifest, second, [], clock())
