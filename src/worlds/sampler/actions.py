"""Preconditions and effects of the catalog's commands, and the frontier's triggers.

An `Action` is `(command name, key)`: the key is an edge id for commands that follow
an edge (and for `dcsync` through a DCSync/GenericAll edge), a domain id for
`bloodhound_collect`, `dcsync` of a compromised domain; a host id for host commands;
a user id for roasting and cracking; a subnet for `network_scan`; an artifact id for
`loot_artifact`; `"<domain id>#<n>"` for the n-th password of a spray.

- `applicable(ix, st, action)` is the precondition, evaluated on the current state;
- `execute(ix, st, action)` applies the effect through the state's `gain_*` methods
  and returns an `Outcome` (failure, the facts the renderer needs);
- `triggers.candidates(ix, st, delta)` lists the actions whose precondition may have
  become true through a step's delta (see `triggers.py`).

Discovery commands (`catalog.DISCOVERY`) stay applicable once they are: running one
again is allowed and changes nothing. Every other command's precondition includes
"the thing it yields is not held yet", so it can run at most once usefully.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worlds.sampler.catalog import BY_EDGE_TYPE, BY_NAME, SPRAY_PASSWORDS
from worlds.sampler.index import Edge, WorldIndex
from worlds.sampler.state import AttackerState

Action = tuple[str, str]

# Edge commands whose source must be held itself (its own keys), not merely controlled.
_NEEDS_OWN_CREDS = frozenset({"allowed_to_delegate", "rbcd", "sid_history"})
_TAKEOVER = frozenset({"generic_all", "generic_write", "write_dacl", "write_owner", "owns"})
_OWN_TARGET = frozenset({"force_change_password", "read_gmsa_password", "shadow_credentials"})
_ADMIN_TARGET = frozenset({"admin_to", "read_laps_password", "allowed_to_delegate", "rbcd"})
_SHELL_TARGET = frozenset({"can_rdp", "can_psremote", "sql_admin"})
_ESC = frozenset({"adcs_esc1", "adcs_esc3", "adcs_esc4"})
# Node commands run on a host through the access held there (see `host_access`).
_ON_HOST = frozenset({"lsass_dump", "sam_dump", "loot_artifact"})


@dataclass
class Outcome:
    """The result of one executed action, with the facts its rendering needs."""

    failed: bool = False
    failure_reason: str | None = None
    actor: str | None = None
    edge: Edge | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def edge_command(ix: WorldIndex, edge: Edge) -> str | None:
    """The command that follows `edge`, or None when no command does (memoised)."""
    memo = ix.edge_commands
    edge_id = edge["id"]
    if edge_id in memo:
        return memo[edge_id]
    kind = edge["edge_type"]
    if kind in ("DCSync", "GenericAll") and ix.node_type(edge["target"]) == "domain":
        name: str | None = "dcsync"
    else:
        command = BY_EDGE_TYPE.get(kind)
        name = None if command is None else command.name
    memo[edge_id] = name
    return name


def action_key(action: Action) -> str:
    return f"{action[0]}|{action[1]}"


# --- preconditions ----------------------------------------------------------------------


def applicable(ix: WorldIndex, st: AttackerState, action: Action) -> bool:
    name, key = action
    edge = ix.edge_by_id.get(key)
    if edge is not None:
        return _edge_applicable(ix, st, name, edge)
    check = _NODE_CHECKS.get(name)
    return check is not None and check(ix, st, key)


def dc_known(ix: WorldIndex, st: AttackerState, domain_id: str) -> bool:
    return any(dc in st.known_hosts for dc in ix.domain_dcs.get(domain_id, ()))


def _windows(ix: WorldIndex, host_id: str) -> bool:
    return ix.hosts[host_id].get("os_family") == "windows"


def _edge_applicable(ix: WorldIndex, st: AttackerState, name: str, edge: Edge) -> bool:
    if edge_command(ix, edge) != name:
        return False
    src, tgt = edge["source"], edge["target"]
    if name == "trust_abuse":
        return (src in st.compromised and src in st.collected and tgt not in st.compromised
                and dc_known(ix, st, tgt))
    holder = st.owned if name in _NEEDS_OWN_CREDS else st.controlled
    if src not in holder or not st.knows_edge(ix, src, tgt, edge["edge_type"]):
        return False
    if name == "dcsync":
        return tgt not in st.dcsynced and dc_known(ix, st, tgt)
    if name in _ESC:
        return (ix.node_type(tgt) == "domain" and tgt not in st.compromised
                and dc_known(ix, st, tgt))
    if name == "adcs_enroll":
        return action_key((name, edge["id"])) not in st.done
    if name == "sid_history":
        return tgt not in st.controlled
    if name == "targeted_kerberoast":
        return (ix.node_type(tgt) == "user" and ix.is_enabled(tgt) and tgt not in st.owned
                and tgt not in st.roasted)
    if name in _OWN_TARGET:
        return tgt in ix.principals and ix.is_enabled(tgt) and tgt not in st.owned
    if name in _ADMIN_TARGET:
        return tgt in ix.hosts and tgt in st.known_hosts and tgt not in st.admin_hosts
    if name in _SHELL_TARGET:
        return (tgt in ix.hosts and tgt in st.known_hosts and tgt not in st.admin_hosts
                and tgt not in st.shell_hosts)
    if name == "add_member":
        return ix.node_type(tgt) == "group" and tgt not in st.controlled
    if name in _TAKEOVER:
        return _takeover_open(ix, st, tgt)
    return False


def _takeover_open(ix: WorldIndex, st: AttackerState, target: str) -> bool:
    """Full control of `target` would yield something not held yet."""
    if target in ix.hosts:
        return target in st.known_hosts and target not in st.admin_hosts and _windows(ix, target)
    kind = ix.node_type(target)
    if kind == "group":
        return target not in st.controlled
    if kind == "user":
        return ix.is_enabled(target) and target not in st.owned
    return False  # OUs, GPOs, domains: not abused by these commands


def _scan_ok(ix: WorldIndex, st: AttackerState, subnet: str) -> bool:
    return subnet in st.known_subnets


def _collect_ok(ix: WorldIndex, st: AttackerState, domain_id: str) -> bool:
    return domain_id in st.auth_domains and dc_known(ix, st, domain_id)


def _host_enum_ok(ix: WorldIndex, st: AttackerState, host_id: str) -> bool:
    return (host_id in st.known_hosts and _windows(ix, host_id)
            and ix.domain_of(host_id) in st.auth_domains)


def _dump_ok(name: str) -> Any:
    def check(ix: WorldIndex, st: AttackerState, host_id: str) -> bool:
        return host_id in st.admin_hosts and action_key((name, host_id)) not in st.done
    return check


def _pth_ok(ix: WorldIndex, st: AttackerState, host_id: str) -> bool:
    if host_id not in ix.hosts or host_id not in st.known_hosts or host_id in st.admin_hosts:
        return False
    secret = ix.props(host_id).get("local_admin_password_id")
    return bool(secret) and str(secret) in st.local_secrets


def _roast_ok(kind: str) -> Any:
    def check(ix: WorldIndex, st: AttackerState, user_id: str) -> bool:
        dom = ix.domain_of(user_id)
        if dom is None or dom not in st.collected or not dc_known(ix, st, dom):
            return False
        if user_id in st.owned or user_id in st.roasted:
            return False
        if kind == "tgs":
            return user_id in ix.kerberoastable.get(dom, ()) and dom in st.auth_domains
        return user_id in ix.asrep_roastable.get(dom, ())
    return check


def _crack_ok(ix: WorldIndex, st: AttackerState, user_id: str) -> bool:
    return user_id in st.roasted and user_id not in st.crack_tried and user_id not in st.owned


def _spray_ok(ix: WorldIndex, st: AttackerState, key: str) -> bool:
    dom, _, n = key.partition("#")
    return (dom in st.collected and n.isdigit() and int(n) < len(SPRAY_PASSWORDS)
            and dc_known(ix, st, dom) and action_key(("password_spray", key)) not in st.done)


def _loot_ok(ix: WorldIndex, st: AttackerState, artifact_id: str) -> bool:
    found = ix.artifacts.get(artifact_id)
    if found is None or action_key(("loot_artifact", artifact_id)) in st.done:
        return False
    host_id, artifact = found
    on_host = host_id in st.admin_hosts or host_id in st.shell_hosts
    if artifact.get("kind") == "file":
        return on_host or (host_id in st.share_hosts and ix.domain_of(host_id) in st.auth_domains)
    return on_host and artifact.get("kind") == "registry"


def _dcsync_domain_ok(ix: WorldIndex, st: AttackerState, domain_id: str) -> bool:
    return domain_id in st.compromised and domain_id not in st.dcsynced and dc_known(
        ix, st, domain_id)


_NODE_CHECKS: dict[str, Any] = {
    "network_scan": _scan_ok,
    "bloodhound_collect": _collect_ok,
    "enum_sessions": _host_enum_ok,
    "enum_shares": _host_enum_ok,
    "lsass_dump": _dump_ok("lsass_dump"),
    "sam_dump": _dump_ok("sam_dump"),
    "pass_the_hash_local_admin": _pth_ok,
    "asrep_roast": _roast_ok("asrep"),
    "kerberoast": _roast_ok("tgs"),
    "crack_hash": _crack_ok,
    "password_spray": _spray_ok,
    "loot_artifact": _loot_ok,
    "dcsync": _dcsync_domain_ok,
}


# --- effects ----------------------------------------------------------------------------


def execute(ix: WorldIndex, st: AttackerState, action: Action) -> Outcome:
    """Apply the effect of an applicable `action` to `st` (its delta records the changes)."""
    name, key = action
    edge = ix.edge_by_id.get(key)
    out = Outcome(edge=edge)
    if edge is not None and name != "trust_abuse":
        out.actor = st.controlled.get(edge["source"])
    elif name in _ON_HOST:
        host = ix.artifacts[key][0] if name == "loot_artifact" else key
        via = st.host_access.get(host, "")
        out.actor = via or None
        out.facts["local_admin"] = not via and host in st.admin_hosts
        if not via and host in st.share_hosts and host not in st.admin_hosts:
            out.actor = _acting_owner(ix, st, key)
    elif edge is None and st.owned and name != "pass_the_hash_local_admin":
        out.actor = _acting_owner(ix, st, key)
    if edge is not None:
        _EDGE_EFFECTS.get(name, _takeover)(ix, st, name, edge, out)
    else:
        _NODE_EFFECTS[name](ix, st, key, out)
    st.done[action_key(action)] = None
    if st.delta.owned or st.delta.collected_domains or st.delta.compromised_domains:
        st.refresh_auth(ix)
    return out


def _acting_owner(ix: WorldIndex, st: AttackerState, key: str) -> str:
    """The held principal a node command runs as: one of the target's domain if any."""
    dom = ix.domain_of(key.partition("#")[0]) or ix.domain_of(
        ix.artifacts[key][0] if key in ix.artifacts else key)
    for pid in st.owned:
        if ix.principals.get(pid, {}).get("principal_type") == "user" and ix.domain_of(pid) == dom:
            return pid
    return next(iter(st.owned))


