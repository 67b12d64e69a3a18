"""The "directory" phase: organisational groups, user accounts and memberships.

The roles a domain's user allotment holds are granted in this order of priority,
so that even a one-user world has the ordinary user its attack path starts from:

1. one ordinary user, always enabled (a candidate start of the planted path),
2. a domain admin (from 2 users), an IT admin (from 3 users),
3. the built-in Administrator (RID 500), krbtgt (502) and Guest (501) from 6 users,
4. then extra admins and service accounts in proportion (every third one a gMSA;
   from 200 users one directory-sync account), and ordinary users; from 20 users the
   second ordinary user is AS-REP roastable, later ones at the level's rate.

Accounts are generated built-ins first, then admins, service accounts, ordinary users.

Groups scale with users (about 10-20 per 100 users, as in BadBlood-style estates):
from 200 users a role group per department title (nested in its department group,
itself in All Staff), resource groups (one per 15 users; AGDLP: role and project
groups nest in them, and a resource group nests in an earlier one with odds 0.35,
so chains run several levels deep in large worlds) and project groups (one per 50
users). Ordinary users join their role group and a heavy-tailed number of resource
groups directly. Accounts go stale (no logon for months) and are disabled at the
level's rates; half of the disabled ones sit in OU=Disabled Accounts.

Every user counts towards `num_users`; nothing is added on top of it.
"""

from __future__ import annotations

import random

from worlds.generator import rng as rnglib
from worlds.generator.context import BuildContext, DomainState
from worlds.generator.domains import add_group, add_membership
from worlds.generator.names import (
    DEPARTMENT_WEIGHTS,
    DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    PROJECT_WORDS,
    RESOURCE_WORDS,
    ascii_fold,
)
from worlds.generator.records import Credential

# (key, name, tier 0). Groups every organisation of this shape has, in OU=Groups.
ORG_GROUPS: tuple[tuple[str, str, bool], ...] = (
    ("infra_admins", "Infrastructure Admins", True),
    ("it_admins", "IT Admins", False),
    ("server_admins", "Server Admins", False),
    ("workstation_admins", "Workstation Admins", False),
    ("helpdesk", "Helpdesk", False),
    ("sql_admins", "SQL Admins", False),
    ("service_accounts", "Service Accounts", False),
    ("vpn_users", "VPN Users", False),
    ("all_staff", "All Staff", False),
)
# Exchange's own groups (the schema is prepared forest-wide, servers or not).
EXCHANGE_GROUPS: tuple[tuple[str, str], ...] = (
    ("exchange_trusted_subsystem", "Exchange Trusted Subsystem"),
    ("exchange_windows_permissions", "Exchange Windows Permissions"),
    ("organization_management", "Organization Management"),
)
ROLE_GROUPS_FROM = 200
SYNC_ACCOUNT_FROM = 200

# Kinds of services a service account runs; hosts.py/services.py bind them to servers.
SERVICE_KINDS: tuple[str, ...] = ("sql", "web", "app", "backup", "sccm", "exchange")

_FOLDED_FIRST = tuple(ascii_fold(name) for name in FIRST_NAMES)
_FOLDED_LAST = tuple(ascii_fold(name).replace(" ", "") for name in LAST_NAMES)
_DEPARTMENT_CUMULATIVE = rnglib.cumulate(DEPARTMENT_WEIGHTS)
# sAMAccountName holds 20 characters; leave room for a de-duplicating suffix.
_SAM_BASE_MAX = 16
_IT_DEPARTMENT = next(i for i, (_, code, _) in enumerate(DEPARTMENTS) if code == "IT")


