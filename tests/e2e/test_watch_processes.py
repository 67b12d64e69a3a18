"""Watchers connected to one API process see a job that another API process created and a
worker process ran: across processes through LISTEN/NOTIFY on PostgreSQL, and through
the polling fallback on SQLite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.jobs import WorkerProcess
from tests.support.served import Served
from tests.support.watching import rest_watch

pytestmark = pytest.mark.slow

KEY = "wk_cross_process_watch_key_0123456789"
BASE = "/api/v1/org/local/ws/main/worlds"


@pytest.fixture
def processes() -> Iterator[list[object]]:
    started: list[object] = []
    yield started
    for process in reversed(started):
        process.stop()  # type: ignore[attr-defined]


def test_a_job_run_elsewhere_is_seen_by_every_watcher(database_url: str, tmp_path: Path,
                                                      processes: list[object]) -> None:
    postgres = database_url.startswith("postgresql")
    # On PostgreSQL the poll is made too slow to matter: only a NOTIFY can be this prompt.
    poll = "30" if postgres else "0.5"
    # A short heartbeat lets the test's readers notice a hang-up quickly.
    env = {"WORLDS_BOOTSTRAP_API_KEY": KEY, "WORLDS_POLL_INTERVAL": poll,
           "WORLDS_WATCH_HEARTBEAT_SECONDS": "1"}
    api_a = Served(tmp_path / "a", env, "--database-url", database_url)
    processes.append(api_a)
    api_b = Served(tmp_path / "b", env, "--database-url", database_url)
    processes.append(api_b)
    worker = WorkerProcess(database_url, tmp_path, "worker", WORLDS_POLL_INTERVAL=poll)
    processes.append(worker)
    worker.wait_started()

    workspace, _ = rest_watch(api_b.url, f"{BASE}/jobs:watch", KEY, sse=True)
    assert workspace.next().type == "heartbeat"  # type: ignore[union-attr]
    started = time.monotonic()
    created = httpx.post(f"{api_a.url}{BASE}/manifests", headers={"X-API-Key": KEY},
                         json={"preset": "small", "seed": 5}, timeout=10)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    one, _ = rest_watch(api_b.url, f"{BASE}/jobs/{job_id}/watch", KEY, sse=False)

    seen = workspace.until(lambda s: s.status == "completed", timeout=30)
    elapsed = time.monotonic() - started
    assert [s.job_id for s in seen] == [job_id] * len(seen)
    statuses = [s.status for s in seen]
    assert statuses[0] == "queued" and statuses[-1] == "completed"
    assert statuses == sorted(statuses, key=["queued", "running", "completed"].index)
    progress = [s.progress for s in seen if s.progress is not None]
    assert progress == sorted(progress) and progress[-1] == 1.0
    ids = [int(s.event_id) for s in seen]
    assert ids == sorted(set(ids))
    assert seen[-1].manifest_id is not None
    if postgres:
        assert elapsed < 10, f"took {elapsed:.1f} s: notifications did not carry the changes"

    direct = [s for s in one.rest() if s.type != "heartbeat"]
    assert direct[0].type == "snapshot" and direct[-1].status == "completed"
    assert [s.event_id for s in direct[1:]] == [s.event_id for s in seen
                                                if int(s.event_id) > int(direct[0].event_id)]
    workspace.close()
