"""Active Directory Certificate Services: CAs, templates, NTAuth, and ESC edges.

Runs inside the "edges" phase. Each server of kind `ca` hosts one Enterprise CA
(node type `EnterpriseCA`); the forest root holds the NTAuth store (`NTAuthStore`,
trusting every CA) and the certificate templates (`CertTemplate`), published to
every CA. A world without a CA server has no ADCS at all.

How objects relate is recorded in node properties, not as edges: in BloodHound
those relations (PublishedTo, TrustedForNTAuth, ...) are not moves, and as edges
they would hand every enrollee a path to the domain. The moves are:

- Enroll (principal -> CertTemplate): who may request a certificate from it;
- ADCSESC1 (principal -> domain): enrolls in a template whose enrollee supplies
  the subject of a client-authentication certificate;
- ADCSESC3 (principal -> domain): enrolls in an enrollment-agent template and so
  requests certificates on behalf of anyone;
- ADCSESC4 (principal -> domain): may rewrite a template (GenericWrite on it too).

Which vulnerable templates exist, and who holds them, follows the level: role
groups at `adcs_role_group_share`, Domain Users too at `vulnerable`.
"""

from __future__ import annotations

import random

from worlds.generator.context import BuildContext, DomainState
from worlds.generator.rng import sample_upto

# (key, display name, enrollee supplies subject, client auth EKU, enrollment agent,
#  escalation it opens or None, enrolling group keys).
TEMPLATES: tuple[tuple[str, str, bool, bool, bool, str | None, tuple[str, ...]], ...] = (
    ("user", "User", False, True, False, None, ("domain_users",)),
    ("machine", "Machine", False, True, False, None, ("domain_computers",)),
    ("dc", "DomainController", False, True, False, None, ("domain_controllers",)),
    ("webserver", "WebServer", True, False, False, None, ("server_admins",)),
    ("subca", "SubCA", True, True, False, None, ("domain_admins",)),
    ("admin", "Administrator", False, True, False, None, ("domain_admins",)),
    ("efs", "EFS", False, False, False, None, ("domain_users",)),
    ("vpn", "VPN-Users-Legacy", True, True, False, "ESC1", ()),
    ("agent", "EnrollmentAgent-Helpdesk", False, False, True, "ESC3", ("helpdesk",)),
    ("wsauth", "Workstation-Auth-Legacy", False, True, False, "ESC4", ()),
)


def build_adcs(ctx: BuildContext) -> None:
    stream = ctx.stream("adcs")
    root = ctx.domains[0]
    cas: list[str] = []
    for domain in ctx.domains:
        for n, host_id in enumerate(domain.computers.get("kind:ca", ())):
            host = ctx.hosts[host_id]
            ca_id = f"{domain.node_id}-ca{n}"
            name = f"{domain.netbios}-{host['hostname']}-CA"
            ctx.add_node(ca_id, f"{name.upper()}@{domain.upper}", "EnterpriseCA", {
                "domain": domain.name, "name": name, "host_id": host_id,
                "dns_hostname": host["fqdn"], "trusted_for_ntauth": True,
                # NTLM on the web enrollment pages (see services.py): ESC8 material.
                "web_enrollment": True,
            })
            ctx.tier0.add(ca_id)
            cas.append(ca_id)
    if not cas:
        return
    ctx.add_node(f"{root.node_id}-ntauth", f"NTAUTHCERTIFICATES@{root.upper}", "NTAuthStore",
                 {"domain": root.name, "ca_ids": tuple(cas)})
    ctx.tier0.add(f"{root.node_id}-ntauth")
    profile = ctx.profile
    for n, (_key, name, supplies_subject, client_auth, agent, escalation, enrollers) in (
        enumerate(TEMPLATES)
    ):
        if escalation is not None and escalation not in profile.adcs_escalations:
            continue
        template_id = f"{root.node_id}-ct{n:02d}"
        ctx.add_node(template_id, f"{name.upper()}@{root.upper}", "CertTemplate", {
            "domain": root.name, "name": name, "schema_version": 2,
            "enrollee_supplies_subject": supplies_subject, "authentication_enabled": client_auth,
            "enrollment_agent": agent, "requires_manager_approval": False,
            "published_to": tuple(cas), "vulnerable_to": () if escalation is None else (escalation,),
        })
        for domain in ctx.domains:
            holders = [domain.groups[g] for g in enrollers if g in domain.groups]
            if escalation is not None:
                holders += _role_holders(domain, stream, profile.adcs_role_group_share)
            if escalation == "ESC1" and profile.domain_users_route:
                holders.append(domain.groups["domain_users"])
            if escalation == "ESC4":
                # Hardened estates keep template writers to the IT admins.
                holders.append(domain.groups["it_admins"])
            for holder in holders:
                if escalation == "ESC4":
                    ctx.edges.add(holder, template_id, "GenericWrite")
                else:
                    ctx.edges.add(holder, template_id, "Enroll")
                if escalation is not None:
                    ctx.edges.add(holder, domain.node_id, f"ADCS{escalation}")


def _role_holders(domain: DomainState, stream: random.Random, share: float) -> list[str]:
    roles = [gid for key, gid in domain.groups.items() if key.startswith("role:")]
    return sample_upto(stream, roles, round(share * len(roles)))
