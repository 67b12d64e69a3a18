"""`replay_check`: re-verify every step of a trajectory against the world.

The verifier is written apart from `actions.py` on purpose: it rebuilds the attacker
state only from the trajectory's own `initial_state` and step deltas, and checks,
for every step, with its own reading of the rules:

- the command exists, its targets exist in the world (an edge with that id, source,
  target and a type the command follows; a host, user, subnet, domain, artifact);
- the recorded `state_before` counts equal the state folded so far;
- the precondition held in that state: the edge's source was held or controlled,
  the edge was known (its domain collected), the target host known, the acting
  principal held, admin on the host for dumps, the roasted hash held, ...;
- every gain in the delta is justified by that step: an owned principal is the
  edge's target, a session user of the dumped host, the cracked or sprayed account
  (whose password is crackable), an artifact's principal, a compromised domain's
  Administrator or krbtgt; a controlled group is joined or reached by MemberOf;
  an admin host is the target of an admin-granting step; and so on.

It returns a list of problems (empty when the trajectory is sound).
"""

from __future__ import annotations

from typing import Any

from worlds.sampler.catalog import BY_NAME, SPRAY_PASSWORDS
from worlds.sampler.index import WorldIndex

_ADMIN_EDGE = {"admin_to", "read_laps_password", "allowed_to_delegate", "rbcd"}
_SHELL_EDGE = {"can_rdp", "can_psremote", "sql_admin"}
_TAKEOVER = {"generic_all", "generic_write", "write_dacl", "write_owner", "owns"}
_OWN_EDGE = {"force_change_password", "read_gmsa_password", "shadow_credentials"}
_DOMAIN_EDGE = {"dcsync", "adcs_esc1", "adcs_esc3", "adcs_esc4", "trust_abuse"}
_NEEDS_OWN = {"allowed_to_delegate", "rbcd", "sid_history"}


class _Fold:
    """The attacker state as the trajectory itself records it."""

    def __init__(self, init: dict[str, Any]) -> None:
        counts = init.get("counts", {})
        self.known_hosts = set(init.get("known_hosts", ()))
        self.known_subnets = set(init.get("known_subnets", ()))
        self.owned = set(init.get("owned_principals", ()))
        self.controlled = set(init.get("controlled_principals", ()))
        self.admin = set(init.get("admin_hosts", ()))
        self.shell = set(init.get("shell_hosts", ()))
        self.auth = set(init.get("auth_domains", ()))
        self.collected: set[str] = set()
        self.sessions: set[str] = set()
        self.shares: set[str] = set()
        self.roasted: set[str] = set()
        self.secrets: set[str] = set()
        self.compromised: set[str] = set()
        self.dcsynced: set[str] = set()
        self.known_principals = int(counts.get("known_principals", 0))
        self.known_edges = int(counts.get("known_edges", 0))
        self.credentials = int(counts.get("credentials", 0))

    def counts(self) -> dict[str, int]:
        return {
            "known_hosts": len(self.known_hosts), "known_principals": self.known_principals,
            "known_edges": self.known_edges, "owned_principals": len(self.owned),
            "controlled_principals": len(self.controlled), "admin_hosts": len(self.admin),
            "shell_hosts": len(self.shell), "credentials": self.credentials,
            "compromised_domains": len(self.compromised),
        }

    def apply(self, delta: dict[str, Any]) -> None:
        self.known_hosts.update(delta.get("known_hosts", ()))
        self.known_subnets.update(delta.get("known_subnets", ()))
        self.collected.update(delta.get("collected_domains", ()))
        self.auth.update(delta.get("auth_domains", ()))
        self.sessions.update(delta.get("session_hosts", ()))
        self.shares.update(delta.get("share_hosts", ()))
        self.owned.update(delta.get("owned", ()))
        self.controlled.update(delta.get("controlled", ()))
        self.admin.update(delta.get("admin_hosts", ()))
        self.shell.update(delta.get("shell_hosts", ()))
        self.roasted.update(delta.get("roasted", ()))
        self.secrets.update(delta.get("local_secrets", ()))
        self.compromised.update(delta.get("compromised_domains", ()))
        self.dcsynced.update(delta.get("dcsynced_domains", ()))
        self.known_principals += int(delta.get("known_principals", 0))
        self.known_edges += int(delta.get("known_edges", 0))
        self.credentials += len(delta.get("credentials", ()))


