"""`WorldIndex`: the lookup tables the sampler needs, built once per job.

`prepare(world)` takes the decoded canonical world dict (`World.to_dict()` after a
JSON round trip) and builds adjacency lists, per-domain and per-subnet tables and
the foothold candidates in one pass over nodes and edges, so that every sampling
step afterwards is a handful of dict lookups whatever the world's size.

Everything here is read-only after `prepare` returns, except `plans` and
`edge_commands`, caches that sampling fills (deterministically) on first use; an
index may therefore be shared by all the trajectories of a job, but not across
threads that sample concurrently without a lock (processes are fine).

Collections that the sampler iterates are lists in world order (node id order, edge
generation order), never sets: iteration order must not depend on PYTHONHASHSEED.
"""

from __future__ import annotations

import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from worlds.generator import rng as rnglib
from worlds.generator.collector import collector_paused

# Node properties are read under two spellings: the generator's current names
# (has_spn, dont_require_preauth) and the BloodHound CE ones a later generator
# emits (hasspn, dontreqpreauth). Either one set to true counts.

# Edges that never carry attacker rights and so are never followed.
STRUCTURAL_EDGES = frozenset({"Contains", "GPLink"})

SPRAY_LIST_LENGTH = 4  # passwords in catalog.SPRAY_PASSWORDS
# A spray reports at most this many hits, so that a step's cost stays bounded.
MAX_SPRAY_HITS = 5
# Share of roasted hashes that crack when the world says nothing about the password.
DEFAULT_CRACK_ODDS = 0.35


def crackable_in(
    seed: int,
    nodes: Mapping[str, Mapping[str, Any]],
    principals: Mapping[str, Mapping[str, Any]],
    principal_id: str,
) -> bool:
    """Whether the principal's password falls to a wordlist attack.

    The node property `password_crackable` decides when present; else the world's
    own `crackable` flag on the principal's password hash credential; else a
    deterministic draw from (world seed, principal id) with DEFAULT_CRACK_ODDS.
    """
    props = nodes.get(principal_id, {}).get("properties") or {}
    if isinstance(props.get("password_crackable"), bool):
        return bool(props["password_crackable"])
    for credential in principals.get(principal_id, {}).get("credentials") or ():
        if credential.get("type") == "password_hash" and isinstance(credential.get("crackable"), bool):
            return bool(credential["crackable"])
    draw = int.from_bytes(rnglib.digest(seed, "crackable", principal_id)[:8], "big") / 2**64
    return draw < DEFAULT_CRACK_ODDS


# One world edge: the decoded dict itself, `{id, source, target, edge_type, severity}`.
# The index keeps references to the world's own dicts rather than copies: an
# enterprise world has 230,000 of them.
Edge = Mapping[str, Any]