def _take_target(ix: WorldIndex, st: AttackerState, target: str, actor: str, kind: str,
                 source: str) -> None:
    if target in ix.hosts:
        st.gain_admin(target)  # RBCD: an impersonation ticket for the local admin
    elif ix.node_type(target) == "group":
        st.gain_controlled(ix, target, actor)
    else:
        st.gain_owned(ix, target, kind, source)


def _takeover(ix: WorldIndex, st: AttackerState, name: str, edge: Edge, out: Outcome) -> None:
    target, actor = edge["target"], out.actor or edge["source"]
    if target in ix.hosts:
        out.facts["abuse"] = "rbcd"
    elif ix.node_type(target) == "group":
        out.facts["abuse"] = "add_member"
    elif name == "generic_write":
        out.facts["abuse"] = "shadow_credentials"
    else:
        out.facts["abuse"] = "reset_password"
    kind = "ntlm" if out.facts["abuse"] == "shadow_credentials" else "password"
    _take_target(ix, st, target, actor, kind, name)


def _edge_simple(ix: WorldIndex, st: AttackerState, name: str, edge: Edge, out: Outcome) -> None:
    target, actor = edge["target"], out.actor or edge["source"]
    if name in _ADMIN_TARGET:
        st.gain_admin(target, actor if name == "admin_to" else "")
    elif name in _SHELL_TARGET:
        st.gain_shell(target, actor)
    elif name == "add_member" or name == "sid_history":
        st.gain_controlled(ix, target, actor)
    elif name == "force_change_password":
        st.gain_owned(ix, target, "password", name)
    elif name in ("read_gmsa_password", "shadow_credentials"):
        st.gain_owned(ix, target, "ntlm", name)
        if target in ix.hosts:
            st.gain_admin(target)
    elif name == "targeted_kerberoast":
        st.gain_roasted(target, "tgs")
    elif name == "adcs_enroll":
        st.gain_credential("certificate", actor, name)


