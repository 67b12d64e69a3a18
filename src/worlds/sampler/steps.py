"""The replay step shape (trajectories.md, "Replay"), the initial state and the summary.

A step's `state_before` and `state_after` carry the attacker-visible counts
(`AttackerState.counts`); `state_after.delta` lists what the step added (principals
owned, groups controlled, hosts with admin or a shell, hosts and subnets learnt,
credentials with their kind, domains collected or compromised), so a viewer can fold
the deltas from `initial_state` to the state at any step. `details.action` is the
action's key (edge id, host id, subnet, ...), which with `command_name` identifies
the action exactly; `replay_check` relies on it.
"""

from __future__ import annotations

import random
from typing import Any

from worlds.sampler.actions import Action, Outcome
from worlds.sampler.catalog import BY_NAME
from worlds.sampler.index import WorldIndex
from worlds.sampler.state import AttackerState, Delta

# Typical wall time of each command family, in ms (simulated; scaled by a draw in 1..2).
_BASE_MS = {"discovery": 9_000, "credential": 4_000, "exploit": 2_500}
_SLOW = {"bloodhound_collect": 45_000, "network_scan": 30_000, "crack_hash": 60_000,
         "password_spray": 20_000}


def _events(command_events: tuple[str, ...], delta: Delta, out: Outcome) -> list[str]:
    found: list[str] = []
    owned = set(delta.owned)
    checks = (
        ("host_discovered", bool(delta.known_hosts)),
        ("subnet_discovered", bool(delta.known_subnets)),
        ("principal_discovered", delta.known_principals > 0),
        ("edge_discovered", delta.known_edges > 0),
        ("artifact_discovered", bool(out.facts.get("files"))),
        ("credential_obtained", bool(delta.credentials)),
        ("principal_compromised", bool(delta.owned)),
        ("group_joined", any(c not in owned for c in delta.controlled)),
        ("admin_obtained", bool(delta.admin_hosts)),
        ("shell_obtained", bool(delta.shell_hosts)),
        ("domain_compromised", bool(delta.compromised_domains)),
    )
    for event, happened in checks:
        if happened and event in command_events:
            found.append(event)
    return found


def _title(ix: WorldIndex, action: Action, out: Outcome) -> tuple[str, str]:
    name, key = action
    edge = out.edge
    if edge is not None:
        src, tgt = ix.name(edge["source"]), ix.name(edge["target"])
        kind = edge["edge_type"]
        return f"{src} -{kind}-> {tgt}", f"{kind} from {src} to {tgt}"
    if name == "network_scan":
        return f"Scan {key}", f"the hosts of subnet {key}"
    if name == "password_spray":
        dom = key.partition("#")[0]
        return (f"Spray {out.facts.get('password')} on {ix.name(dom)}",
                f"every known account of {ix.name(dom)}")
    if name == "loot_artifact":
        host_id, artifact = ix.artifacts[key]
        return (f"Loot {artifact.get('path')} on {ix.name(host_id)}",
                f"{artifact.get('description')} on {ix.name(host_id)}")
    verb = {
        "bloodhound_collect": "Collect {} with BloodHound", "enum_sessions": "Enumerate sessions on {}",
        "enum_shares": "Enumerate shares on {}", "asrep_roast": "AS-REP roast {}",
        "kerberoast": "Kerberoast {}", "crack_hash": "Crack the hash of {}",
        "lsass_dump": "Dump LSASS on {}", "sam_dump": "Dump SAM and LSA secrets on {}",
        "pass_the_hash_local_admin": "Pass the local admin hash to {}", "dcsync": "DCSync {}",
    }[name]
    return verb.format(ix.name(key)), f"{BY_NAME[name].description.rstrip('.')}: {ix.name(key)}"


