"""The "services" phase: listening services per host, service accounts, artifacts.

Services come from templates per host role and server kind, listed by port; Windows services carry
the build number of the host's OS as their version. Service accounts are bound to a
server of their kind in their domain (SPNs on the account, a logon session on the
host); the services' `banner_ref` names a banner by product and version, so equal
software shares one reference. Artifacts are the notable, credential-bearing files
and registry values an intruder would loot; most hosts have none.
"""

from __future__ import annotations

import random
import re

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.hosts import add_artifact, password_ref
from worlds.generator.records import HostRecord
from worlds.generator.rng import token

# (name, port, proto, product, version or None for the OS build, auth)
Service = tuple[str, int, str, str, str | None, str]

AUTH_KINDS = ("none", "password", "ntlm", "kerberos", "negotiate", "publickey", "certificate")

_WINDOWS_BASE: tuple[Service, ...] = (
    ("msrpc", 135, "tcp", "Microsoft Windows RPC", None, "negotiate"),
    ("netbios-ssn", 139, "tcp", "Microsoft Windows netbios-ssn", None, "negotiate"),
    ("microsoft-ds", 445, "tcp", "Microsoft Windows SMB", "3.1.1", "negotiate"),
)
_RDP: Service = ("ms-wbt-server", 3389, "tcp", "Microsoft Terminal Services", None, "negotiate")
_WINRM: Service = ("wsman", 5985, "tcp", "Microsoft HTTPAPI httpd", "2.0", "negotiate")
_DC: tuple[Service, ...] = (
    ("domain", 53, "tcp", "Microsoft DNS", None, "none"),
    ("domain", 53, "udp", "Microsoft DNS", None, "none"),
    ("kerberos-sec", 88, "tcp", "Microsoft Windows Kerberos", None, "kerberos"),
    ("kerberos-sec", 88, "udp", "Microsoft Windows Kerberos", None, "kerberos"),
    ("ldap", 389, "tcp", "Microsoft Windows Active Directory LDAP", None, "negotiate"),
    ("kpasswd5", 464, "tcp", "Microsoft Windows Kerberos", None, "kerberos"),
    ("ldaps", 636, "tcp", "Microsoft Windows Active Directory LDAP", None, "negotiate"),
    ("globalcatLDAP", 3268, "tcp", "Microsoft Windows Active Directory LDAP", None, "negotiate"),
    ("globalcatLDAPssl", 3269, "tcp", "Microsoft Windows Active Directory LDAP", None, "negotiate"),
)
_IIS = "Microsoft IIS httpd"
_SSH: Service = ("ssh", 22, "tcp", "OpenSSH", None, "publickey")
_KIND_SERVICES: dict[str, tuple[Service, ...]] = {
    "file": (),
    "sql": (("ms-sql-s", 1433, "tcp", "Microsoft SQL Server 2019", "15.00.2000", "negotiate"),
            ("ms-sql-m", 1434, "udp", "Microsoft SQL Server Browser", "15.00.2000", "none")),
    "web": (("http", 80, "tcp", _IIS, "10.0", "none"),
            ("https", 443, "tcp", _IIS, "10.0", "password")),
    "app": (("http-proxy", 8080, "tcp", "Apache Tomcat", "9.0.83", "password"),
            ("https-alt", 8443, "tcp", "Apache Tomcat", "9.0.83", "password")),
    "backup": (("veeam", 9392, "tcp", "Veeam Backup Service", "12.1.0", "negotiate"),
               ("veeam-transport", 6160, "tcp", "Veeam Installer Service", "12.1.0", "negotiate")),
    "exchange": (("smtp", 25, "tcp", "Microsoft Exchange smtpd", "15.2.1258", "none"),
                 ("https", 443, "tcp", f"{_IIS} (Outlook Web App)", "10.0", "password"),
                 ("submission", 587, "tcp", "Microsoft Exchange smtpd", "15.2.1258", "password")),
    # NTLM on the enrollment pages is what makes AD CS relay (ESC8) possible.
    "ca": (("http", 80, "tcp", f"{_IIS} (AD CS Web Enrollment)", "10.0", "ntlm"),
           ("https", 443, "tcp", f"{_IIS} (AD CS Web Enrollment)", "10.0", "negotiate")),
    "rds": (("https", 443, "tcp", "Microsoft Remote Desktop Gateway", "10.0", "negotiate"),),
    "adfs": (("https", 443, "tcp", "Microsoft AD FS", "4.0", "password"),),
    "linux_web": (("http", 80, "tcp", "nginx", "1.18.0", "none"),
                  ("https", 443, "tcp", "nginx", "1.18.0", "none")),
    "linux_db": (("postgresql", 5432, "tcp", "PostgreSQL", "14.10", "password"),),
}
_OS_BUILDS = {
    "Windows Server 2012 R2 Standard": "6.3.9600",
    "Windows Server 2016 Standard": "10.0.14393",
    "Windows Server 2016 Datacenter": "10.0.14393",
    "Windows Server 2019 Standard": "10.0.17763",
    "Windows Server 2019 Datacenter": "10.0.17763",
    "Windows Server 2022 Standard": "10.0.20348",
    "Windows Server 2022 Datacenter": "10.0.20348",
    "Windows 11 Enterprise 23H2": "10.0.22631",
    "Windows 10 Enterprise 22H2": "10.0.19045",
    "Windows 10 Enterprise LTSC 2019": "10.0.17763",
    "Windows 7 Professional SP1": "6.1.7601",
    "Ubuntu 22.04 LTS": "8.9p1 Ubuntu 3ubuntu0.6",
    "Ubuntu 20.04 LTS": "8.2p1 Ubuntu 4ubuntu0.9",
    "Red Hat Enterprise Linux 8.9": "8.0p1",
    "Red Hat Enterprise Linux 9.3": "8.7p1",
}

