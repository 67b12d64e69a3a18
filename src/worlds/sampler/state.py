"""`AttackerState`: what the attacker knows and holds, and the `Delta` of one step.

Every set the sampler iterates is a dict used as an ordered set (insertion order is
the order things were gained, a deterministic function of the steps), never a
`set`, whose order would depend on PYTHONHASHSEED.

State changes go through the `gain_*` methods, which record what is new in the
step's `Delta`; the delta drives the frontier update (`triggers.candidates`), is the
`state_after.delta` of the step, and is what `replay_check` re-derives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from worlds.sampler.index import WorldIndex

OrderedSet = dict[str, None]


@dataclass
class Delta:
    """What one step added, in the order it was added."""

    known_hosts: list[str] = field(default_factory=list)
    known_subnets: list[str] = field(default_factory=list)
    collected_domains: list[str] = field(default_factory=list)
    auth_domains: list[str] = field(default_factory=list)
    known_principals: int = 0
    known_edges: int = 0
    session_hosts: list[str] = field(default_factory=list)
    share_hosts: list[str] = field(default_factory=list)
    owned: list[str] = field(default_factory=list)
    controlled: list[str] = field(default_factory=list)
    admin_hosts: list[str] = field(default_factory=list)
    shell_hosts: list[str] = field(default_factory=list)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    roasted: list[str] = field(default_factory=list)
    local_secrets: list[str] = field(default_factory=list)
    compromised_domains: list[str] = field(default_factory=list)
    dcsynced_domains: list[str] = field(default_factory=list)

    def empty(self) -> bool:
        return not any(
            getattr(self, name) for name in self.__dataclass_fields__
        )

    def to_dict(self) -> dict[str, Any]:
        """The non-empty members, JSON-ready."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value:
                out[name] = list(value) if isinstance(value, list) else value
        return out


