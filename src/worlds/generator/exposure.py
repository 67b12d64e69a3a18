"""Exposure of a generated world: who can reach Domain Admins, and by what.

`stats["exposure"]` (**ours**) holds:

- `share`: of the enabled users outside tier 0 (`users_considered`), the share
  (`users_with_path` of them) with a directed path to any domain's Domain Admins
  group, every edge but CanRDP/CanPSRemote counting as a move (BloodHound's
  direction: A -> B means controlling A yields B). Rounded to 4 decimals;
- `median_path_length`: the median, over those users, of their shortest path's
  number of edges;
- `distinct_first_hops`: how many different nodes those users' shortest paths go
  through first (one shortest path per user: the breadth-first search's);
- `tier0_size`: principals in tier 0: privileged users and groups, domain
  controllers, and every principal nested in a tier-0 group;
- `edge_counts`: edges per edge type (the count of each primitive);
- `roastable`: users with an SPN, without Kerberos pre-authentication, and with a
  password that falls to a wordlist (`kerberoastable`, `asrep_roastable`,
  `crackable`), enabled ones only.

One reverse breadth-first search from the Domain Admins groups over the edges in
generation order: linear in nodes plus edges, and deterministic.
"""

from __future__ import annotations

from collections import Counter
from operator import itemgetter
from typing import TypedDict

from worlds.generator.context import BuildContext

NOT_MOVES = frozenset({"CanRDP", "CanPSRemote"})
_NONE: dict[tuple[str, str], None] = {}


class Roastable(TypedDict):
    kerberoastable: int
    asrep_roastable: int
    crackable: int


class Exposure(TypedDict):
    share: float
    users_considered: int
    users_with_path: int
    median_path_length: float | None
    distinct_first_hops: int
    tier0_size: int
    edge_counts: dict[str, int]
    roastable: Roastable


def compute_exposure(ctx: BuildContext) -> Exposure:
    # Counter's counting loop runs in C: this pass costs little on 300k edges.
    edge_counts = Counter(map(itemgetter(2), ctx.edges.items))
    # The edge set's own reverse adjacency (in edge order, so the search is
    # deterministic): target -> {(source, edge_type)}.
    incoming = ctx.edges.incoming
    not_moves = NOT_MOVES
    # Level by level: `next_hop` maps each node reached to the node its shortest
    # path goes to next (None for the Domain Admins groups themselves).
    frontier = [domain.groups["domain_admins"] for domain in ctx.domains]
    next_hop: dict[str, str | None] = dict.fromkeys(frontier)
    levels: list[list[str]] = []
    while frontier:
        reached: list[str] = []
        for current in frontier:
            for source, edge_type in incoming.get(current, _NONE):
                if source not in next_hop and edge_type not in not_moves:
                    next_hop[source] = current
                    reached.append(source)
        levels.append(reached)
        frontier = reached
    tier0_groups = _tier0_groups(ctx)
    tier0_size = 0
    considered: set[str] = set()
    kerberoastable = asrep = crackable = 0
    node_index, tier0_ids = ctx.node_index, ctx.tier0
    for principal_id, principal in ctx.principals.items():
        in_tier0 = principal_id in tier0_ids or not tier0_groups.isdisjoint(
            principal["membership_ids"]
        )
        tier0_size += in_tier0
        if principal["principal_type"] != "user" or not principal["enabled"]:
            continue
        properties = node_index[principal_id]["properties"]
        kerberoastable += properties["hasspn"]
        asrep += properties["dontreqpreauth"]
        crackable += properties["password_crackable"]
        if not in_tier0:
            considered.add(principal_id)
    # Levels come in increasing path length, so `lengths` is sorted.
    lengths: list[int] = []
    first_hops: set[str | None] = set()
    for length, reached in enumerate(levels, start=1):
        for node_id in reached:
            if node_id in considered:
                lengths.append(length)
                first_hops.add(next_hop[node_id])
    return {
        # Four decimals: the shortest spelling of any such float has no exponent, so
        # every JSON encoder writes it alike.
        "share": round(len(lengths) / len(considered), 4) if considered else 0.0,
        "users_considered": len(considered),
        "users_with_path": len(lengths),
        "median_path_length": _median(lengths),
        "distinct_first_hops": len(first_hops),
        "tier0_size": tier0_size,
        "edge_counts": dict(sorted(edge_counts.items())),
        "roastable": {
            "kerberoastable": kerberoastable, "asrep_roastable": asrep, "crackable": crackable,
        },
    }


def _tier0_groups(ctx: BuildContext) -> set[str]:
    """Groups that are tier 0 or nested (transitively) in a tier-0 group.

    A principal is in tier 0 when it is itself (`ctx.tier0`) or is a direct member
    of one of these groups. Memberships form no cycle (groups nest only into
    earlier ones), so the depth-first walk ends.
    """
    principals, tier0_ids = ctx.principals, ctx.tier0
    known: dict[str, bool] = {}

    def nested(group_id: str) -> bool:
        found = known.get(group_id)
        if found is None:
            found = group_id in tier0_ids or any(
                nested(parent) for parent in principals[group_id]["membership_ids"]
            )
            known[group_id] = found
        return found

    groups = [pid for domain in ctx.domains for pid in domain.groups.values()]
    return {group_id for group_id in groups if nested(group_id)}


def _median(sorted_values: list[int]) -> float | None:
    if not sorted_values:
        return None
    middle = len(sorted_values) // 2
    if len(sorted_values) % 2:
        return float(sorted_values[middle])
    return (sorted_values[middle - 1] + sorted_values[middle]) / 2
