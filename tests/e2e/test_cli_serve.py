"""`worlds serve` and the admin commands, as a user runs them: subprocesses, real ports."""

from __future__ import annotations

import json
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

from tests.support.jobs import WORLDS
from tests.support.served import Served


def http(method: str, url: str, key: str | None, body: object = None) -> tuple[int, dict]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("X-API-Key", key)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def env(database_url: str) -> Iterator[dict[str, str]]:
    yield {"WORLDS_DATABASE_URL": database_url}


def test_first_start_bootstraps_a_tenant_and_shows_the_key_once(tmp_path: Path,
                                                                env: dict[str, str]) -> None:
    served = Served(tmp_path, env)
    code, err = served.stop()
    assert code == 0
    key_file = tmp_path / "bootstrap-api-key"
    key = key_file.read_text().strip()
    assert key.startswith("wk_") and key in err
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    again = Served(tmp_path, env)
    status, job = http("POST", again.url + "/api/v1/org/local/ws/main/worlds/manifests", key, {})
    code, err = again.stop()
    assert code == 0 and key not in err, "the key is shown only on the first start"
    assert status == 202 and job["status"] == "queued"


def test_the_bootstrap_key_can_be_fixed_for_scripted_setups(tmp_path: Path,
                                                            env: dict[str, str]) -> None:
    served = Served(tmp_path, {**env, "WORLDS_BOOTSTRAP_API_KEY": "wk_scripted"})
    try:
        status, body = http("GET", served.url + "/api/v1/org/local/ws/main/worlds/jobs", "wk_scripted")
        assert (status, body["total"]) == (200, 0)
    finally:
        assert served.stop()[0] == 0


def test_sigint_stops_the_server_cleanly(tmp_path: Path, env: dict[str, str]) -> None:
    served = Served(tmp_path, env)
    started = time.monotonic()
    code, _ = served.stop(signal.SIGINT)
    assert code == 0 and time.monotonic() - started < 10


def test_a_busy_port_is_a_clear_error(tmp_path: Path, env: dict[str, str]) -> None:
    served = Served(tmp_path, env)
    try:
        result = subprocess.run(
            [WORLDS, "serve", "--data-dir", str(tmp_path / "other"), "--no-worker",
             "--grpc-address", f"127.0.0.1:{served.grpc_port}", "--http-address", "127.0.0.1:0"],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=30)
        assert result.returncode != 0
        assert "Traceback" not in result.stderr
    finally:
        served.stop()


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WORLDS, *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=60)


def test_admin_commands_set_up_a_tenant_and_revoke_keys(tmp_path: Path, env: dict[str, str]) -> None:
    data = ["--data-dir", str(tmp_path)]
    assert run("migrate", *data, env=env).returncode == 0
    assert run("org-create", "acme", *data, env=env).returncode == 0
    assert run("workspace-create", "acme", "lab", *data, env=env).returncode == 0
    assert run("user-create", "ann", "--email", "ann@example.test", *data, env=env).returncode == 0
    assert run("member-set", "acme/lab", "ann", "reader", *data, env=env).returncode == 0
    created = run("key-create", "ann", *data, env=env)
    key = created.stdout.strip()
    key_id = created.stderr.split("key id: ")[1].split()[0]
    duplicate = run("org-create", "acme", *data, env=env)
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    assert "Traceback" not in duplicate.stderr

    served = Served(tmp_path, env)
    try:
        jobs_url = served.url + "/api/v1/org/acme/ws/lab/worlds/jobs"
        assert http("GET", jobs_url, key)[0] == 200
        status, body = http("POST", served.url + "/api/v1/org/acme/ws/lab/worlds/manifests", key, {})
        assert (status, body["type"]) == (403, "permission_denied")
        assert run("key-revoke", key_id, *data, env=env).returncode == 0
        status, body = http("GET", jobs_url, key)
        assert (status, body["type"]) == (401, "authentication_error")
        listing = run("key-list", *data, env=env).stdout
        assert key_id in listing and key not in listing
    finally:
        served.stop()
