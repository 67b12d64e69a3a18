"""job event log for watchers, and its pruning horizon

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from worlds.store.models import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_events",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("workspace_id", sa.String(length=36), nullable=False),
        sa.Column("job_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_job_events")),
    )
    op.create_index("ix_job_events_workspace_seq", "job_events", ["workspace_id", "seq"])
    op.create_index("ix_job_events_job_seq", "job_events", ["job_id", "seq"])
    op.create_index("ix_job_events_created", "job_events", ["created_at"])
    op.create_table(
        "event_horizon",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pruned_through", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_horizon")),
    )


def downgrade() -> None:
    op.drop_table("event_horizon")
    op.drop_index("ix_job_events_created", table_name="job_events")
    op.drop_index("ix_job_events_job_seq", table_name="job_events")
    op.drop_index("ix_job_events_workspace_seq", table_name="job_events")
    op.drop_table("job_events")