def _edge_domain(ix: WorldIndex, st: AttackerState, name: str, edge: Edge, out: Outcome) -> None:
    _compromise(ix, st, edge["target"], name, dcsync=name == "dcsync", out=out)


def _compromise(ix: WorldIndex, st: AttackerState, domain_id: str, source: str, *,
                dcsync: bool, out: Outcome) -> None:
    if dcsync:
        st.gain_dcsynced(domain_id)
        krbtgt = ix.domain_krbtgt.get(domain_id)
        if krbtgt is not None:
            st.gain_owned(ix, krbtgt, "ntlm", source)
    else:
        st.gain_compromised(domain_id)
    admin = ix.domain_administrator.get(domain_id)
    if admin is not None:
        st.gain_owned(ix, admin, "ntlm", source)
    out.facts["domain"] = domain_id


_EDGE_EFFECTS: dict[str, Any] = {
    **{name: _edge_simple for name in (
        _ADMIN_TARGET | _SHELL_TARGET | _OWN_TARGET
        | {"add_member", "sid_history", "targeted_kerberoast", "adcs_enroll"})},
    **{name: _edge_domain for name in (_ESC | {"dcsync", "trust_abuse"})},
}


def _network_scan(ix: WorldIndex, st: AttackerState, subnet: str, out: Outcome) -> None:
    hosts = ix.subnet_hosts.get(subnet, [])
    out.facts["hosts"] = hosts
    for host_id in hosts:
        st.gain_host(host_id)


