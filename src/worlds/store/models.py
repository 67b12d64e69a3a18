"""The schema, as SQLModel tables. Alembic migrations (`worlds/migrations`) create it;
a test checks that the migration chain yields exactly these declarations.

Ids are UUID strings. Timestamps are stored as UTC and read back timezone-aware.
Indexes follow the queries: the job list filters a workspace by kind, status,
project or creator and sorts newest first; claiming takes the oldest queued job.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

# Stable constraint names, so migrations can refer to them on every engine.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite keeps no zone, so values are normalised to naive UTC on the way in
    (which also keeps them sortable as text) and tagged UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> Any:
    return Field(default=None, sa_type=UtcDateTime, nullable=nullable)


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return Field(
        default=None,
        sa_column_args=[ForeignKey(target, ondelete=ondelete)],
        sa_type=String(36),
        nullable=nullable,
    )


class Organization(SQLModel, table=True):
    __tablename__ = "organizations"

    id: str = Field(primary_key=True, max_length=36)
    slug: str = Field(max_length=63, unique=True)
    name: str = Field(max_length=255)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Workspace(SQLModel, table=True):
    """A workspace; its `slug` is the contract's `key`. The first workspace of each
    organization is its default one (`is_default`, see worlds.store.tenancy)."""

    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("organization_id", "slug", name="uq_workspaces_org_slug"),)

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organizations.id")
    slug: str = Field(max_length=63)
    name: str = Field(max_length=255)
    created_at: datetime = _ts()
    is_default: bool = Field(default=False)
    description: str | None = Field(default=None, max_length=1000)
    updated_at: datetime = _ts()


class Project(SQLModel, table=True):
    """A grouping bucket for jobs. Each workspace has exactly one default project, whose
    `key` (a slug, unique in the workspace) is `default`."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name", name="uq_projects_workspace_name"),
        Index("uq_projects_workspace_key", "workspace_id", "key", unique=True),
        Index(
            "uq_projects_one_default",
            "workspace_id",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    id: str = Field(primary_key=True, max_length=36)
    workspace_id: str = _fk("workspaces.id")
    name: str = Field(max_length=255)
    is_default: bool = Field(default=False)
    created_at: datetime = _ts()
    key: str = Field(max_length=63)
    description: str | None = Field(default=None, max_length=1000)
    updated_at: datetime = _ts()


class User(SQLModel, table=True):
    __tablename__ = "users"

    id: str = Field(primary_key=True, max_length=36)
    email: str = Field(max_length=320, unique=True)
    username: str = Field(max_length=150, unique=True)
    full_name: str | None = Field(default=None, max_length=255)
    created_at: datetime = _ts()


class Membership(SQLModel, table=True):
    """A user's role in a workspace: `owner`, `contributor` or `reader` (see worlds.core.access.Role)."""

    __tablename__ = "memberships"

    user_id: str = Field(
        sa_column_args=[ForeignKey("users.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    workspace_id: str = Field(
        sa_column_args=[ForeignKey("workspaces.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    role: str = Field(max_length=16)
    created_at: datetime = _ts()


class ApiKey(SQLModel, table=True):
    """An API key. Only the SHA-256 of the key is stored; the key is shown once."""

    __tablename__ = "api_keys"

    id: str = Field(primary_key=True, max_length=36)
    user_id: str = _fk("users.id")
    name: str = Field(max_length=255)
    key_hash: str = Field(max_length=64, unique=True)
    # The key's first characters, to tell keys apart in listings without revealing them.
    prefix: str = Field(max_length=16)
    created_at: datetime = _ts()
    revoked_at: datetime | None = _ts(nullable=True)
    last_used_at: datetime | None = _ts(nullable=True)


class Job(SQLModel, table=True):
    """An asynchronous job. The state machine lives in `worlds.core.jobstate`."""

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_jobs_workspace_status_created", "workspace_id", "status", "created_at", "id"),
        Index("ix_jobs_workspace_kind_created", "workspace_id", "kind", "created_at", "id"),
        Index("ix_jobs_workspace_project_created", "workspace_id", "project_id", "created_at", "id"),
        Index("ix_jobs_workspace_creator_created", "workspace_id", "created_by", "created_at", "id"),
        Index("ix_jobs_status_created", "status", "created_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organizations.id")
    workspace_id: str = _fk("workspaces.id")
    project_id: str | None = _fk("projects.id", nullable=True, ondelete="SET NULL")
    kind: str = Field(max_length=32)
    status: str = Field(max_length=16)
    progress: float | None = Field(default=None)
    resource_type: str | None = Field(default=None, max_length=32)
    resource_id: str | None = Field(default=None, max_length=36)
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    error: str | None = Field(default=None)
    created_by: str | None = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = _ts()
    started_at: datetime | None = _ts(nullable=True)
    completed_at: datetime | None = _ts(nullable=True)
    cancel_requested_at: datetime | None = _ts(nullable=True)
    name: str | None = Field(default=None, max_length=255)
    # The generation request as submitted (preset, seed, counts, domains).
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Lease: which worker runs which attempt, until when (a heartbeat extends it).
    attempt: int = Field(default=0)
    max_attempts: int = Field(default=3)
    lease_owner: str | None = Field(default=None, max_length=128)
    lease_expires_at: datetime | None = _ts(nullable=True)
    # Bumped on every change, for watchers.
    version: int = Field(default=1)
    updated_at: datetime = _ts()


class JobCount(SQLModel, table=True):
    """Number of jobs per (workspace, project, creator, kind, status).

    Kept in the same transaction as every job insert and status change, so the
    list's exact `total` is a sum over a handful of rows instead of a count over
    every job of the workspace.
    """

    __tablename__ = "job_counts"

    workspace_id: str = Field(
        sa_column_args=[ForeignKey("workspaces.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    project_id: str = Field(primary_key=True, max_length=36)
    created_by: str = Field(primary_key=True, max_length=36)
    kind: str = Field(primary_key=True, max_length=32)
    status: str = Field(primary_key=True, max_length=16)
    n: int = Field(default=0)


class Manifest(SQLModel, table=True):
    """The world a completed manifest job produced (the contract's manifest resource).

    Committed in the same transaction as the job's completion; `source_job_id` is
    unique, so one job can never have two manifests.
    """

    __tablename__ = "manifests"
    __table_args__ = (
        UniqueConstraint("source_job_id", name="uq_manifests_source_job_id"),
        Index("ix_manifests_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_manifests_workspace_project_created", "workspace_id", "project_id",
              "created_at", "id"),
        Index("ix_manifests_workspace_creator_created", "workspace_id", "created_by",
              "created_at", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organizations.id")
    workspace_id: str = _fk("workspaces.id")
    project_id: str | None = _fk("projects.id", nullable=True, ondelete="SET NULL")
    created_by: str | None = _fk("users.id", nullable=True, ondelete="SET NULL")
    source_job_id: str = _fk("jobs.id")
    name: str | None = Field(default=None, max_length=255)
    manifest_kind: str = Field(max_length=32)
    # As submitted: None when the request named no preset.
    preset: str | None = Field(default=None, max_length=16)
    # The effective seed (submitted or chosen by the server): a signed 64-bit integer.
    seed: int = Field(sa_type=BigInteger)
    stats: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Where the artifacts are and how they are cut (see worlds.store.artifacts), plus the
    # sha256 of the world's canonical bytes.
    artifact_refs: dict[str, Any] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()


class ManifestChunk(SQLModel, table=True):
    """A compressed slice of a manifest's artifacts (see worlds.store.artifacts).

    `kind` is `nodes` or `edges` (fixed-size runs in stored order, so a page reads
    only the chunks it overlaps) or `hosts` / `principals` (hash buckets of details,
    so one lookup reads one chunk).
    """

    __tablename__ = "manifest_chunks"

    manifest_id: str = Field(
        sa_column_args=[ForeignKey("manifests.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    kind: str = Field(primary_key=True, max_length=16)
    chunk_index: int = Field(primary_key=True)
    item_count: int
    data: bytes = Field(sa_type=LargeBinary)


class JobEvent(SQLModel, table=True):
    """One change of a job, as the job looked after it (see `worlds.store.events`).

    `seq` orders all changes of all jobs and is the watchers' resume token.
    """

    __tablename__ = "job_events"
    __table_args__ = (
        Index("ix_job_events_workspace_seq", "workspace_id", "seq"),
        Index("ix_job_events_job_seq", "job_id", "seq"),
        Index("ix_job_events_created", "created_at"),
        # AUTOINCREMENT: SQLite otherwise reuses the numbers of deleted rows, and once
        # pruning empties the log, new events would start below every watcher's cursor.
        {"sqlite_autoincrement": True},
    )

    # SQLite auto-increments only an INTEGER PRIMARY KEY; elsewhere it is 64-bit.
    seq: int | None = Field(default=None, primary_key=True,
                            sa_type=BigInteger().with_variant(Integer(), "sqlite"))
    # No foreign keys: the log outlives nothing it must stay consistent with, and an
    # append must not lock the job's parents.
    workspace_id: str = Field(max_length=36)
    job_id: str = Field(max_length=36)
    version: int
    status: str = Field(max_length=16)
    kind: str = Field(max_length=32)
    project_id: str | None = Field(default=None, max_length=36)
    created_by: str | None = Field(default=None, max_length=36)
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _ts()


class EventHorizon(SQLModel, table=True):
    """The highest pruned `job_events.seq` (one row): older resume tokens have expired."""

    __tablename__ = "event_horizon"

    id: int = Field(primary_key=True)
    pruned_through: int = Field(default=0, sa_type=BigInteger)


class IdempotencyKey(SQLModel, table=True):
    """A create request's `Idempotency-Key`, and the job it made (see worlds.store.idempotency).

    The primary key is the uniqueness the mechanism rests on: one job per key per
    workspace, however many retries race. `fingerprint` is a hash of the request as
    sent, so a key reused for another request can be told apart. No foreign key to
    the job: the row is written before the job, in the same transaction.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_expires", "expires_at"),)

    workspace_id: str = Field(
        sa_column_args=[ForeignKey("workspaces.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    key: str = Field(primary_key=True, max_length=255)
    # The RPC and the SHA-256 of its request: a key names one request of one method.
    method: str = Field(max_length=64)
    fingerprint: str = Field(max_length=64)
    job_id: str = Field(max_length=36)
    created_at: datetime = _ts()
    expires_at: datetime = _ts()


class Trajectory(SQLModel, table=True):
    """One sampled attack path through a manifest's world (trajectories.md).

    Inserted only with its job's completion, in one transaction; `(source_job_id,
    sequence_index)` is unique, so a job can never publish a trajectory twice. Lists
    sort newest first, then by `sequence_index` (a job's batch shares `created_at`).
    """

    __tablename__ = "trajectories"
    __table_args__ = (
        UniqueConstraint("source_job_id", "sequence_index",
                         name="uq_trajectories_source_job_id_sequence_index"),
        Index("ix_trajectories_workspace_created", "workspace_id", "created_at",
              "sequence_index", "id"),
        Index("ix_trajectories_workspace_manifest_created", "workspace_id", "manifest_id",
              "created_at", "sequence_index", "id"),
        Index("ix_trajectories_workspace_project_created", "workspace_id", "project_id",
              "created_at", "sequence_index", "id"),
        Index("ix_trajectories_workspace_creator_created", "workspace_id", "created_by",
              "created_at", "sequence_index", "id"),
    )

    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = _fk("organizations.id")
    workspace_id: str = _fk("workspaces.id")
    project_id: str | None = _fk("projects.id", nullable=True, ondelete="SET NULL")
    manifest_id: str = _fk("manifests.id")
    source_job_id: str = _fk("jobs.id")
    name: str | None = Field(default=None, max_length=255)
    goal: str = Field(max_length=512)
    strategy: str = Field(max_length=32)
    mode: str = Field(max_length=16)
    max_steps: int
    # A signed 64-bit integer, as submitted.
    seed: int = Field(sa_type=BigInteger)
    sequence_index: int
    success: bool
    step_count: int
    termination_reason: str = Field(max_length=32)
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Where the steps are (`trajectory_chunks`) and the sha256 of their canonical bytes.
    artifact_refs: dict[str, Any] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False))
    created_by: str | None = _fk("users.id", nullable=True, ondelete="SET NULL")
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class TrajectoryChunk(SQLModel, table=True):
    """A compressed slice of a trajectory's replay (see `worlds.store.trajectory_artifacts`):
    `kind` is `steps` (runs of a fixed number of steps) or `replay` (goal spec, initial
    state and node names, one chunk)."""

    __tablename__ = "trajectory_chunks"

    trajectory_id: str = Field(
        sa_column_args=[ForeignKey("trajectories.id", ondelete="CASCADE")],
        sa_type=String(36),
        primary_key=True,
    )
    kind: str = Field(primary_key=True, max_length=16)
    chunk_index: int = Field(primary_key=True)
    item_count: int
    data: bytes = Field(sa_type=LargeBinary)


metadata = SQLModel.metadata


def table_of(model: type[SQLModel]) -> Table:
    """The Core table of a ``table=True`` model, for the stores' Core queries.

    SQLModel builds it as ``model.__table__`` but does not declare that attribute to a type
    checker; the mapper's table is the same object.
    """
    table = sa_inspect(model).local_table
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table
