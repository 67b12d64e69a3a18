"""Primitives: each new edge joins the kinds of objects its name promises, and
the facts a sampler needs (roasting, LAPS, shared local admin passwords) are on the
nodes and in the records' `tags`."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from worlds.generator import World, generate_world, resolve_spec
from worlds.generator.spec import SECURITY_LEVELS


@pytest.fixture(scope="module")
def worlds() -> dict[str, World]:
    return {level: generate_world(resolve_spec("medium", None, None, None, 7,
                                               security_level=level))
            for level in SECURITY_LEVELS}


def _nodes(world: World) -> dict[str, dict]:
    return {node["id"]: node for node in world.nodes}


def _edges(world: World, edge_type: str) -> list[dict]:
    return [edge for edge in world.edges if edge["edge_type"] == edge_type]


@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_edges_join_the_kinds_their_names_promise(worlds, level):
    world = worlds[level]
    nodes = _nodes(world)

    def kind(node_id: str) -> str:
        return nodes[node_id]["node_type"]

    for edge in _edges(world, "ReadLAPSPassword"):
        assert kind(edge["target"]) == "computer"
        assert nodes[edge["target"]]["properties"]["laps"] is True
    for edge in _edges(world, "ReadGMSAPassword"):
        assert nodes[edge["target"]]["properties"]["gmsa"] is True
    for edge in _edges(world, "AllowedToAct"):
        assert kind(edge["target"]) == "computer"
    for edge in _edges(world, "AddKeyCredentialLink"):
        assert kind(edge["target"]) in ("user", "computer")
    for edge in _edges(world, "WriteSPN"):
        assert kind(edge["target"]) == "user"
    for edge in _edges(world, "HasSIDHistory"):
        assert kind(edge["source"]) == "user"
        sid = world.principals[edge["target"]]["sid"]
        assert sid in nodes[edge["source"]]["properties"]["sid_history"]
        assert sid in world.principals[edge["source"]]["tags"]["sid_history"]
    for edge in _edges(world, "SQLAdmin"):
        assert kind(edge["source"]) == "user"
        assert world.hosts[edge["target"]]["tags"]["mssql_instance"]
    for edge in _edges(world, "Enroll"):
        assert kind(edge["target"]) == "CertTemplate"
    for name in ("ADCSESC1", "ADCSESC3", "ADCSESC4"):
        for edge in _edges(world, name):
            assert kind(edge["target"]) == "domain"
            assert edge["severity"] == "critical"


def test_adcs_objects_are_nodes(worlds):
    types = Counter(node["node_type"] for node in worlds["typical"].nodes)
    assert types["EnterpriseCA"] >= 1 and types["NTAuthStore"] == 1
    assert types["CertTemplate"] >= 8
    templates = [n for n in worlds["typical"].nodes if n["node_type"] == "CertTemplate"]
    assert any("ESC1" in n["properties"]["vulnerable_to"] for n in templates)


@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_roasting_facts_agree_with_credentials(worlds, level):
    world = worlds[level]
    nodes = _nodes(world)
    for principal_id, principal in world.principals.items():
        if principal["principal_type"] != "user":
            continue
        properties = nodes[principal_id]["properties"]
        assert properties["hasspn"] is properties["has_spn"]
        assert properties["dontreqpreauth"] is properties["dont_require_preauth"]
        assert properties["password_crackable"] is principal["credentials"][0]["crackable"]
        for key in ("hasspn", "dontreqpreauth", "password_crackable"):
            assert principal["tags"][key] is properties[key]


def test_weaker_levels_have_weaker_passwords(worlds):
    def crackable(world: World) -> int:
        return sum(n["properties"].get("password_crackable") is True for n in world.nodes)

    counts = [crackable(worlds[level]) for level in SECURITY_LEVELS]
    assert counts[0] < counts[1] < counts[2]


@pytest.mark.parametrize("level", SECURITY_LEVELS)
def test_hosts_without_laps_share_local_admin_passwords(worlds, level):
    world = worlds[level]
    nodes = _nodes(world)
    shared: defaultdict[str, list[str]] = defaultdict(list)
    for host_id, host in world.hosts.items():
        properties = nodes[host_id]["properties"]
        password_id = properties["local_admin_password_id"]
        assert host["tags"]["local_admin_password_id"] == password_id
        member = host["os_family"] == "windows" and host["role"] != "domain_controller"
        assert (password_id is None) == (not member or properties["laps"])
        if password_id is not None:
            shared[password_id].append(host_id)
    groups = [hosts for hosts in shared.values() if len(hosts) > 1]
    assert groups, "no two hosts share a local administrator password"
    admin_pairs = {(e["source"], e["target"]) for e in _edges(world, "AdminTo")}
    for hosts in groups:
        hub = hosts[0]
        assert all((h, hub) in admin_pairs and (hub, h) in admin_pairs for h in hosts[1:])


def test_laps_coverage_follows_the_level(worlds):
    def laps_share(world: World) -> float:
        flags = [n["properties"]["laps"] for n in world.nodes if n["node_type"] == "computer"]
        return sum(flags) / len(flags)

    shares = [laps_share(worlds[level]) for level in SECURITY_LEVELS]
    assert shares[0] > shares[1] > shares[2]


def test_vulnerable_worlds_carry_the_classic_tier0_misconfigurations(worlds):
    world = worlds["vulnerable"]
    names = {pid: p["sam"] for pid, p in world.principals.items()}
    write_dacl = {(names.get(e["source"]), e["target"]) for e in _edges(world, "WriteDacl")}
    assert ("Exchange Windows Permissions", "d0") in write_dacl
    dcsync = {names.get(e["source"], "") for e in _edges(world, "DCSync")}
    assert any(name.startswith("MSOL_") for name in dcsync)
    tier0_targets = [e for e in world.edges if e["edge_type"] == "GenericAll"
                     and e["target"] == next(pid for pid, p in world.principals.items()
                                             if p["sid"].endswith("-512"))
                     and e["source"] != e["target"]]
    assert tier0_targets, "no AdminSDHolder-style ACE on Domain Admins"


def test_domain_users_route_only_at_vulnerable(worlds):
    for level in SECURITY_LEVELS:
        world = worlds[level]
        domain_users = {pid for pid, p in world.principals.items() if p["sid"].endswith("-513")}
        escalations = [e for e in world.edges
                       if e["edge_type"].startswith("ADCSESC") and e["source"] in domain_users]
        assert bool(escalations) == (level == "vulnerable")