@dataclass(eq=False)
class WorldIndex:
    """Read-only tables over one world (see the module docstring)."""

    world: Mapping[str, Any]
    seed: int
    nodes: dict[str, Mapping[str, Any]]
    principals: Mapping[str, Mapping[str, Any]]
    hosts: Mapping[str, Mapping[str, Any]]
    edges: list[Edge]
    edge_by_id: dict[str, Edge]
    out_edges: dict[str, list[Edge]]
    in_edges: dict[str, list[Edge]]
    member_of: dict[str, list[str]]
    # Domain name -> its domain node id, and back; node id -> its domain name.
    domain_node: dict[str, str]
    domain_name: dict[str, str]
    node_domain: dict[str, str]
    node_domain_id: dict[str, str]
    domains: list[str]  # domain node ids in world order
    domain_dcs: dict[str, list[str]]  # domain node id -> DC host ids
    domain_subnets: dict[str, list[str]]
    subnet_hosts: dict[str, list[str]]
    domain_principal_count: dict[str, int]
    domain_user_count: dict[str, int]
    domain_group_count: dict[str, int]
    domain_edge_count: dict[str, int]  # edges a collection of the domain reveals
    kerberoastable: dict[str, list[str]]
    asrep_roastable: dict[str, list[str]]
    # Built-in Administrator (RID 500) and krbtgt (RID 502) of each domain, if present.
    domain_administrator: dict[str, str]
    domain_krbtgt: dict[str, str]
    # Domain Admins / Enterprise Admins group ids (per domain / forest root).
    domain_admins: dict[str, str]
    enterprise_admins: str | None
    group_by_name: dict[str, list[str]]  # lowercased group sam -> group ids
    principal_by_sam: dict[str, list[str]]  # lowercased sam -> principal ids
    host_by_name: dict[str, str]  # lowercased hostname and fqdn -> host id
    local_admin_shared: dict[str, list[str]]  # local_admin_password_id -> host ids
    privileged: set[str]  # principals with admin_count or in a tier-0 group
    footholds: list[tuple[str, list[str]]]  # (user id, workstation host ids)
    domain_members: dict[str, list[str]]  # domain node id -> enabled users and computers
    spray_hits: dict[tuple[str, int], list[str]]  # (domain id, password index) -> users
    # Principal id -> hosts whose artifacts (files, registry, LSASS) hold its credential.
    artifact_hosts: dict[str, list[str]]
    artifacts: dict[str, tuple[str, Mapping[str, Any]]]  # artifact id -> (host id, artifact)
    plans: dict[str, Any] = field(default_factory=dict)
    edge_commands: dict[str, str | None] = field(default_factory=dict)  # memo of actions.py

    def domain_of(self, node_id: str) -> str | None:
        """Domain node id of a node (the domain itself for a domain node)."""
        return self.node_domain_id.get(node_id)

    def node_type(self, node_id: str) -> str:
        return str(self.nodes[node_id]["node_type"])

    def props(self, node_id: str) -> Mapping[str, Any]:
        props: Mapping[str, Any] = self.nodes[node_id].get("properties") or {}
        return props

    def name(self, node_id: str) -> str:
        """A short display name: sam for principals, hostname for hosts, else the label."""
        host = self.hosts.get(node_id)
        if host is not None:
            return str(host["hostname"])
        principal = self.principals.get(node_id)
        if principal is not None:
            return str(principal["sam"])
        node = self.nodes.get(node_id)
        return str(node["label"]) if node is not None else node_id

    def crackable(self, principal_id: str) -> bool:
        return crackable_in(self.seed, self.nodes, self.principals, principal_id)

    def is_enabled(self, node_id: str) -> bool:
        principal = self.principals.get(node_id)
        if principal is not None:
            return bool(principal.get("enabled", True))
        return self.props(node_id).get("enabled", True) is not False


def prepare(world: Mapping[str, Any], *, freeze_gc: bool = True) -> WorldIndex:
    """Build the index of a decoded canonical world dict (see the module docstring).

    With `freeze_gc` (the default) every object alive at the end, the world and the
    index included, moves to the cyclic garbage collector's permanent generation
    (`gc.freeze()`). The world is millions of containers that never become garbage;
    without this, the full collections that sampling's allocations trigger traverse
    all of them, and a step costs about four times more on an enterprise world than
    on a small one. Memory is still freed by reference counting when the world is
    dropped. A long-lived process that must keep collecting reference cycles it made
    before calling this can pass False (or call `gc.unfreeze()` after the job).

    Raises ValueError when the dict lacks the canonical members.
    """
    # Hundreds of thousands of small objects are built and none is garbage.
    with collector_paused():
        index = _prepare(world)
    if freeze_gc:
        gc.freeze()
    return index


