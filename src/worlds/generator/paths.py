"""The "attack_paths" phase: one planted path to Domain Admins per domain with users.

The path starts at an enabled ordinary user (no admin_count, no privileged group)
and ends at the domain's Domain Admins group, along directed edges, so a plain
graph search from the user finds it. The richest shape the domain can hold is used:

- full (an IT admin, a domain admin and a computer exist):
  user -MemberOf-> Helpdesk -[ForceChangePassword|GenericAll|GenericWrite]-> IT admin
  -AdminTo-> computer -HasSession-> domain admin -MemberOf-> Domain Admins,
  plus the admin's cached credentials as an LSASS artifact on the computer;
- short (a domain admin, but no IT admin or computer):
  user -MemberOf-> Helpdesk -ForceChangePassword-> domain admin -MemberOf-> Domain Admins;
- minimal (the user is the domain's only account, e.g. a one-user world):
  user -MemberOf-> Helpdesk -AddMember-> Infrastructure Admins -MemberOf-> Domain Admins
  (Infrastructure Admins is a tier-0 group nested in Domain Admins, so no extra
  user is needed).

`World.attack_paths` lists each planted path's node ids from user to group.
"""

from __future__ import annotations

import random

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.domains import add_membership
from worlds.generator.hosts import add_artifact, password_ref

_TAKEOVER_EDGES = ("ForceChangePassword", "GenericAll", "GenericWrite")


def plant_attack_paths(ctx: BuildContext) -> None:
    for domain in ctx.domains:
        starts = [
            user_id
            for user_id in domain.users_in("regular")
            if ctx.principals[user_id]["enabled"]
        ]
        if starts:
            stream = ctx.stream("attack-path", domain.name)
            ctx.attack_paths.append(_plant(ctx, domain, stream, stream.choice(starts)))


def _plant(ctx: BuildContext, domain: DomainState, stream: random.Random, start: str) -> list[str]:
    groups, add = domain.groups, ctx.edges.add
    helpdesk, domain_admins = groups["helpdesk"], groups["domain_admins"]
    add_membership(ctx, start, helpdesk)
    add(start, helpdesk, "MemberOf")
    it_admins = domain.users_in("it_admin")
    admins = domain.users_in("domain_admin")
    # Prefer a member server: admin rights on a DC would make the IT admin tier 0.
    windows = [h for h in domain.computers_in("server") if ctx.hosts[h]["os_family"] == "windows"]
    computers = (
        windows
        or domain.computers_in("workstation")
        or domain.computers_in("domain_controller")
    )
    if it_admins and admins and computers:
        it_admin, admin, computer = (stream.choice(it_admins), stream.choice(admins),
                                     stream.choice(computers))
        add(helpdesk, it_admin, stream.choice(_TAKEOVER_EDGES))
        add(it_admin, computer, "AdminTo")
        if add(computer, admin, "HasSession"):
            add_artifact(ctx, computer, "credential", "lsass.exe",
                         "cached logon credentials of an interactive session",
                         admin, password_ref(ctx, admin))
        return [start, helpdesk, it_admin, computer, admin, domain_admins]
    if admins:
        admin = stream.choice(admins)
        add(helpdesk, admin, "ForceChangePassword")
        return [start, helpdesk, admin, domain_admins]
    infra_admins = groups["infra_admins"]
    add(helpdesk, infra_admins, "AddMember")
    return [start, helpdesk, infra_admins, domain_admins]
