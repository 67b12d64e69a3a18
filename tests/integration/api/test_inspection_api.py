"""The inspection routes (inspection.md) over REST (in-process and standalone gateway) and
gRPC, on both engines: exact shapes, scoping, bounds at both edges, routing, and the field
additions to existing records. Search, subgraph and overview at enterprise size are the
slow tests at the end (the world is generated once per module)."""

from __future__ import annotations

from typing import Any

import grpc
import httpx
import pytest

from tests.support.grpc_client import GrpcClient
from tests.support.rest_client import RestClient, assert_envelope, field_errors
from tests.support.service import RunningService
from tests.support.tenants import Tenant
from tests.support.worlds import first_of, publish
from worlds.generator import generate_world, resolve_spec
from worlds.store import artifacts
from worlds.store.graph_index import MAX_EDGES, MAX_NODES
from worlds.v1 import inspection_pb2 as ipb
from worlds.v1 import worlds_service_pb2 as pb

PRINCIPAL_FIELDS = {"principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid",
                    "domain", "email", "department", "title", "tags"}
HOST_FIELDS = {"host_id", "hostname", "ip", "os_family", "os_version", "exposure_profile",
               "fqdn", "domain", "role", "subnet", "site", "tags"}
NODE_FIELDS = {"id", "label", "node_type", "properties"}
EDGE_FIELDS = {"id", "source", "target", "edge_type", "severity"}
CREDENTIAL_FIELDS = {"cred_id", "kind", "principal_id", "scope", "secret_ref"}
ARTIFACT_FIELDS = {"artifact_id", "artifact_type", "host_id", "metadata", "path", "template"}
NIL = "00000000-0000-0000-0000-000000000000"


@pytest.fixture(scope="module")
def small_world() -> tuple[Any, artifacts.EncodedWorld]:
    world = generate_world(resolve_spec(None, 40, 10, None, 21))
    return world, artifacts.encode_world(world)


@pytest.fixture
def published(service: RunningService, tenant: Tenant,
              small_world: tuple[Any, artifacts.EncodedWorld]) -> dict[str, Any]:
    world, encoded = small_world
    assert service.app.db is not None
    manifest_id = publish(service.app.db, tenant, encoded, 21)
    return {"id": manifest_id, "world": world, "user": first_of(world, "user"),
            "group": first_of(world, "group"),
            "host": next(h for h, d in world.hosts.items() if d["artifacts"])}


def base(tenant: Tenant, manifest_id: str) -> str:
    return f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests/{manifest_id}"


def get(rest: RestClient, tenant: Tenant, path: str) -> Any:
    response = rest.request("GET", path, tenant.reader.key)
    assert response.status_code == 200, response.text
    return response.json()