def _prepare(world: Mapping[str, Any]) -> WorldIndex:
    for key in ("nodes", "edges", "hosts", "principals"):
        if key not in world:
            raise ValueError(f"world lacks {key!r}")
    spec = world.get("spec") or {}
    seed = int(spec.get("seed", 0))
    nodes: dict[str, Mapping[str, Any]] = {n["id"]: n for n in world["nodes"]}
    principals: Mapping[str, Mapping[str, Any]] = world["principals"]
    hosts: Mapping[str, Mapping[str, Any]] = world["hosts"]

    domain_node: dict[str, str] = {}
    domain_name: dict[str, str] = {}
    node_domain: dict[str, str] = {}
    domains: list[str] = []
    for node_id, node in nodes.items():
        props = node.get("properties") or {}
        if node["node_type"] == "domain":
            name = str(props.get("name") or str(node["label"]).lower())
            domain_node[name] = node_id
            domain_name[node_id] = name
            domains.append(node_id)
            node_domain[node_id] = name
        elif props.get("domain"):
            node_domain[node_id] = str(props["domain"])
    for pid, principal in principals.items():
        if principal.get("domain") and pid not in node_domain:
            node_domain[pid] = str(principal["domain"])

    node_domain_id = {n: domain_node[d] for n, d in node_domain.items() if d in domain_node}
    edges: list[Edge] = world["edges"]
    edge_by_id: dict[str, Edge] = {}
    out_edges: dict[str, list[Edge]] = {}
    in_edges: dict[str, list[Edge]] = {}
    member_of: dict[str, list[str]] = {}
    domain_edge_count: dict[str, int] = dict.fromkeys(domains, 0)
    for edge in edges:
        edge_type, source, target = edge["edge_type"], edge["source"], edge["target"]
        edge_by_id[edge["id"]] = edge
        if edge_type in STRUCTURAL_EDGES:
            continue
        bucket = out_edges.get(source)
        if bucket is None:
            out_edges[source] = [edge]
        else:
            bucket.append(edge)
        bucket = in_edges.get(target)
        if bucket is None:
            in_edges[target] = [edge]
        else:
            bucket.append(edge)
        if edge_type == "MemberOf":
            groups = member_of.get(source)
            if groups is None:
                member_of[source] = [target]
            else:
                groups.append(target)
        elif edge_type == "HasSession":
            continue
        dom_id = node_domain_id.get(source)
        if dom_id is not None:
            domain_edge_count[dom_id] += 1

    domain_dcs: dict[str, list[str]] = {d: [] for d in domains}
    domain_subnets: dict[str, list[str]] = {d: [] for d in domains}
    subnet_hosts: dict[str, list[str]] = {}
    host_by_name: dict[str, str] = {}
    local_admin_shared: dict[str, list[str]] = {}
    for host_id in sorted(hosts):
        host = hosts[host_id]
        dom_id = domain_node.get(str(host.get("domain")))
        subnet = host.get("subnet")
        if subnet:
            if subnet not in subnet_hosts:
                subnet_hosts[subnet] = []
            subnet_hosts[subnet].append(host_id)
            if dom_id is not None and subnet not in domain_subnets[dom_id]:
                domain_subnets[dom_id].append(subnet)
        if host.get("role") == "domain_controller" and dom_id is not None:
            domain_dcs[dom_id].append(host_id)
        host_by_name[str(host["hostname"]).lower()] = host_id
        if host.get("fqdn"):
            host_by_name[str(host["fqdn"]).lower()] = host_id
        shared = (nodes.get(host_id, {}).get("properties") or {}).get("local_admin_password_id")
        if shared:
            local_admin_shared.setdefault(str(shared), []).append(host_id)

    domain_principal_count: dict[str, int] = dict.fromkeys(domains, 0)
    domain_user_count: dict[str, int] = dict.fromkeys(domains, 0)
    domain_group_count: dict[str, int] = dict.fromkeys(domains, 0)
    kerberoastable: dict[str, list[str]] = {d: [] for d in domains}
    asrep_roastable: dict[str, list[str]] = {d: [] for d in domains}
    domain_administrator: dict[str, str] = {}
    domain_krbtgt: dict[str, str] = {}
    domain_admins: dict[str, str] = {}
    group_by_name: dict[str, list[str]] = {}
    principal_by_sam: dict[str, list[str]] = {}
    enterprise_admins: str | None = None
    for pid in sorted(principals):
        principal = principals[pid]
        dom_id = domain_node.get(str(principal.get("domain")))
        sam = str(principal["sam"])
        principal_by_sam.setdefault(sam.lower(), []).append(pid)
        if dom_id is None:
            continue
        domain_principal_count[dom_id] += 1
        sid = str(principal.get("sid") or "")
        ptype = principal["principal_type"]
        if ptype == "group":
            domain_group_count[dom_id] += 1
            group_by_name.setdefault(sam.lower(), []).append(pid)
            if sid.endswith("-512"):
                domain_admins[dom_id] = pid
            elif sid.endswith("-519"):
                enterprise_admins = pid
            continue
        if ptype != "user":
            continue
        domain_user_count[dom_id] += 1
        if sid.endswith("-500"):
            domain_administrator[dom_id] = pid
        elif sid.endswith("-502"):
            domain_krbtgt[dom_id] = pid
        if not principal.get("enabled", True):
            continue
        props = nodes.get(pid, {}).get("properties") or {}
        if (props.get("has_spn") is True or props.get("hasspn") is True) and not sid.endswith(
                "-502"):
            kerberoastable[dom_id].append(pid)
        if props.get("dont_require_preauth") is True or props.get("dontreqpreauth") is True:
            asrep_roastable[dom_id].append(pid)

    privileged = _privileged(nodes, principals, in_edges)
    footholds = _footholds(nodes, principals, hosts, out_edges, privileged)
    domain_members: dict[str, list[str]] = {d: [] for d in domains}
    spray_hits: dict[tuple[str, int], list[str]] = {}
    for pid in sorted(principals):
        principal = principals[pid]
        dom_id = domain_node.get(str(principal.get("domain")))
        if dom_id is None or principal["principal_type"] == "group":
            continue
        if not principal.get("enabled", True):
            continue
        domain_members[dom_id].append(pid)
        if principal["principal_type"] != "user" or pid in privileged:
            continue
        if not crackable_in(seed, nodes, principals, pid):
            continue
        pick = rnglib.digest(seed, "spray", pid)
        # About one crackable account in sixteen uses a password of the spray list.
        if pick[0] % 64 < 4:
            hits = spray_hits.setdefault((dom_id, pick[1] % SPRAY_LIST_LENGTH), [])
            if len(hits) < MAX_SPRAY_HITS:
                hits.append(pid)
    artifact_hosts: dict[str, list[str]] = {}
    artifacts: dict[str, tuple[str, Mapping[str, Any]]] = {}
    for host_id in sorted(hosts):
        for artifact in hosts[host_id].get("artifacts") or ():
            artifacts[str(artifact["artifact_id"])] = (host_id, artifact)
            owner = artifact.get("principal_id")
            if owner:
                artifact_hosts.setdefault(str(owner), []).append(host_id)
    return WorldIndex(
        world=world, seed=seed, nodes=nodes, principals=principals, hosts=hosts,
        edges=edges, edge_by_id=edge_by_id, out_edges=out_edges, in_edges=in_edges,
        member_of=member_of, domain_node=domain_node, domain_name=domain_name,
        node_domain=node_domain, node_domain_id=node_domain_id, domains=domains, domain_dcs=domain_dcs,
        domain_subnets=domain_subnets, subnet_hosts=subnet_hosts,
        domain_principal_count=domain_principal_count, domain_user_count=domain_user_count,
        domain_group_count=domain_group_count,
        domain_edge_count=domain_edge_count,
        kerberoastable=kerberoastable, asrep_roastable=asrep_roastable,
        domain_administrator=domain_administrator, domain_krbtgt=domain_krbtgt,
        domain_admins=domain_admins, enterprise_admins=enterprise_admins,
        group_by_name=group_by_name, principal_by_sam=principal_by_sam,
        host_by_name=host_by_name, local_admin_shared=local_admin_shared,
        privileged=privileged, footholds=footholds, domain_members=domain_members,
        spray_hits=spray_hits, artifact_hosts=artifact_hosts, artifacts=artifacts,
    )


