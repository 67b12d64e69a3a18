"""Frontier triggers: which actions a step's delta may have made applicable.

`candidates(ix, st, delta)` lists the actions whose precondition may have turned
true through `delta`. Preconditions only ever become true through something a delta
records (a host or subnet learnt, a domain collected or authenticated to, a
principal controlled, admin or a shell gained, a hash roasted, a local admin hash or
a domain compromised), so adding these keeps the frontier complete without
rescanning the world; each trigger looks only at the neighbourhood of what changed.
Candidates are not checked here: the engine checks an entry when it picks it.

`target_nodes` tells the greedy strategy which nodes an action would yield.
"""

from __future__ import annotations

from worlds.sampler.actions import Action, dc_known, edge_command
from worlds.sampler.catalog import SPRAY_PASSWORDS
from worlds.sampler.index import WorldIndex
from worlds.sampler.state import AttackerState, Delta


def candidates(ix: WorldIndex, st: AttackerState, delta: Delta) -> list[Action]:
    """Actions whose precondition may have turned true through `delta` (see module doc)."""
    found: list[Action] = []
    add = found.append

    hosts, known_hosts, memo = ix.hosts, st.known_hosts, ix.edge_commands

    def edges_out(node: str) -> None:
        # Edges to hosts not discovered yet wait for the host's own trigger (edges_in
        # below): a group administering thousands of hosts costs only what is known.
        for edge in ix.out_edges.get(node, ()):
            target = edge["target"]
            if target in hosts and target not in known_hosts:
                continue
            edge_id = edge["id"]
            name = memo[edge_id] if edge_id in memo else edge_command(ix, edge)
            if name is not None:
                add((name, edge_id))

    controlled, compromised = st.controlled, st.compromised

    def edges_in(node: str) -> None:
        # Every edge command needs its source controlled (trust_abuse: compromised).
        for edge in ix.in_edges.get(node, ()):
            source = edge["source"]
            if source not in controlled and source not in compromised:
                continue
            edge_id = edge["id"]
            name = memo[edge_id] if edge_id in memo else edge_command(ix, edge)
            if name is not None:
                add((name, edge_id))

    def domain_actions(dom: str) -> None:
        add(("bloodhound_collect", dom))
        add(("dcsync", dom))
        edges_in(dom)
        edges_out(dom)
        # Roasting and spraying need the user list and a DC: add the (long) per-user
        # lists only once both hold, i.e. from the trigger that completes them.
        if dom not in st.collected or not dc_known(ix, st, dom):
            return
        for user in ix.asrep_roastable.get(dom, ()):
            add(("asrep_roast", user))
        if dom in st.auth_domains:
            for user in ix.kerberoastable.get(dom, ()):
                add(("kerberoast", user))
        for n in range(len(SPRAY_PASSWORDS)):
            add(("password_spray", f"{dom}#{n}"))

    new_dc_domains: dict[str, None] = {}
    for subnet in delta.known_subnets:
        add(("network_scan", subnet))
    for host_id in delta.known_hosts:
        add(("enum_sessions", host_id))
        add(("enum_shares", host_id))
        if st.local_secrets and ix.props(host_id).get("local_admin_password_id") in st.local_secrets:
            add(("pass_the_hash_local_admin", host_id))
        edges_in(host_id)
        dom = ix.domain_of(host_id)
        if dom is not None and host_id in ix.domain_dcs.get(dom, ()):
            new_dc_domains[dom] = None
    for dom in new_dc_domains:
        # Only the domain's first known DC changes what is applicable.
        if sum(1 for dc in ix.domain_dcs[dom] if dc in known_hosts) == sum(
                1 for dc in ix.domain_dcs[dom] if dc in delta.known_hosts):
            domain_actions(dom)
    for dom in delta.collected_domains:
        domain_actions(dom)
        for pid in st.controlled:
            edges_out(pid)
    for dom in delta.auth_domains:
        domain_actions(dom)
        for host_id in st.known_hosts:
            if ix.domain_of(host_id) == dom:
                add(("enum_sessions", host_id))
                add(("enum_shares", host_id))
    for pid in delta.controlled:
        edges_out(pid)
    for host_id in (*delta.admin_hosts, *delta.shell_hosts, *delta.share_hosts):
        add(("lsass_dump", host_id))
        add(("sam_dump", host_id))
        for artifact in ix.hosts[host_id].get("artifacts") or ():
            add(("loot_artifact", str(artifact["artifact_id"])))
        edges_out(host_id)  # HasSession edges become known with admin
    for user in delta.roasted:
        add(("crack_hash", user))
    for secret in delta.local_secrets:
        for host_id in ix.local_admin_shared.get(secret, ()):
            add(("pass_the_hash_local_admin", host_id))
    for dom in delta.compromised_domains:
        domain_actions(dom)
    return found


def target_nodes(ix: WorldIndex, st: AttackerState, action: Action) -> list[str]:
    """Nodes an action would yield, for the greedy strategy's distance score."""
    name, key = action
    edge = ix.edge_by_id.get(key)
    if edge is not None:
        return [edge["target"]]
    if name in ("asrep_roast", "kerberoast", "crack_hash", "dcsync",
                "pass_the_hash_local_admin"):
        return [key]
    if name == "lsass_dump":
        return [e["target"] for e in ix.out_edges.get(key, ()) if e["edge_type"] == "HasSession"]
    if name == "sam_dump":
        secret = ix.props(key).get("local_admin_password_id")
        return list(ix.local_admin_shared.get(str(secret), ())) if secret else [key]
    if name == "loot_artifact":
        host_id, artifact = ix.artifacts[key]
        owner = artifact.get("principal_id")
        return [str(owner)] if owner else [host_id]
    if name == "password_spray":
        dom, _, n = key.partition("#")
        return list(ix.spray_hits.get((dom, int(n)), ()))
    return []
