"""Stopping the service lets in-flight calls finish within the grace period."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.conftest import service_settings
from tests.support.grpc_client import GrpcClient
from tests.support.service import RunningService
from tests.support.tenants import create_tenant
from worlds.store.engine import sqlite_url
from worlds.v1 import jobs_pb2
from worlds.v1 import worlds_service_pb2 as pb


def test_an_in_flight_call_completes_during_shutdown(tmp_path: Path) -> None:
    db_file = tmp_path / "worlds.db"
    service = RunningService(service_settings(tmp_path, sqlite_url(str(db_file)),
                                              grace_period=10.0)).start()
    tenant = service.run_db(create_tenant)
    client = GrpcClient(service.grpc_target)
    # Another process-like writer holds SQLite's write lock, so the call below is
    # genuinely in flight (waiting on the database) when the stop begins.
    blocker = sqlite3.connect(db_file, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    outcome: dict[str, object] = {}

    def call() -> None:
        try:
            outcome["job"] = client.call("CreateManifestJob", pb.CreateManifestJobRequest(
                org=tenant.org, workspace=tenant.workspace), tenant.owner.key).job
        except grpc.RpcError as error:
            outcome["error"] = error

    caller = threading.Thread(target=call)
    caller.start()
    time.sleep(0.5)
    stopper = threading.Thread(target=service.stop)
    stopper.start()
    time.sleep(0.5)
    # New calls are refused while stopping.
    with pytest.raises(grpc.RpcError), grpc.insecure_channel(service.grpc_target) as channel:
        health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=2)
    blocker.execute("ROLLBACK")
    blocker.close()
    caller.join(15)
    stopper.join(15)
    client.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome["job"].status == jobs_pb2.JOB_STATUS_QUEUED  # type: ignore[attr-defined]
