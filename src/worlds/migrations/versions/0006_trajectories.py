"""trajectories and their compressed step chunks

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worlds.store.models import UtcDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_INDEXES = {
    "ix_trajectories_workspace_created": ["workspace_id", "created_at", "sequence_index", "id"],
    "ix_trajectories_workspace_manifest_created": ["workspace_id", "manifest_id", "created_at",
                                                   "sequence_index", "id"],
    "ix_trajectories_workspace_project_created": ["workspace_id", "project_id", "created_at",
                                                  "sequence_index", "id"],
    "ix_trajectories_workspace_creator_created": ["workspace_id", "created_by", "created_at",
                                                  "sequence_index", "id"],
}


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    table, _, _ = target.partition(".")
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_trajectories_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "trajectories",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("manifest_id", sa.String(length=36), nullable=False),
        sa.Column("source_job_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("goal", sa.String(length=512), nullable=False),
        sa.Column("strategy", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("max_steps", sa.Integer(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("sequence_index", sa.Integer(), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("termination_reason", sa.String(length=32), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("artifact_refs", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        _fk("created_by", "users.id", "SET NULL"),
        _fk("manifest_id", "manifests.id", "CASCADE"),
        _fk("organization_id", "organizations.id", "CASCADE"),
        _fk("project_id", "projects.id", "SET NULL"),
        _fk("source_job_id", "jobs.id", "CASCADE"),
        _fk("workspace_id", "workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectories")),
        sa.UniqueConstraint("source_job_id", "sequence_index",
                            name="uq_trajectories_source_job_id_sequence_index"),
    )
    with op.batch_alter_table("trajectories", schema=None) as batch_op:
        for name, columns in _INDEXES.items():
            batch_op.create_index(name, columns, unique=False)

    op.create_table(
        "trajectory_chunks",
        sa.Column("trajectory_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["trajectory_id"],
            ["trajectories.id"],
            name=op.f("fk_trajectory_chunks_trajectory_id_trajectories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trajectory_id", "kind", "chunk_index",
                                name=op.f("pk_trajectory_chunks")),
    )


def downgrade() -> None:
    op.drop_table("trajectory_chunks")
    with op.batch_alter_table("trajectories", schema=None) as batch_op:
        for name in reversed(list(_INDEXES)):
            batch_op.drop_index(name)
    op.drop_table("trajectories")
