"""The "hosts" phase: sites, per-site subnets, and computers with their accounts.

Layout. Sites are forest-wide: one below 50 hosts, else 2 + hosts // 1000, at most
12; HQ (site 0) takes three times the share of any other site. Each site S owns
per-segment /24 blocks, filled in order with hosts .10 to .250:

    core (DCs) 10.S.0-3.0/24      servers  10.S.4-47.0/24   workstations 10.S.48-231.0/24
    remote     10.S.232-247.0/24  isolated 10.S.248-255.0/24  dmz  172.(16+S).0-255.0/24

Roles. A domain's host share holds its DCs first (1 below 10 hosts, else
2 + hosts // 2000, at most 6), then about 15% servers of assorted kinds, then
workstations, each owned by one of the domain's enabled ordinary users. With a
single host, that host is the DC.

Local administrator passwords. Windows member hosts have LAPS at the level's rate
(`laps`); the others mostly keep the password of the image they were built from,
shared by every host of the same domain, role and OS version (credential reuse),
named by the computer node's `local_admin_password_id` (null for LAPS hosts, DCs
and Linux hosts; a host's own id when its password was set by hand). SQL servers
host an MSSQL instance (`mssql_instance`). Host records carry these facts in `tags`.
"""

from __future__ import annotations

import random

from worlds.generator import rng as rnglib
from worlds.generator.context import BuildContext, DomainState
from worlds.generator.domains import add_membership, server_ou, workstation_ou
from worlds.generator.names import DEPARTMENTS
from worlds.generator.records import HostTags, ServicePrincipalName

EXPOSURE_PROFILES = ("internet", "external", "dmz", "internal", "isolated")
ROLES = ("domain_controller", "server", "workstation")

# kind -> (hostname prefix, os family, weight, exposure weights)
SERVER_KINDS: dict[str, tuple[str, str, int, dict[str, int]]] = {
    "file": ("FS", "windows", 20, {"internal": 97, "isolated": 3}),
    "sql": ("SQL", "windows", 12, {"internal": 97, "isolated": 3}),
    "web": ("WEB", "windows", 10, {"internet": 3, "dmz": 5, "internal": 2}),
    "app": ("APP", "windows", 15, {"internal": 90, "dmz": 10}),
    "backup": ("BKP", "windows", 4, {"isolated": 1, "internal": 1}),
    "exchange": ("EXCH", "windows", 3, {"external": 1, "internal": 1}),
    "ca": ("CA", "windows", 2, {"internal": 1}),
    "rds": ("RDS", "windows", 6, {"internal": 4, "external": 1}),
    "adfs": ("ADFS", "windows", 1, {"dmz": 1}),
    "linux_web": ("LXWEB", "linux", 10, {"internet": 2, "dmz": 3, "internal": 5}),
    "linux_db": ("LXDB", "linux", 6, {"internal": 1}),
}
# The first servers of a domain take these kinds in turn, so small worlds vary too.
_KIND_ROTATION = ("file", "sql", "web", "app", "rds", "linux_web", "backup", "ca", "exchange")
_KIND_NAMES = tuple(SERVER_KINDS)
_KIND_CUMULATIVE = rnglib.cumulate([SERVER_KINDS[k][2] for k in _KIND_NAMES])

_DC_OS = (("Windows Server 2019 Datacenter", 5), ("Windows Server 2022 Datacenter", 4),
          ("Windows Server 2016 Datacenter", 2))
_SERVER_OS = (("Windows Server 2019 Standard", 40), ("Windows Server 2022 Standard", 30),
              ("Windows Server 2016 Standard", 25), ("Windows Server 2012 R2 Standard", 5))
_LINUX_OS = (("Ubuntu 22.04 LTS", 5), ("Ubuntu 20.04 LTS", 2),
             ("Red Hat Enterprise Linux 8.9", 2), ("Red Hat Enterprise Linux 9.3", 2))
_WORKSTATION_OS = (("Windows 11 Enterprise 23H2", 50), ("Windows 10 Enterprise 22H2", 45),
                   ("Windows 10 Enterprise LTSC 2019", 4), ("Windows 7 Professional SP1", 1))
_WORKSTATION_EXPOSURE = {"internal": 96, "external": 4}

# segment -> (first two octets template, first third octet, number of /24 blocks)
_SEGMENTS: dict[str, tuple[str, int, int]] = {
    "core": ("10.{site}", 0, 4),
    "servers": ("10.{site}", 4, 44),
    "workstations": ("10.{site}", 48, 184),
    "remote": ("10.{site}", 232, 16),
    "isolated": ("10.{site}", 248, 8),
    "dmz": ("172.{dmz}", 0, 256),
}
_FIRST_HOST, _HOSTS_PER_BLOCK = 10, 241
_DEPARTMENT_CODES = {name: code for name, code, _ in DEPARTMENTS}


def _weighted(stream: random.Random, table: tuple[tuple[str, int], ...]) -> str:
    return table[rnglib.weighted_index(stream, rnglib.cumulate([w for _, w in table]))][0]


