"""platform scope reads: workspace and project keys, defaults, descriptions, updated_at

Existing rows are filled in: `updated_at` from `created_at`; the first workspace of
each organization (by creation, then id) becomes its default; the default project of a
workspace gets the key `default`, every other project a slug of its name, made unique
within its workspace with a numeric suffix.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from worlds.store.models import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _slug(name: str) -> str:
    # A frozen copy of the rule at the time of this migration (worlds.store.tenancy.project_key).
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:63].strip("-")
    return slug or "project"


def _unique(base: str, taken: set[str]) -> str:
    key, n = base, 2
    while key in taken:
        suffix = f"-{n}"
        key = base[: 63 - len(suffix)] + suffix
        n += 1
    taken.add(key)
    return key


def _backfill(conn: sa.Connection) -> None:
    orgs = sa.table("organizations", sa.column("id"), sa.column("created_at"),
                    sa.column("updated_at"))
    workspaces = sa.table("workspaces", sa.column("id"), sa.column("organization_id"),
                          sa.column("created_at"), sa.column("updated_at"),
                          sa.column("is_default", sa.Boolean))
    projects = sa.table("projects", sa.column("id"), sa.column("workspace_id"),
                        sa.column("name"), sa.column("is_default", sa.Boolean),
                        sa.column("created_at"), sa.column("updated_at"), sa.column("key"))
    conn.execute(orgs.update().values(updated_at=orgs.c.created_at))
    conn.execute(workspaces.update().values(updated_at=workspaces.c.created_at, is_default=False))
    conn.execute(projects.update().values(updated_at=projects.c.created_at))
    seen: set[str] = set()
    for row in conn.execute(sa.select(workspaces.c.id, workspaces.c.organization_id)
                            .order_by(workspaces.c.created_at, workspaces.c.id)):
        if row.organization_id not in seen:
            seen.add(row.organization_id)
            conn.execute(workspaces.update().where(workspaces.c.id == row.id)
                         .values(is_default=True))
    taken: dict[str, set[str]] = {}
    rows = conn.execute(sa.select(projects.c.id, projects.c.workspace_id, projects.c.name,
                                  projects.c.is_default)
                        .order_by(projects.c.is_default.desc(), projects.c.created_at,
                                  projects.c.id)).all()
    for project in rows:
        keys = taken.setdefault(project.workspace_id, set())
        key = _unique("default" if project.is_default else _slug(project.name), keys)
        conn.execute(projects.update().where(projects.c.id == project.id).values(key=key))


_EPOCH = "1970-01-01 00:00:00"
# (table, column, type, server default while rows are filled in)
_COLUMNS: list[tuple[str, str, sa.types.TypeEngine[Any], str | sa.ColumnElement[bool]]] = [
    ("organizations", "updated_at", UtcDateTime(timezone=True), _EPOCH),
    ("workspaces", "is_default", sa.Boolean(), sa.false()),
    ("workspaces", "updated_at", UtcDateTime(timezone=True), _EPOCH),
    ("projects", "key", sa.String(length=63), ""),
    ("projects", "updated_at", UtcDateTime(timezone=True), _EPOCH),
]


def upgrade() -> None:
    # Plain ADD COLUMN, never a batch (copy-and-rename) alteration: on SQLite, dropping the
    # old copy of a parent table with foreign keys on would cascade-delete its children
    # (workspaces of organizations, jobs' projects). A NOT NULL column added to existing
    # rows needs a default on SQLite; it is dropped again where the engine can (PostgreSQL).
    for table, column, type_, default in _COLUMNS:
        op.add_column(table, sa.Column(column, type_, nullable=False, server_default=default))
    op.add_column("workspaces", sa.Column("description", sa.String(length=1000), nullable=True))
    op.add_column("projects", sa.Column("description", sa.String(length=1000), nullable=True))
    _backfill(op.get_bind())
    op.create_index("uq_projects_workspace_key", "projects", ["workspace_id", "key"], unique=True)
    if op.get_bind().dialect.name != "sqlite":
        for table, column, _, _ in _COLUMNS:
            op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite >= 3.35), for the reason given in upgrade().
    op.drop_index("uq_projects_workspace_key", table_name="projects")
    op.drop_column("projects", "description")
    op.drop_column("workspaces", "description")
    for table, column, _, _ in reversed(_COLUMNS):
        op.drop_column(table, column)
