"""The "edges" phase: the attack graph over the directory and the hosts.

Direction follows BloodHound: an edge A -> B means A holds (or yields) the
relationship over B, so an attacker controlling A moves along it:

- MemberOf (member -> group), from every principal's `membership_ids`;
- TrustedBy (A -> B: domain B trusts domain A), both ways between the forest root
  and every other domain;
- DCSync / GenericAll on the domain object for the groups AD grants them to;
- AdminTo (local administrators, including role groups a GPO grants it to on
  their department's workstations), HasSession (computer -> logged-on user; heavy
  tailed: terminal and jump servers carry many), CanRDP, CanPSRemote;
- delegated ACLs (Helpdesk resetting passwords, Account Operators over groups,
  IT groups over their OUs and GPOs, group owners), AllowedToDelegate;
- the primitives of `primitives.py` (LAPS and gMSA readers, RBCD, SID history,
  MSSQL, shared local admin passwords) and `adcs.py` (templates, ESC1/3/4);
- misconfigurations (`misconfig.py`): random ACLs between non-tier-0 objects with
  heavy-tailed fan-out, and the classic tier-0 ones, at the level's rates.

Contains and GPLink edges are added with their objects, in the earlier phases.

Fan-out is bounded per principal except for groups over their hosts (one edge
per host), so the edge count grows linearly with users plus hosts.
"""

from __future__ import annotations

import random

from worlds.generator.adcs import build_adcs
from worlds.generator.context import BuildContext, DomainState
from worlds.generator.domains import add_gpo
from worlds.generator.hosts import add_artifact, password_ref
from worlds.generator.misconfig import build_misconfigurations
from worlds.generator.names import DEPARTMENTS
from worlds.generator.primitives import build_primitives
from worlds.generator.rng import geometric_count, heavy_count, sample_upto

EDGE_TYPES = (
    "MemberOf", "AdminTo", "HasSession", "CanRDP", "CanPSRemote", "GenericAll", "GenericWrite",
    "WriteDacl", "WriteOwner", "Owns", "ForceChangePassword", "AddMember", "DCSync", "Contains",
    "GPLink", "TrustedBy", "AllowedToDelegate",
    # The primitives of real engagements, with BloodHound CE's names.
    "ReadLAPSPassword", "ReadGMSAPassword", "AllowedToAct", "AddKeyCredentialLink", "WriteSPN",
    "HasSIDHistory", "SQLAdmin", "Enroll", "ADCSESC1", "ADCSESC3", "ADCSESC4",
)


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
        build_primitives(ctx, domain, ctx.stream("primitives", domain.name))
    build_adcs(ctx)
    for domain in ctx.domains:
        build_misconfigurations(ctx, domain, ctx.stream("misconfigurations", domain.name))


def _member_of(ctx: BuildContext) -> None:
    add_from = ctx.edges.add_from
    for principal_id, principal in ctx.principals.items():
        add_from(principal_id, principal["membership_ids"], "MemberOf")


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
    groups, add, profile = domain.groups, ctx.edges.add, ctx.profile
    workstations = domain.computers_in("workstation")
    servers = _windows(ctx, domain.computers_in("server"))
    add_from = ctx.edges.add_from
    add_from(groups["domain_admins"],
             _windows(ctx, domain.computers_in("domain_controller", "server", "workstation")),
             "AdminTo")
    add_from(groups["workstation_admins"], workstations, "AdminTo")
    add_from(groups["server_admins"], servers, "AdminTo")
    add_from(groups["sql_admins"], domain.computers.get("kind:sql", ()), "AdminTo")
    if workstations:
        # Users in the local Administrators of their own workstation, or (without
        # one) of a shared or lab machine.
        owned: dict[str, str] = {}
        for host_id in workstations:
            owner = domain.workstation_owner.get(host_id)
            if owner is not None:
                owned.setdefault(owner, host_id)
        for user_id in domain.users_in("regular"):
            if ctx.principals[user_id]["enabled"] and stream.random() < profile.owner_local_admin:
                add(user_id, owned.get(user_id) or stream.choice(workstations), "AdminTo")
    if servers:
        # Admin fan-out is heavy-tailed: most IT admins hold a few servers, some hundreds.
        for admin_id in domain.users_in("it_admin"):
            count = heavy_count(stream, 2.0, 1.5, len(servers))
            for host_id in sample_upto(stream, servers, count):
                add(admin_id, host_id, "AdminTo")
    for account_id, host_id in domain.service_hosts.items():
        if ctx.hosts[host_id]["os_family"] == "windows" and stream.random() < 0.5:
            add(account_id, host_id, "AdminTo")
    _gpo_local_admins(ctx, domain, stream, workstations)


