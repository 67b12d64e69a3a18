"""Fresh databases for tests, on SQLite and on a real PostgreSQL.

PostgreSQL: one migrated template database per test session, then a copy of it
per test (`CREATE DATABASE … TEMPLATE`, far faster than migrating each time).
The server is `WORLDS_TEST_DATABASE_URL` (default: the local trust-auth server).
With CI=true an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from worlds.store import migrate
from worlds.store.engine import create_db_engine, normalize_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def pg_admin_url() -> str:
    return normalize_url(os.environ.get("WORLDS_TEST_DATABASE_URL", DEFAULT_PG))


def _admin_execute(*statements: str) -> None:
    engine = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def _database_url(name: str) -> str:
    return make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)


class PostgresDatabases:
    def __init__(self) -> None:
        self.template = f"worlds_tpl_{uuid.uuid4().hex[:12]}"
        self._ready = False

    def available(self) -> str | None:
        """None when the server answers, else why not."""
        try:
            _admin_execute("SELECT 1")
        except Exception as exc:
            return f"PostgreSQL at {pg_admin_url()} is unreachable: {exc.__class__.__name__}"
        return None

    def _ensure_template(self) -> None:
        if self._ready:
            return
        _admin_execute(f'CREATE DATABASE "{self.template}"')
        engine = create_db_engine(_database_url(self.template), pool_size=1)
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()
        self._ready = True

    @contextmanager
    def fresh(self) -> Iterator[str]:
        self._ensure_template()
        name = f"worlds_t_{uuid.uuid4().hex[:12]}"
        _admin_execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        try:
            yield _database_url(name)
        finally:
            _admin_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def drop_template(self) -> None:
        if self._ready:
            _admin_execute(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')


def require_postgres(databases: PostgresDatabases) -> None:
    problem = databases.available()
    if problem is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{problem}; PostgreSQL tests must run in CI", pytrace=False)
    pytest.skip(problem)
