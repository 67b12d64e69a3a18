"""What each resource looks like in a terminal (the JSON shapes are the contract's)."""

from __future__ import annotations

from typing import Any

from worlds.client.output import MISSING, cell, fields, percent, section, table, when


def job(record: dict[str, Any]) -> str:
    user = record.get("created_by_user") or {}
    return fields([
        ("id", record.get("id")),
        ("kind", record.get("kind")),
        ("status", record.get("status")),
        ("progress", percent(record.get("progress"))),
        ("resource", _resource(record)),
        ("error", record.get("error")),
        ("project", record.get("project_id")),
        ("created by", user.get("username") or record.get("created_by")),
        ("created", when(record.get("created_at"))),
        ("started", when(record.get("started_at"))),
        ("completed", when(record.get("completed_at"))),
        ("cancel requested", when(record.get("cancel_requested_at"))),
    ])


def _resource(record: dict[str, Any]) -> str:
    if not record.get("resource_id"):
        return MISSING
    return f"{record.get('resource_type') or 'resource'} {record['resource_id']}"


def jobs(page: dict[str, Any]) -> str:
    items = page.get("items") or []
    rows = [(j.get("id"), j.get("status"), percent(j.get("progress")), when(j.get("created_at")),
             j.get("resource_id"), j.get("error")) for j in items]
    listing = table(("ID", "STATUS", "PROGRESS", "CREATED", "RESOURCE", "ERROR"), rows)
    return f"{listing}\n{_shown(len(items), page.get('total'), 'job')}"


def _shown(count: int, total: Any, noun: str) -> str:
    total = count if total is None else int(total)
    return f"{count} of {total} {noun}{'' if total == 1 else 's'}"


def manifest(record: dict[str, Any]) -> str:
    stats = record.get("stats") or {}
    return fields([
        ("id", record.get("id")),
        ("name", record.get("name")),
        ("kind", record.get("manifest_kind")),
        ("preset", record.get("preset")),
        ("seed", record.get("seed")),
        ("domains", stats.get("domains")),
        ("hosts", stats.get("total_hosts")),
        ("principals", stats.get("total_principals")),
        ("edges", stats.get("total_edges")),
        ("network", stats.get("network_id")),
        ("source job", record.get("source_job_id")),
        ("project", record.get("project_id")),
        ("created", when(record.get("created_at"))),
    ])


def manifests(page: dict[str, Any]) -> str:
    items = page.get("items") or []
    rows = []
    for m in items:
        stats = m.get("stats") or {}
        rows.append((m.get("id"), m.get("name"), m.get("preset"), m.get("seed"), stats.get("total_hosts"),
                     stats.get("total_principals"), stats.get("total_edges"), when(m.get("created_at"))))
    listing = table(("ID", "NAME", "PRESET", "SEED", "HOSTS", "PRINCIPALS", "EDGES", "CREATED"), rows)
    return f"{listing}\n{_shown(len(items), page.get('total'), 'manifest')}"


def _node_table(items: list[dict[str, Any]] | None) -> str:
    data = [n.get("data") or {} for n in items or []]
    return table(("ID", "TYPE", "LABEL"), [(d.get("id"), d.get("node_type"), d.get("label")) for d in data])


def _edge_table(items: list[dict[str, Any]] | None) -> str:
    data = [e.get("data") or {} for e in items or []]
    return table(("ID", "TYPE", "SEVERITY", "SOURCE", "TARGET"),
                 [(d.get("id"), d.get("edge_type"), d.get("severity"), d.get("source"), d.get("target"))
                  for d in data])


def graph_footer(count: int, total: Any, offset: int, noun: str) -> str:
    """`1000 of 60,707 nodes (from offset 0); next page: --offset 1000` (no next past the end)."""
    total = count if total is None else int(total)
    text = f"{count} of {total:,} {noun} (from offset {offset})"
    if count and offset + count < total:
        text += f"; next page: --offset {offset + count}"
    return text


def nodes(page: dict[str, Any], offset: int = 0) -> str:
    items = page.get("nodes") or []
    return f"{_node_table(items)}\n{graph_footer(len(items), page.get('total'), offset, 'nodes')}"


