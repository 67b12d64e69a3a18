"""The "domains" phase: domains, their OU tree, GPOs and well-known groups.

Each domain gets a SID `S-1-5-21-a-b-c` (three 32-bit sub-authorities drawn from
the domain's own sub-stream), the default containers, an OU tree shaped like a
typical corporate directory, the default and a few baseline GPOs, and the groups
AD creates itself, with their well-known RIDs.

The tree grows with the domain: an OU per site under Workstations and Servers (from
two sites), team OUs under departments (one per ~400 of their users), and GPOs per
site, per department (from 1,000 users) and one more per 400 users, linked to
OUs that hold no tier-0 object. OUs that contain tier-0 accounts (Corp, Admins,
Service Accounts, Domain Controllers) are tier 0 themselves. Enterprise Admins, Schema Admins
and Enterprise Key Admins exist only in the forest root (the first domain), as in AD.
"""

from __future__ import annotations

import random

from worlds.generator import rng as rnglib
from worlds.generator.context import BuildContext, DomainState
from worlds.generator.names import DEPARTMENT_WEIGHTS, DEPARTMENTS, SITES, site_count

# (key, name, RID, tier 0, forest root only). Domain-relative RIDs, in CN=Users.
WELL_KNOWN_GROUPS: tuple[tuple[str, str, int, bool, bool], ...] = (
    ("domain_admins", "Domain Admins", 512, True, False),
    ("domain_users", "Domain Users", 513, False, False),
    ("domain_guests", "Domain Guests", 514, False, False),
    ("domain_computers", "Domain Computers", 515, False, False),
    ("domain_controllers", "Domain Controllers", 516, True, False),
    ("cert_publishers", "Cert Publishers", 517, False, False),
    ("schema_admins", "Schema Admins", 518, True, True),
    ("enterprise_admins", "Enterprise Admins", 519, True, True),
    ("gpo_creators", "Group Policy Creator Owners", 520, False, False),
    ("rodcs", "Read-only Domain Controllers", 521, False, False),
    ("protected_users", "Protected Users", 525, False, False),
    ("key_admins", "Key Admins", 526, True, False),
    ("enterprise_key_admins", "Enterprise Key Admins", 527, True, True),
    ("dns_admins", "DnsAdmins", 1101, True, False),
)

# (key, name, RID in S-1-5-32, tier 0). Domain-local groups of CN=Builtin.
BUILTIN_GROUPS: tuple[tuple[str, str, int, bool], ...] = (
    ("administrators", "Administrators", 544, True),
    ("users", "Users", 545, False),
    ("guests", "Guests", 546, False),
    ("account_operators", "Account Operators", 548, True),
    ("server_operators", "Server Operators", 549, True),
    ("print_operators", "Print Operators", 550, True),
    ("backup_operators", "Backup Operators", 551, True),
    ("remote_desktop_users", "Remote Desktop Users", 555, False),
    ("remote_management_users", "Remote Management Users", 580, False),
)

# (key, name, parent key or None for the domain root). Parents come first.
OU_TREE: tuple[tuple[str, str, str | None], ...] = (
    ("domain_controllers", "Domain Controllers", None),
    ("corp", "Corp", None),
    ("users", "Users", "corp"),
    *((f"dept:{code}", name, "users") for name, code, _ in DEPARTMENTS),
    ("admins", "Admins", "corp"),
    ("service_accounts", "Service Accounts", "corp"),
    ("groups", "Groups", "corp"),
    ("computers", "Computers", "corp"),
    ("workstations", "Workstations", "computers"),
    ("servers", "Servers", "computers"),
    ("roles", "Roles", "groups"),
    ("resources", "Resources", "groups"),
    ("projects", "Projects", "groups"),
    ("disabled", "Disabled Accounts", "corp"),
    ("exchange", "Microsoft Exchange Security Groups", None),
)
# OUs holding tier-0 accounts: control of one is control of them.
TIER0_OUS = ("domain_controllers", "corp", "admins", "service_accounts")

