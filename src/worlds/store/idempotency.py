"""Idempotency keys: a retried create returns the job the first attempt made.

A create request may carry a key (the `Idempotency-Key` header, `idempotency-key`
metadata over gRPC). `reserve` runs in the create's own transaction, after every
check and before the job is inserted:

- no live row for (workspace, key): it inserts one naming the new job's id, and the
  caller inserts the job under that id. Both commit or neither does;
- a live row for the same method and request fingerprint: the job it names is the
  answer, and nothing is written;
- a live row for another request: `Conflict` naming the key.

The primary key (workspace_id, key) makes this hold under concurrency. On
PostgreSQL, a second transaction inserting the same key waits on the first's
uncommitted row, then sees it committed and replays it; on SQLite writers are
serialised. Within one group-commit batch (one transaction) a later call sees the
earlier call's row directly. Rows live `ttl` seconds (24 h by default); an expired
row is taken over by the next request with its key, and `prune` deletes them.

Only creates that succeed are remembered: a request rejected by a check never
reaches `reserve`, so a retry after fixing it is a new request.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from worlds.core.errors import Conflict
from worlds.core.ids import new_id
from worlds.store import jobs as job_store
from worlds.store.dialect import SqlDialect
from worlds.store.models import IdempotencyKey, table_of

keys = table_of(IdempotencyKey)

DEFAULT_TTL = 24 * 3600.0


@dataclass(frozen=True)
class Claim:
    """A create's key: `method` and `fingerprint` identify the request it was sent with."""

    key: str
    method: str
    fingerprint: str


_FIND = select(keys.c.method, keys.c.fingerprint, keys.c.job_id, keys.c.expires_at).where(
    keys.c.workspace_id == bindparam("workspace_id"), keys.c.key == bindparam("key"))


def reserve(dialect: SqlDialect, conn: Connection, workspace_id: str, claim: Claim,
            job_id: str, now: datetime, ttl: float = DEFAULT_TTL) -> str | None:
    """Reserve `claim.key` for the job `job_id` about to be inserted (None: insert it),
    or the id of the job an earlier request with this key made (a replay: insert
    nothing). Raises `Conflict` when the key was used for a different request.

    Writes nothing when it raises or replays (a group-commit call may fail or
    answer only before its first write)."""
    values = {"workspace_id": workspace_id, "key": claim.key, "method": claim.method,
              "fingerprint": claim.fingerprint, "job_id": job_id, "created_at": now,
              "expires_at": now + timedelta(seconds=ttl)}
    if dialect.insert_if_absent(conn, keys, values):
        return None
    row = conn.execute(_FIND, {"workspace_id": workspace_id, "key": claim.key}).one()
    if row.expires_at <= now:
        # Kept past its lifetime (not pruned yet): the key is free again.
        conn.execute(update(keys).where(keys.c.workspace_id == workspace_id,
                                        keys.c.key == claim.key).values(values))
        return None
    if row.method != claim.method or row.fingerprint != claim.fingerprint:
        raise Conflict(
            f"Idempotency key '{claim.key}' was already used with a different request; "
            "send a new key for a new request",
            reason="IDEMPOTENCY_KEY_REUSED", metadata={"idempotency_key": claim.key})
    return str(row.job_id)


def insert_job_once(dialect: SqlDialect, conn: Connection, new: job_store.NewJob,
                    claim: Claim | None, now: datetime, ttl: float = DEFAULT_TTL
                    ) -> tuple[dict[str, Any], bool]:
    """What every create RPC calls instead of `jobs.insert_job`: the job, and whether it
    is a replay (an earlier request's job, returned as it is now; nothing written).
    Without a claim it is `insert_job`. Same contract as `reserve`."""
    if claim is None:
        return job_store.insert_job(dialect, conn, new, now), False
    job_id = new.id or new_id()
    existing = reserve(dialect, conn, new.workspace_id, claim, job_id, now, ttl)
    if existing is None:
        return job_store.insert_job(dialect, conn, dataclasses.replace(new, id=job_id), now), False
    row = job_store.get_job(conn, new.workspace_id, existing)
    if row is None:
        # Its job was deleted (retention) while the key lived: the key goes with it.
        raise Conflict(f"Idempotency key '{claim.key}' names a job that no longer exists",
                       reason="IDEMPOTENCY_KEY_REUSED", metadata={"idempotency_key": claim.key})
    return dict(row._mapping), True


def prune(conn: Connection, now: datetime) -> int:
    """Delete the keys whose lifetime has passed; how many."""
    return int(conn.execute(delete(keys).where(keys.c.expires_at <= now)).rowcount or 0)


def forget_jobs(conn: Connection, job_ids: list[str]) -> int:
    """Delete the keys naming these jobs (when the jobs themselves are deleted)."""
    if not job_ids:
        return 0
    return int(conn.execute(delete(keys).where(keys.c.job_id.in_(job_ids))).rowcount or 0)
