"""The "edges" phase: the attack graph over the directory and the hosts.

Direction follows BloodHound: an edge A -> B means A holds (or yields) the
relationship over B, so an attacker controlling A moves along it:

- MemberOf (member -> group), from every principal's `membership_ids`;
- TrustedBy (A -> B: domain B trusts domain A), both ways between the forest root
  and every other domain;
- DCSync / GenericAll on the domain object for the groups AD grants them to;
- AdminTo (local administrators), HasSession (computer -> logged-on user),
  CanRDP, CanPSRemote, from role groups, workstation owners and admins;
- delegated ACLs (Helpdesk resetting passwords, Account Operators over groups,
  IT groups over their OUs and GPOs, group owners), AllowedToDelegate;
- misconfigurations: about one random ACL edge per 50 users between non-tier-0
  objects, so planted paths are not the only paths and not trivially visible.

Contains and GPLink edges are added with their objects, in the earlier phases.

Fan-out is bounded per principal except for role groups over their hosts (one
edge per host), so the edge count grows linearly with users plus hosts.
"""

from __future__ import annotations

import random

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.hosts import add_artifact, password_ref
from worlds.generator.rng import cumulate, sample_upto, weighted_index

EDGE_TYPES = (
    "MemberOf", "AdminTo", "HasSession", "CanRDP", "CanPSRemote", "GenericAll", "GenericWrite",
    "WriteDacl", "WriteOwner", "Owns", "ForceChangePassword", "AddMember", "DCSync", "Contains",
    "GPLink", "TrustedBy", "AllowedToDelegate",
)