def edges(page: dict[str, Any], offset: int = 0) -> str:
    items = page.get("edges") or []
    return f"{_edge_table(items)}\n{graph_footer(len(items), page.get('total'), offset, 'edges')}"


def subgraph(result: dict[str, Any]) -> str:
    nodes_, edges_ = result.get("nodes") or [], result.get("edges") or []
    summary = (f"{len(nodes_)} nodes and {len(edges_)} edges within {result.get('depth')} hops "
               f"of {result.get('center')}")
    if result.get("truncated"):
        summary += " (truncated: the farthest were left out)"
    return "".join([section(f"nodes ({len(nodes_)})", _node_table(nodes_)),
                    section(f"edges ({len(edges_)})", _edge_table(edges_))]).lstrip("\n") + \
        f"\n{summary}"


def overview(result: dict[str, Any]) -> str:
    nodes_ = [n.get("data") or {} for n in result.get("nodes") or []]
    edges_ = [e.get("data") or {} for e in result.get("edges") or []]
    node_rows = [(d.get("id"), d.get("node_type"), (d.get("properties") or {}).get("count"),
                  d.get("label")) for d in nodes_]
    edge_rows = [(d.get("edge_type"), d.get("count"), d.get("severity"), d.get("source"),
                  d.get("target")) for d in edges_]
    return "".join([
        section(f"groups ({len(node_rows)})", table(("ID", "TYPE", "MEMBERS", "LABEL"), node_rows)),
        section(f"edges ({len(edge_rows)})",
                table(("TYPE", "COUNT", "SEVERITY", "SOURCE", "TARGET"), edge_rows)),
    ]).lstrip("\n") + f"\ngrouping: {result.get('grouping')}"


_BASIC_PRINCIPAL = ("principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid",
                    "domain", "email", "department", "title")


def principal_record(record: dict[str, Any]) -> str:
    return fields([*((name.replace("_", " "), record.get(name)) for name in _BASIC_PRINCIPAL),
                   ("tags", record.get("tags") or {})])


def principals(page: dict[str, Any]) -> str:
    items = page.get("items") or []
    rows = [(p.get("principal_id"), p.get("principal_type"), p.get("sam"), p.get("domain"),
             p.get("enabled")) for p in items]
    listing = table(("ID", "TYPE", "SAM", "DOMAIN", "ENABLED"), rows)
    return f"{listing}\n{_shown(len(items), page.get('total'), 'principal')}"


def host_record(record: dict[str, Any]) -> str:
    return fields([*((name.replace("_", " "), record.get(name)) for name in (
        "host_id", "hostname", "fqdn", "domain", "ip", "os_family", "os_version", "role",
        "subnet", "site", "exposure_profile")), ("tags", record.get("tags") or {})])


def _edge_refs(title: str, refs: list[dict[str, Any]] | None) -> str:
    rows = [(r.get("edge_id"), r.get("edge_type"), r.get("severity"), r.get("source"), r.get("target"))
            for r in refs or []]
    body = table(("EDGE", "TYPE", "SEVERITY", "SOURCE", "TARGET"), rows) if rows else ""
    return section(f"{title} ({len(rows)})", body)


def host(record: dict[str, Any]) -> str:
    head = fields([(name.replace("_", " "), record.get(name)) for name in (
        "host_id", "hostname", "fqdn", "domain", "ip", "os_family", "os_version", "role", "subnet",
        "site", "exposure_profile")])
    services = [(s.get("port"), s.get("proto"), s.get("name"), s.get("product"), s.get("version"),
                 s.get("state"), s.get("auth")) for s in record.get("services") or []]
    service_table = table(("PORT", "PROTO", "NAME", "PRODUCT", "VERSION", "STATE", "AUTH"),
                          services) if services else ""
    artifacts = "\n".join(f"  {a}" for a in _cells(record.get("artifacts")))
    return "".join([head, section(f"services ({len(services)})", service_table),
                    section(f"artifacts ({len(record.get('artifacts') or [])})", artifacts),
                    _edge_refs("inbound edges", record.get("inbound_edges")),
                    _edge_refs("outbound edges", record.get("outbound_edges"))])