def _collect(ix: WorldIndex, st: AttackerState, domain_id: str, out: Outcome) -> None:
    st.gain_collected(ix, domain_id)
    for subnet in ix.domain_subnets.get(domain_id, ()):
        st.gain_subnet(subnet)
    for edge in (*ix.out_edges.get(domain_id, ()), *ix.in_edges.get(domain_id, ())):
        if edge["edge_type"] == "TrustedBy":
            other = edge["target"] if edge["source"] == domain_id else edge["source"]
            for dc in ix.domain_dcs.get(other, ())[:1]:
                st.gain_host(dc)
    out.facts["domain"] = domain_id


# Windows versions whose NetSessionEnum answers only administrators (the hardened
# default since Windows 10 1709 / Server 2019); older ones answer any domain user.
_OPEN_SESSION_ENUM = ("Windows 7", "Windows Server 2012", "Windows Server 2016")


def _enum_sessions(ix: WorldIndex, st: AttackerState, host_id: str, out: Outcome) -> None:
    version = str(ix.hosts[host_id].get("os_version", ""))
    if host_id not in st.admin_hosts and not version.startswith(_OPEN_SESSION_ENUM):
        out.failed, out.failure_reason = True, "rpc_s_access_denied: session enumeration " \
            "needs admin on this Windows version"
        out.facts["users"] = []
        return
    users = [e["target"] for e in ix.out_edges.get(host_id, ()) if e["edge_type"] == "HasSession"]
    out.facts["users"] = users
    if host_id not in st.session_hosts:
        st.session_hosts[host_id] = None
        st.delta.session_hosts.append(host_id)
        if host_id not in st.admin_hosts:
            st.gain_edges(len(users))
    for user in users:
        st.gain_principal(ix, user)
    if not users:
        out.facts["empty"] = True


def _enum_shares(ix: WorldIndex, st: AttackerState, host_id: str, out: Outcome) -> None:
    files = [a for a in ix.hosts[host_id].get("artifacts") or () if a.get("kind") == "file"]
    out.facts["files"] = files
    if host_id not in st.share_hosts:
        st.share_hosts[host_id] = None
        st.delta.share_hosts.append(host_id)


