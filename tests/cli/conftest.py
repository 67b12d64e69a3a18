"""The client commands as a user runs them: `worlds …` subprocesses against `worlds serve`
subprocesses. Two servers serve the whole package: one with its worker, where jobs complete,
and one without, where jobs stay queued until cancelled (for job-wait's timeout and
cancellation, and job-cancel)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.jobs import TERMINAL, WORLDS, wait_for
from tests.support.rest_client import RestClient
from tests.support.served import Served


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self, code: int = 0) -> Any:
        """stdout as JSON, once the command exited with `code`."""
        assert self.code == code, self.err
        return json.loads(self.out)


def client_env(served: Served, **extra: str) -> dict[str, str]:
    """The environment of a client command: the server's URL, and its data dir so the key is
    the bootstrap one, read from the file, as on the machine that runs `worlds serve`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORLDS_")}
    env.update({"WORLDS_SERVER": served.url, "WORLDS_DATA_DIR": str(served.data_dir), **extra})
    return env


def worlds(served: Served, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> Result:
    done = subprocess.run([WORLDS, *args], env=env or client_env(served), capture_output=True, text=True,
                          timeout=timeout)
    # Nothing a user can cause may end in a traceback.
    assert "Traceback" not in done.stderr, done.stderr
    return Result(done.returncode, done.stdout, done.stderr)


class Rest:
    """Direct REST calls, to set up and check what the commands did without trusting them."""

    def __init__(self, served: Served) -> None:
        self.client = RestClient(served.url)
        self.key = served.bootstrap_key

    def call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.request(method, "/api/v1/org/local/ws/main/worlds" + path, self.key, **kwargs)

    def create(self, **body: Any) -> dict[str, Any]:
        response = self.call("POST", "/manifests", json=body)
        assert response.status_code == 202, response.text
        return response.json()

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return response.json()

    def wait_done(self, job_id: str, timeout: float = 60) -> dict[str, Any]:
        return wait_for(lambda: job if (job := self.job(job_id))["status"] in TERMINAL else None,
                        timeout, 0.05, f"job {job_id} to end")


def _serve(path: Path, worker: bool) -> Iterator[Served]:
    served = Served(path, {}, worker=worker)
    try:
        yield served
    finally:
        served.stop()


@pytest.fixture(scope="package")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`worlds serve` with its worker: jobs run."""
    yield from _serve(tmp_path_factory.mktemp("busy"), worker=True)


@pytest.fixture(scope="package")
def idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """`worlds serve --no-worker`: jobs stay queued."""
    yield from _serve(tmp_path_factory.mktemp("idle"), worker=False)


@pytest.fixture(scope="package")
def busy_rest(busy: Served) -> Iterator[Rest]:
    rest = Rest(busy)
    yield rest
    rest.client.close()


@pytest.fixture(scope="package")
def idle_rest(idle: Served) -> Iterator[Rest]:
    rest = Rest(idle)
    yield rest
    rest.client.close()
