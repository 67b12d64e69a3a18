"""Plain REST calls for the console tests' set-up (creating worlds, waiting on jobs)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

WORLDS = "/api/v1/org/local/ws/main/worlds"


def rest(base_url: str, method: str, path: str, key: str, body: object = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("X-API-Key", key)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def wait_job(base_url: str, key: str, job_id: str, statuses: tuple[str, ...] = ("completed",),
             timeout: float = 120) -> Any:
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = rest(base_url, "GET", f"{WORLDS}/jobs/{job_id}", key)
        if job["status"] in statuses:
            return job
        if job["status"] in ("failed", "cancelled") and job["status"] not in statuses:
            raise AssertionError(f"job {job_id} ended {job['status']}: {job['error']}")
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not reach {statuses}")


def create_world(base_url: str, key: str, **fields: Any) -> Any:
    """Create a world and wait for it: the completed job."""
    job = rest(base_url, "POST", f"{WORLDS}/manifests", key, fields)
    return wait_job(base_url, key, job["id"])