def _gpo_local_admins(
    ctx: BuildContext, domain: DomainState, stream: random.Random, workstations: list[str]
) -> None:
    """Role groups a GPO puts in the local Administrators of their department's machines."""
    by_department: dict[str, list[str]] = {}
    for host_id in workstations:
        owner = domain.workstation_owner.get(host_id)
        if owner is not None:
            department = ctx.principals[owner]["department"]
            by_department.setdefault(str(department), []).append(host_id)
    for key, group_id in domain.groups.items():
        if not key.startswith("role:") or stream.random() >= ctx.profile.gpo_admin_role_groups:
            continue
        code = key.split(":")[1]
        name = next(name for name, dept_code, _ in DEPARTMENTS if dept_code == code)
        hosts = by_department.get(name, [])
        if not hosts:
            continue
        role_name = ctx.principals[group_id]["sam"]
        add_gpo(ctx, domain, f"localadmin:{key}", f"Local Administrators - {role_name}",
                "workstations", stream)
        ctx.edges.add_from(group_id, hosts, "AdminTo")


def _sessions(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    """Logons, heavy-tailed: terminal and jump servers carry many, most hosts a few."""
    add, profile = ctx.edges.add, ctx.profile
    enabled_people = [
        u for u in domain.users_in("regular", "it_admin") if ctx.principals[u]["enabled"]
    ]
    it_admins = domain.users_in("it_admin")
    for host_id in domain.computers_in("workstation"):
        owner = domain.workstation_owner.get(host_id)
        if owner is not None and stream.random() < 0.8:
            add(host_id, owner, "HasSession")
        if enabled_people and stream.random() < 0.1:
            add(host_id, stream.choice(enabled_people), "HasSession")
        # A support logon whose credentials linger in LSASS.
        if it_admins and stream.random() < profile.admin_workstation_session:
            add(host_id, stream.choice(it_admins), "HasSession")
    terminal = domain.computers.get("kind:rds", [])
    jump = set(terminal[: 1 + len(terminal) // 10])
    for host_id in domain.computers_in("server"):
        if host_id in jump:
            admins = heavy_count(stream, 6.0, 1.3, len(it_admins))
        else:
            admins = heavy_count(stream, 1.0, 1.5, len(it_admins))
        for admin_id in sample_upto(stream, it_admins, admins):
            add(host_id, admin_id, "HasSession")
        if host_id in terminal and enabled_people:
            users = 5 + heavy_count(stream, 20.0, 1.2, 400)
            for user_id in sample_upto(stream, enabled_people, users):
                add(host_id, user_id, "HasSession")
    domain_admins = domain.users_in("domain_admin", "builtin_admin")
    for host_id in domain.computers_in("domain_controller"):
        for admin_id in sample_upto(stream, domain_admins, 2):
            add(host_id, admin_id, "HasSession")
    # Tier-0 accounts logging on to lower tiers: what most real paths hinge on.
    servers = domain.computers_in("server")
    members = domain.computers_in("server", "workstation")
    if members:
        for admin_id in domain.users_in("domain_admin"):
            for _ in range(geometric_count(stream, profile.da_sessions_mean)):
                pool = servers if servers and stream.random() < 0.8 else members
                host_id = stream.choice(sorted(jump) if jump and stream.random() < 0.3 else pool)
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
                   if gid not in ctx.tier0 and not key.startswith(("project:", "res:", "role:"))]
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