def replay_check(ix: WorldIndex, trajectory: Any) -> list[str]:
    """Problems found replaying `trajectory` (a `Trajectory` or its dict) against `ix`."""
    init = _get(trajectory, "initial_state")
    steps = _get(trajectory, "steps")
    problems: list[str] = []
    fold = _Fold(init)
    foothold = init.get("foothold", {})
    user = foothold.get("principal_id")
    if user not in ix.principals or user in ix.privileged or not ix.is_enabled(user):
        problems.append(f"foothold {user!r} is not an enabled ordinary user")
    for i, step in enumerate(steps):
        where = f"step {i} ({step.get('command_name')})"
        if step.get("index") != i or step.get("source") != "sampler":
            problems.append(f"{where}: bad index or source")
        if step.get("state_before", {}) != fold.counts():
            problems.append(f"{where}: state_before {step.get('state_before')} != {fold.counts()}")
        delta = step.get("state_after", {}).get("delta", {})
        try:
            problems += [f"{where}: {p}" for p in _check(ix, fold, step, delta)]
        except (KeyError, ValueError, TypeError, IndexError) as exc:
            problems.append(f"{where}: malformed step ({exc!r})")
        fold.apply(delta)
        after = {k: v for k, v in step.get("state_after", {}).items() if k != "delta"}
        if after != fold.counts():
            problems.append(f"{where}: state_after {after} != {fold.counts()}")
    return problems


def _get(obj: Any, name: str) -> Any:
    return obj[name] if isinstance(obj, dict) else getattr(obj, name)


def _dc_known(ix: WorldIndex, fold: _Fold, dom: str) -> bool:
    return any(dc in fold.known_hosts for dc in ix.domain_dcs.get(dom, ()))


def _edge_known(ix: WorldIndex, fold: _Fold, source: str, target: str) -> bool:
    return any(ix.domain_of(n) in fold.collected for n in (source, target))


def _check(ix: WorldIndex, fold: _Fold, step: dict[str, Any], delta: dict[str, Any]) -> list[str]:
    name = step["command_name"]
    command = BY_NAME.get(name)
    if command is None:
        return [f"unknown command {name!r}"]
    key = step["details"]["action"]
    actor = step["details"].get("actor")
    problems: list[str] = []
    if actor is not None and actor not in fold.owned:
        problems.append(f"acts as {actor}, whose credentials are not held")
    edge = ix.edge_by_id.get(key)
    allowed_owned: set[str] = set()
    allowed_admin: set[str] = set()
    allowed_shell: set[str] = set()
    allowed_domains: set[str] = set()
    allowed_hosts: set[str] = set()
    joined: set[str] = set()
    if edge is not None:
        targets = step["targets"]
        if (targets.get("edge_id"), targets.get("source"), targets.get("target")) != (
                edge["id"], edge["source"], edge["target"]):
            problems.append("targets do not match the world's edge")
        if edge["edge_type"] not in command.edge_types:
            problems.append(f"{name} does not follow {edge['edge_type']}")
        src, tgt = edge["source"], edge["target"]
        if name == "trust_abuse":
            if src not in fold.compromised:
                problems.append("trust abused from a domain not compromised")
        elif src not in (fold.owned if name in _NEEDS_OWN else fold.controlled):
            problems.append(f"edge source {src} is not held")
        if not _edge_known(ix, fold, src, tgt):
            problems.append(f"edge {edge['id']} used before it was discovered")
        if tgt in ix.hosts and tgt not in fold.known_hosts and name not in _DOMAIN_EDGE:
            problems.append(f"target host {tgt} not discovered")
        if name in _DOMAIN_EDGE:
            if not _dc_known(ix, fold, tgt):
                problems.append("no DC of the target domain known")
            allowed_domains.add(tgt)
            allowed_owned.update(p for p in (ix.domain_administrator.get(tgt),
                                             ix.domain_krbtgt.get(tgt)) if p)
        elif name in _ADMIN_EDGE:
            allowed_admin.add(tgt)
        elif name in _SHELL_EDGE:
            allowed_shell.add(tgt)
        elif name in _OWN_EDGE or name in _TAKEOVER:
            allowed_owned.add(tgt)
            if tgt in ix.hosts:
                allowed_admin.add(tgt)
            else:
                joined.add(tgt)
        elif name in ("add_member", "sid_history"):
            joined.add(tgt)
        elif name == "targeted_kerberoast" and tgt not in delta.get("roasted", [tgt]):
            problems.append("targeted kerberoast roasted another account")
        allowed_hosts |= allowed_admin | allowed_shell
    else:
        problems += _check_node(ix, fold, name, key, delta, allowed_owned, allowed_admin,
                                allowed_domains, allowed_hosts)
    for pid in delta.get("owned", ()):
        if pid not in allowed_owned:
            problems.append(f"gained {pid} without an edge or artifact that yields it")
    for host in delta.get("admin_hosts", ()):
        if host not in allowed_admin:
            problems.append(f"gained admin on {host} without cause")
    for host in delta.get("shell_hosts", ()):
        if host not in allowed_shell:
            problems.append(f"gained a shell on {host} without cause")
    for dom in delta.get("compromised_domains", ()):
        if dom not in allowed_domains:
            problems.append(f"compromised {dom} without cause")
    for host in delta.get("known_hosts", ()):
        if host not in allowed_hosts:
            problems.append(f"discovered {host} without cause")
    controlled = set(fold.controlled) | set(delta.get("owned", ()))
    for node in delta.get("controlled", ()):
        via_member = any(g == node for c in controlled for g in ix.member_of.get(c, ()))
        if node not in controlled and node not in joined and not via_member:
            # Nested groups are added parents-after-children: allow a chain.
            problems.append(f"controls {node} without membership or a join")
        controlled.add(node)
    return problems


