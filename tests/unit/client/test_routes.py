"""Each RPC's REST path comes from the proto's google.api.http rule."""

from __future__ import annotations

from worlds.client.routes import path, rule


def test_rules_are_the_protos() -> None:
    assert rule("CreateManifestJob") == ("POST", "/api/v1/org/{org}/ws/{workspace}/worlds/manifests")
    assert rule("GetJob") == ("GET", "/api/v1/org/{org}/ws/{workspace}/worlds/jobs/{job_id}")


def test_paths_come_from_the_proto_with_each_value_one_segment() -> None:
    values = {"org": "o", "workspace": "w s", "manifest_id": "a/b", "host_id": ".."}
    assert path("GetHostDetails", values) == (
        "/api/v1/org/o/ws/w%20s/worlds/manifests/a%2Fb/hosts/%2E%2E/details")
