"""worlds.store.idempotency on both engines: a key reserved by one open transaction makes a
second transaction wait and then replay the first one's job; keys expire and are pruned."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection, func, select

from tests.support.tenants import Tenant, create_tenant
from worlds.core.errors import Conflict
from worlds.core.jobstate import Kind, ResourceType
from worlds.store import idempotency
from worlds.store import jobs as job_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.store.models import IdempotencyKey, Job


@pytest.fixture
def tenant(db: Database) -> Tenant:
    return db.run_write(create_tenant)


def new_job(tenant: Tenant) -> job_store.NewJob:
    return job_store.NewJob(
        organization_id=tenant.organization_id, workspace_id=tenant.workspace_id,
        project_id=tenant.default_project_id, created_by=tenant.owner.user_id,
        kind=Kind.MANIFEST_GENERATION, resource_type=ResourceType.MANIFEST, name=None,
        params={"seed": 1}, max_attempts=3)


CLAIM = idempotency.Claim("k", "CreateManifestJob", "f" * 64)


def test_a_second_transaction_waits_for_the_first_and_replays_its_job(
        db: Database, tenant: Tenant) -> None:
    dialect = dialect_for(db.engine)
    reserved, release = threading.Event(), threading.Event()

    def first(conn: Connection) -> str:
        job, replayed = idempotency.insert_job_once(dialect, conn, new_job(tenant), CLAIM,
                                                    datetime.now(UTC))
        assert not replayed
        reserved.set()
        release.wait(10)  # hold the transaction open
        return str(job["id"])

    def second(conn: Connection) -> tuple[str, bool]:
        job, replayed = idempotency.insert_job_once(dialect, conn, new_job(tenant), CLAIM,
                                                    datetime.now(UTC))
        return str(job["id"]), replayed

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(db.run_write, first)
        assert reserved.wait(10)
        b = pool.submit(db.run_write, second)
        time.sleep(0.3)
        assert not b.done()  # blocked behind the open reservation
        release.set()
        job_id = a.result(10)
        replayed_id, replayed = b.result(10)
    assert replayed and replayed_id == job_id
    assert db.run_read(lambda c: c.execute(select(func.count()).select_from(Job)).scalar_one()) == 1


def test_another_fingerprint_conflicts_and_writes_nothing(db: Database, tenant: Tenant) -> None:
    dialect = dialect_for(db.engine)
    now = datetime.now(UTC)
    db.run_write(lambda c: idempotency.insert_job_once(dialect, c, new_job(tenant), CLAIM, now))
    other = idempotency.Claim("k", "CreateManifestJob", "0" * 64)
    with pytest.raises(Conflict) as caught:
        db.run_write(lambda c: idempotency.insert_job_once(dialect, c, new_job(tenant), other, now))
    assert caught.value.metadata == {"idempotency_key": "k"}
    # Another method with the same key and bytes is another request too.
    other_method = idempotency.Claim("k", "CreateTrajectoryJob", CLAIM.fingerprint)
    with pytest.raises(Conflict):
        db.run_write(lambda c: idempotency.insert_job_once(dialect, c, new_job(tenant),
                                                           other_method, now))


def test_expired_keys_are_pruned(db: Database, tenant: Tenant) -> None:
    dialect = dialect_for(db.engine)
    now = datetime.now(UTC)
    db.run_write(lambda c: idempotency.insert_job_once(dialect, c, new_job(tenant), CLAIM, now,
                                                       ttl=60))
    assert db.run_write(idempotency.prune, now + timedelta(seconds=59)) == 0
    assert db.run_write(idempotency.prune, now + timedelta(seconds=60)) == 1
    assert db.run_read(lambda c: c.execute(select(IdempotencyKey)).all()) == []
