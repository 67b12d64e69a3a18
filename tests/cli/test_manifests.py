"""manifest-create, manifest-list, manifest-get, graph-nodes, graph-edges, host-details and
principal-details against a real server, in JSON and as tables."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.conftest import Rest, worlds
from tests.support.served import Served


@pytest.fixture(scope="module")
def world(busy: Served, busy_rest: Rest) -> dict[str, Any]:
    """A completed small world, made by the command and waited for over REST."""
    job = worlds(busy, "manifest-create", "--preset", "small", "--seed", "42", "--name", "lab",
                 "--domain", "corp.test", "--json").json()
    done = busy_rest.wait_done(job["id"])
    assert done["status"] == "completed", done
    return done


def test_manifest_create_enqueues_a_job_with_every_flag(idle: Served, idle_rest: Rest) -> None:
    job = worlds(idle, "manifest-create", "--preset", "medium", "--seed", "7", "--num-users", "30",
                 "--num-hosts", "12", "--domain", "a.test", "--domain", "b.test", "--name", "both",
                 "--project-id", idle_rest.create()["project_id"], "--json").json()
    assert (job["kind"], job["status"], job["resource_type"]) == ("manifest_generation", "queued", "manifest")
    assert idle_rest.job(job["id"])["id"] == job["id"]


def test_manifest_create_quiet_prints_only_the_job_id(idle: Served, idle_rest: Rest) -> None:
    done = worlds(idle, "manifest-create", "-q")
    assert done.code == 0
    assert idle_rest.job(done.out.strip())["status"] == "queued"
    assert done.out.count("\n") == 1


def test_manifest_create_shows_the_job_and_what_to_do_next(idle: Served) -> None:
    done = worlds(idle, "manifest-create", "--preset", "small")
    assert done.code == 0
    assert "status:" in done.out and "queued" in done.out
    assert "worlds job-wait" in done.err


def test_field_errors_are_named_as_the_flags(idle: Served) -> None:
    done = worlds(idle, "manifest-create", "--num-hosts", "0", "--domain", "ok.test", "--domain", "bad..name")
    assert done.code == 1 and done.out == ""
    assert "num_hosts: must be between 1 and 10000 (422 validation_error)" in done.err
    assert "--num-hosts: must be between 1 and 10000" in done.err
    assert "--domain[1]:" in done.err


def test_the_rest_names_of_the_fields_are_flags_too(idle: Served) -> None:
    """--num_hosts and --domains reach the request (the server's 422 names them back as the
    command's own flags); --page-size is --limit."""
    done = worlds(idle, "manifest-create", "--num_hosts", "0", "--domains", "bad..name")
    assert done.code == 1 and done.out == ""
    assert "--num-hosts: must be between 1 and 10000" in done.err and "--domain[0]:" in done.err
    listed = worlds(idle, "job-list", "--page-size", "1", "--json").json()
    assert listed["page_size"] == 1 and len(listed["items"]) <= 1


def test_manifest_get(busy: Served, world: dict[str, Any]) -> None:
    manifest = worlds(busy, "manifest-get", world["resource_id"], "--json").json()
    assert manifest["id"] == world["resource_id"] and manifest["source_job_id"] == world["id"]
    assert (manifest["name"], manifest["preset"], manifest["seed"]) == ("lab", "small", 42)
    assert manifest["stats"]["domains"] == ["corp.test"]
    table = worlds(busy, "manifest-get", world["resource_id"]).out
    assert f"hosts:       {manifest['stats']['total_hosts']}" in table
    assert "corp.test" in table


def test_manifest_list(busy: Served, world: dict[str, Any]) -> None:
    page = worlds(busy, "manifest-list", "--json").json()
    assert world["resource_id"] in [m["id"] for m in page["items"]]
    assert page["total"] >= 1
    table = worlds(busy, "manifest-list", "--limit", "1").out.splitlines()
    assert table[0].split() == ["ID", "NAME", "PRESET", "SEED", "HOSTS", "PRINCIPALS", "EDGES", "CREATED"]
    assert table[-1] == f"1 of {page['total']} manifest{'s' if page['total'] != 1 else ''}"


def nodes(served: Served, manifest_id: str, *args: str) -> list[dict[str, Any]]:
    return [n["data"] for n in worlds(served, "graph-nodes", manifest_id, *args, "--json").json()["nodes"]]


def test_graph_nodes_pages(busy: Served, world: dict[str, Any]) -> None:
    first = nodes(busy, world["resource_id"], "--limit", "5")
    second = nodes(busy, world["resource_id"], "--limit", "5", "--offset", "5")
    assert len(first) == len(second) == 5
    assert not {n["id"] for n in first} & {n["id"] for n in second}
    table = worlds(busy, "graph-nodes", world["resource_id"], "--limit", "3").out.splitlines()
    assert table[0].split() == ["ID", "TYPE", "LABEL"] and len(table) == 5
    assert table[1].startswith(first[0]["id"])
    total = worlds(busy, "graph-nodes", world["resource_id"], "--limit", "1", "--json").json()["total"]
    assert table[-1] == f"3 of {total:,} nodes (from offset 0); next page: --offset 3"


def test_graph_edges_pages(busy: Served, world: dict[str, Any]) -> None:
    edges = worlds(busy, "graph-edges", world["resource_id"], "--limit", "4", "--offset", "1",
                   "--json").json()["edges"]
    assert len(edges) == 4 and {"id", "source", "target", "edge_type", "severity"} <= set(edges[0]["data"])
    table = worlds(busy, "graph-edges", world["resource_id"], "--limit", "2").out.splitlines()
    assert table[0].split() == ["ID", "TYPE", "SEVERITY", "SOURCE", "TARGET"] and len(table) == 4
    assert table[-1].startswith("2 of ") and table[-1].endswith("; next page: --offset 2")


def test_graph_limit_out_of_bounds_is_the_servers_422(busy: Served, world: dict[str, Any]) -> None:
    done = worlds(busy, "graph-nodes", world["resource_id"], "--limit", "5001")
    assert done.code == 1 and "--limit:" in done.err


def test_host_and_principal_details(busy: Served, world: dict[str, Any]) -> None:
    every = nodes(busy, world["resource_id"], "--limit", "5000")
    host_id = next(n["id"] for n in every if n["node_type"] == "computer")
    user_id = next(n["id"] for n in every if n["node_type"] == "user")

    host = worlds(busy, "host-details", world["resource_id"], host_id, "--json").json()
    assert host["host_id"] == host_id and host["domain"] == "corp.test"
    table = worlds(busy, "host-details", world["resource_id"], host_id).out
    assert f"hostname:          {host['hostname']}" in table
    assert f"services ({len(host['services'])})" in table

    principal = worlds(busy, "principal-details", world["resource_id"], user_id, "--json").json()
    assert principal["principal_id"] == user_id and principal["principal_type"] == "user"
    table = worlds(busy, "principal-details", world["resource_id"], user_id).out
    assert f"sam:             {principal['sam']}" in table
    assert f"member of ({len(principal['membership_ids'])})" in table


def test_unknown_host_is_not_found(busy: Served, world: dict[str, Any]) -> None:
    done = worlds(busy, "host-details", world["resource_id"], "no-such-host")
    assert done.code == 1 and "(404 not_found)" in done.err and done.out == ""
