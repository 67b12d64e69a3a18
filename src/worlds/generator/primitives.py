"""Primitives of real engagements, as edges (BloodHound CE names), per domain.

Runs inside the "edges" phase, after the local admin and session edges:

- ReadLAPSPassword (principal -> computer with LAPS): Helpdesk over
  workstations, Server Admins over servers, and misplaced readers
  (role and project groups, single users) with heavy-tailed fan-out;
- ReadGMSAPassword (principal -> gMSA): the host each gMSA runs on, and now and
  then a role group allowed to retrieve it;
- AllowedToAct (principal or computer -> computer): resource-based constrained
  delegation, between servers and from users who joined a machine;
- HasSIDHistory (user -> principal whose SID the user carries): migrated accounts,
  from another domain of the forest when there is one, else from legacy groups;
- SQLAdmin (user -> computer hosting MSSQL): the SQL service accounts bound to it
  and a few database administrators from engineering, research and IT;
- credential reuse: Windows member hosts without LAPS that share a local
  administrator password (`local_admin_password_id`) are each AdminTo one host of
  their group and it AdminTo each of them (a star: linear in the group's size,
  and every host reaches every other in two moves).
"""

from __future__ import annotations

import random

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.rng import geometric_count, heavy_count, sample_upto

_DBA_DEPARTMENTS = frozenset({"Engineering", "Research", "Information Technology"})


def build_primitives(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    _laps_readers(ctx, domain, stream)
    _gmsa_readers(ctx, domain, stream)
    _rbcd(ctx, domain, stream)
    _sid_history(ctx, domain, stream)
    _sql_admins(ctx, domain, stream)
    _credential_reuse(ctx, domain)


def _laps(ctx: BuildContext, host_ids: list[str]) -> list[str]:
    return [h for h in host_ids if ctx.hosts[h]["tags"]["laps"]]


def _misplaced_sources(ctx: BuildContext, domain: DomainState) -> list[str]:
    """Principals a careless delegation lands on: role and project groups, users."""
    sources = [gid for key, gid in domain.groups.items() if key.startswith(("role:", "project:"))]
    sources += [u for u in domain.users_in("regular") if ctx.principals[u]["enabled"]]
    return sources


def _laps_readers(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    groups, add = domain.groups, ctx.edges.add
    workstations = _laps(ctx, domain.computers_in("workstation"))
    servers = _laps(ctx, domain.computers_in("server"))
    # Helpdesk reads workstations' passwords (Workstation Admins are admins there
    # anyway); Server Admins read servers'.
    ctx.edges.add_from(groups["helpdesk"], workstations, "ReadLAPSPassword")
    ctx.edges.add_from(groups["server_admins"], servers, "ReadLAPSPassword")
    hosts = workstations + servers
    sources = _misplaced_sources(ctx, domain)
    grants = round(ctx.profile.laps_reader_misconfig_per_100 * domain.num_users / 100)
    if not hosts or not sources:
        return
    for _ in range(grants):
        source = stream.choice(sources)
        for host_id in sample_upto(stream, hosts, 1 + heavy_count(stream, 2.0, 1.5, 200)):
            add(source, host_id, "ReadLAPSPassword")


def _gmsa_readers(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    roles = [gid for key, gid in domain.groups.items() if key.startswith("role:")]
    for account_id in domain.service_kinds:
        if not ctx.node_index[account_id]["properties"]["gmsa"]:
            continue
        host_id = domain.service_hosts.get(account_id)
        if host_id is not None:
            ctx.edges.add(host_id, account_id, "ReadGMSAPassword")
        ctx.edges.add(domain.groups["server_admins"], account_id, "ReadGMSAPassword")
        if roles and stream.random() < ctx.profile.tier0_misconfig / 2:
            ctx.edges.add(stream.choice(roles), account_id, "ReadGMSAPassword")


def _rbcd(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    rate = ctx.profile.rbcd_rate
    servers = [h for h in domain.computers_in("server") if ctx.hosts[h]["os_family"] == "windows"]
    members = servers + domain.computers_in("workstation")
    if len(servers) > 1:
        for host_id in servers:
            if stream.random() < 5 * rate:
                ctx.edges.add(stream.choice(servers), host_id, "AllowedToAct")
    if members:
        for user_id in domain.users_in("regular"):
            if stream.random() < rate:
                ctx.edges.add(user_id, stream.choice(members), "AllowedToAct")


def _sid_history(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    # Other domains' ordinary users, one list per domain (built once, not per draw).
    others = [users for d in ctx.domains if d is not domain and (users := d.users_in("regular"))]
    legacy = [gid for key, gid in domain.groups.items()
              if key.startswith(("role:", "res:", "dept:"))]
    for user_id in domain.users_in("regular"):
        if stream.random() >= ctx.profile.sid_history_rate:
            continue
        if others:
            target = stream.choice(stream.choice(others))
        elif legacy:
            target = stream.choice(legacy)
        else:
            continue
        add_sid_history(ctx, user_id, target)


def add_sid_history(ctx: BuildContext, user_id: str, target: str) -> None:
    """Put `target`'s SID in `user_id`'s sIDHistory (and the HasSIDHistory edge)."""
    if ctx.edges.add(user_id, target, "HasSIDHistory"):
        history = ctx.node_index[user_id]["properties"]["sid_history"]
        ctx.set_fact(user_id, "sid_history", (*history, ctx.principals[target]["sid"]))


def _sql_admins(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    sql_hosts = domain.computers.get("kind:sql", [])
    if not sql_hosts:
        return
    for account_id, host_id in domain.service_hosts.items():
        if domain.service_kinds[account_id] == "sql":
            ctx.edges.add(account_id, host_id, "SQLAdmin")
    dbas = [u for u in domain.users_in("regular", "it_admin")
            if ctx.principals[u]["department"] in _DBA_DEPARTMENTS
            and ctx.principals[u]["enabled"]]
    if not dbas:
        return
    mean = 10 * ctx.profile.sql_admin_rate
    for host_id in sql_hosts:
        for user_id in sample_upto(stream, dbas, geometric_count(stream, mean)):
            ctx.edges.add(user_id, host_id, "SQLAdmin")


def _credential_reuse(ctx: BuildContext, domain: DomainState) -> None:
    hubs: dict[str, str] = {}
    for host_id in domain.computers_in("server", "workstation"):
        password_id = ctx.hosts[host_id]["tags"]["local_admin_password_id"]
        if password_id is None:
            continue
        hub = hubs.setdefault(str(password_id), host_id)
        if hub != host_id:
            ctx.edges.add(host_id, hub, "AdminTo")
            ctx.edges.add(hub, host_id, "AdminTo")