def principal(record: dict[str, Any]) -> str:
    head = fields([(name.replace("_", " "), record.get(name)) for name in (
        "principal_id", "principal_type", "sam", "enabled", "upn", "dn", "sid", "domain", "email",
        "department", "title")])
    memberships = record.get("membership_ids") or []
    credentials = record.get("credentials") or []
    return "".join([head,
                    section(f"member of ({len(memberships)})", "\n".join(f"  {m}" for m in memberships)),
                    section(f"credentials ({len(credentials)})",
                            "\n".join(f"  {c}" for c in _cells(credentials))),
                    _edge_refs("inbound edges", record.get("inbound_edges")),
                    _edge_refs("outbound edges", record.get("outbound_edges"))])


def _cells(items: list[Any] | None) -> list[str]:
    return [cell(item) for item in items or []]


def trajectory(record: dict[str, Any]) -> str:
    summary = record.get("summary") or {}
    return fields([
        ("id", record.get("id")),
        ("name", record.get("name")),
        ("manifest", record.get("manifest_id")),
        ("goal", record.get("goal")),
        ("strategy", record.get("strategy")),
        ("mode", record.get("mode")),
        ("seed", record.get("seed")),
        ("sequence index", record.get("sequence_index")),
        ("success", record.get("success")),
        ("steps", f"{record.get('step_count')} of at most {record.get('max_steps')}"),
        ("ended by", record.get("termination_reason")),
        ("goal step", summary.get("goal_step")),
        ("techniques", summary.get("techniques_used")),
        ("sha256", (record.get("artifact_refs") or {}).get("sha256")),
        ("source job", record.get("source_job_id")),
        ("created", when(record.get("created_at"))),
    ])


def trajectories(page: dict[str, Any]) -> str:
    items = page.get("items") or []
    rows = [(t.get("id"), t.get("sequence_index"), t.get("goal"), t.get("strategy"),
             t.get("success"), t.get("step_count"), t.get("termination_reason"),
             when(t.get("created_at"))) for t in items]
    listing = table(("ID", "SEQ", "GOAL", "STRATEGY", "SUCCESS", "STEPS", "ENDED BY", "CREATED"),
                    rows)
    return f"{listing}\n{_shown(len(items), page.get('total'), 'trajectory')}".replace(
        "trajectorys", "trajectories")


def _changes(step: dict[str, Any]) -> str:
    """What a step changed, in words, from its state delta and events."""
    delta = (step.get("state_after") or {}).get("delta") or {}
    parts = [f"{name.replace('_', ' ')}: {cell(value)}" for name, value in sorted(delta.items())
             if value]
    return "; ".join(parts) or ", ".join(step.get("events") or []) or "nothing"


def replay(record: dict[str, Any]) -> str:
    """A trajectory as a transcript: per step its title, command, output and what changed."""
    foothold = (record.get("initial_state") or {}).get("foothold") or {}
    goal_spec = record.get("goal_spec") or {}
    lines = [f"goal: {record.get('goal')} ({goal_spec.get('condition', '')})",
             f"foothold: {foothold.get('sam')}@{foothold.get('domain')} on "
             f"{foothold.get('hostname')} ({foothold.get('ip')})",
             f"{record.get('step_count')} steps"]
    for step in record.get("steps") or []:
        technique = step.get("technique") or {}
        outcome = f"failed: {step.get('failure_reason')}" if step.get("failed") else "ok"
        lines += ["", f"[{step.get('index')}] {step.get('title')}  "
                      f"({technique.get('technique_id')} {technique.get('name')}, {outcome})",
                  f"$ {step.get('command')}"]
        output = (step.get("stdout") or "") + (step.get("stderr") or "")
        lines += [f"  {line}" for line in output.rstrip("\n").splitlines()]
        lines.append(f"  => {_changes(step)}")
    return "\n".join(lines)


def commands(catalog: dict[str, Any]) -> str:
    out = []
    for item in catalog.get("items") or []:
        out.append(f"{item.get('name')}: {item.get('description')}")
        out.append(f"  usage:   {item.get('usage')}")
        out.append(f"  pattern: {item.get('pattern')}")
        out += [f"  e.g.     {example}" for example in item.get("examples") or []]
        out.append(f"  events:  {', '.join(item.get('events') or [])}")
    out.append(f"{catalog.get('count', 0)} commands")
    return "\n".join(out)
