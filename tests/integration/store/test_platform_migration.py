"""Migration 0007 on a database that already holds tenants, on both engines: existing rows
get their keys, defaults and timestamps without a rebuild."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from worlds.store import migrate
from worlds.store.engine import create_db_engine


def test_existing_workspaces_and_projects_are_filled_in(database_url: str) -> None:
    engine = create_db_engine(database_url, pool_size=1)
    try:
        if engine.dialect.name == "postgresql":
            # The fixture's databases are copies of a migrated template: start from empty.
            with engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        migrate.upgrade(engine, "0006")
        t0 = datetime(2026, 1, 1, tzinfo=UTC).replace(tzinfo=None)
        rows = {
            "organizations": [("o1", "org-one", "Org", t0)],
            "workspaces": [("w2", "o1", "second", "Second", t0 + timedelta(seconds=1)),
                           ("w1", "o1", "first", "First", t0)],
            "projects": [("p1", "w1", "default", True, t0), ("p2", "w1", "Red Team!", False, t0),
                         ("p3", "w1", "red team", False, t0), ("p4", "w2", "default", True, t0)],
        }
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO organizations (id, slug, name, created_at) "
                                 "VALUES (:a, :b, :c, :d)"),
                         [dict(zip("abcd", r, strict=True)) for r in rows["organizations"]])
            conn.execute(sa.text("INSERT INTO workspaces (id, organization_id, slug, name, "
                                 "created_at) VALUES (:a, :b, :c, :d, :e)"),
                         [dict(zip("abcde", r, strict=True)) for r in rows["workspaces"]])
            conn.execute(sa.text("INSERT INTO projects (id, workspace_id, name, is_default, "
                                 "created_at) VALUES (:a, :b, :c, :d, :e)"),
                         [dict(zip("abcde", r, strict=True)) for r in rows["projects"]])
        migrate.upgrade(engine)
        with engine.connect() as conn:
            workspaces = dict(conn.execute(sa.text("SELECT id, is_default FROM workspaces")).all())
            keys = dict(conn.execute(sa.text("SELECT id, key FROM projects")).all())
            stamped = conn.execute(sa.text(
                "SELECT count(*) FROM projects WHERE updated_at = created_at")).scalar()
            org_stamped = conn.execute(sa.text(
                "SELECT count(*) FROM organizations WHERE updated_at IS NOT NULL")).scalar()
        assert {k: bool(v) for k, v in workspaces.items()} == {"w1": True, "w2": False}
        assert keys == {"p1": "default", "p2": "red-team", "p3": "red-team-2", "p4": "default"}
        assert stamped == 4 and org_stamped == 1
    finally:
        engine.dispose()