# Service kind of an account -> (server kind it runs on, SPN service class).
_ACCOUNT_BINDINGS = {
    "sql": ("sql", "MSSQLSvc"),
    "web": ("web", "HTTP"),
    "app": ("app", "HTTP"),
    "backup": ("backup", "VeeamBackup"),
    "sccm": ("file", "SMS"),
    "exchange": ("exchange", "exchangeMDB"),
}


def build_services(ctx: BuildContext) -> None:
    banner_refs: dict[tuple[str, str], str] = {}
    for domain in ctx.domains:
        stream = ctx.stream("services", domain.name)
        for role in ("domain_controller", "server", "workstation"):
            for host_id in domain.computers.get(role, ()):
                _add_services(ctx, host_id, stream, banner_refs)
        _bind_service_accounts(ctx, domain)
        _add_artifacts(ctx, domain, ctx.stream("artifacts", domain.name))


def _host_templates(host: HostRecord, kind: str, stream: random.Random) -> list[tuple[Service, bool]]:
    """Templates of a host's services, each with whether it may show as filtered."""
    if host["os_family"] == "linux":
        return [(_SSH, False), *((s, False) for s in _KIND_SERVICES[kind])]
    templates = [(s, False) for s in _WINDOWS_BASE]
    role = host["role"]
    if role == "domain_controller":
        templates += [(s, False) for s in _DC]
        templates += [(_RDP, False), (_WINRM, False)]
        return templates
    rdp_odds, winrm_odds = (0.15, 0.2) if role == "workstation" else (0.6, 0.7)
    if kind == "rds" or stream.random() < rdp_odds:
        templates.append((_RDP, kind != "rds"))
    if stream.random() < winrm_odds:
        templates.append((_WINRM, True))
    templates += [(s, False) for s in _KIND_SERVICES.get(kind, ())]
    return templates


