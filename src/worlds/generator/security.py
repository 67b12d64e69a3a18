"""Security levels: the misconfiguration rates and route families of each level.

A level is one `LevelProfile`; phases read `ctx.profile` instead of constants, so
that a level changes what is drawn but never the order of the sub-streams.

Calibration target (measured by `bench/world_stats.py` and the generator tests):
the share of enabled non-tier-0 users with a path to Domain Admins, every edge but
CanRDP/CanPSRemote counting as a move, falls in BloodHound Enterprise's severity
bands at every preset from `medium` up:

    hardened     LOW            0-39 %
    typical      MODERATE-HIGH  40-94 %
    vulnerable   CRITICAL       95-100 %

Route families, each independent of the others, so users' shortest paths start
with different first hops: sessions (privileged logons on lower tiers), ACL
misconfigurations, delegation (RBCD, constrained), ADCS templates, credential
reuse (shared local administrator passwords, LAPS readers), roastable accounts,
SID history, MSSQL administration. Only `vulnerable` opens a route to every
domain user at once (a template or a GPO granting Domain Users too much).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class LevelProfile:
    """Rates (probabilities, or counts per 100 users where named so) of one level."""

    name: str
    # Credential reuse: Windows member hosts with LAPS; the others share a local
    # administrator password per image (domain, role, OS version).
    laps_coverage: float
    # Workstation owners in the local Administrators group of their own machine.
    owner_local_admin: float
    # Share of role groups that a GPO puts in the local Administrators of their
    # department's workstations (developers' classic "local admin for everyone").
    gpo_admin_role_groups: float
    # Passwords that fall to a wordlist (roasting, spraying, dumped hashes).
    crackable_person: float
    crackable_service: float
    # Ordinary users without Kerberos pre-authentication (AS-REP roastable).
    asrep_rate: float
    # Mean number of member hosts each domain admin is logged on to.
    da_sessions_mean: float
    # Odds that an IT admin's support logon lingers on a workstation.
    admin_workstation_session: float
    # Random ACL misconfigurations per 100 users between non-tier-0 objects.
    acl_misconfig_per_100: float
    # Whether department-wide groups appear as sources of misconfigured ACLs.
    broad_acl_sources: bool
    # Odds of each classic tier-0 misconfiguration (Exchange WriteDacl, a sync
    # account with DCSync, an AdminSDHolder-style ACE).
    tier0_misconfig: float
    # Vulnerable certificate template families present (ESC1, ESC3, ESC4).
    adcs_escalations: tuple[str, ...]
    # Per user: odds of holding a right on a vulnerable template (through a role group).
    adcs_role_group_share: float
    # A route open to every domain user (Domain Users enrolls in an ESC1 template).
    domain_users_route: bool
    # Per principal rates of delegation and object-takeover primitives.
    rbcd_rate: float
    sid_history_rate: float
    sql_admin_rate: float
    laps_reader_misconfig_per_100: float
    # Account hygiene: stale (no logon for months) and disabled accounts.
    stale_rate: float
    disabled_rate: float


PROFILES: Mapping[str, LevelProfile] = MappingProxyType({
    "hardened": LevelProfile(
        name="hardened", laps_coverage=0.97, owner_local_admin=0.02,
        gpo_admin_role_groups=0.0, crackable_person=0.03, crackable_service=0.1,
        asrep_rate=0.001, da_sessions_mean=0.1, admin_workstation_session=0.005,
        acl_misconfig_per_100=0.3, broad_acl_sources=False, tier0_misconfig=0.1,
        adcs_escalations=("ESC4",), adcs_role_group_share=0.0, domain_users_route=False,
        rbcd_rate=0.002, sid_history_rate=0.002, sql_admin_rate=0.02,
        laps_reader_misconfig_per_100=0.05, stale_rate=0.05, disabled_rate=0.02,
    ),
    "typical": LevelProfile(
        name="typical", laps_coverage=0.6, owner_local_admin=0.4,
        gpo_admin_role_groups=0.2, crackable_person=0.08, crackable_service=0.35,
        asrep_rate=0.005, da_sessions_mean=1.0, admin_workstation_session=0.05,
        acl_misconfig_per_100=2.0, broad_acl_sources=True, tier0_misconfig=0.5,
        adcs_escalations=("ESC1", "ESC3", "ESC4"), adcs_role_group_share=0.1,
        domain_users_route=False, rbcd_rate=0.01, sid_history_rate=0.01,
        sql_admin_rate=0.1, laps_reader_misconfig_per_100=0.5,
        stale_rate=0.12, disabled_rate=0.04,
    ),
    "vulnerable": LevelProfile(
        name="vulnerable", laps_coverage=0.2, owner_local_admin=0.6,
        gpo_admin_role_groups=0.5, crackable_person=0.2, crackable_service=0.7,
        asrep_rate=0.02, da_sessions_mean=2.5, admin_workstation_session=0.15,
        acl_misconfig_per_100=5.0, broad_acl_sources=True, tier0_misconfig=0.95,
        adcs_escalations=("ESC1", "ESC3", "ESC4"), adcs_role_group_share=0.3,
        domain_users_route=True, rbcd_rate=0.03, sid_history_rate=0.03,
        sql_admin_rate=0.3, laps_reader_misconfig_per_100=2.0,
        stale_rate=0.2, disabled_rate=0.06,
    ),
})
