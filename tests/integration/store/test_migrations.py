"""The migration chain produces exactly the schema the models declare, on both engines."""

from __future__ import annotations

from pathlib import Path

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