def _check_node(ix: WorldIndex, fold: _Fold, name: str, key: str, delta: dict[str, Any],
                owned: set[str], admin: set[str], domains: set[str],
                hosts: set[str]) -> list[str]:
    problems: list[str] = []

    def need(ok: bool, why: str) -> None:
        if not ok:
            problems.append(why)

    if name == "network_scan":
        need(key in fold.known_subnets, f"subnet {key} scanned before it was known")
        hosts.update(ix.subnet_hosts.get(key, ()))
    elif name == "bloodhound_collect":
        need(key in fold.auth, f"collected {key} without a credential valid there")
        need(_dc_known(ix, fold, key), "collected a domain with no known DC")
        for edge in (*ix.out_edges.get(key, ()), *ix.in_edges.get(key, ())):
            if edge["edge_type"] == "TrustedBy":
                hosts.update(ix.domain_dcs.get(edge["target"] if edge["source"] == key
                                               else edge["source"], ())[:1])
    elif name in ("enum_sessions", "enum_shares"):
        need(key in fold.known_hosts, f"enumerated unknown host {key}")
    elif name in ("lsass_dump", "sam_dump"):
        need(key in fold.admin, f"{name} on {key} without admin")
        if name == "lsass_dump":
            owned.update(e["target"] for e in ix.out_edges.get(key, ()) if e["edge_type"] == "HasSession")
        else:
            owned.add(key)
    elif name == "pass_the_hash_local_admin":
        secret = ix.props(key).get("local_admin_password_id")
        need(bool(secret) and str(secret) in fold.secrets, "no shared local admin hash held")
        need(key in fold.known_hosts, "pass-the-hash to an unknown host")
        admin.add(key)
    elif name in ("asrep_roast", "kerberoast"):
        dom = ix.domain_of(key) or ""
        table = ix.asrep_roastable if name == "asrep_roast" else ix.kerberoastable
        need(key in table.get(dom, ()), f"{key} is not roastable that way")
        need(dom in fold.collected, "roasted an account not yet enumerated")
    elif name == "crack_hash":
        need(key in fold.roasted, "cracked a hash not held")
        if key in delta.get("owned", ()):
            need(ix.crackable(key), f"cracked {key}, whose password is not crackable")
        owned.add(key)
    elif name == "password_spray":
        dom, _, n = key.partition("#")
        need(dom in fold.collected and int(n) < len(SPRAY_PASSWORDS), "spray without a user list")
        for pid in delta.get("owned", ()):
            need(ix.crackable(pid), f"spray compromised {pid}, whose password is not weak")
            owned.add(pid)
    elif name == "loot_artifact":
        host, artifact = ix.artifacts[key]
        on_host = host in fold.admin or host in fold.shell
        share = host in fold.shares and artifact.get("kind") == "file"
        need(on_host or share, f"looted {key} without access to {host}")
        if artifact.get("principal_id"):
            owned.add(str(artifact["principal_id"]))
        elif "unattend" in str(artifact.get("path", "")).lower():
            admin.add(host)
    elif name == "dcsync":
        need(key in fold.compromised, "DCSync of a domain not compromised and with no edge")
        need(_dc_known(ix, fold, key), "DCSync with no known DC")
        domains.add(key)
        owned.update(p for p in (ix.domain_administrator.get(key), ix.domain_krbtgt.get(key)) if p)
    else:
        problems.append(f"{name} needs an edge")
    hosts |= admin
    return problems