class SubnetAllocator:
    """Hands out addresses per (site, segment), block by block."""

    def __init__(self) -> None:
        self._used: dict[tuple[int, str], int] = {}

    def allocate(self, site: int, segment: str) -> tuple[str, str]:
        """(ip, subnet CIDR) of the next free address."""
        prefix, first_block, blocks = _SEGMENTS[segment]
        count = self._used.get((site, segment), 0)
        self._used[(site, segment)] = count + 1
        block, offset = divmod(count, _HOSTS_PER_BLOCK)
        if block >= blocks:
            raise RuntimeError(f"segment {segment} of site {site} is full")
        net = f"{prefix.format(site=site, dmz=16 + site)}.{first_block + block}"
        return f"{net}.{_FIRST_HOST + offset}", f"{net}.0/24"


def role_counts(num_hosts: int) -> tuple[int, int, int]:
    """(domain controllers, servers, workstations) of a domain's host share."""
    dcs = min(num_hosts, 1 if num_hosts < 10 else min(6, 2 + num_hosts // 2000))
    rest = num_hosts - dcs
    servers = 0 if rest == 0 else max(1, (rest * 15 + 50) // 100)
    return dcs, servers, rest - servers


def build_hosts(ctx: BuildContext) -> None:
    site_cumulative = rnglib.cumulate([3 if i == 0 else 1 for i in range(len(ctx.sites))])
    allocator = SubnetAllocator()
    # Shared by all domains so hostnames are unique in the world, not only per domain.
    name_counts: dict[str, int] = {}
    for domain in ctx.domains:
        stream = ctx.stream("hosts", domain.name)
        builder = _HostBuilder(ctx, domain, stream, allocator, site_cumulative, name_counts)
        dcs, servers, workstations = role_counts(domain.num_hosts)
        for n in range(dcs):
            builder.add_dc(n)
        for n in range(servers):
            kind = (
                _KIND_ROTATION[n]
                if n < len(_KIND_ROTATION)
                else _KIND_NAMES[rnglib.weighted_index(stream, _KIND_CUMULATIVE)]
            )
            builder.add_server(kind)
        owners = [
            user_id
            for user_id in domain.users_in("regular")
            if ctx.principals[user_id]["enabled"]
        ]
        stream.shuffle(owners)
        for n in range(workstations):
            builder.add_workstation(owners[n % len(owners)] if owners else None)


class _HostBuilder:
    def __init__(
        self,
        ctx: BuildContext,
        domain: DomainState,
        stream: random.Random,
        allocator: SubnetAllocator,
        site_cumulative: list[float],
        name_counts: dict[str, int],
    ) -> None:
        self.ctx = ctx
        self.domain = domain
        self.stream = stream
        self.allocator = allocator
        self.site_cumulative = site_cumulative
        self.name_counts = name_counts
        # Image (domain, role, OS version) -> id of its shared local admin password.
        self.images: dict[str, str] = {}

    def _site(self) -> int:
        return rnglib.weighted_index(self.stream, self.site_cumulative)

    def _hostname(self, site: int, stem: str, width: int) -> str:
        key = f"{site}:{stem}"
        count = self.name_counts.get(key, 0) + 1
        self.name_counts[key] = count
        return f"{self.ctx.sites[site]}-{stem}{count:0{width}d}"

    def add_dc(self, n: int) -> None:
        # DCs of a domain spread over sites, starting at a domain-specific one.
        site = (self.domain.index + n) % len(self.ctx.sites)
        self._add(
            role="domain_controller", kind="dc", site=site, hostname=self._hostname(site, "DC", 2),
            os_family="windows", os_version=_weighted(self.stream, _DC_OS), exposure="internal",
            segment="core", ou="domain_controllers",
            # AD assigns RID 1000 to the account of the domain's first DC.
            rid=1000 if n == 0 else None,
        )

    def add_server(self, kind: str) -> None:
        prefix, family, _, exposures = SERVER_KINDS[kind]
        site = self._site()
        exposure = _weighted(self.stream, tuple(exposures.items()))
        os_table = _LINUX_OS if family == "linux" else _SERVER_OS
        self._add(
            role="server", kind=kind, site=site, hostname=self._hostname(site, prefix, 2),
            os_family=family, os_version=_weighted(self.stream, os_table), exposure=exposure,
            segment=_segment(exposure, "servers"), ou=server_ou(self.domain, site),
        )

    def add_workstation(self, owner: str | None) -> None:
        site = self._site()
        if owner is not None:
            department = self.ctx.principals[owner]["department"]
            code = _DEPARTMENT_CODES.get(department or "", "IT")
        else:
            code = DEPARTMENTS[self.stream.randrange(len(DEPARTMENTS))][1]
        exposure = _weighted(self.stream, tuple(_WORKSTATION_EXPOSURE.items()))
        host_id = self._add(
            role="workstation", kind="workstation", site=site,
            hostname=self._hostname(site, f"{code}-", 4), os_family="windows",
            os_version=_weighted(self.stream, _WORKSTATION_OS), exposure=exposure,
            segment=_segment(exposure, "workstations"), ou=workstation_ou(self.domain, site),
        )
        if owner is not None:
            self.domain.workstation_owner[host_id] = owner

    def _add(
        self, *, role: str, kind: str, site: int, hostname: str, os_family: str, os_version: str,
        exposure: str, segment: str, ou: str, rid: int | None = None,
    ) -> str:
        ctx, domain, stream = self.ctx, self.domain, self.stream
        host_id = domain.new_id("c", 5)
        fqdn = f"{hostname.lower()}.{domain.name}"
        ip, subnet = self.allocator.allocate(site, segment)
        is_dc = role == "domain_controller"
        windows_member = os_family == "windows" and not is_dc
        # DCs always have unconstrained delegation; a few servers do too.
        unconstrained = is_dc or (role == "server" and stream.random() < 0.03)
        laps = windows_member and stream.random() < ctx.profile.laps_coverage
        password_id: str | None = None
        if windows_member and not laps:
            if stream.random() < 0.85:
                image = f"{domain.node_id}:{role}:{os_version}"
                password_id = self.images.setdefault(
                    image, f"{domain.node_id}-lapw{len(self.images):02d}"
                )
            else:
                password_id = f"{host_id}-lapw"
        mssql = f"{fqdn}:1433" if kind == "sql" else None
        tags: HostTags = {
            "laps": laps,
            "local_admin_password_id": password_id,
            "unconstrained_delegation": unconstrained,
            "mssql_instance": mssql,
        }
        ctx.hosts[host_id] = {
            "host_id": host_id,
            "hostname": hostname,
            "fqdn": fqdn,
            "domain": domain.name,
            "ip": ip,
            "os_family": os_family,
            "os_version": os_version,
            "role": role,
            "subnet": subnet,
            "site": ctx.sites[site],
            "exposure_profile": exposure,
            "services": [],
            "artifacts": [],
            "tags": tags,
        }
        ou_id, ou_dn = domain.ous[ou]
        spns = [f"HOST/{fqdn}", f"HOST/{hostname}"]
        if is_dc:
            spns += [f"ldap/{fqdn}", f"GC/{fqdn}/{ctx.domains[0].name}", f"DNS/{fqdn}"]
        ctx.principals[host_id] = {
            "principal_id": host_id,
            "principal_type": "computer",
            "sam": f"{hostname}$",
            "enabled": True,
            "upn": None,
            "dn": f"CN={hostname},{ou_dn}",
            "sid": f"{domain.sid}-{domain.take_rid() if rid is None else rid}",
            "domain": domain.name,
            "email": None,
            "department": None,
            "title": None,
            "membership_ids": [],
            "credentials": [
                {"type": "password_hash", "algorithm": "ntlm",
                 "ref": f"cred-{rnglib.token(stream)}", "crackable": False},
                {"type": "kerberos_key", "algorithm": "aes256-cts-hmac-sha1-96",
                 "ref": f"cred-{rnglib.token(stream)}"},
                *(ServicePrincipalName(type="spn", value=spn) for spn in spns),
            ],
            "tags": dict(tags),
        }
        ctx.add_node(
            host_id,
            f"{hostname}.{domain.upper}",
            "computer",
            {
                "domain": domain.name,
                "role": role,
                "os_family": os_family,
                "exposure_profile": exposure,
                "unconstrained_delegation": unconstrained,
                "laps": laps,
                "local_admin_password_id": password_id,
                "mssql_instance": mssql,
            },
        )
        ctx.edges.add(ou_id, host_id, "Contains")
        group = "domain_controllers" if is_dc else "domain_computers"
        add_membership(ctx, host_id, domain.groups[group])
        if is_dc:
            ctx.tier0.add(host_id)
        if kind == "exchange":
            add_membership(ctx, host_id, domain.groups["exchange_trusted_subsystem"])
        domain.computers.setdefault(role, []).append(host_id)
        domain.computers.setdefault(f"kind:{kind}", []).append(host_id)
        ctx.host_kinds[host_id] = kind
        return host_id


def _segment(exposure: str, internal_segment: str) -> str:
    if exposure in ("internet", "dmz"):
        return "dmz"
    if exposure == "isolated":
        return "isolated"
    if exposure == "external":
        return "remote"
    return internal_segment


def add_artifact(
    ctx: BuildContext,
    host_id: str,
    kind: str,
    path: str,
    description: str,
    principal_id: str | None,
    credential_ref: str | None,
) -> None:
    artifacts = ctx.hosts[host_id]["artifacts"]
    artifacts.append(
        {
            "artifact_id": f"{host_id}:a{len(artifacts)}",
            "kind": kind,
            "path": path,
            "description": description,
            "principal_id": principal_id,
            "credential_ref": credential_ref,
        }
    )


def password_ref(ctx: BuildContext, principal_id: str) -> str:
    """Reference of the principal's NTLM hash, for artifacts that expose it."""
    credential = ctx.principals[principal_id]["credentials"][0]
    # Every account's first credential is its NTLM hash (directory.py, _add above).
    assert credential["type"] == "password_hash"
    return credential["ref"]
