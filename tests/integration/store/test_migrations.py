"""The migration chain produces exactly the schema the models declare, on both engines."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from worlds.store import migrate
from worlds.store.engine import create_db_engine, sqlite_url
from worlds.store.models import metadata


def test_migrations_match_the_models(database_url: str) -> None:
    engine = create_db_engine(database_url, pool_size=1)
    try:
        migrate.upgrade(engine)
        migrate.upgrade(engine)  # idempotent
        assert migrate.current_revision(engine) == migrate.head_revision()
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    engine = create_db_engine(sqlite_url(str(tmp_path / "w.db")), pool_size=1)
    try:
        migrate.upgrade(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert "jobs" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_plain_postgres_urls_use_psycopg(url: str) -> None:
    from worlds.store.engine import normalize_url

    assert normalize_url(url).startswith("postgresql+psycopg://")


def test_an_upgraded_sqlite_log_never_reuses_a_pruned_seq(tmp_path: Path) -> None:
    """A database from before 0004 whose log was pruned empty: after the upgrade, new
    events continue past the horizon instead of starting at 1 again."""
    from datetime import UTC, datetime, timedelta

    from tests.support.jobs import insert_job
    from worlds.store import events
    from worlds.store.engine import Database

    db = Database(create_db_engine(sqlite_url(str(tmp_path / "old.db")), pool_size=1))
    try:
        migrate.upgrade(db.engine, "0003")
        tenant = db.run_write(_tenant_at_0003)
        now = datetime.now(UTC)
        for _ in range(3):
            insert_job(db, tenant, now)
        db.run_write(events.prune, now + timedelta(seconds=1))
        pruned = db.run_read(events.horizon)
        assert pruned == 3
        migrate.upgrade(db.engine)
        insert_job(db, tenant, now)
        assert db.run_read(events.last_seq) > pruned
    finally:
        db.close()


def _tenant_at_0003(conn: Any) -> Any:
    """The rows a job needs, written as the 0003 schema has them (today's tenancy code
    writes columns later migrations add)."""
    from types import SimpleNamespace

    from sqlalchemy import text

    now = datetime_now()
    ids = {"org": "o-1", "ws": "w-1", "project": "p-1", "user": "u-1"}
    conn.execute(text("INSERT INTO organizations (id, slug, name, created_at) "
                      "VALUES (:id, 'acme', 'Acme', :now)"), {"id": ids["org"], "now": now})
    conn.execute(text("INSERT INTO workspaces (id, organization_id, slug, name, created_at) "
                      "VALUES (:id, :org, 'red', 'Red', :now)"),
                 {"id": ids["ws"], "org": ids["org"], "now": now})
    conn.execute(text("INSERT INTO projects (id, workspace_id, name, is_default, created_at) "
                      "VALUES (:id, :ws, 'default', true, :now)"),
                 {"id": ids["project"], "ws": ids["ws"], "now": now})
    conn.execute(text("INSERT INTO users (id, email, username, created_at) "
                      "VALUES (:id, 'o@example.test', 'owen', :now)"), {"id": ids["user"], "now": now})
    return SimpleNamespace(organization_id=ids["org"], workspace_id=ids["ws"],
                           default_project_id=ids["project"],
                           owner=SimpleNamespace(user_id=ids["user"]))


def datetime_now() -> str:
    from datetime import UTC, datetime

    # SQLite stores naive UTC text (worlds.store.models.UtcDateTime).
    return datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
