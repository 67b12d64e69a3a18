"""Structural invariants of generated worlds: ids, references, counts, value sets."""

from __future__ import annotations

import ipaddress
import re
from collections import Counter

import pytest

from worlds.generator.edges import EDGE_TYPES
from worlds.generator.services import AUTH_KINDS

HOST_KEYS = {"host_id", "hostname", "fqdn", "domain", "ip", "os_family", "os_version", "role",
             "subnet", "site", "exposure_profile", "services", "artifacts", "tags"}
SERVICE_KEYS = {"service_id", "name", "port", "proto", "product", "version", "state", "auth",
                "banner_ref"}
PRINCIPAL_KEYS = {"principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid", "domain",
                  "email", "department", "title", "membership_ids", "credentials", "tags"}
NODE_TYPES = {"domain", "ou", "group", "user", "computer", "gpo", "EnterpriseCA", "CertTemplate",
              "NTAuthStore"}
SEVERITIES = {"info", "low", "medium", "high", "critical"}
ROLES = {"domain_controller", "server", "workstation"}
EXPOSURES = {"internet", "external", "dmz", "internal", "isolated"}
DOMAIN_SID = re.compile(r"^S-1-5-21-\d{1,10}-\d{1,10}-\d{1,10}$")

WORLDS = [
    pytest.param(("small", None, None, None, 1), id="small"),
    pytest.param(("medium", None, None, None, 2), id="medium"),
    pytest.param(
        ("medium", 700, 90, ("corp.local", "emea.corp.local", "acme.test"), 3), id="3-domains"
    ),
    pytest.param((None, 1, 1, None, 4), id="minimal"),
    pytest.param((None, 1, 1, ("a.local", "b.a.local"), 5), id="minimal-2-domains"),
]


@pytest.fixture(params=WORLDS)
def world(request, make_world):
    return make_world(*request.param)


def test_stats_match_contents(world):
    assert world.stats["total_hosts"] == len(world.hosts)
    assert world.stats["total_principals"] == len(world.principals)
    assert world.stats["total_edges"] == len(world.edges)
    assert world.stats["domains"] == list(world.spec.domains)
    assert isinstance(world.stats["network_id"], str)


def test_requested_counts_are_exact(world):
    kinds = Counter(p["principal_type"] for p in world.principals.values())
    assert kinds["user"] == world.spec.num_users
    assert len(world.hosts) == world.spec.num_hosts
    assert kinds["computer"] == world.spec.num_hosts


def test_ids_are_unique_and_lists_ordered(world):
    node_ids = [node["id"] for node in world.nodes]
    edge_ids = [edge["id"] for edge in world.edges]
    assert len(set(node_ids)) == len(node_ids)
    assert len(set(edge_ids)) == len(edge_ids)
    assert node_ids == sorted(node_ids)
    assert edge_ids == sorted(edge_ids)


def test_edges_connect_existing_nodes_with_known_severity(world):
    node_ids = {node["id"] for node in world.nodes}
    for edge in world.edges:
        assert set(edge) == {"id", "source", "target", "edge_type", "severity"}
        assert edge["source"] in node_ids and edge["target"] in node_ids
        assert edge["severity"] in SEVERITIES
        assert edge["edge_type"] in EDGE_TYPES
    assert {node["node_type"] for node in world.nodes} <= NODE_TYPES


def test_every_host_has_a_computer_node_and_account(world):
    nodes = {node["id"]: node for node in world.nodes}
    for host_id, host in world.hosts.items():
        assert set(host) == HOST_KEYS
        assert host["host_id"] == host_id
        assert nodes[host_id]["node_type"] == "computer"
        assert world.principals[host_id]["principal_type"] == "computer"
    assert sum(node["node_type"] == "computer" for node in world.nodes) == len(world.hosts)


def test_hosts_sit_inside_their_subnet(world):
    for host in world.hosts.values():
        assert ipaddress.ip_address(host["ip"]) in ipaddress.ip_network(host["subnet"])
    ips = [host["ip"] for host in world.hosts.values()]
    assert len(set(ips)) == len(ips)
    fqdns = [host["fqdn"] for host in world.hosts.values()]
    assert len(set(fqdns)) == len(fqdns)


def test_host_values_come_from_allowed_sets(world):
    for host in world.hosts.values():
        assert host["role"] in ROLES
        assert host["exposure_profile"] in EXPOSURES
        assert host["domain"] in world.spec.domains
        assert host["fqdn"] == f"{host['hostname'].lower()}.{host['domain']}"
        service_ids = [service["service_id"] for service in host["services"]]
        assert len(set(service_ids)) == len(service_ids)
        for service in host["services"]:
            assert set(service) == SERVICE_KEYS
            assert service["proto"] in {"tcp", "udp"}
            assert service["state"] in {"open", "filtered"}
            assert service["auth"] in AUTH_KINDS