# Misconfiguration edge types by kind of target.
_USER_ABUSE = (
    "GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "ForceChangePassword", "Owns",
)
_GROUP_ABUSE = ("GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "AddMember", "Owns")
_COMPUTER_ABUSE = ("GenericAll", "GenericWrite", "WriteDacl", "AdminTo", "CanRDP", "CanPSRemote")
_GPO_ABUSE = ("GenericAll", "GenericWrite", "WriteDacl")
# Odds of a misconfiguration's target being a user, group, computer or GPO.
_TARGET_CUMULATIVE = cumulate((40, 30, 25, 5))


def build_edges(ctx: BuildContext) -> None:
    _member_of(ctx)
    _trusts(ctx)
    for domain in ctx.domains:
        stream = ctx.stream("edges", domain.name)
        _domain_rights(ctx, domain)
        _local_admins(ctx, domain, stream)
        _sessions(ctx, domain, stream)
        _remote_access(ctx, domain, stream)
        _delegated_acls(ctx, domain, stream)
        _delegation(ctx, domain, stream)
        _misconfigurations(ctx, domain, stream)


def _member_of(ctx: BuildContext) -> None:
    add = ctx.edges.add
    for principal_id, principal in ctx.principals.items():
        for group_id in principal["membership_ids"]:
            add(principal_id, group_id, "MemberOf")


def _trusts(ctx: BuildContext) -> None:
    root = ctx.domains[0]
    for domain in ctx.domains[1:]:
        # Parent-child and tree-root trusts inside a forest are two-way.
        ctx.edges.add(domain.node_id, root.node_id, "TrustedBy")
        ctx.edges.add(root.node_id, domain.node_id, "TrustedBy")


def _domain_rights(ctx: BuildContext, domain: DomainState) -> None:
    groups, add = domain.groups, ctx.edges.add
    enterprise_admins = ctx.domains[0].groups["enterprise_admins"]
    for holder in (groups["domain_admins"], groups["administrators"],
                   groups["domain_controllers"], enterprise_admins):
        add(holder, domain.node_id, "DCSync")
    add(groups["domain_admins"], domain.node_id, "GenericAll")
    add(enterprise_admins, domain.node_id, "GenericAll")


def _windows(ctx: BuildContext, host_ids: list[str]) -> list[str]:
    return [h for h in host_ids if ctx.hosts[h]["os_family"] == "windows"]


def _local_admins(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    groups, add = domain.groups, ctx.edges.add
    workstations = domain.computers_in("workstation")
    servers = _windows(ctx, domain.computers_in("server"))
    for host_id in _windows(ctx, domain.computers_in("domain_controller", "server", "workstation")):
        add(groups["domain_admins"], host_id, "AdminTo")
    for host_id in workstations:
        add(groups["workstation_admins"], host_id, "AdminTo")
        owner = domain.workstation_owner.get(host_id)
        if owner is not None and stream.random() < 0.08:
            add(owner, host_id, "AdminTo")
    for host_id in servers:
        add(groups["server_admins"], host_id, "AdminTo")
    for host_id in domain.computers.get("kind:sql", ()):
        add(groups["sql_admins"], host_id, "AdminTo")
    if servers:
        for admin_id in domain.users_in("it_admin"):
            for host_id in sample_upto(stream, servers, stream.randrange(3)):
                add(admin_id, host_id, "AdminTo")
    for account_id, host_id in domain.service_hosts.items():
        if ctx.hosts[host_id]["os_family"] == "windows" and stream.random() < 0.5:
            add(account_id, host_id, "AdminTo")


def _sessions(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    add = ctx.edges.add
    enabled_people = [
        u for u in domain.users_in("regular", "it_admin") if ctx.principals[u]["enabled"]
    ]
    for host_id in domain.computers_in("workstation"):
        owner = domain.workstation_owner.get(host_id)
        if owner is not None and stream.random() < 0.8:
            add(host_id, owner, "HasSession")
        if enabled_people and stream.random() < 0.1:
            add(host_id, stream.choice(enabled_people), "HasSession")
    it_admins = domain.users_in("it_admin")
    for host_id in domain.computers_in("server"):
        for admin_id in sample_upto(stream, it_admins, stream.randrange(3)):
            add(host_id, admin_id, "HasSession")
    domain_admins = domain.users_in("domain_admin", "builtin_admin")
    for host_id in domain.computers_in("domain_controller"):
        for admin_id in sample_upto(stream, domain_admins, 2):
            add(host_id, admin_id, "HasSession")
    # Tier-0 accounts logging on to lower tiers: what most real paths hinge on.
    members = domain.computers_in("server", "workstation")
    if members:
        for admin_id in domain.users_in("domain_admin"):
            if stream.random() < 0.4:
                host_id = stream.choice(members)
                if add(host_id, admin_id, "HasSession"):
                    add_artifact(ctx, host_id, "credential", "lsass.exe",
                                 "cached logon credentials of an interactive session",
                                 admin_id, password_ref(ctx, admin_id))


def _remote_access(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    groups, add = domain.groups, ctx.edges.add
    for host_id in domain.computers.get("kind:rds", ()):
        add(groups["remote_desktop_users"], host_id, "CanRDP")
        add(groups["domain_users"], host_id, "CanRDP")
    for host_id in _windows(ctx, domain.computers_in("server")):
        if any(service["port"] == 5985 for service in ctx.hosts[host_id]["services"]):
            add(groups["remote_management_users"], host_id, "CanPSRemote")
    for host_id in domain.computers_in("workstation"):
        owner = domain.workstation_owner.get(host_id)
        if owner is not None and stream.random() < 0.2:
            add(owner, host_id, "CanRDP")


def _delegated_acls(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    groups, add = domain.groups, ctx.edges.add
    for user_id in sample_upto(stream, domain.users_in("regular"), 25):
        add(groups["helpdesk"], user_id, "ForceChangePassword")
    # AdminSDHolder shields tier-0 groups from Account Operators; the rest is theirs.
    unprotected = [gid for key, gid in groups.items()
                   if gid not in ctx.tier0 and not key.startswith("project:")]
    for group_id in unprotected:
        add(groups["account_operators"], group_id, "GenericAll")
    add(groups["it_admins"], domain.ous["workstations"][0], "GenericAll")
    add(groups["server_admins"], domain.ous["servers"][0], "GenericWrite")
    add(groups["server_admins"], domain.gpos["server_baseline"], "GenericWrite")
    add(groups["workstation_admins"], domain.gpos["workstation_baseline"], "GenericWrite")
    owners = domain.users_in("it_admin")
    custom = [gid for key, gid in groups.items()
              if gid not in ctx.tier0 and ctx.node_index[gid]["properties"]["builtin"] is False]
    for group_id in custom:
        owner = stream.choice(owners) if owners else groups["domain_admins"]
        add(owner, group_id, "Owns")


def _delegation(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    add = ctx.edges.add
    sql_hosts = domain.computers.get("kind:sql", [])
    for account_id, kind in domain.service_kinds.items():
        if kind == "web" and sql_hosts:
            for host_id in sample_upto(stream, sql_hosts, 2):
                add(account_id, host_id, "AllowedToDelegate")
    servers = domain.computers_in("server")
    for host_id in servers:
        if len(servers) > 1 and stream.random() < 0.03:
            add(host_id, stream.choice(servers), "AllowedToDelegate")


def _misconfigurations(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    tier0 = ctx.tier0
    groups = [gid for gid in domain.groups.values() if gid not in tier0]
    sources = [u for u in domain.users_in("regular") if ctx.principals[u]["enabled"]] + groups
    # Tier 0 is left out on purpose: a random edge into it would make the planted
    # path redundant in most worlds.
    targets = (
        ([u for u in domain.users_in("regular", "it_admin", "service") if u not in tier0],
         _USER_ABUSE),
        (groups, _GROUP_ABUSE),
        (domain.computers_in("server", "workstation"), _COMPUTER_ABUSE),
        ([gid for gid in domain.gpos.values() if gid not in tier0], _GPO_ABUSE),
    )
    for _ in range(max(1, domain.num_users // 50)):
        candidates, kinds = targets[weighted_index(stream, _TARGET_CUMULATIVE)]
        if candidates:
            ctx.edges.add(stream.choice(sources), stream.choice(candidates), stream.choice(kinds))