def _add_services(
    ctx: BuildContext, host_id: str, stream: random.Random, banner_refs: dict[tuple[str, str], str]
) -> None:
    host = ctx.hosts[host_id]
    kind = ctx.host_kinds[host_id]
    build = _OS_BUILDS[host["os_version"]]
    services = host["services"]
    templates = _host_templates(host, kind, stream)
    templates.sort(key=lambda template: (template[0][1], template[0][2]))
    for (name, port, proto, product, version, auth), may_filter in templates:
        version = version or build
        key = (product, version)
        ref = banner_refs.get(key)
        if ref is None:
            ref = banner_refs[key] = f"banner:{_slug(product)}:{version}"
        services.append(
            {
                "service_id": f"{host_id}:{port}/{proto}",
                "name": name,
                "port": port,
                "proto": proto,
                "product": product,
                "version": version,
                "state": "filtered" if may_filter and stream.random() < 0.1 else "open",
                "auth": auth,
                "banner_ref": ref,
            }
        )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _bind_service_accounts(ctx: BuildContext, domain: DomainState) -> None:
    turns: dict[str, int] = {}
    servers = domain.computers_in("server")
    for account_id, account_kind in domain.service_kinds.items():
        server_kind, service_class = _ACCOUNT_BINDINGS[account_kind]
        candidates = domain.computers.get(f"kind:{server_kind}") or servers
        turn = turns.get(account_kind, 0)
        turns[account_kind] = turn + 1
        if candidates:
            host_id = candidates[turn % len(candidates)]
            fqdn = ctx.hosts[host_id]["fqdn"]
            domain.service_hosts[account_id] = host_id
        else:
            # A stale SPN for a decommissioned server: still kerberoastable.
            host_id, fqdn = None, f"{server_kind.replace('_', '')}{turn + 1:02d}.{domain.name}"
        spns = [f"{service_class}/{fqdn}"]
        if service_class == "MSSQLSvc":
            spns.append(f"MSSQLSvc/{fqdn}:1433")
        properties = ctx.node_index[account_id]["properties"]
        properties["has_spn"] = True
        properties["spns"] = tuple(spns)
        ctx.set_fact(account_id, "hasspn", True)
        credentials = ctx.principals[account_id]["credentials"]
        credentials.extend({"type": "spn", "value": spn} for spn in spns)
        if host_id is not None:
            # The service logs on as the account: its secrets sit in the host's LSASS.
            ctx.edges.add(host_id, account_id, "HasSession")


_WINLOGON_PASSWORD = (
    "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\DefaultPassword"
)


def _add_artifacts(ctx: BuildContext, domain: DomainState, stream: random.Random) -> None:
    for host_id in domain.computers_in("workstation"):
        owner = domain.workstation_owner.get(host_id)
        draw = stream.random()
        if owner is not None and draw < 0.03:
            sam = ctx.principals[owner]["sam"]
            add_artifact(ctx, host_id, "file", f"C:\\Users\\{sam}\\Documents\\passwords.txt",
                         "plaintext password list", owner, password_ref(ctx, owner))
        elif owner is not None and draw < 0.04:
            add_artifact(ctx, host_id, "registry",
                         _WINLOGON_PASSWORD,
                         "autologon password", owner, password_ref(ctx, owner))
        elif draw < 0.06:
            _add_unattend(ctx, host_id, stream)
    for host_id in domain.computers_in("server"):
        host = ctx.hosts[host_id]
        draw = stream.random()
        if host["os_family"] == "linux":
            if draw < 0.1:
                add_artifact(ctx, host_id, "file", "/etc/nginx/.htpasswd",
                             "basic-auth password hashes", None, f"cred-{token(stream)}")
        elif draw < 0.03:
            _add_unattend(ctx, host_id, stream)
    for account_id, host_id in domain.service_hosts.items():
        if domain.service_kinds[account_id] in ("web", "app") and stream.random() < 0.5:
            add_artifact(ctx, host_id, "file", "C:\\inetpub\\wwwroot\\web.config",
                         "connection string with the service account's password",
                         account_id, password_ref(ctx, account_id))


def _add_unattend(ctx: BuildContext, host_id: str, stream: random.Random) -> None:
    add_artifact(ctx, host_id, "file", "C:\\Windows\\Panther\\Unattend.xml",
                 "local Administrator password in an unattended-setup answer file",
                 None, f"cred-{token(stream)}")
