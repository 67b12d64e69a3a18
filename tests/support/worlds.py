"""Publishing a generated world as a completed job's manifest, by the store's own path."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from tests.support.jobs import insert_job
from tests.support.tenants import Tenant
from worlds.core.lease import Lease
from worlds.store import artifacts
from worlds.store import manifests as manifest_store
from worlds.store import queue as queue_store
from worlds.store.dialect import dialect_for
from worlds.store.engine import Database


def publish(db: Database, tenant: Tenant, encoded: artifacts.EncodedWorld, seed: int,
            workspace_id: str | None = None, manifest_id: str | None = None) -> str:
    """Complete a new job of `tenant` with `encoded` as its manifest; the manifest id."""
    dialect = dialect_for(db.engine)
    now = datetime.now(UTC)
    job_id = insert_job(db, tenant, now, seed=seed)
    row = db.run_write(lambda c: queue_store.claim(dialect, c, "w", now, now,
                                                   ["manifest_generation"]))
    lease = Lease(row.id, row.attempt, "w")
    manifest_id = manifest_id or str(uuid.uuid4())
    new = manifest_store.NewManifest(
        id=manifest_id, organization_id=tenant.organization_id,
        workspace_id=workspace_id or tenant.workspace_id, project_id=tenant.default_project_id,
        created_by=tenant.owner.user_id, source_job_id=job_id, name=None, preset=None,
        seed=seed, stats=encoded.stats, artifact_refs=encoded.refs)
    db.run_write(lambda c: queue_store.complete(dialect, c, lease, now, new, encoded.chunks))
    return manifest_id


def first_of(world: Any, principal_type: str) -> str:
    return next(key for key, p in world.principals.items()
                if p["principal_type"] == principal_type)
