"""subgraph, overview, principals, principal and host against a real server, in JSON and as
tables, with their paging footers and exit codes."""

from __future__ import annotations

from typing import Any

from tests.cli.conftest import Rest, worlds
from tests.cli.test_manifests import world  # noqa: F401  (the module's small world)
from tests.support.served import Served


def _a_user(busy: Served, manifest_id: str) -> dict[str, Any]:
    page = worlds(busy, "principals", manifest_id, "--type", "user", "--limit", "2", "--json").json()
    assert page["total"] > 2 and len(page["items"]) == 2
    return page["items"][1]


def test_principals_search_and_one_principal(busy: Served, world: dict[str, Any]) -> None:  # noqa: F811
    manifest_id = world["resource_id"]
    user = _a_user(busy, manifest_id)
    found = worlds(busy, "principals", manifest_id, "--query", user["sam"], "--json").json()
    assert user["principal_id"] in [p["principal_id"] for p in found["items"]]
    table = worlds(busy, "principals", manifest_id, "--limit", "3").out.splitlines()
    assert table[0].split() == ["ID", "TYPE", "SAM", "DOMAIN", "ENABLED"] and len(table) == 5
    assert table[-1].startswith("3 of ") and table[-1].endswith(" principals")
    record = worlds(busy, "principal", manifest_id, user["principal_id"], "--json").json()
    assert record == user
    shown = worlds(busy, "principal", manifest_id, user["principal_id"]).out
    assert user["sam"] in shown and "credentials" not in shown


def test_host_record(busy: Served, busy_rest: Rest, world: dict[str, Any]) -> None:  # noqa: F811
    manifest_id = world["resource_id"]
    nodes = busy_rest.call("GET", f"/manifests/{manifest_id}/graph/nodes?limit=200").json()["nodes"]
    host_id = next(n["data"]["id"] for n in nodes if n["data"]["node_type"] == "computer")
    host = worlds(busy, "host", manifest_id, host_id, "--json").json()
    assert host["host_id"] == host_id and isinstance(host["tags"], dict) and "services" not in host
    assert host_id in worlds(busy, "host", manifest_id, host_id).out
    missing = worlds(busy, "host", manifest_id, "no-such-host")
    assert missing.code == 1 and "(404 not_found)" in missing.err


def test_subgraph_and_overview(busy: Served, world: dict[str, Any]) -> None:  # noqa: F811
    manifest_id = world["resource_id"]
    user = _a_user(busy, manifest_id)
    sub = worlds(busy, "subgraph", manifest_id, user["principal_id"], "--depth", "1", "--json").json()
    assert sub["center"] == user["principal_id"] and sub["depth"] == 1
    shown = worlds(busy, "subgraph", manifest_id, user["principal_id"], "--depth", "1").out
    assert shown.splitlines()[-1] == (f"{len(sub['nodes'])} nodes and {len(sub['edges'])} edges "
                                      f"within 1 hops of {user['principal_id']}")
    bad = worlds(busy, "subgraph", manifest_id, user["principal_id"], "--depth", "5")
    assert bad.code == 1 and "depth: must be between 1 and 4" in bad.err
    overview = worlds(busy, "overview", manifest_id, "--max-nodes", "4", "--json").json()
    assert overview["count"] == 4 and overview["grouping"] == "semantic"
    table = worlds(busy, "overview", manifest_id, "--max-nodes", "4").out
    assert "groups (4)" in table and table.splitlines()[-1] == "grouping: semantic"
