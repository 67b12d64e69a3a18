"""Goals: parsing the request's goal string, testing it, and the distance to it.

Accepted forms (trajectories.md, "Goals"):

    Domain Admins               (default) credentials of a member, direct or nested, of
                                any domain's Domain Admins, or a DCSync of any domain
    Domain Admins@<domain>      the same, for one domain
    Enterprise Admins           a member of the forest root's Enterprise Admins
    <group>[@<domain>]          a member of that group (any domain holding one by that
                                name, or the named domain's)
    host:<hostname or id>       admin on that host
    principal:<sam or id>       that principal's credentials
    dcsync[:<domain>]           a DCSync of that domain (of any domain without one)

Group and principal goals are also met by compromising (DCSync-ing) their domain:
the attacker then holds every credential of it.

`distances(ix, goal)` is a reverse breadth-first search from the goal over every way
the sampler can gain a node (edges, artifacts, shared local admin passwords,
roasting and spraying within an authenticated domain, domain compromise), so it
over-approximates what can be reached: a start with no finite distance can never
reach the goal (`goal_unreachable`), and greedy follows decreasing distances.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from worlds.sampler.index import WorldIndex
from worlds.sampler.state import AttackerState

ACCEPTED_FORMS = (
    "Domain Admins", "Domain Admins@<domain>", "Enterprise Admins", "<group>[@<domain>]",
    "host:<hostname or id>", "principal:<sam or id>", "dcsync[:<domain>]",
)
DEFAULT_GOAL = "Domain Admins"


class GoalError(ValueError):
    """The goal names nothing in this world (or is malformed). `field` is "goal"."""

    field = "goal"

    def __init__(self, goal: str, reason: str) -> None:
        self.goal = goal
        self.reason = reason
        super().__init__(
            f"goal {goal!r} {reason}; accepted forms: {', '.join(ACCEPTED_FORMS)}"
        )


@dataclass(frozen=True)
class GoalSpec:
    """A resolved goal: what must be held, and which domain compromises also count."""

    text: str
    kind: str  # group | host | principal | dcsync
    node_ids: tuple[str, ...]
    domains: tuple[str, ...]  # domain ids whose DCSync (or compromise, see kind) satisfies
    condition: str

    def to_dict(self) -> dict[str, object]:
        return {
            "goal": self.text,
            "kind": self.kind,
            "node_ids": list(self.node_ids),
            "domain_ids": list(self.domains),
            "condition": self.condition,
        }


def resolve_goal(ix: WorldIndex, goal: str | None) -> GoalSpec:
    """Resolve a goal string against the world; raises GoalError if it names nothing."""
    text = (goal or "").strip() or DEFAULT_GOAL
    lowered = text.lower()
    if lowered.startswith("host:"):
        return _host_goal(ix, text, text[5:].strip())
    if lowered.startswith("principal:"):
        return _principal_goal(ix, text, text[10:].strip())
    if lowered == "dcsync" or lowered.startswith("dcsync:"):
        name = text[7:].strip() if ":" in text else ""
        domains = (_domain(ix, text, name),) if name else tuple(ix.domains)
        return GoalSpec(text, "dcsync", (), domains, f"DCSync of {_names(ix, domains)}")
    group, _, domain = text.partition("@")
    group, domain = group.strip(), domain.strip()
    if not group:
        raise GoalError(text, "names no group")
    dom_id = _domain(ix, text, domain) if domain else None
    if group.lower() == "domain admins":
        pool = [dom_id] if dom_id else list(ix.domains)
        ids = tuple(ix.domain_admins[d] for d in pool if d in ix.domain_admins)
        if not ids:
            raise GoalError(text, "names no Domain Admins group of this world")
        return GoalSpec(text, "group", ids, tuple(pool),
                        f"credentials of a member of {_names(ix, ids)} or a DCSync of "
                        f"{_names(ix, tuple(pool))}")
    ids = tuple(g for g in ix.group_by_name.get(group.lower(), ())
                if dom_id is None or ix.domain_of(g) == dom_id)
    if not ids:
        raise GoalError(text, "names no group of this world")
    domains = tuple(dict.fromkeys(
        d for g in ids if (d := ix.domain_of(g)) is not None and _has_user_member(ix, g)))
    return GoalSpec(text, "group", ids, domains,
                    f"credentials of a member of {_names(ix, ids)}")


def _host_goal(ix: WorldIndex, text: str, name: str) -> GoalSpec:
    host_id = name if name in ix.hosts else ix.host_by_name.get(name.lower())
    if host_id is None:
        raise GoalError(text, "names no host of this world")
    return GoalSpec(text, "host", (host_id,), (), f"admin on {ix.name(host_id)}")


def _principal_goal(ix: WorldIndex, text: str, name: str) -> GoalSpec:
    if name in ix.principals:
        ids: tuple[str, ...] = (name,)
    else:
        sam, _, domain = name.partition("@")
        dom_id = _domain(ix, text, domain) if domain else None
        ids = tuple(p for p in ix.principal_by_sam.get(sam.lower(), ())
                    if dom_id is None or ix.domain_of(p) == dom_id)
    if not ids:
        raise GoalError(text, "names no principal of this world")
    ids = ids[:1]  # a sam shared by several domains: the first in id order
    dom = ix.domain_of(ids[0])
    return GoalSpec(text, "principal", ids, (dom,) if dom else (),
                    f"credentials of {ix.name(ids[0])}")


def _domain(ix: WorldIndex, text: str, name: str) -> str:
    dom_id = ix.domain_node.get(name.lower().removesuffix("."))
    if dom_id is None:
        raise GoalError(text, f"names no domain {name!r} of this world")
    return dom_id


def _names(ix: WorldIndex, ids: tuple[str, ...]) -> str:
    return ", ".join(str(ix.nodes[i]["label"]) for i in ids)


def _has_user_member(ix: WorldIndex, group_id: str) -> bool:
    """Whether the group has an enabled user member, directly or nested (bounded search)."""
    seen, stack = {group_id}, [group_id]
    while stack and len(seen) < 10_000:
        node = stack.pop()
        for edge in ix.in_edges.get(node, ()):
            if edge["edge_type"] != "MemberOf" or edge["source"] in seen:
                continue
            if ix.node_type(edge["source"]) == "user" and ix.is_enabled(edge["source"]):
                return True
            seen.add(edge["source"])
            stack.append(edge["source"])
    return False


def goal_reached(goal: GoalSpec, st: AttackerState) -> bool:
    if goal.kind == "group":
        return (any(g in st.controlled for g in goal.node_ids)
                or any(d in st.dcsynced for d in goal.domains))
    if goal.kind == "host":
        return any(h in st.admin_hosts for h in goal.node_ids)
    if goal.kind == "principal":
        return (any(p in st.owned for p in goal.node_ids)
                or any(d in st.dcsynced for d in goal.domains))
    return any(d in st.dcsynced for d in goal.domains)


def distances(ix: WorldIndex, goal: GoalSpec) -> dict[str, int]:
    """Hops from each node to the goal (see the module docstring); absent: unreachable."""
    dist: dict[str, int] = {}
    queue: deque[str] = deque()

    def reach(node: str, d: int) -> None:
        if node not in dist:
            dist[node] = d
            queue.append(node)

    seeds = goal.node_ids if goal.kind != "dcsync" else goal.domains
    for node in seeds:
        reach(node, 0)
    for dom in goal.domains:
        reach(dom, 0 if goal.kind == "dcsync" else 1)
    shared_by_host = {h: s for s, hosts in ix.local_admin_shared.items() for h in hosts}
    # Users whose password an authenticated attacker can obtain: roastable and
    # crackable, or hit by a spray.
    roastable: set[str] = set()
    for dom in ix.domains:
        for user in (*ix.kerberoastable.get(dom, ()), *ix.asrep_roastable.get(dom, ())):
            if ix.crackable(user):
                roastable.add(user)
    for hits in ix.spray_hits.values():
        roastable.update(hits)
    while queue:
        node = queue.popleft()
        d = dist[node] + 1
        if node.startswith("auth:"):
            # Whoever holds a credential of the domain authenticates to it.
            dom = node[5:]
            for member in ix.domain_members.get(dom, ()):
                reach(member, d)
            reach(dom, d)
            for edge in ix.in_edges.get(dom, ()):
                if edge["edge_type"] == "TrustedBy":
                    reach(f"auth:{edge['source']}", d)
            continue
        for edge in ix.in_edges.get(node, ()):
            reach(edge["source"], d)
        for host_id in ix.artifact_hosts.get(node, ()):
            reach(host_id, d)
        secret = shared_by_host.get(node)
        if secret is not None:
            for host_id in ix.local_admin_shared[secret]:
                reach(host_id, d)
        node_dom = ix.domain_of(node)
        if node_dom is None:
            continue
        if node == ix.domain_administrator.get(node_dom) or node == ix.domain_krbtgt.get(node_dom):
            reach(node_dom, d)
        if node in roastable:
            reach(f"auth:{node_dom}", d)
    return dist
