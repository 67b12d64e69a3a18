"""job_events.seq is never reused on SQLite (AUTOINCREMENT, seeded past the horizon)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

SQLite hands out `max(rowid) + 1` for a plain INTEGER PRIMARY KEY, so once pruning
emptied the log new events restarted at 1, below every watcher's cursor and the
pruned horizon. The table is rebuilt with AUTOINCREMENT (which never reuses a
number) and its counter starts past both the newest event and the horizon.
PostgreSQL's sequence never goes back already: nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = ("seq, workspace_id, job_id, version, status, kind, project_id, created_by, "
            "snapshot, created_at")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    op.execute("""
        CREATE TABLE job_events_new (
            seq INTEGER NOT NULL CONSTRAINT pk_job_events PRIMARY KEY AUTOINCREMENT,
            workspace_id VARCHAR(36) NOT NULL,
            job_id VARCHAR(36) NOT NULL,
            version INTEGER NOT NULL,
            status VARCHAR(16) NOT NULL,
            kind VARCHAR(32) NOT NULL,
            project_id VARCHAR(36),
            created_by VARCHAR(36),
            snapshot JSON NOT NULL,
            created_at DATETIME NOT NULL
        )""")
    op.execute(f"INSERT INTO job_events_new ({_COLUMNS}) SELECT {_COLUMNS} FROM job_events")
    op.execute("DROP TABLE job_events")
    op.execute("ALTER TABLE job_events_new RENAME TO job_events")
    op.create_index("ix_job_events_workspace_seq", "job_events", ["workspace_id", "seq"])
    op.create_index("ix_job_events_job_seq", "job_events", ["job_id", "seq"])
    op.create_index("ix_job_events_created", "job_events", ["created_at"])
    # The counter row exists once the table has had an insert; make sure it does and
    # that it is past everything ever handed out (the horizon outlives the events).
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'job_events'")
    op.execute("""
        INSERT INTO sqlite_sequence (name, seq) SELECT 'job_events', max(
            coalesce((SELECT max(seq) FROM job_events), 0),
            coalesce((SELECT max(pruned_through) FROM event_horizon), 0))""")


def downgrade() -> None:
    # AUTOINCREMENT is a strictly stronger guarantee; going back keeps it.
    return None