# (key, display name, OU key it is linked to or None for the domain, tier 0).
GPOS: tuple[tuple[str, str, str | None, bool], ...] = (
    ("default_domain", "Default Domain Policy", None, True),
    ("default_dcs", "Default Domain Controllers Policy", "domain_controllers", True),
    ("workstation_baseline", "Workstation Baseline", "workstations", False),
    ("server_baseline", "Server Baseline", "servers", False),
    ("laps", "LAPS Configuration", "computers", False),
    ("drive_mappings", "User Drive Mappings", "users", False),
)


def build_domains(ctx: BuildContext, user_shares: list[int], host_shares: list[int]) -> None:
    ctx.sites = list(SITES[: site_count(ctx.spec.num_hosts)])
    seen_sids: set[str] = set()
    for index, name in enumerate(ctx.spec.domains):
        sid = _domain_sid(ctx, name, seen_sids)
        domain = DomainState(index, name, sid, user_shares[index], host_shares[index])
        ctx.domains.append(domain)
        ctx.tier0.add(domain.node_id)
        ctx.add_node(
            domain.node_id,
            domain.upper,
            "domain",
            {
                "name": name,
                "netbios": domain.netbios,
                "sid": sid,
                "dn": domain.dn,
                "functional_level": "2016",
                "forest_root": domain.is_root,
            },
        )
        _build_ous(ctx, domain)
        _build_gpos(ctx, domain)
        _build_well_known_groups(ctx, domain)


def _domain_sid(ctx: BuildContext, name: str, seen: set[str]) -> str:
    stream = ctx.stream("domain-sid", name)
    while True:
        parts = [stream.randrange(1_000_000_000, 2**32) for _ in range(3)]
        sid = "S-1-5-21-" + "-".join(str(part) for part in parts)
        # Redraw on the (astronomically unlikely) clash so SIDs stay unique.
        if sid not in seen:
            seen.add(sid)
            return sid