def user_roles(count: int) -> list[str]:
    """Roles of a domain's `count` users, in generation order (see module docstring)."""
    reserved = ["regular", "domain_admin", "it_admin"][:count]
    builtins = ["builtin_admin", "krbtgt", "guest"] if count >= 6 else []
    rest = count - len(reserved) - len(builtins)
    extra_domain_admins = min(4, rest // 5_000)
    extra_it_admins = rest // 150
    services = (rest + 39) // 40 if rest >= 10 else 0
    sync = 1 if count >= SYNC_ACCOUNT_FROM else 0
    regulars = rest - extra_domain_admins - extra_it_admins - services - sync
    return [
        *builtins,
        *(["domain_admin"] * (extra_domain_admins + (count >= 2))),
        *(["it_admin"] * (extra_it_admins + (count >= 3))),
        *(["service"] * services),
        *(["sync"] * sync),
        *(["regular"] * (regulars + (count >= 1))),
    ]


def build_directory(ctx: BuildContext) -> None:
    for domain in ctx.domains:
        _build_org_groups(ctx, domain)
    for domain in ctx.domains:
        _link_privileged_groups(ctx, domain)
        _build_users(ctx, domain, ctx.stream("users", domain.name))


def _build_org_groups(ctx: BuildContext, domain: DomainState) -> None:
    for key, name, tier0 in ORG_GROUPS:
        add_group(ctx, domain, key, name, tier0=tier0)
    for key, name in EXCHANGE_GROUPS:
        add_group(ctx, domain, key, name, ou="exchange")
    groups = domain.groups
    add_membership(ctx, groups["exchange_trusted_subsystem"],
                   groups["exchange_windows_permissions"])
    for name, code, _ in DEPARTMENTS:
        add_membership(ctx, add_group(ctx, domain, f"dept:{code}", name), groups["all_staff"])
    if domain.num_users >= ROLE_GROUPS_FROM:
        for _, code, titles in DEPARTMENTS:
            for t, title in enumerate(titles):
                role_id = add_group(ctx, domain, f"role:{code}:{t}", f"ROLE-{code}-{title}",
                                    ou="roles")
                add_membership(ctx, role_id, groups[f"dept:{code}"])
    stream = ctx.stream("resource-groups", domain.name)
    # Nesting only into earlier groups keeps the membership graph acyclic.
    resources: list[str] = []
    for n in range(domain.num_users // 15):
        word = RESOURCE_WORDS[n % len(RESOURCE_WORDS)]
        access = "RW" if stream.random() < 0.4 else "RO"
        name = f"RES-{word}-{n // len(RESOURCE_WORDS) + 1:03d}-{access}"
        group_id = add_group(ctx, domain, f"res:{n}", name, ou="resources")
        if resources and stream.random() < 0.35:
            add_membership(ctx, group_id, resources[_recent(stream, len(resources))])
        resources.append(group_id)
    domain.resource_groups = resources
    for key, group_id in list(groups.items()):
        if key.startswith("role:") and resources:
            for target in rnglib.sample_upto(stream, resources, 1 + stream.randrange(3)):
                add_membership(ctx, group_id, target)
    projects: list[str] = []
    for n in range(domain.num_users // 50):
        word = PROJECT_WORDS[n % len(PROJECT_WORDS)]
        name = f"PRJ-{word}-{n // len(PROJECT_WORDS) + 1:02d}"
        group_id = add_group(ctx, domain, f"project:{n}", name, ou="projects")
        if projects and stream.random() < 0.3:
            add_membership(ctx, group_id, stream.choice(projects))
        elif resources and stream.random() < 0.5:
            add_membership(ctx, group_id, stream.choice(resources))
        projects.append(group_id)
    domain.project_groups = projects


def _recent(stream: random.Random, count: int) -> int:
    """Index of an earlier group, skewed to recent ones so nesting chains grow deep."""
    return max(0, count - 1 - rnglib.heavy_count(stream, 8.0, 1.2, count - 1))


def _link_privileged_groups(ctx: BuildContext, domain: DomainState) -> None:
    groups = domain.groups
    add_membership(ctx, groups["domain_admins"], groups["administrators"])
    add_membership(ctx, groups["infra_admins"], groups["domain_admins"])
    add_membership(ctx, groups["domain_users"], groups["users"])
    add_membership(ctx, groups["domain_guests"], groups["guests"])
    add_membership(ctx, groups["it_admins"], groups["server_admins"])
    add_membership(ctx, groups["it_admins"], groups["workstation_admins"])
    add_membership(ctx, groups["server_admins"], groups["remote_management_users"])
    add_membership(ctx, groups["helpdesk"], groups["remote_desktop_users"])
    root = ctx.domains[0]
    # As in AD, the forest root's Enterprise Admins administer every domain.
    add_membership(ctx, root.groups["enterprise_admins"], groups["administrators"])
    if domain.is_root:
        add_membership(ctx, groups["enterprise_key_admins"], groups["key_admins"])


class _Names:
    """Unique account and display names within one domain."""

    def __init__(self) -> None:
        self._taken: dict[str, int] = {}

    def claim(self, base: str) -> tuple[str, int]:
        """`base`, or `base` with the lowest free numeric suffix; and that suffix (0: none)."""
        count = self._taken.get(base, 0)
        self._taken[base] = count + 1
        if count == 0:
            return base, 0
        while True:
            count += 1
            candidate = f"{base}{count}"
            if candidate not in self._taken:
                self._taken[candidate] = 1
                return candidate, count


def _build_users(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    names = _Names()
    profile = ctx.profile
    # Names of built-in accounts are reserved even in domains too small to hold them.
    for reserved in ("administrator", "krbtgt", "guest"):
        names.claim(reserved)
    regular_count = 0
    service_count = 0
    groups = domain.groups
    resources = domain.resource_groups
    projects = domain.project_groups
    has_roles = domain.num_users >= ROLE_GROUPS_FROM
    teams = {code: [key for key in domain.ous if key.startswith(f"team:{code}:")]
             for _, code, _ in DEPARTMENTS}
    for role in user_roles(domain.num_users):
        if role in ("builtin_admin", "krbtgt", "guest"):
            _add_builtin_user(ctx, domain, role, stream)
            continue
        first_index = rnglib.below(stream, len(FIRST_NAMES))
        last_index = rnglib.below(stream, len(LAST_NAMES))
        first, last = FIRST_NAMES[first_index], LAST_NAMES[last_index]
        folded_first, folded_last = _FOLDED_FIRST[first_index], _FOLDED_LAST[last_index]
        privileged = role == "domain_admin"
        dept: int | None = rnglib.weighted_index(stream, _DEPARTMENT_CUMULATIVE)
        enabled = True
        never_expires = stream.random() < 0.1
        no_preauth = False
        gmsa = False
        memberships = [groups["domain_users"]]
        prefix = ""
        kind = ""
        if role == "regular":
            assert dept is not None
            sam, suffix = names.claim(f"{folded_first}.{folded_last}"[:_SAM_BASE_MAX])
            _, code, titles = DEPARTMENTS[dept]
            ou = f"dept:{code}"
            if teams[code] and stream.random() < 0.7:
                ou = stream.choice(teams[code])
            # The first ordinary user stays enabled: it may be the path's only start.
            enabled = regular_count == 0 or stream.random() >= profile.disabled_rate
            if not enabled and stream.random() < 0.5:
                ou = "disabled"
            no_preauth = stream.random() < profile.asrep_rate or (
                regular_count == 1 and domain.num_users >= 20
            )
            title_index = rnglib.below(stream, len(titles))
            memberships.append(
                groups[f"role:{code}:{title_index}"] if has_roles else groups[f"dept:{code}"]
            )
            if dept == _IT_DEPARTMENT and stream.random() < 0.3:
                memberships.append(groups["helpdesk"])
            if projects and stream.random() < 0.3:
                memberships.append(projects[rnglib.below(stream, len(projects))])
            if resources:
                for _ in range(rnglib.heavy_count(stream, 0.6, 2.0, 30)):
                    memberships.append(resources[rnglib.below(stream, len(resources))])
            if stream.random() < 0.2:
                memberships.append(groups["vpn_users"])
            regular_count += 1
            title: str | None = titles[title_index]
        elif role in ("service", "sync"):
            if role == "sync":
                kind = "sync"
                sam, suffix = names.claim(f"MSOL_{rnglib.token(stream, 48)}")
            else:
                kind = SERVICE_KINDS[service_count % len(SERVICE_KINDS)]
                service_count += 1
                # Every third service account is a group-managed one (gMSA), except
                # the first: the classic kerberoastable account keeps its password.
                gmsa = service_count % 3 == 0
                sam, suffix = names.claim(f"gmsa-{kind}" if gmsa else f"svc-{kind}")
                if gmsa:
                    sam += "$"
            ou, dept, title, never_expires = "service_accounts", None, None, True
            memberships.append(groups["service_accounts"])
            if kind == "sql":
                memberships.append(groups["sql_admins"])
            # A service account in Domain Admins: the classic kerberoastable path.
            if service_count == 1 and domain.num_users >= 500:
                memberships.append(groups["domain_admins"])
                privileged = True
        else:
            prefix = "da" if role == "domain_admin" else "adm"
            sam, suffix = names.claim(f"{prefix}-{folded_first[0]}{folded_last}"[:_SAM_BASE_MAX])
            ou, dept, title = "admins", _IT_DEPARTMENT, "Systems Administrator"
            if role == "domain_admin":
                memberships.append(groups["domain_admins"])
            else:
                memberships.append(groups["it_admins"])
        if role in ("service", "sync"):
            display = sam.removesuffix("$")
        else:
            # Admin accounts share OU=Admins: the tag keeps "adm-" and "da-" CNs apart.
            display = f"{first} {last}" if role == "regular" else f"{first} {last} ({prefix.upper()})"
            if suffix:
                display = f"{display} {suffix}"
        user_id = _add_user(
            ctx, domain, stream, role=role, sam=sam, cn=display, ou=ou,
            department=None if dept is None else DEPARTMENTS[dept][0],
            title=title, enabled=enabled, never_expires=never_expires, no_preauth=no_preauth,
            person=role not in ("service", "sync"), privileged=privileged, gmsa=gmsa,
        )
        if role == "service":
            domain.service_kinds[user_id] = kind
        for group_id in memberships:
            add_membership(ctx, user_id, group_id)


_BUILTIN_USERS = {
    "builtin_admin": ("Administrator", 500),
    "krbtgt": ("krbtgt", 502),
    "guest": ("Guest", 501),
}
_ADMINISTRATOR_GROUPS = (
    "domain_admins", "administrators", "gpo_creators", "enterprise_admins", "schema_admins",
)


def _add_builtin_user(
    ctx: BuildContext, domain: DomainState, role: str, stream: random.Random
) -> None:
    sam, rid = _BUILTIN_USERS[role]
    user_id = _add_user(
        ctx, domain, stream, role=role, sam=sam, cn=sam, ou=None, department=None, title=None,
        enabled=role == "builtin_admin", never_expires=True, no_preauth=False, person=False,
        privileged=role != "guest", rid=rid,
    )
    groups = domain.groups
    if role == "guest":
        add_membership(ctx, user_id, groups["domain_guests"])
        add_membership(ctx, user_id, groups["guests"])
        return
    add_membership(ctx, user_id, groups["domain_users"])
    if role == "builtin_admin":
        for key in _ADMINISTRATOR_GROUPS:
            # Enterprise and Schema Admins exist in the forest root only.
            if key in groups:
                add_membership(ctx, user_id, groups[key])


def _add_user(
    ctx: BuildContext,
    domain: DomainState,
    stream: random.Random,
    *,
    role: str,
    sam: str,
    cn: str,
    ou: str | None,
    department: str | None,
    title: str | None,
    enabled: bool,
    never_expires: bool,
    no_preauth: bool,
    person: bool,
    privileged: bool,
    gmsa: bool = False,
    rid: int | None = None,
) -> str:
    user_id = domain.new_id("u", 5)
    profile = ctx.profile
    if ou is None:
        dn, parent = f"CN={cn},CN=Users,{domain.dn}", domain.node_id
    else:
        parent, ou_dn = domain.ous[ou]
        dn = f"CN={cn},{ou_dn}"
    # Whether the password falls to a dictionary attack (roasting, spraying); a
    # gMSA's is 240 random bytes.
    odds = profile.crackable_service if role in ("service", "sync") else profile.crackable_person
    crackable = stream.random() < odds and not gmsa
    # Days since the last logon: stale accounts have not logged on for months.
    if stream.random() < profile.stale_rate and role not in ("krbtgt", "guest"):
        last_logon = 90 + rnglib.below(stream, 900)
    else:
        last_logon = rnglib.below(stream, 14)
    credentials: list[Credential] = [
        {
            "type": "password_hash",
            "algorithm": "ntlm",
            "ref": f"cred-{rnglib.token(stream)}",
            "crackable": crackable,
        },
        {
            "type": "kerberos_key",
            "algorithm": "aes256-cts-hmac-sha1-96",
            "ref": f"cred-{rnglib.token(stream)}",
        },
    ]
    if no_preauth:
        credentials.append({"type": "flag", "name": "dont_require_preauth"})
    if never_expires:
        credentials.append({"type": "flag", "name": "password_never_expires"})
    ctx.principals[user_id] = {
        "principal_id": user_id,
        "principal_type": "user",
        "sam": sam,
        "enabled": enabled,
        "upn": f"{sam}@{domain.name}" if person else None,
        "dn": dn,
        "sid": f"{domain.sid}-{domain.take_rid() if rid is None else rid}",
        "domain": domain.name,
        "email": f"{sam}@{domain.name}" if person else None,
        "department": department,
        "title": title,
        "membership_ids": [],
        "credentials": credentials,
        "tags": {
            "hasspn": False,
            "dontreqpreauth": no_preauth,
            "password_crackable": crackable,
            "gmsa": gmsa,
            "stale": last_logon >= 90,
            "last_logon_days": last_logon,
            "sid_history": [],
        },
    }
    ctx.add_node(
        user_id,
        f"{sam.upper()}@{domain.upper}",
        "user",
        {
            "domain": domain.name,
            "enabled": enabled,
            "admin_count": privileged,
            "has_spn": False,
            # A tuple, not a list: a dict of immutable values (and the node dict
            # around it) stays out of the cycle collector's full sweeps.
            "spns": (),
            "dont_require_preauth": no_preauth,
            "password_never_expires": never_expires,
            # BloodHound's names for the roasting facts, beside the older ones above.
            "hasspn": False,
            "dontreqpreauth": no_preauth,
            "password_crackable": crackable,
            "gmsa": gmsa,
            "stale": last_logon >= 90,
            "last_logon_days": last_logon,
            "sid_history": (),
        },
    )
    ctx.edges.add(parent, user_id, "Contains")
    domain.users.setdefault(role, []).append(user_id)
    if privileged:
        ctx.tier0.add(user_id)
    return user_id
