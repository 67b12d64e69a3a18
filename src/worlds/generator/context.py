"""Mutable state shared by the generation phases, and the edge set with severities.

A `BuildContext` lives only for one `generate_world` call. Phases append to its
node list, principal and host mappings and edge set; `world.py` freezes the result.
Dicts here are iterated only where their insertion order is itself the generation
order (deterministic); sets serve membership tests only and are never iterated.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Any

from worlds.generator import rng as rnglib
from worlds.generator.records import HostRecord, NodeRecord, PrincipalRecord
from worlds.generator.security import PROFILES, LevelProfile
from worlds.generator.spec import WorldSpec

SEVERITIES = ("info", "low", "medium", "high", "critical")

# Severity of an edge whose target is an ordinary object. Edges that change what an
# attacker controls are rated higher than those that only describe the directory.
BASE_SEVERITY: dict[str, str] = {
    "Contains": "info",
    "GPLink": "low",
    "MemberOf": "info",
    "TrustedBy": "info",
    "HasSession": "low",
    "CanRDP": "low",
    "CanPSRemote": "medium",
    "ForceChangePassword": "medium",
    "AddMember": "medium",
    "GenericWrite": "high",
    "GenericAll": "high",
    "WriteDacl": "high",
    "WriteOwner": "high",
    "Owns": "high",
    "AdminTo": "high",
    "AllowedToDelegate": "high",
    "DCSync": "critical",
    "ReadLAPSPassword": "high",
    "ReadGMSAPassword": "high",
    "AllowedToAct": "high",
    "AddKeyCredentialLink": "high",
    "WriteSPN": "medium",
    "HasSIDHistory": "high",
    "SQLAdmin": "high",
    "Enroll": "low",
    "ADCSESC1": "critical",
    "ADCSESC3": "critical",
    "ADCSESC4": "critical",
}

# Structural edges keep their base severity even when they point at tier 0: a
# domain containing Domain Admins is no finding.
_NEVER_ESCALATED = frozenset({"Contains", "TrustedBy"})


class EdgeSet:
    """Edges in generation order, deduplicated on (source, target, edge_type).

    Edges are held as tuples while building (a dict per edge only at the end) and a
    repeated edge is dropped, so phases can add overlapping facts without checks.
    Duplicates are found through `incoming` (target -> {(source, edge_type)}, in
    insertion order), which is also the reverse adjacency `exposure.py` searches.
    """

    __slots__ = ("_tier0", "incoming", "items")

    def __init__(self, tier0: set[str]) -> None:
        self.items: list[tuple[str, str, str, str]] = []
        self.incoming: dict[str, dict[tuple[str, str], None]] = {}
        self._tier0 = tier0

    def add(self, source: str, target: str, edge_type: str) -> bool:
        if source == target:
            return False
        sources = self.incoming.get(target)
        if sources is None:
            sources = self.incoming[target] = {}
        key = (source, edge_type)
        if key in sources:
            return False
        sources[key] = None
        severity = BASE_SEVERITY[edge_type]
        if target in self._tier0 and edge_type not in _NEVER_ESCALATED:
            severity = "critical"
        self.items.append((source, target, edge_type, severity))
        return True

    def add_from(self, source: str, targets: Iterable[str], edge_type: str) -> None:
        """`add(source, target, edge_type)` for each target in order (one call, for fan-outs)."""
        incoming, items, tier0 = self.incoming, self.items, self._tier0
        base = BASE_SEVERITY[edge_type]
        escalates = edge_type not in _NEVER_ESCALATED
        key = (source, edge_type)
        for target in targets:
            if source == target:
                continue
            sources = incoming.get(target)
            if sources is None:
                sources = incoming[target] = {}
            elif key in sources:
                continue
            sources[key] = None
            items.append(
                (source, target, edge_type, "critical" if escalates and target in tier0 else base)
            )

    def has(self, source: str, target: str, edge_type: str) -> bool:
        return (source, edge_type) in self.incoming.get(target, ())

    def __len__(self) -> int:
        return len(self.items)


class DomainState:
    """Per-domain bookkeeping: names, SID, id counters, and objects by role."""

    __slots__ = (
        "computers",
        "counters",
        "dn",
        "gpos",
        "groups",
        "index",
        "is_root",
        "name",
        "netbios",
        "next_rid",
        "node_id",
        "num_hosts",
        "num_users",
        "ous",
        "project_groups",
        "resource_groups",
        "service_hosts",
        "service_kinds",
        "sid",
        "upper",
        "users",
        "workstation_owner",
    )

    def __init__(self, index: int, name: str, sid: str, num_users: int, num_hosts: int) -> None:
        self.index = index
        self.name = name
        self.upper = name.upper()
        self.netbios = name.split(".")[0].upper()[:15]
        self.dn = ",".join(f"DC={label}" for label in name.split("."))
        self.sid = sid
        self.is_root = index == 0
        self.node_id = f"d{index}"
        self.num_users = num_users
        self.num_hosts = num_hosts
        self.counters: dict[str, int] = {}
        # Dynamic RIDs start after the ones AD hands out at promotion time
        # (1000 for the first DC account, 1101/1102 for DnsAdmins/DnsUpdateProxy).
        self.next_rid = 1103
        self.ous: dict[str, tuple[str, str]] = {}  # key -> (node id, dn)
        self.gpos: dict[str, str] = {}  # key -> node id
        self.groups: dict[str, str] = {}  # key -> node id
        self.users: dict[str, list[str]] = {}  # role -> user ids in generation order
        self.computers: dict[str, list[str]] = {}  # role or server kind -> host ids
        self.service_kinds: dict[str, str] = {}  # service account id -> kind of service
        self.service_hosts: dict[str, str] = {}  # service account id -> host it runs on
        self.workstation_owner: dict[str, str] = {}  # workstation id -> owning user id
        self.resource_groups: list[str] = []  # group ids, in creation order
        self.project_groups: list[str] = []

    def new_id(self, kind: str, width: int) -> str:
        count = self.counters.get(kind, 0)
        self.counters[kind] = count + 1
        return f"{self.node_id}-{kind}{count:0{width}d}"

    def take_rid(self) -> int:
        rid = self.next_rid
        self.next_rid += 1
        return rid

    def users_in(self, *roles: str) -> list[str]:
        found: list[str] = []
        for role in roles:
            found.extend(self.users.get(role, ()))
        return found

    def computers_in(self, *roles: str) -> list[str]:
        found: list[str] = []
        for role in roles:
            found.extend(self.computers.get(role, ()))
        return found


class BuildContext:
    """Everything the phases build, plus the seeded sub-stream factory."""

    def __init__(self, spec: WorldSpec) -> None:
        self.spec = spec
        self.profile: LevelProfile = PROFILES[spec.security_level]
        self.nodes: list[NodeRecord] = []
        self.node_index: dict[str, NodeRecord] = {}
        self.principals: dict[str, PrincipalRecord] = {}
        self.hosts: dict[str, HostRecord] = {}
        # Ids of tier-0 objects (privileged groups and accounts, DCs, domains):
        # edges into them are rated critical.
        self.tier0: set[str] = set()
        self.edges = EdgeSet(self.tier0)
        self.domains: list[DomainState] = []
        self.sites: list[str] = []
        # host id -> "dc", "workstation" or the server kind; build-time only.
        self.host_kinds: dict[str, str] = {}
        self.attack_paths: list[list[str]] = []

    def stream(self, *names: object) -> random.Random:
        return rnglib.substream(self.spec.seed, *names)

    def add_node(
        self, node_id: str, label: str, node_type: str, properties: dict[str, Any]
    ) -> NodeRecord:
        if node_id in self.node_index:
            raise ValueError(f"duplicate node id {node_id}")
        node: NodeRecord = {
            "id": node_id, "label": label, "node_type": node_type, "properties": properties,
        }
        self.nodes.append(node)
        self.node_index[node_id] = node
        return node

    def set_fact(self, principal_id: str, key: str, value: object) -> None:
        """Record a fact on a principal's node properties and its record's `tags`."""
        self.node_index[principal_id]["properties"][key] = value
        tags = self.principals[principal_id]["tags"]
        # Lists in records, tuples in node properties (see directory._add_user).
        tags[key] = list(value) if isinstance(value, tuple) else value

    def domain_named(self, name: str) -> DomainState:
        for domain in self.domains:
            if domain.name == name:
                return domain
        raise KeyError(name)
