"""Shared fixtures: a fresh database per test on each engine, and the real service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support.databases import PostgresDatabases, require_postgres
from tests.support.tenants import Tenant, create_tenant
from worlds.config import Settings
from worlds.store.engine import sqlite_url

if TYPE_CHECKING:
    from tests.support.grpc_client import GrpcClient
    from tests.support.rest_client import RestClient
    from tests.support.service import RunningService
    from worlds.store.engine import Database

ENGINES = ["sqlite", "postgresql"]
BOOTSTRAP_KEY = "wk_test-bootstrap-key"


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    yield databases
    databases.drop_template()


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path,
                 postgres_databases: PostgresDatabases) -> Iterator[str]:
    """A new, empty-or-migrated database of each engine, for one test."""
    if request.param == "sqlite":
        yield sqlite_url(str(tmp_path / "worlds.db"))
        return
    require_postgres(postgres_databases)
    with postgres_databases.fresh() as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """The store alone, migrated, on a fresh database (no service running)."""
    from worlds.store import migrate
    from worlds.store.engine import Database, create_db_engine

    database = Database(create_db_engine(database_url, pool_size=8))
    migrate.upgrade(database.engine)
    try:
        yield database
    finally:
        database.close()


def service_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "database_url": database_url,
        "grpc_address": "127.0.0.1:0",
        "http_address": "127.0.0.1:0",
        "bootstrap_api_key": BOOTSTRAP_KEY,
        "in_process_worker": False,
        "grace_period": 2.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def service(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    from tests.support.service import RunningService

    running = RunningService(service_settings(tmp_path, database_url)).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def tenant(service: RunningService) -> Tenant:
    return service.run_db(create_tenant)


@pytest.fixture
def grpc_client(service: RunningService) -> Iterator[GrpcClient]:
    from tests.support.grpc_client import GrpcClient

    client = GrpcClient(service.grpc_target)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture(params=["in-process", "standalone"])
def rest(request: pytest.FixtureRequest, service: RunningService) -> Iterator[RestClient]:
    """An HTTP client of the REST gateway: the one inside `serve` (dispatching in-process),
    or a standalone gateway in front of the service's gRPC port. Both must behave alike."""
    from tests.support.rest_client import RestClient, start_standalone_gateway

    if request.param == "in-process":
        client = RestClient(service.base_url)
        yield client
        client.close()
        return
    gateway = start_standalone_gateway(service)
    client = RestClient(gateway.base_url)
    try:
        yield client
    finally:
        client.close()
        gateway.stop()