@dataclass
class AttackerState:
    """Attacker knowledge and holdings (see the module docstring)."""

    known_hosts: OrderedSet = field(default_factory=dict)
    known_subnets: OrderedSet = field(default_factory=dict)
    collected: OrderedSet = field(default_factory=dict)  # domain ids
    auth_domains: OrderedSet = field(default_factory=dict)
    known_extra_principals: OrderedSet = field(default_factory=dict)
    known_principal_count: int = 0
    known_edge_count: int = 0
    session_hosts: OrderedSet = field(default_factory=dict)
    share_hosts: OrderedSet = field(default_factory=dict)
    owned: dict[str, str] = field(default_factory=dict)  # principal -> credential kind
    owned_domains: OrderedSet = field(default_factory=dict)
    controlled: dict[str, str] = field(default_factory=dict)  # principal -> acting owned one
    admin_hosts: OrderedSet = field(default_factory=dict)
    shell_hosts: OrderedSet = field(default_factory=dict)
    # Host -> the held principal whose rights give admin/shell there, "" when it is the
    # host's local Administrator (a dumped/shared hash, LAPS, an impersonation ticket).
    host_access: dict[str, str] = field(default_factory=dict)
    credentials: list[dict[str, Any]] = field(default_factory=list)
    roasted: dict[str, str] = field(default_factory=dict)  # user -> "asrep" | "tgs"
    crack_tried: OrderedSet = field(default_factory=dict)
    local_secrets: OrderedSet = field(default_factory=dict)
    compromised: OrderedSet = field(default_factory=dict)  # domain ids
    dcsynced: OrderedSet = field(default_factory=dict)
    done: OrderedSet = field(default_factory=dict)  # "name|key" of every executed action
    delta: Delta = field(default_factory=Delta)

    # --- views -----------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        return {
            "known_hosts": len(self.known_hosts),
            "known_principals": self.known_principal_count,
            "known_edges": self.known_edge_count,
            "owned_principals": len(self.owned),
            "controlled_principals": len(self.controlled),
            "admin_hosts": len(self.admin_hosts),
            "shell_hosts": len(self.shell_hosts),
            "credentials": len(self.credentials),
            "compromised_domains": len(self.compromised),
        }

    def knows_principal(self, ix: WorldIndex, pid: str) -> bool:
        dom = ix.domain_of(pid)
        return (dom is not None and dom in self.collected) or pid in self.known_extra_principals

    def knows_edge(self, ix: WorldIndex, source: str, target: str, edge_type: str) -> bool:
        if edge_type == "HasSession":
            return source in self.session_hosts or source in self.admin_hosts
        for node in (source, target):
            dom = ix.domain_of(node)
            if dom is not None and dom in self.collected:
                return True
        return False

    def begin_step(self) -> Delta:
        self.delta = Delta()
        return self.delta

    # --- gains -----------------------------------------------------------------------
    def gain_host(self, host_id: str) -> None:
        if host_id not in self.known_hosts:
            self.known_hosts[host_id] = None
            self.delta.known_hosts.append(host_id)

    def gain_subnet(self, subnet: str) -> None:
        if subnet not in self.known_subnets:
            self.known_subnets[subnet] = None
            self.delta.known_subnets.append(subnet)

    def gain_principal(self, ix: WorldIndex, pid: str) -> None:
        if not self.knows_principal(ix, pid):
            self.known_extra_principals[pid] = None
            self.known_principal_count += 1
            self.delta.known_principals += 1

    def gain_edges(self, count: int) -> None:
        self.known_edge_count += count
        self.delta.known_edges += count

    def gain_collected(self, ix: WorldIndex, domain_id: str) -> None:
        if domain_id in self.collected:
            return
        already = sum(1 for pid in self.known_extra_principals if ix.domain_of(pid) == domain_id)
        self.collected[domain_id] = None
        added = ix.domain_principal_count.get(domain_id, 0) - already
        self.known_principal_count += added
        self.delta.known_principals += added
        self.gain_edges(ix.domain_edge_count.get(domain_id, 0))
        self.delta.collected_domains.append(domain_id)

    def gain_credential(self, kind: str, principal_id: str | None, source: str) -> None:
        cred = {
            "cred_id": f"c{len(self.credentials):04d}",
            "kind": kind,
            "principal_id": principal_id,
            "source": source,
        }
        self.credentials.append(cred)
        self.delta.credentials.append(cred)

    def gain_owned(self, ix: WorldIndex, pid: str, kind: str, source: str) -> None:
        """Hold `pid`'s credential (kind: password, ntlm, aes, ticket, certificate)."""
        self.gain_credential(kind, pid, source)
        if pid in self.owned or not ix.is_enabled(pid):
            return
        self.owned[pid] = kind
        self.delta.owned.append(pid)
        dom = ix.domain_of(pid)
        if dom is not None:
            self.owned_domains[dom] = None
        self.gain_principal(ix, pid)
        self.gain_controlled(ix, pid, pid)

    def gain_controlled(self, ix: WorldIndex, pid: str, actor: str) -> None:
        """Control `pid` and, through nested membership, every group it is in."""
        stack = [pid]
        while stack:
            node = stack.pop()
            if node in self.controlled:
                continue
            self.controlled[node] = actor
            self.delta.controlled.append(node)
            for group in reversed(ix.member_of.get(node, ())):
                if group not in self.controlled:
                    stack.append(group)

    def gain_admin(self, host_id: str, via: str = "") -> None:
        self.gain_host(host_id)
        if host_id not in self.admin_hosts:
            self.admin_hosts[host_id] = None
            self.host_access[host_id] = via
            self.delta.admin_hosts.append(host_id)

    def gain_shell(self, host_id: str, via: str = "") -> None:
        self.gain_host(host_id)
        if host_id not in self.shell_hosts and host_id not in self.admin_hosts:
            self.shell_hosts[host_id] = None
            self.host_access.setdefault(host_id, via)
            self.delta.shell_hosts.append(host_id)

    def gain_roasted(self, user_id: str, kind: str) -> None:
        if user_id not in self.roasted:
            self.roasted[user_id] = kind
            self.delta.roasted.append(user_id)
            self.gain_credential(f"{kind}_hash", user_id, "roast")

    def gain_local_secret(self, secret_id: str) -> None:
        if secret_id not in self.local_secrets:
            self.local_secrets[secret_id] = None
            self.delta.local_secrets.append(secret_id)

    def gain_compromised(self, domain_id: str) -> None:
        if domain_id not in self.compromised:
            self.compromised[domain_id] = None
            self.delta.compromised_domains.append(domain_id)

    def gain_dcsynced(self, domain_id: str) -> None:
        self.gain_compromised(domain_id)
        if domain_id not in self.dcsynced:
            self.dcsynced[domain_id] = None
            self.delta.dcsynced_domains.append(domain_id)

    def refresh_auth(self, ix: WorldIndex) -> None:
        """Domains a held credential authenticates to: its own, and those trusting it."""
        for dom in ix.domains:
            if dom not in self.owned_domains and dom not in self.compromised:
                continue
            self._gain_auth(dom)
            if dom not in self.collected:
                continue  # the trusts of a domain are learnt by collecting it
            for edge in ix.out_edges.get(dom, ()):
                if edge["edge_type"] == "TrustedBy":
                    self._gain_auth(edge["target"])

    def _gain_auth(self, domain_id: str) -> None:
        if domain_id not in self.auth_domains:
            self.auth_domains[domain_id] = None
            self.delta.auth_domains.append(domain_id)
