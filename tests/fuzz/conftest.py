"""Fixtures of the fuzz tests: one populated service per engine, and each gateway's schema.

The service is populated once per engine (module scope) with a tenant, a finished manifest
job with its world and a finished trajectory job, so that fuzzed requests can name real
resources and reach the code behind the 404s. The data is made by a first service with its
in-process worker; the fuzzing runs against a second one on the same database *without* a
worker: the jobs the fuzzer creates stay queued instead of generating worlds of up to 50,000
users on this machine's two cores while the fuzzer waits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import ENGINES, service_settings
from tests.support.databases import PostgresDatabases, require_postgres
from tests.support.jobs import wait_for
from tests.support.rest_client import start_standalone_gateway
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from worlds.generator import generate_world, resolve_spec
from worlds.store.engine import sqlite_url

SEED = 5


@dataclass(frozen=True)
class Resources:
    """What a fuzzed request can name that exists."""

    tenant: Tenant
    manifest_id: str
    manifest_job_id: str
    trajectory_id: str
    trajectory_job_id: str
    host_id: str
    principal_id: str
    project: str


@pytest.fixture(scope="module", params=ENGINES)
def fuzz_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                      postgres_databases: PostgresDatabases) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(str(tmp_path_factory.mktemp("fuzz") / "worlds.db"))
        return
    require_postgres(postgres_databases)
    with postgres_databases.fresh() as url:
        yield url


def _finished(http: httpx.Client, base: str, job_id: str) -> dict[str, object]:
    def done() -> dict[str, object] | None:
        job = http.get(f"{base}/jobs/{job_id}").json()
        return job if job["status"] in ("completed", "failed", "cancelled") else None

    job = wait_for(done, 60, 0.05, f"job {job_id} to finish")
    assert job["status"] == "completed", job
    return job


def _populate(service: RunningService) -> Resources:
    tenant = service.run_db(create_tenant)
    base = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds"
    with httpx.Client(base_url=service.base_url, headers={"X-API-Key": tenant.owner.key},
                      timeout=30) as http:
        created = http.post(f"{base}/manifests", json={"preset": "small", "seed": SEED})
        assert created.status_code == 202, created.text
        manifest_job = _finished(http, base, created.json()["id"])
        manifest_id = str(manifest_job["resource_id"])
        created = http.post(f"{base}/trajectories",
                            json={"manifest_id": manifest_id, "max_steps": 5, "seed": SEED})
        assert created.status_code == 202, created.text
        trajectory_job = _finished(http, base, created.json()["id"])
        trajectories = http.get(f"{base}/trajectories").json()["items"]
        projects = http.get(f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/projects").json()
    world = generate_world(resolve_spec("small", None, None, None, SEED))
    return Resources(
        tenant=tenant, manifest_id=manifest_id, manifest_job_id=str(manifest_job["id"]),
        trajectory_id=trajectories[0]["id"], trajectory_job_id=str(trajectory_job["id"]),
        host_id=next(iter(world.hosts)), principal_id=next(iter(world.principals)),
        project=projects[0]["key"])


@pytest.fixture(scope="module")
def fuzzed_service(fuzz_database_url: str, tmp_path_factory: pytest.TempPathFactory,
                   ) -> Iterator[tuple[RunningService, Resources]]:
    tmp_path: Path = tmp_path_factory.mktemp("service")
    setup = RunningService(service_settings(tmp_path, fuzz_database_url,
                                            in_process_worker=True)).start()
    try:
        resources = _populate(setup)
    finally:
        setup.stop()
    running = RunningService(service_settings(tmp_path, fuzz_database_url)).start()
    try:
        yield running, resources
    finally:
        running.stop()


@pytest.fixture(params=["in-process", "standalone"])
def gateway_url(request: pytest.FixtureRequest,
                fuzzed_service: tuple[RunningService, Resources]) -> Iterator[str]:
    """The in-process gateway of `serve`, or a standalone one in front of its gRPC port."""
    service, _ = fuzzed_service
    if request.param == "in-process":
        yield service.base_url
        return
    gateway = start_standalone_gateway(service)
    try:
        yield gateway.base_url
    finally:
        gateway.stop()
