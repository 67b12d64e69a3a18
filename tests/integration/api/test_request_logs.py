"""One access log line per request with the caller's key id (never the key), and the request
id: taken from X-Request-ID / x-request-id metadata or generated, returned to the client, and
carried into the log lines of the job the request created and of its worker."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import pytest
from sqlalchemy import select

from tests.conftest import service_settings
from tests.support.jobs import wait_for
from tests.support.service import RunningService
from tests.support.tenants import Tenant, create_tenant
from worlds import logs
from worlds.core import access
from worlds.store.models import ApiKey
from worlds.v1 import worlds_service_pb2 as pb
from worlds.v1 import worlds_service_pb2_grpc


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(logs.RequestIdFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Captured]:
    handler = Captured()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture
def running(tmp_path: Path, database_url: str) -> Iterator[RunningService]:
    service = RunningService(service_settings(tmp_path, database_url, in_process_worker=True)).start()
    try:
        yield service
    finally:
        service.stop()


def key_id(service: RunningService, tenant: Tenant) -> str:
    return service.run_db(lambda c: c.execute(select(ApiKey.id).where(
        ApiKey.user_id == tenant.owner.user_id)).scalar_one())


def access_lines(captured: Captured) -> list[logging.LogRecord]:
    return [r for r in captured.records if r.name == "worlds.access"]


def access_line(captured: Captured, request_id: str) -> logging.LogRecord:
    """The access line of `request_id`, waited for: it is written once the response has
    been sent, so a client can hold the response a moment before the line exists."""
    return wait_for(lambda: next((r for r in access_lines(captured)
                                  if r.request_id == request_id), None),  # type: ignore[attr-defined]
                    5, what=f"the access line of request {request_id}")


def test_rest_request_id_and_access_line(running: RunningService, captured: Captured) -> None:
    tenant = running.run_db(create_tenant)
    path = f"{running.base_url}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs"
    given = httpx.get(path, headers={"X-API-Key": tenant.owner.key, "X-Request-ID": "rid-123"},
                      timeout=10)
    assert given.headers["x-request-id"] == "rid-123"
    made = httpx.get(path, headers={"X-API-Key": tenant.owner.key, "X-Request-ID": "bad id!"},
                     timeout=10)
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["x-request-id"])
    line = access_line(captured, "rid-123")
    assert (line.method, line.route, line.status) == (  # type: ignore[attr-defined]
        "GET", "/api/v1/org/{org}/ws/{workspace}/worlds/jobs", "200")
    assert line.key_id == key_id(running, tenant)  # type: ignore[attr-defined]
    assert line.duration_ms >= 0  # type: ignore[attr-defined]
    access_line(captured, made.headers["x-request-id"])
    for record in captured.records:
        text = record.getMessage() + json.dumps({k: str(v) for k, v in vars(record).items()})
        assert tenant.owner.key not in text and access.hash_key(tenant.owner.key) not in text


def test_grpc_request_id_and_access_line(running: RunningService, captured: Captured) -> None:
    tenant = running.run_db(create_tenant)
    channel = grpc.insecure_channel(running.grpc_target)
    client = worlds_service_pb2_grpc.WorldsServiceStub(channel)
    try:
        _, call = client.ListJobs.with_call(
            pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace), timeout=10,
            metadata=[("x-api-key", tenant.owner.key), ("x-request-id", "grpc-rid-7")])
        assert ("x-request-id", "grpc-rid-7") in tuple(call.initial_metadata())
        _, call = client.ListJobs.with_call(
            pb.ListJobsRequest(org=tenant.org, workspace=tenant.workspace), timeout=10,
            metadata=[("x-api-key", tenant.owner.key)])
        generated = dict(call.initial_metadata())["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", generated)
    finally:
        channel.close()
    line = access_line(captured, "grpc-rid-7")
    assert (line.route, line.status) == ("ListJobs", "OK")  # type: ignore[attr-defined]
    assert line.key_id == key_id(running, tenant)  # type: ignore[attr-defined]


def test_the_job_and_its_worker_carry_the_request_id(running: RunningService,
                                                     captured: Captured) -> None:
    tenant = running.run_db(create_tenant)
    path = f"{running.base_url}/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests"
    created = httpx.post(path, json={"num_users": 5, "num_hosts": 3}, timeout=10,
                         headers={"X-API-Key": tenant.owner.key, "X-Request-ID": "make-world-1"})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    wait_for(lambda: any(job_id in r.getMessage() and "ended" in r.getMessage()
                         for r in captured.records), timeout=60, interval=0.1)
    worker_lines = [r for r in captured.records
                    if r.name.startswith("worlds.jobs") and job_id in r.getMessage()]
    assert worker_lines
    assert {r.request_id for r in worker_lines} == {"make-world-1"}  # type: ignore[attr-defined]


def test_json_lines_from_the_kept_formatter() -> None:
    stream = io.StringIO()
    root = logging.getLogger()
    saved = list(root.handlers), root.level
    try:
        logs.configure("json", "INFO", stream=stream)
        with logs.request_context("r-1"):
            logging.getLogger("worlds.test").info("hello %s", "there", extra={"status": "200"})
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
    line = json.loads(stream.getvalue().strip())
    assert line["message"] == "hello there" and line["request_id"] == "r-1"
    assert line["level"] == "INFO" and line["logger"] == "worlds.test" and line["status"] == "200"
