"""Misconfigurations, per domain, at the level's rates (last step of "edges").

Random ACLs. About `acl_misconfig_per_100` edges per 100 users between non-tier-0
objects: a source (an enabled ordinary user, a role, project or resource group,
and department groups where the level has broad sources) holds a heavy-tailed
number of rights over random users, groups, computers, GPOs and OUs. Groups
every user sits in (Domain Users, All Staff, VPN Users, ...) are never sources:
one such edge would put every user on a path.

The classic tier-0 ones, each at the odds `tier0_misconfig`:

- Exchange: Exchange Windows Permissions keeps WriteDacl on the domain (the
  pre-2019 default), Organization Management may add members to it, and two IT
  admins are in Organization Management;
- the directory-sync account (MSOL_...) always holds DCSync, as AAD Connect needs;
  its logon sits on a member server instead of a DC;
- an AdminSDHolder-style ACE: a forgotten ordinary account holds GenericAll over
  every protected (tier-0) user and group of the domain.
"""

from __future__ import annotations

import random

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.domains import add_membership
from worlds.generator.rng import cumulate, heavy_count, weighted_index

_USER_ABUSE = (
    "GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "ForceChangePassword", "Owns",
    "AddKeyCredentialLink", "WriteSPN",
)
_GROUP_ABUSE = ("GenericAll", "GenericWrite", "WriteDacl", "WriteOwner", "AddMember", "Owns")
_COMPUTER_ABUSE = (
    "GenericAll", "GenericWrite", "WriteDacl", "AdminTo", "CanRDP", "CanPSRemote",
    "AddKeyCredentialLink", "AllowedToAct",
)
_GPO_ABUSE = ("GenericAll", "GenericWrite", "WriteDacl")
_OU_ABUSE = ("GenericAll", "WriteDacl")
# Odds of a misconfiguration's target being a user, group, computer, GPO or OU.
_TARGET_CUMULATIVE = cumulate((40, 28, 25, 4, 3))
# Groups that hold (nearly) every user: never the source of a random ACL.
_BROAD_GROUPS = frozenset({
    "domain_users", "users", "domain_computers", "domain_guests", "guests", "all_staff",
    "vpn_users", "remote_desktop_users", "remote_management_users",
})


def build_misconfigurations(
    ctx: BuildContext, domain: DomainState, stream: random.Random
) -> None:
    _random_acls(ctx, domain, stream)
    _exchange(ctx, domain, stream)
    _sync_account(ctx, domain, stream)
    _admin_sd_holder(ctx, domain, stream)


def _random_acls(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    tier0, profile = ctx.tier0, ctx.profile
    groups = [gid for key, gid in domain.groups.items() if gid not in tier0]
    narrow = [gid for key, gid in domain.groups.items()
              if key.startswith(("role:", "project:", "res:"))]
    if profile.broad_acl_sources:
        narrow += [gid for key, gid in domain.groups.items() if key.startswith("dept:")]
    users = [u for u in domain.users_in("regular") if ctx.principals[u]["enabled"]]
    sources = users + narrow
    # Tier 0 is left out on purpose: the classic tier-0 mistakes come below, each
    # at its own odds, so that the level and not chance decides them.
    targets = (
        ([u for u in domain.users_in("regular", "it_admin", "service", "sync") if u not in tier0],
         _USER_ABUSE),
        (groups, _GROUP_ABUSE),
        (domain.computers_in("server", "workstation"), _COMPUTER_ABUSE),
        ([gid for gid in domain.gpos.values() if gid not in tier0], _GPO_ABUSE),
        ([ou for ou, _ in domain.ous.values() if ou not in tier0], _OU_ABUSE),
    )
    if not sources:
        return
    budget = max(1, round(profile.acl_misconfig_per_100 * domain.num_users / 100))
    while budget > 0:
        source = stream.choice(sources)
        fan_out = min(budget, 1 + heavy_count(stream, 1.0, 1.6, 300))
        budget -= fan_out
        for _ in range(fan_out):
            candidates, kinds = targets[weighted_index(stream, _TARGET_CUMULATIVE)]
            if candidates:
                ctx.edges.add(source, stream.choice(candidates), stream.choice(kinds))


def _exchange(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    groups, add = domain.groups, ctx.edges.add
    permissions = groups["exchange_windows_permissions"]
    management = groups["organization_management"]
    add(management, permissions, "AddMember")
    for admin_id in domain.users_in("it_admin")[:2]:
        add_membership(ctx, admin_id, management)
        add(admin_id, management, "MemberOf")
    if stream.random() < ctx.profile.tier0_misconfig:
        add(permissions, domain.node_id, "WriteDacl")


def _sync_account(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    for account_id in domain.users_in("sync"):
        ctx.edges.add(account_id, domain.node_id, "DCSync")
        members = [h for h in domain.computers_in("server")
                   if ctx.hosts[h]["os_family"] == "windows"]
        dcs = domain.computers_in("domain_controller")
        if members and stream.random() < ctx.profile.tier0_misconfig:
            ctx.edges.add(stream.choice(members), account_id, "HasSession")
        elif dcs:
            ctx.edges.add(dcs[0], account_id, "HasSession")


def _admin_sd_holder(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    users = [u for u in domain.users_in("regular") if ctx.principals[u]["enabled"]]
    if not users or stream.random() >= ctx.profile.tier0_misconfig:
        return
    source = stream.choice(users)
    protected = [gid for gid in domain.groups.values() if gid in ctx.tier0]
    protected += [u for u in domain.users_in("domain_admin", "builtin_admin", "service")
                  if u in ctx.tier0]
    for target in protected:
        ctx.edges.add(source, target, "GenericAll")
