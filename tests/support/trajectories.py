"""Helpers for trajectory tests: a manifest published straight into the store (its world
generated in the test process), trajectory jobs inserted directly, and counts of what
the jobs published."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from tests.support.jobs import insert_job
from tests.support.tenants import Tenant
from worlds.core.ids import new_id
from worlds.core.jobstate import Kind, ResourceType
from worlds.core.lease import Lease
from worlds.generator import World, generate_world, resolve_spec
from worlds.store import artifacts
from worlds.store import jobs as job_store
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database
from worlds.store.models import Trajectory

DEFAULT_PARAMS: dict[str, Any] = {"goal": "Domain Admins", "count": 1, "strategy": "random",
                                  "max_steps": 100, "seed": 42, "threads": 1,
                                  "only_successful": False, "mode": "kali"}


def publish_manifest(db: Database, tenant: Tenant, preset: str | None = None,
                     seed: int = 5) -> tuple[str, World]:
    """A completed manifest job's manifest, through the store's own completion path."""
    dialect = dialect_for(db.engine)
    world = generate_world(resolve_spec(preset, None, None, None, seed))
    encoded = artifacts.encode_world(world)
    now = datetime.now(UTC)
    job_id = insert_job(db, tenant, now, seed=seed, preset=preset)
    row = db.run_write(lambda c: queue_store.claim(dialect, c, "setup", now, now,
                                                   [Kind.MANIFEST_GENERATION.value]))
    assert row is not None and row.id == job_id
    manifest_id = new_id()
    db.run_write(lambda c: queue_store.complete(
        dialect, c, Lease(row.id, row.attempt, "setup"), now, manifest_store.NewManifest(
            id=manifest_id, organization_id=tenant.organization_id,
            workspace_id=tenant.workspace_id, project_id=tenant.default_project_id,
            created_by=tenant.owner.user_id, source_job_id=job_id, name=None, preset=preset,
            seed=seed, stats=encoded.stats, artifact_refs=encoded.refs), encoded.chunks))
    return manifest_id, world


def insert_trajectory_job(db: Database, tenant: Tenant, now: datetime, manifest_id: str,
                          **params: Any) -> str:
    """A queued trajectory job, straight into the store, with the API's parameters."""
    values = {**DEFAULT_PARAMS, "manifest_id": manifest_id, **params}
    dialect = dialect_for(db.engine)
    job = db.run_write(lambda conn: job_store.insert_job(dialect, conn, job_store.NewJob(
        organization_id=tenant.organization_id, workspace_id=tenant.workspace_id,
        project_id=tenant.default_project_id, created_by=tenant.owner.user_id,
        kind=Kind.TRAJECTORY_GENERATION,
        resource_type=ResourceType.TRAJECTORY if values["count"] == 1
        else ResourceType.TRAJECTORY_BATCH,
        name="test", params=values, max_attempts=3), now))
    return str(job["id"])


def trajectories_per_job(conn: Connection) -> Counter[str]:
    return Counter(conn.execute(select(Trajectory.source_job_id)).scalars())


def digests_of_job(conn: Connection, job_id: str) -> list[str]:
    """The stored sha256 of each of a job's trajectories, in sequence_index order."""
    rows = conn.execute(select(Trajectory.artifact_refs).where(Trajectory.source_job_id == job_id)
                        .order_by(Trajectory.sequence_index)).scalars()
    return [refs["sha256"] for refs in rows]