def test_basic_records(rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    world, root = published["world"], base(tenant, published["id"])
    principal = get(rest, tenant, f"{root}/principals/{published['user']}")
    source = world.principals[published["user"]]
    assert set(principal) == PRINCIPAL_FIELDS and principal["tags"] == source.get("tags", {})
    assert {k: principal[k] for k in PRINCIPAL_FIELDS - {"tags"}} == {
        k: source[k] for k in PRINCIPAL_FIELDS - {"tags"}}
    host = get(rest, tenant, f"{root}/hosts/{published['host']}")
    assert set(host) == HOST_FIELDS
    assert host["tags"] == world.hosts[published["host"]].get("tags", {})
    for name in ("ip", "os_family", "os_version", "exposure_profile", "hostname"):
        assert isinstance(host[name], str) and host[name], name
    assert host["ip"] == world.hosts[published["host"]]["ip"]
    # The basic records are not the details: no edges, services or credentials.
    assert_envelope(rest.request("GET", f"{root}/hosts/{published['user']}", tenant.reader.key),
                    404, "not_found")
    assert_envelope(rest.request("GET", f"{root}/principals/nope", tenant.reader.key), 404,
                    "not_found")


def test_details_carry_the_contracts_fields(rest: RestClient, tenant: Tenant,
                                            published: dict[str, Any]) -> None:
    root = base(tenant, published["id"])
    details = get(rest, tenant, f"{root}/principals/{published['user']}/details")
    world = published["world"]
    assert details["tags"] == world.principals[published["user"]].get("tags", {})
    assert details["credentials"], "a generated user has credentials"
    for credential in details["credentials"]:
        assert set(credential) >= CREDENTIAL_FIELDS
        assert credential["principal_id"] == published["user"]
        assert isinstance(credential["kind"], str) and isinstance(credential["cred_id"], str)
        assert credential["secret_ref"] is None or isinstance(credential["secret_ref"], str)
    assert details["credential_ids"] == [c["cred_id"] for c in details["credentials"]]
    host = get(rest, tenant, f"{root}/hosts/{published['host']}/details")
    assert host["tags"] == world.hosts[published["host"]].get("tags", {}) and host["artifacts"]
    for artifact in host["artifacts"]:
        assert set(artifact) == ARTIFACT_FIELDS
        assert artifact["host_id"] == published["host"]
        assert isinstance(artifact["metadata"], dict)


def test_manifests_jobs_and_graph_pages_carry_the_additions(
        rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    root = base(tenant, published["id"])
    manifest = get(rest, tenant, root)
    assert manifest["created_by_user"] == {"id": tenant.owner.user_id, "email": "owen@example.test",
                                           "username": "owen", "full_name": "Owen"}
    assert manifest["updated_at"] == manifest["created_at"]
    listed = get(rest, tenant, root.rsplit("/", 1)[0])["items"][0]
    assert listed["created_by_user"]["username"] == "owen"
    job = get(rest, tenant, f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/jobs/"
                            f"{manifest['source_job_id']}")
    assert job["updated_at"] is not None
    world = published["world"]
    nodes = get(rest, tenant, f"{root}/graph/nodes?limit=7&offset=3")
    assert (nodes["count"], nodes["total"]) == (7, len(world.nodes))
    edges = get(rest, tenant, f"{root}/graph/edges?offset={len(world.edges) - 2}")
    assert (edges["count"], edges["total"]) == (2, len(world.edges))
    assert set(edges["edges"][0]["data"]) == EDGE_FIELDS


def test_principal_search(rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    world, root = published["world"], base(tenant, published["id"])
    everyone = get(rest, tenant, f"{root}/principals/search?page_size=100")
    assert set(everyone) == {"items", "page", "page_size", "total"}
    assert everyone["total"] == len(world.principals)
    stored = [n["id"] for n in world.nodes if n["id"] in world.principals]
    assert [p["principal_id"] for p in everyone["items"]] == stored[:100]
    assert all(set(p) == PRINCIPAL_FIELDS for p in everyone["items"])
    sam = world.principals[published["user"]]["sam"]
    found = get(rest, tenant, f"{root}/principals/search?query={sam.upper()}")
    assert published["user"] in [p["principal_id"] for p in found["items"]]
    expected = [key for key in stored
                if any(sam.lower() in str(world.principals[key].get(f) or "").lower()
                       for f in ("sam", "upn", "email", "principal_id"))
                or sam.lower() in next(n["label"] for n in world.nodes if n["id"] == key).lower()]
    assert found["total"] == len(expected)
    groups = get(rest, tenant, f"{root}/principals/search?principal_type=group&page=2&page_size=5")
    assert groups["page"] == 2 and len(groups["items"]) == 5
    assert all(p["principal_type"] == "group" for p in groups["items"])
    assert groups["total"] == sum(p["principal_type"] == "group" for p in world.principals.values())
    by_id = get(rest, tenant, f"{root}/principals/search?query={published['group']}")
    assert [p["principal_id"] for p in by_id["items"]][:1] == [published["group"]]
    assert get(rest, tenant, f"{root}/principals/search?query=zz-no-such")["total"] == 0
    assert get(rest, tenant, f"{root}/principals/search?principal_type=gpo")["items"] == []
    past = get(rest, tenant, f"{root}/principals/search?page=99")
    assert past["items"] == [] and past["total"] == len(world.principals)


def test_subgraph(rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    world, root = published["world"], base(tenant, published["id"])
    user = published["user"]
    sub = get(rest, tenant, f"{root}/graph/subgraph?center={user}&depth=1")
    assert set(sub) == {"center", "depth", "nodes", "edges", "truncated"}
    assert (sub["center"], sub["depth"], sub["truncated"]) == (user, 1, False)
    ids = [n["data"]["id"] for n in sub["nodes"]]
    neighbours = {e["target"] for e in world.edges if e["source"] == user} | {
        e["source"] for e in world.edges if e["target"] == user}
    assert ids[0] == user and set(ids) == neighbours | {user}
    inside = set(ids)
    assert {e["data"]["id"] for e in sub["edges"]} == {
        e["id"] for e in world.edges if e["source"] in inside and e["target"] in inside}
    assert set(sub["nodes"][0]["data"]) == NODE_FIELDS
    assert set(sub["edges"][0]["data"]) == EDGE_FIELDS
    default = get(rest, tenant, f"{root}/graph/subgraph?center={user}")
    assert default["depth"] == 2 and len(default["nodes"]) >= len(sub["nodes"])
    deepest = get(rest, tenant, f"{root}/graph/subgraph?center={user}&depth=4")
    assert len(deepest["nodes"]) >= len(default["nodes"])
    assert_envelope(rest.request("GET", f"{root}/graph/subgraph?center=nope", tenant.reader.key),
                    404, "not_found")


def test_overview(rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    world, root = published["world"], base(tenant, published["id"])
    overview = get(rest, tenant, f"{root}/graph/overview")
    assert set(overview) == {"nodes", "edges", "count", "edge_count", "grouping"}
    assert overview["grouping"] == "semantic"
    assert overview["count"] == len(overview["nodes"]) <= 80
    assert overview["edge_count"] == len(overview["edges"]) <= 200
    assert sum(n["data"]["properties"]["count"] for n in overview["nodes"]) == len(world.nodes)
    for node in overview["nodes"]:
        assert set(node["data"]) == NODE_FIELDS
    for edge in overview["edges"]:
        assert {"id", "source", "target", "edge_type", "severity", "count"} == set(edge["data"])
    labels = {n["data"]["id"]: n["data"]["label"] for n in overview["nodes"]}
    assert labels["agg:corp.local:users"].startswith("corp.local users (")
    tight = get(rest, tenant, f"{root}/graph/overview?max_nodes=1&max_edges=1")
    assert (tight["count"], tight["edge_count"]) == (1, 1)
    assert tight["nodes"][0]["data"]["properties"]["count"] == len(world.nodes)
    widest = get(rest, tenant, f"{root}/graph/overview?max_nodes=500&max_edges=2000")
    assert sum(e["data"]["count"] for e in widest["edges"]) == len(world.edges)


def test_bounds_at_both_edges(rest: RestClient, tenant: Tenant, published: dict[str, Any]) -> None:
    root, user = base(tenant, published["id"]), published["user"]
    bad = [
        (f"/graph/subgraph?center={user}&depth=0", ("query", "depth"), "greater_than_equal"),
        (f"/graph/subgraph?center={user}&depth=5", ("query", "depth"), "less_than_equal"),
        ("/graph/subgraph?depth=1", ("query", "center"), "string_too_short"),
        ("/graph/overview?max_nodes=0", ("query", "max_nodes"), "greater_than_equal"),
        ("/graph/overview?max_nodes=501", ("query", "max_nodes"), "less_than_equal"),
        ("/graph/overview?max_edges=0", ("query", "max_edges"), "greater_than_equal"),
        ("/graph/overview?max_edges=2001", ("query", "max_edges"), "less_than_equal"),
        ("/principals/search?page=0", ("query", "page"), "greater_than_equal"),
        ("/principals/search?page_size=0", ("query", "page_size"), "greater_than_equal"),
        ("/principals/search?page_size=101", ("query", "page_size"), "less_than_equal"),
        ("/principals/search?query=" + "q" * 257, ("query", "query"), "string_too_long"),
        ("/principals/search?principal_type=", ("query", "principal_type"), "string_too_short"),
        ("/principals/" + "p" * 129, ("path", "principal_id"), "string_too_long"),
    ]
    for path, loc, kind in bad:
        body = assert_envelope(rest.request("GET", root + path, tenant.reader.key), 422,
                               "validation_error")
        assert field_errors(body) == {loc: kind}, path
        assert body["detail"] == f"{loc[1]}: {body['errors'][0]['msg']}", path
    for path in (f"/graph/subgraph?center={user}&depth=1", f"/graph/subgraph?center={user}&depth=4",
                 "/graph/overview?max_nodes=1&max_edges=1",
                 "/graph/overview?max_nodes=500&max_edges=2000",
                 "/principals/search?page_size=1", "/principals/search?page_size=100",
                 "/principals/search?query=" + "q" * 256):
        get(rest, tenant, root + path)


def test_another_workspaces_manifest_is_404(rest: RestClient, service: RunningService,
                                            tenant: Tenant, published: dict[str, Any],
                                            small_world: tuple[Any, artifacts.EncodedWorld]) -> None:
    assert service.app.db is not None
    other_ws = service.run_db(lambda conn: __import__(
        "worlds.store.tenancy", fromlist=["x"]).workspace_id_by_slugs(conn, tenant.org, "blue"))
    foreign = publish(service.app.db, tenant, small_world[1], 22, workspace_id=other_ws)
    user, host = published["user"], published["host"]
    root = base(tenant, foreign)
    for path in (f"/principals/{user}", f"/hosts/{host}", "/principals/search",
                 f"/graph/subgraph?center={user}", "/graph/overview"):
        assert_envelope(rest.request("GET", root + path, tenant.owner.key), 404, "not_found")
        # The outsider owns blue but is no member of red: the workspace itself is hidden.
        mine = f"/api/v1/org/{tenant.org}/ws/{tenant.workspace}/worlds/manifests/{published['id']}"
        assert_envelope(rest.request("GET", mine + path, tenant.outsider.key), 404, "not_found")


def test_search_wins_over_a_principal_named_search(rest: RestClient, tenant: Tenant,
                                                   published: dict[str, Any]) -> None:
    body = get(rest, tenant, base(tenant, published["id"]) + "/principals/search")
    assert "items" in body


def test_errors_other_clients_can_read(rest: RestClient, tenant: Tenant,
                                       published: dict[str, Any]) -> None:
    unknown = rest.request("GET", "/api/v1/org/acme/ws/red/worlds/nowhere", tenant.reader.key)
    body = assert_envelope(unknown, 404, "not_found")
    assert body["detail"] == "No route matches GET /api/v1/org/acme/ws/red/worlds/nowhere"
    nil = rest.request("GET", f"/api/v1/org/acme/ws/red/worlds/manifests/{NIL}", tenant.reader.key)
    body = assert_envelope(nil, 422, "validation_error")
    assert body["detail"] == "manifest_id: is not a valid id (the nil UUID)"


def test_the_same_over_grpc(grpc_client: GrpcClient, tenant: Tenant,
                            published: dict[str, Any]) -> None:
    scope = {"org": tenant.org, "workspace": tenant.workspace, "manifest_id": published["id"]}
    key, user = tenant.reader.key, published["user"]
    principal = grpc_client.call("GetPrincipal", ipb.GetPrincipalRequest(
        **scope, principal_id=user), key).principal
    assert principal.principal_id == user
    assert principal.HasField("upn") is (published["world"].principals[user]["upn"] is not None)
    host = grpc_client.call("GetHost", ipb.GetHostRequest(**scope, host_id=published["host"]),
                            key).host
    assert host.ip and host.exposure_profile
    found = grpc_client.call("SearchPrincipals", ipb.SearchPrincipalsRequest(
        **scope, principal_type="user", page_size=3), key)
    assert len(found.items) == 3 and found.total == sum(
        p["principal_type"] == "user" for p in published["world"].principals.values())
    sub = grpc_client.call("GetSubgraph", ipb.GetSubgraphRequest(**scope, center=user, depth=1),
                           key)
    assert sub.nodes[0].data.id == user and not sub.truncated
    overview = grpc_client.call("GetGraphOverview", ipb.GetGraphOverviewRequest(
        **scope, max_nodes=3), key)
    assert overview.count == 3 and overview.grouping == "semantic"
    page = grpc_client.call("ListGraphNodes", pb.ListGraphNodesRequest(**scope, limit=5), key)
    assert page.count == 5 and page.total == len(published["world"].nodes)
    failure = grpc_client.fail("GetSubgraph", ipb.GetSubgraphRequest(**scope, center=user,
                                                                      depth=9), key)
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.violations["depth"][1] == "less_than_equal"
    assert grpc_client.fail("GetSubgraph", ipb.GetSubgraphRequest(**scope, center="nope"),
                            key).code == grpc.StatusCode.NOT_FOUND


# -- enterprise size -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def enterprise_world() -> tuple[Any, artifacts.EncodedWorld]:
    world = generate_world(resolve_spec("enterprise", None, None, None, 7))
    return world, artifacts.encode_world(world)


@pytest.mark.slow
def test_search_subgraph_and_overview_of_an_enterprise_world(
        service: RunningService, tenant: Tenant,
        enterprise_world: tuple[Any, artifacts.EncodedWorld]) -> None:
    world, encoded = enterprise_world
    assert service.app.db is not None
    manifest_id = publish(service.app.db, tenant, encoded, 7)
    client = httpx.Client(base_url=service.base_url + base(tenant, manifest_id),
                          headers={"X-API-Key": tenant.reader.key}, timeout=120)
    try:
        def read(path: str) -> Any:
            response = client.get(path)
            assert response.status_code == 200, response.text
            return response.json()

        assert len(world.nodes) > 60_000
        users = read("/principals/search?principal_type=user&page_size=100")
        assert users["total"] == 50_000 and len(users["items"]) == 100
        user = users["items"][50]
        hit = read(f"/principals/search?query={user['sam']}")
        assert user["principal_id"] in [p["principal_id"] for p in hit["items"]]
        domain_users = next(key for key, p in world.principals.items()
                            if p["sam"] == "Domain Users")
        sub = read(f"/graph/subgraph?center={domain_users}&depth=1")
        assert sub["truncated"] is True
        assert len(sub["nodes"]) == MAX_NODES and len(sub["edges"]) <= MAX_EDGES
        assert sub["nodes"][0]["data"]["id"] == domain_users
        ids = {n["data"]["id"] for n in sub["nodes"]}
        assert all(e["data"]["source"] in ids and e["data"]["target"] in ids
                   for e in sub["edges"])
        around = read(f"/graph/subgraph?center={user['principal_id']}&depth=2")
        assert around["truncated"] is True and len(around["nodes"]) == MAX_NODES
        overview = read("/graph/overview")
        assert overview["count"] <= 80 and overview["edge_count"] <= 200
        assert sum(n["data"]["properties"]["count"] for n in overview["nodes"]) == len(world.nodes)
        users_of = {n["data"]["id"]: n["data"]["properties"]["count"] for n in overview["nodes"]}
        assert users_of["agg:corp.local:users"] > 10_000
    finally:
        client.close()