def _ou_layout(ctx: BuildContext, domain: DomainState) -> list[tuple[str, str, str | None]]:
    """The domain's OU tree, parents first: the template plus what scales with size."""
    layout = list(OU_TREE)
    if len(ctx.sites) > 1:
        for index, site in enumerate(ctx.sites):
            layout.append((f"ws:{index}", site, "workstations"))
            layout.append((f"srv:{index}", site, "servers"))
    weight_sum = sum(DEPARTMENT_WEIGHTS)
    for (_, code, _), weight in zip(DEPARTMENTS, DEPARTMENT_WEIGHTS, strict=True):
        for team in range(domain.num_users * weight // weight_sum // 400):
            layout.append((f"team:{code}:{team}", f"Team {team + 1:02d}", f"dept:{code}"))
    return layout


def _build_ous(ctx: BuildContext, domain: DomainState) -> None:
    for key, name, parent in _ou_layout(ctx, domain):
        parent_id, parent_dn = (
            (domain.node_id, domain.dn) if parent is None else domain.ous[parent]
        )
        ou_id = domain.new_id("ou", 3)
        dn = f"OU={name},{parent_dn}"
        domain.ous[key] = (ou_id, dn)
        ctx.add_node(
            ou_id,
            f"{name.upper()}@{domain.upper}",
            "ou",
            {"domain": domain.name, "dn": dn, "blocks_inheritance": False},
        )
        ctx.edges.add(parent_id, ou_id, "Contains")
    for key in TIER0_OUS:
        ctx.tier0.add(domain.ous[key][0])


def workstation_ou(domain: DomainState, site: int) -> str:
    """Key of the OU a workstation of `site` goes to."""
    key = f"ws:{site}"
    return key if key in domain.ous else "workstations"


def server_ou(domain: DomainState, site: int) -> str:
    key = f"srv:{site}"
    return key if key in domain.ous else "servers"


def _gpo_layout(
    ctx: BuildContext, domain: DomainState, stream: random.Random
) -> list[tuple[str, str, str | None, bool]]:
    layout = list(GPOS)
    if len(ctx.sites) > 1:
        for index, site in enumerate(ctx.sites):
            layout.append((f"ws:{index}", f"{site} Workstation Settings", f"ws:{index}", False))
            layout.append((f"srv:{index}", f"{site} Server Settings", f"srv:{index}", False))
    if domain.num_users >= 1000:
        for name, code, _ in DEPARTMENTS:
            layout.append((f"dept:{code}", f"{name} User Settings", f"dept:{code}", False))
    linkable = [key for key, _, _ in _ou_layout(ctx, domain) if key not in TIER0_OUS]
    for n in range(domain.num_users // 400):
        layout.append((f"misc:{n}", f"Policy {n + 1:03d}", stream.choice(linkable), False))
    return layout


def _build_gpos(ctx: BuildContext, domain: DomainState) -> None:
    stream = ctx.stream("gpos", domain.name)
    layout = _gpo_layout(ctx, domain, ctx.stream("gpo-layout", domain.name))
    for key, name, linked_to, tier0 in layout:
        gpo_id = add_gpo(ctx, domain, key, name, linked_to, stream)
        if tier0:
            ctx.tier0.add(gpo_id)


def add_gpo(
    ctx: BuildContext, domain: DomainState, key: str, name: str, linked_to: str | None,
    stream: random.Random,
) -> str:
    """Create a GPO linked to the OU `linked_to` (None: the domain itself)."""
    gpo_id = domain.new_id("gpo", 2)
    guid = _guid(stream)
    domain.gpos[key] = gpo_id
    ctx.add_node(
        gpo_id,
        f"{name.upper()}@{domain.upper}",
        "gpo",
        {
            "domain": domain.name,
            "guid": guid,
            "dn": f"CN={{{guid}}},CN=Policies,CN=System,{domain.dn}",
        },
    )
    target = domain.node_id if linked_to is None else domain.ous[linked_to][0]
    ctx.edges.add(gpo_id, target, "GPLink")
    return gpo_id


def _guid(stream: random.Random) -> str:
    raw = rnglib.token(stream, 128).upper()
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _build_well_known_groups(ctx: BuildContext, domain: DomainState) -> None:
    for key, name, rid, tier0, root_only in WELL_KNOWN_GROUPS:
        if root_only and not domain.is_root:
            continue
        add_group(
            ctx, domain, key, name,
            sid=f"{domain.sid}-{rid}", dn=f"CN={name},CN=Users,{domain.dn}",
            tier0=tier0, builtin=True,
        )
    for key, name, rid, tier0 in BUILTIN_GROUPS:
        add_group(
            ctx, domain, key, name,
            sid=f"S-1-5-32-{rid}", dn=f"CN={name},CN=Builtin,{domain.dn}",
            tier0=tier0, builtin=True,
        )


def add_group(
    ctx: BuildContext,
    domain: DomainState,
    key: str,
    name: str,
    *,
    sid: str | None = None,
    dn: str | None = None,
    ou: str = "groups",
    tier0: bool = False,
    builtin: bool = False,
) -> str:
    """Create a group principal and node; well-known groups pass their SID and DN."""
    group_id = domain.new_id("g", 4)
    ou_id, ou_dn = domain.ous[ou]
    if sid is None:
        sid = f"{domain.sid}-{domain.take_rid()}"
    if dn is None:
        dn = f"CN={name},{ou_dn}"
        parent = ou_id
    else:
        # Default containers (CN=Users, CN=Builtin) are not modelled as nodes.
        parent = domain.node_id
    domain.groups[key] = group_id
    ctx.principals[group_id] = {
        "principal_id": group_id,
        "principal_type": "group",
        "sam": name,
        "enabled": True,
        "upn": None,
        "dn": dn,
        "sid": sid,
        "domain": domain.name,
        "email": None,
        "department": None,
        "title": None,
        "membership_ids": [],
        "credentials": [],
        "tags": {},
    }
    ctx.add_node(
        group_id,
        f"{name.upper()}@{domain.upper}",
        "group",
        {"domain": domain.name, "admin_count": tier0, "builtin": builtin},
    )
    ctx.edges.add(parent, group_id, "Contains")
    if tier0:
        ctx.tier0.add(group_id)
    return group_id


def add_membership(ctx: BuildContext, member_id: str, group_id: str) -> None:
    """Record a direct membership; the MemberOf edges are derived from these lists."""
    memberships = ctx.principals[member_id]["membership_ids"]
    if group_id not in memberships:
        memberships.append(group_id)
