"""Trajectories and their compressed replays: written once with their job's completion,
read by id, listed newest first then by `sequence_index`.

Trajectories are inserted only by `worlds.store.queue.complete_with`, in the transaction
that completes their job (see `insert_trajectories`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from worlds.store.artifacts import Chunk
from worlds.store.models import Trajectory, TrajectoryChunk, User, table_of
from worlds.store.trajectory_artifacts import EncodedTrajectory

trajectories = table_of(Trajectory)
chunks = table_of(TrajectoryChunk)
users = table_of(User)

# Rows per INSERT: a batch of 100 trajectories of 1000 steps is ~1,100 chunks.
_INSERT_BATCH = 64

# A trajectory row with its creator's public fields, as every read returns it.
_WITH_USER = select(
    trajectories, users.c.email.label("user_email"), users.c.username.label("user_username"),
    users.c.full_name.label("user_full_name"),
).select_from(trajectories.outerjoin(users, users.c.id == trajectories.c.created_by))


@dataclass(frozen=True)
class TrajectoryBatch:
    """What one job publishes: the fields its trajectories share, and each one's own."""

    organization_id: str
    workspace_id: str
    project_id: str | None
    manifest_id: str
    source_job_id: str
    created_by: str | None
    name: str | None
    goal: str
    strategy: str
    mode: str
    max_steps: int
    seed: int
    # Id and encoded trajectory, in sequence_index order.
    items: Sequence[tuple[str, EncodedTrajectory]]


@dataclass(frozen=True)
class TrajectoryFilter:
    workspace_id: str
    manifest_id: str | None = None
    project_id: str | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class TrajectoryPage:
    rows: list[Row[Any]]
    total: int


def insert_trajectories(conn: Connection, batch: TrajectoryBatch, now: datetime) -> None:
    """Insert a job's trajectories and their chunks. Publishing a job twice violates
    `uq_trajectories_source_job_id_sequence_index`; the completion fence makes that
    unreachable."""
    if not batch.items:
        return
    shared = {
        "organization_id": batch.organization_id, "workspace_id": batch.workspace_id,
        "project_id": batch.project_id, "manifest_id": batch.manifest_id,
        "source_job_id": batch.source_job_id, "created_by": batch.created_by,
        "name": batch.name, "goal": batch.goal, "strategy": batch.strategy, "mode": batch.mode,
        "max_steps": batch.max_steps, "seed": batch.seed, "created_at": now, "updated_at": now,
    }
    conn.execute(trajectories.insert(), [
        {**shared, "id": trajectory_id, "sequence_index": item.sequence_index,
         "success": item.success, "step_count": item.step_count,
         "termination_reason": item.termination_reason, "summary": item.summary,
         "artifact_refs": item.refs}
        for trajectory_id, item in batch.items])
    rows = [{"trajectory_id": trajectory_id, "kind": part.kind, "chunk_index": part.index,
             "item_count": part.item_count, "data": part.data}
            for trajectory_id, item in batch.items for part in item.chunks]
    for start in range(0, len(rows), _INSERT_BATCH):
        conn.execute(chunks.insert(), rows[start:start + _INSERT_BATCH])


def get_trajectory(conn: Connection, workspace_id: str, trajectory_id: str) -> Row[Any] | None:
    """The trajectory (with its creator's fields), or None when it is not in this workspace."""
    return conn.execute(_WITH_USER.where(trajectories.c.id == trajectory_id,
                                         trajectories.c.workspace_id == workspace_id)).first()


def list_trajectories(conn: Connection, flt: TrajectoryFilter, offset: int, limit: int
                      ) -> TrajectoryPage:
    """A page of trajectories, newest first, then by `sequence_index` (then id), and the
    exact total. The `ix_trajectories_workspace_*` indexes serve each filter."""
    clauses: list[Any] = [trajectories.c.workspace_id == flt.workspace_id]
    for name in ("manifest_id", "project_id", "created_by"):
        value = getattr(flt, name)
        if value is not None:
            clauses.append(trajectories.c[name] == value)
    rows = list(conn.execute(
        _WITH_USER.where(*clauses)
        .order_by(trajectories.c.created_at.desc(), trajectories.c.sequence_index,
                  trajectories.c.id)
        .offset(offset).limit(limit)))
    total = conn.execute(select(func.count()).select_from(trajectories).where(*clauses)
                         ).scalar_one()
    return TrajectoryPage(rows, int(total))


def read_chunks(conn: Connection, trajectory_id: str) -> list[Chunk]:
    """Every chunk of one trajectory's replay (a 1000-step one is ~11 chunks)."""
    found = conn.execute(
        select(chunks.c.kind, chunks.c.chunk_index, chunks.c.item_count, chunks.c.data)
        .where(chunks.c.trajectory_id == trajectory_id)
        .order_by(chunks.c.kind, chunks.c.chunk_index))
    return [Chunk(kind, index, count, bytes(data)) for kind, index, count, data in found]


def ids_of_job(conn: Connection, job_id: str) -> list[str]:
    """The ids of a job's trajectories, in sequence_index order (for consistency checks)."""
    return list(conn.execute(
        select(trajectories.c.id).where(trajectories.c.source_job_id == job_id)
        .order_by(trajectories.c.sequence_index)).scalars())
