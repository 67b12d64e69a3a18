"""`worlds serve` as an operator meets it: owner-only files, a chosen bootstrap key kept
off stderr, a read-only database as one line, a second signal that always ends it, and
REST callers whose credentials disagree."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.support.jobs import WORLDS
from tests.support.served import Served
from worlds.store.engine import normalize_url


@pytest.fixture
def env(database_url: str) -> Iterator[dict[str, str]]:
    yield {"WORLDS_DATABASE_URL": database_url}


def request(url: str, headers: dict[str, str]) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return int(r.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_data_dir_and_the_database_files_are_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    served = Served(data, {"WORLDS_DATABASE_URL": ""})
    try:
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        files = [p for p in data.iterdir() if p.name.startswith("worlds.db")]
        assert {p.name for p in files} >= {"worlds.db", "worlds.db-wal"}
        assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == {
            p.name: 0o600 for p in files}
    finally:
        served.stop()


def test_a_bootstrap_key_from_the_environment_is_not_echoed(tmp_path: Path,
                                                            env: dict[str, str]) -> None:
    served = Served(tmp_path, {**env, "WORLDS_BOOTSTRAP_API_KEY": "wk_do-not-print-me"})
    code, err = served.stop()
    assert code == 0
    assert "wk_do-not-print-me" not in err and "WORLDS_BOOTSTRAP_API_KEY" in err


def test_conflicting_credentials_are_refused(tmp_path: Path, env: dict[str, str]) -> None:
    served = Served(tmp_path, {**env, "WORLDS_BOOTSTRAP_API_KEY": "wk_right"})
    try:
        url = served.url + "/api/v1/org/local/ws/main/worlds/jobs"
        assert request(url, {"X-API-Key": "wk_right"}) == 200
        assert request(url, {"X-API-Key": "wk_right", "Authorization": "Bearer wk_right"}) == 200
        for bad in ("Token wk_right", "Bearer wk_other", "Bearer wk_right\u00e9"):
            headers = {"X-API-Key": "wk_right"}
            raw = urllib.request.Request(url, headers=headers)
            raw.add_unredirected_header("Authorization", bad)
            try:
                with urllib.request.urlopen(raw, timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            assert status == 401, bad
    finally:
        served.stop()


def test_a_read_only_database_is_one_clear_line(tmp_path: Path, database_url: str) -> None:
    if database_url.startswith("sqlite"):
        subprocess.run([WORLDS, "migrate", "--data-dir", str(tmp_path)], check=True,
                       capture_output=True, timeout=60)
        url = f"sqlite:///file:{tmp_path / 'worlds.db'}?mode=ro&uri=true"
    else:
        engine = create_engine(normalize_url(database_url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            name = conn.execute(text("SELECT current_database()")).scalar()
            conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
        engine.dispose()
        url = database_url
    result = subprocess.run(
        [WORLDS, "serve", "--data-dir", str(tmp_path), "--database-url", url,
         "--grpc-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"],
        env={**os.environ, "WORLDS_LOG_LEVEL": "WARNING"}, capture_output=True, text=True,
        timeout=60)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("worlds:")]
    assert len(lines) == 1 and "read" in lines[0].lower(), result.stderr


def test_a_second_signal_ends_a_stopping_server_at_once(tmp_path: Path,
                                                        env: dict[str, str]) -> None:
    """The first SIGTERM waits for the running job (grace 60 s here); the second ends it."""
    served = Served(tmp_path, {**env, "WORLDS_BOOTSTRAP_API_KEY": "wk_k"}, "--grace-period",
                    "60", worker=True)
    import json

    body = json.dumps({"preset": "enterprise"}).encode()
    create = urllib.request.Request(served.url + "/api/v1/org/local/ws/main/worlds/manifests",
                                    data=body, method="POST",
                                    headers={"X-API-Key": "wk_k", "Content-Type": "application/json"})
    with urllib.request.urlopen(create, timeout=10) as response:
        job = json.loads(response.read())
    job_url = served.url + f"/api/v1/org/local/ws/main/worlds/jobs/{job['id']}"
    deadline = time.monotonic() + 30
    while True:
        with urllib.request.urlopen(urllib.request.Request(job_url, headers={"X-API-Key": "wk_k"}),
                                    timeout=10) as response:
            if json.loads(response.read())["status"] == "running":
                break
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.1)
    served.process.send_signal(signal.SIGTERM)
    time.sleep(1)
    assert served.process.poll() is None, "the first signal waits for the running job"
    sent = time.monotonic()
    served.process.send_signal(signal.SIGTERM)
    _, err = served.process.communicate(timeout=10)
    assert time.monotonic() - sent < 5
    assert served.process.returncode == 1 and "second signal" in err