def build_step(ix: WorldIndex, index: int, action: Action, out: Outcome, line: str, stdout: str,
               stderr: str, before: dict[str, int], after: dict[str, int], delta: Delta,
               durations: random.Random, touched: dict[str, None]) -> dict[str, Any]:
    """One step in the replay shape; records the nodes it touches in `touched`."""
    name, key = action
    command = BY_NAME[name]
    title, summary = _title(ix, action, out)
    edge = out.edge
    if edge is not None:
        targets: dict[str, str] = {
            "source": edge["source"], "edge_id": edge["id"], "target": edge["target"]}
        nodes = [edge["source"], edge["target"]]
    else:
        node = ix.artifacts[key][0] if name == "loot_artifact" else key.partition("#")[0]
        targets = {"node": node}
        nodes = [node]
    details: dict[str, Any] = {"action": key, "kind": command.kind}
    if out.actor:
        details["actor"] = out.actor
        nodes.append(out.actor)
    if edge is not None:
        details["edge"] = {"id": edge["id"], "edge_type": edge["edge_type"]}
    for fact in ("abuse", "secret", "hash_kind", "password"):
        if fact in out.facts:
            details[fact] = out.facts[fact]
    if "session_edges" in out.facts:
        details["session_edge_ids"] = out.facts["session_edges"]
    if name == "loot_artifact":
        details["artifact_id"] = key
    if delta.credentials:
        details["credential_kinds"] = sorted({c["kind"] for c in delta.credentials})
    nodes += delta.owned + delta.controlled + delta.admin_hosts + delta.shell_hosts
    nodes += delta.known_hosts
    for node in nodes:
        touched[node] = None
    ms = _SLOW.get(name, _BASE_MS[command.kind])
    return {
        "index": index,
        "title": title,
        "source": "sampler",
        "command_name": name,
        "command": line,
        "technique": command.technique.to_dict(),
        "target_summary": summary,
        "targets": targets,
        "exit_code": 1 if out.failed else 0,
        "failed": out.failed,
        "failure_reason": out.failure_reason,
        "stdout": stdout,
        "stderr": stderr,
        "state_before": before,
        "state_after": {**after, "delta": delta.to_dict()},
        "events": _events(command.events, delta, out),
        "duration_ms": int(ms * (1 + durations.random())),
        "details": details,
    }


def initial_state(ix: WorldIndex, st: AttackerState,
                  foothold: tuple[str, str | None]) -> dict[str, Any]:
    user, host = foothold
    principal = ix.principals[user]
    return {
        "foothold": {
            "principal_id": user, "sam": principal["sam"], "domain": principal.get("domain"),
            "host_id": host, "hostname": ix.hosts[host]["hostname"] if host else None,
            "ip": ix.hosts[host]["ip"] if host else None, "credential": "password",
        },
        "known_hosts": list(st.known_hosts),
        "known_subnets": list(st.known_subnets),
        "owned_principals": list(st.owned),
        "controlled_principals": list(st.controlled),
        "admin_hosts": list(st.admin_hosts),
        "shell_hosts": list(st.shell_hosts),
        "auth_domains": list(st.auth_domains),
        "credentials": list(st.credentials),
        "counts": st.counts(),
    }


def summarize(ix: WorldIndex, st: AttackerState, steps: list[dict[str, Any]],
              success: bool) -> dict[str, Any]:
    kinds: dict[str, int] = {}
    for cred in st.credentials:
        kinds[cred["kind"]] = kinds.get(cred["kind"], 0) + 1
    return {
        "hosts_compromised": {"admin": list(st.admin_hosts), "shell": list(st.shell_hosts)},
        "principals_compromised": list(st.owned),
        "domains_compromised": list(st.compromised),
        "credentials_obtained": {"count": len(st.credentials), "by_kind": kinds},
        "techniques_used": sorted({s["technique"]["technique_id"] for s in steps}),
        "goal_step": steps[-1]["index"] if success and steps else None,
        "steps": len(steps),
        "failed_steps": sum(1 for s in steps if s["failed"]),
    }