def _lsass(ix: WorldIndex, st: AttackerState, host_id: str, out: Outcome) -> None:
    users = [e["target"] for e in ix.out_edges.get(host_id, ())
             if e["edge_type"] == "HasSession" and ix.node_type(e["target"]) == "user"]
    out.facts["users"] = users
    out.facts["session_edges"] = [e["id"] for e in ix.out_edges.get(host_id, ())
                                  if e["edge_type"] == "HasSession"]
    for user in users:
        st.gain_owned(ix, user, "ntlm", "lsass_dump")
    if not users:
        out.failed, out.failure_reason = True, "no logon sessions with cached credentials"


def _sam(ix: WorldIndex, st: AttackerState, host_id: str, out: Outcome) -> None:
    if host_id in ix.principals:
        st.gain_owned(ix, host_id, "ntlm", "sam_dump")
    st.gain_credential("local_admin_ntlm", None, f"sam_dump:{host_id}")
    secret = ix.props(host_id).get("local_admin_password_id")
    if secret:
        st.gain_local_secret(str(secret))
        out.facts["secret"] = str(secret)


def _pth(ix: WorldIndex, st: AttackerState, host_id: str, out: Outcome) -> None:
    out.facts["secret"] = str(ix.props(host_id).get("local_admin_password_id"))
    st.gain_admin(host_id)


def _roast(kind: str) -> Any:
    def effect(ix: WorldIndex, st: AttackerState, user_id: str, out: Outcome) -> None:
        st.gain_roasted(user_id, kind)
    return effect


def _crack(ix: WorldIndex, st: AttackerState, user_id: str, out: Outcome) -> None:
    st.crack_tried[user_id] = None
    out.facts["hash_kind"] = st.roasted[user_id]
    if ix.crackable(user_id):
        st.gain_owned(ix, user_id, "password", "crack_hash")
    else:
        out.failed, out.failure_reason = True, "exhausted: password not in wordlist"


def _spray(ix: WorldIndex, st: AttackerState, key: str, out: Outcome) -> None:
    dom, _, n = key.partition("#")
    hits = [u for u in ix.spray_hits.get((dom, int(n)), []) if u not in st.owned]
    out.facts.update(domain=dom, password=SPRAY_PASSWORDS[int(n)], hits=hits)
    for user in hits:
        st.gain_owned(ix, user, "password", "password_spray")
    if not hits:
        out.failed, out.failure_reason = True, "no account accepted the password"


def _loot(ix: WorldIndex, st: AttackerState, artifact_id: str, out: Outcome) -> None:
    host_id, artifact = ix.artifacts[artifact_id]
    out.facts.update(host=host_id, artifact=artifact)
    owner = artifact.get("principal_id")
    if owner:
        st.gain_owned(ix, str(owner), "password", "loot_artifact")
    elif "unattend" in str(artifact.get("path", "")).lower():
        st.gain_credential("local_admin_password", None, f"loot_artifact:{artifact_id}")
        st.gain_admin(host_id)  # as the local Administrator
    else:
        st.gain_credential("password_hash", None, f"loot_artifact:{artifact_id}")


def _dcsync_node(ix: WorldIndex, st: AttackerState, domain_id: str, out: Outcome) -> None:
    _compromise(ix, st, domain_id, "dcsync", dcsync=True, out=out)


_NODE_EFFECTS: dict[str, Any] = {
    "network_scan": _network_scan,
    "bloodhound_collect": _collect,
    "enum_sessions": _enum_sessions,
    "enum_shares": _enum_shares,
    "lsass_dump": _lsass,
    "sam_dump": _sam,
    "pass_the_hash_local_admin": _pth,
    "asrep_roast": _roast("asrep"),
    "kerberoast": _roast("tgs"),
    "crack_hash": _crack,
    "password_spray": _spray,
    "loot_artifact": _loot,
    "dcsync": _dcsync_node,
}
assert set(_NODE_EFFECTS) | set(_EDGE_EFFECTS) | _TAKEOVER == set(BY_NAME), "catalog drift"