def test_each_domain_has_a_dc_while_hosts_last(world):
    roles_by_domain = Counter(
        host["domain"] for host in world.hosts.values() if host["role"] == "domain_controller"
    )
    hosted_domains = {host["domain"] for host in world.hosts.values()}
    assert set(roles_by_domain) == hosted_domains
    assert roles_by_domain[world.spec.domains[0]] >= 1


def test_memberships_reference_groups(world):
    for principal_id, principal in world.principals.items():
        assert set(principal) == PRINCIPAL_KEYS
        assert principal["principal_id"] == principal_id
        for group_id in principal["membership_ids"]:
            assert world.principals[group_id]["principal_type"] == "group"


def test_memberships_and_member_of_edges_agree(world):
    member_of = {(e["source"], e["target"]) for e in world.edges if e["edge_type"] == "MemberOf"}
    granted = {(pid, gid) for pid, p in world.principals.items() for gid in p["membership_ids"]}
    assert member_of == granted


def test_groups_have_null_user_only_fields(world):
    for principal in world.principals.values():
        if principal["principal_type"] == "group":
            assert principal["upn"] is principal["email"] is None
            assert principal["department"] is principal["title"] is None


def test_privileged_groups_carry_well_known_sids(world):
    by_domain: dict[str, dict[str, str]] = {}
    for principal in world.principals.values():
        if principal["principal_type"] == "group":
            by_domain.setdefault(principal["domain"], {})[principal["sam"]] = principal["sid"]
    root = world.spec.domains[0]
    for domain in world.spec.domains:
        sids = by_domain[domain]
        domain_sid = sids["Domain Admins"].removesuffix("-512")
        assert DOMAIN_SID.match(domain_sid)
        assert sids["Domain Users"] == f"{domain_sid}-513"
        assert sids["Administrators"] == "S-1-5-32-544"
        assert sids["Account Operators"] == "S-1-5-32-548"
        assert sids["Backup Operators"] == "S-1-5-32-551"
        assert ("Enterprise Admins" in sids) == (domain == root)
        assert ("Schema Admins" in sids) == (domain == root)
    root_sid = by_domain[root]["Domain Admins"].removesuffix("-512")
    assert by_domain[root]["Enterprise Admins"] == f"{root_sid}-519"
    domain_sids = [by_domain[d]["Domain Admins"] for d in world.spec.domains]
    assert len(set(domain_sids)) == len(domain_sids)


def test_account_sids_are_unique_within_the_domain_sid_space(world):
    sids = [p["sid"] for p in world.principals.values() if not p["sid"].startswith("S-1-5-32-")]
    assert len(set(sids)) == len(sids)


def test_directory_names_are_unique(world):
    principals = list(world.principals.values())
    dns = [p["dn"].lower() for p in principals]
    assert len(set(dns)) == len(dns)
    sams = [(p["domain"], p["sam"].lower()) for p in principals]
    assert len(set(sams)) == len(sams)
    # The 20-character sAMAccountName limit binds users and computers, not groups.
    accounts = [p["sam"] for p in principals if p["principal_type"] != "group"]
    assert all(len(sam) <= 20 for sam in accounts)


def test_users_carry_credentials_and_kerberos_flags(world):
    nodes = {node["id"]: node for node in world.nodes}
    for principal_id, principal in world.principals.items():
        if principal["principal_type"] != "user":
            continue
        kinds = [c["type"] for c in principal["credentials"]]
        assert kinds[:2] == ["password_hash", "kerberos_key"]
        properties = nodes[principal_id]["properties"]
        spns = [c["value"] for c in principal["credentials"] if c["type"] == "spn"]
        assert list(properties["spns"]) == spns
        assert properties["has_spn"] == bool(spns)
        no_preauth = {"type": "flag", "name": "dont_require_preauth"} in principal["credentials"]
        assert properties["dont_require_preauth"] == no_preauth


def test_several_domains_trust_each_other(make_world):
    world = make_world("small", domains=("corp.local", "emea.corp.local", "acme.test"), seed=6)
    trusts = {(e["source"], e["target"]) for e in world.edges if e["edge_type"] == "TrustedBy"}
    assert trusts == {("d1", "d0"), ("d0", "d1"), ("d2", "d0"), ("d0", "d2")}


def test_a_single_host_is_the_domain_controller(make_world):
    (host,) = make_world(None, 5, 1, None, 7).hosts.values()
    assert host["role"] == "domain_controller"


def test_medium_world_has_kerberoastable_and_asrep_roastable_users(make_world):
    world = make_world("medium", seed=2)
    nodes = [n for n in world.nodes if n["node_type"] == "user"]
    assert any(n["properties"]["has_spn"] for n in nodes)
    assert any(n["properties"]["dont_require_preauth"] for n in nodes)
