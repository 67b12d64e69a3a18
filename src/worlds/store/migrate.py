"""Schema migrations (Alembic), applied by `worlds migrate` and on `worlds serve` start-up."""

from __future__ import annotations

from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("worlds") / "migrations"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to `revision`. Safe to run from several processes on PostgreSQL:
    the migration runs in one transaction holding an advisory lock."""
    config = alembic_config()
    with engine.connect() as conn:
        conn.execution_options(worlds_write=True)
        with conn.begin():
            if conn.dialect.name == "postgresql":
                # Serialise concurrent start-ups of several API processes.
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7261001)")
            config.attributes["connection"] = conn
            command.upgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()
