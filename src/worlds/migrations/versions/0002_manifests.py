"""manifests and their compressed artifact chunks

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worlds.store.models import UtcDateTime

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    table, _, _ = target.partition(".")
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_manifests_{column}_{table}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "manifests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("source_job_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("manifest_kind", sa.String(length=32), nullable=False),
        sa.Column("preset", sa.String(length=16), nullable=True),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("artifact_refs", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        _fk("created_by", "users.id", "SET NULL"),
        _fk("organization_id", "organizations.id", "CASCADE"),
        _fk("project_id", "projects.id", "SET NULL"),
        _fk("source_job_id", "jobs.id", "CASCADE"),
        _fk("workspace_id", "workspaces.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manifests")),
        sa.UniqueConstraint("source_job_id", name="uq_manifests_source_job_id"),
    )
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_manifests_workspace_created", ["workspace_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_manifests_workspace_creator_created",
            ["workspace_id", "created_by", "created_at", "id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_manifests_workspace_project_created",
            ["workspace_id", "project_id", "created_at", "id"],
            unique=False,
        )

    op.create_table(
        "manifest_chunks",
        sa.Column("manifest_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["manifest_id"],
            ["manifests.id"],
            name=op.f("fk_manifest_chunks_manifest_id_manifests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("manifest_id", "kind", "chunk_index", name=op.f("pk_manifest_chunks")),
    )


def downgrade() -> None:
    op.drop_table("manifest_chunks")
    with op.batch_alter_table("manifests", schema=None) as batch_op:
        batch_op.drop_index("ix_manifests_workspace_project_created")
        batch_op.drop_index("ix_manifests_workspace_creator_created")
        batch_op.drop_index("ix_manifests_workspace_created")
    op.drop_table("manifests")
