"""POST …/trajectories honours Idempotency-Key like every create: the same key and body return
the first job, another body is a 409 conflict naming the key; on both engines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support.rest_client import RestClient, assert_envelope
from tests.support.service import RunningService
from tests.support.tenants import Tenant


@pytest.fixture
def http(service: RunningService) -> Iterator[RestClient]:
    client = RestClient(service.base_url)
    yield client
    client.close()


def test_a_retried_trajectory_create_returns_the_first_job(
        http: RestClient, tenant: Tenant, manifest: dict[str, Any]) -> None:
    path = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/trajectories"
    body = {"manifest_id": manifest["id"], "count": 2, "seed": 1}
    headers = {"Idempotency-Key": "traj-1"}
    first = http.request("POST", path, tenant.owner.key, json=body, headers=headers)
    again = http.request("POST", path, tenant.owner.key, json=body, headers=headers)
    assert first.status_code == again.status_code, (first.text, again.text)
    assert first.status_code < 300
    assert again.json()["id"] == first.json()["id"]
    other = http.request("POST", path, tenant.owner.key, json={**body, "count": 3}, headers=headers)
    assert "traj-1" in assert_envelope(other, 409, "conflict")["detail"]
    # The key of a manifest create is another method's: reusing it here is a conflict too.
    manifests = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests"
    assert http.request("POST", manifests, tenant.owner.key, json={},
                        headers={"Idempotency-Key": "m-1"}).status_code == 202
    assert_envelope(http.request("POST", path, tenant.owner.key, json=body,
                                 headers={"Idempotency-Key": "m-1"}), 409, "conflict")
