"""Each RPC's REST path comes from the proto's google.api.http rule, through the table
scripts/gen-protos writes (worlds/v1/http_routes.py)."""

from __future__ import annotations

from pathlib import Path

from worlds.client import routegen
from worlds.client.routes import path, path_variables, request_fields, rule
from worlds.v1 import http_routes


def test_rules_are_the_protos() -> None:
    assert rule("CreateManifestJob") == ("POST", "/api/v1/org/{org}/ws/{workspace}/worlds/manifests")
    assert rule("GetJob") == ("GET", "/api/v1/org/{org}/ws/{workspace}/worlds/jobs/{job_id}")
    assert path_variables("GetJob") == {"org", "workspace", "job_id"}
    assert request_fields("ListJobs")[:4] == ("org", "workspace", "page", "page_size")


def test_the_committed_table_is_the_one_the_protos_give() -> None:
    """The freshness check of scripts/gen-protos --check, inside the test suite."""
    assert Path(http_routes.__file__).read_text() == routegen.render()


def test_paths_come_from_the_proto_with_each_value_one_segment() -> None:
    values = {"org": "o", "workspace": "w s", "manifest_id": "a/b", "host_id": ".."}
    assert path("GetHostDetails", values) == (
        "/api/v1/org/o/ws/w%20s/worlds/manifests/a%2Fb/hosts/%2E%2E/details")