def _privileged(
    nodes: Mapping[str, Mapping[str, Any]],
    principals: Mapping[str, Mapping[str, Any]],
    in_edges: Mapping[str, list[Edge]],
) -> set[str]:
    """Principals with admin_count, or members (direct or nested) of such a group."""
    privileged: set[str] = set()
    stack = [pid for pid in principals
             if (nodes.get(pid, {}).get("properties") or {}).get("admin_count") is True]
    while stack:
        pid = stack.pop()
        if pid in privileged:
            continue
        privileged.add(pid)
        for edge in in_edges.get(pid, ()):
            if edge["edge_type"] == "MemberOf" and edge["source"] not in privileged:
                stack.append(edge["source"])
    return privileged


def _footholds(
    nodes: Mapping[str, Mapping[str, Any]],
    principals: Mapping[str, Mapping[str, Any]],
    hosts: Mapping[str, Mapping[str, Any]],
    out_edges: Mapping[str, list[Edge]],
    privileged: set[str],
) -> list[tuple[str, list[str]]]:
    """Enabled ordinary users with a session on a workstation, with those workstations."""
    sessions: dict[str, list[str]] = {}
    for host_id in sorted(hosts):
        if hosts[host_id].get("role") != "workstation":
            continue
        for edge in out_edges.get(host_id, ()):
            if edge["edge_type"] == "HasSession":
                sessions.setdefault(edge["target"], []).append(host_id)
    found: list[tuple[str, list[str]]] = []
    for user_id in sorted(sessions):
        principal = principals.get(user_id)
        if principal is None or principal["principal_type"] != "user":
            continue
        if not principal.get("enabled", True) or user_id in privileged:
            continue
        found.append((user_id, sessions[user_id]))
    return found
