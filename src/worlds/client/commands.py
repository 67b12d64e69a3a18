"""The client commands of `worlds`, as `worlds.cli` registers them.

Each command is a function of (Api, parsed args) that prints its result; `_run` wraps it with
what every command shares: resolving the options, and turning every `ClientError` into its
message on stderr and its exit code (see `errors.py`).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

from worlds.client import views
from worlds.client.errors import EXIT_CODES_HELP, ClientError, ExitCode, JobUnsuccessful, WaitTimedOut
from worlds.client.http import Api
from worlds.client.options import add_flags, resolve
from worlds.client.output import print_json
from worlds.client.progress import progress_for
from worlds.client.wait import wait_for_job

PRESETS = ("small", "medium", "large", "enterprise")
KINDS = ("manifest_generation", "trajectory_generation")
STRATEGIES = ("random", "greedy", "recon-first", "smart-random")
MODES = ("kali", "c2", "agent")
STATUSES = ("queued", "running", "completed", "failed", "cancelled")
# ListJobs and ListManifests serve at most this many items a page.
MAX_PAGE_SIZE = 100

Command = Callable[[Api, argparse.Namespace], None]


def _show(api: Api, value: Any, view: Callable[[Any], str]) -> None:
    if api.options.json:
        print_json(value)
    else:
        print(view(value))


# -- manifests and their worlds ----------------------------------------------------------------


def manifest_create(api: Api, args: argparse.Namespace) -> None:
    body = {name: value for name, value in (
        ("name", args.name), ("project_id", args.project_id), ("preset", args.preset),
        ("seed", args.seed), ("num_users", args.num_users), ("num_hosts", args.num_hosts),
        ("domains", args.domains)) if value is not None}
    job = api.call("CreateManifestJob", body=body)
    if args.quiet:
        print(job.get("id"))
        return
    _show(api, job, views.job)
    if not api.options.json:
        print(f"\nfollow it with: worlds job-wait {job.get('id')}", file=sys.stderr)


def _pages(api: Api, rpc: str, limit: int, manifest_id: str | None = None,
           **filters: Any) -> dict[str, Any]:
    """The first `limit` items of a paged list, in the list's own shape."""
    size = min(limit, MAX_PAGE_SIZE)
    items: list[Any] = []
    page = 1
    path = {} if manifest_id is None else {"manifest_id": manifest_id}
    while True:
        answer = api.call(rpc, query={"page": page, "page_size": size, **filters}, **path)
        items += answer.get("items") or []
        if len(items) >= limit or len(answer.get("items") or []) < size:
            break
        page += 1
    return {"items": items[:limit], "page": 1, "page_size": limit, "total": answer.get("total")}


def manifest_list(api: Api, args: argparse.Namespace) -> None:
    _show(api, _pages(api, "ListManifests", args.limit, project_id=args.project_id,
                      created_by=args.created_by), views.manifests)


def manifest_get(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetManifest", manifest_id=args.manifest_id), views.manifest)


def graph_nodes(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("ListGraphNodes", manifest_id=args.manifest_id,
                        query={"limit": args.limit, "offset": args.offset}),
          lambda page: views.nodes(page, args.offset or 0))


def graph_edges(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("ListGraphEdges", manifest_id=args.manifest_id,
                        query={"limit": args.limit, "offset": args.offset}),
          lambda page: views.edges(page, args.offset or 0))


def subgraph(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetSubgraph", manifest_id=args.manifest_id,
                        query={"center": args.center, "depth": args.depth}), views.subgraph)


def overview(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetGraphOverview", manifest_id=args.manifest_id,
                        query={"max_nodes": args.max_nodes, "max_edges": args.max_edges}),
          views.overview)


def principals(api: Api, args: argparse.Namespace) -> None:
    _show(api, _pages(api, "SearchPrincipals", args.limit, manifest_id=args.manifest_id,
                      query=args.query, principal_type=args.principal_type), views.principals)


def principal(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetPrincipal", manifest_id=args.manifest_id,
                        principal_id=args.principal_id), views.principal_record)


def host(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetHost", manifest_id=args.manifest_id, host_id=args.host_id),
          views.host_record)


def host_details(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetHostDetails", manifest_id=args.manifest_id, host_id=args.host_id), views.host)


def principal_details(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetPrincipalDetails", manifest_id=args.manifest_id,
                        principal_id=args.principal_id), views.principal)


# -- trajectories -----------------------------------------------------------------------------------


def trajectory_create(api: Api, args: argparse.Namespace) -> None:
    body = {name: value for name, value in (
        ("manifest_id", args.manifest_id), ("goal", args.goal), ("count", args.count),
        ("strategy", args.strategy), ("max_steps", args.max_steps), ("seed", args.seed),
        ("threads", args.threads), ("only_successful", args.only_successful or None),
        ("mode", args.mode), ("name", args.name), ("project_id", args.project_id),
        ("runtime_id", args.runtime_id), ("capability_name", args.capability_name),
        ("agent_name", args.agent_name), ("agent_model", args.agent_model))
        if value is not None}
    job = api.call("CreateTrajectoryJob", body=body)
    if args.quiet:
        print(job.get("id"))
        return
    _show(api, job, views.job)
    if not api.options.json:
        print(f"\nfollow it with: worlds job-wait {job.get('id')}", file=sys.stderr)


def trajectory_list(api: Api, args: argparse.Namespace) -> None:
    _show(api, _pages(api, "ListTrajectories", args.limit, manifest_id=args.manifest_id,
                      project_id=args.project_id, created_by=args.created_by),
          views.trajectories)


def manifest_trajectories(api: Api, args: argparse.Namespace) -> None:
    _show(api, _pages(api, "ListTrajectories", args.limit, manifest_id=args.manifest_id),
          views.trajectories)


def trajectory_get(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetTrajectory", trajectory_id=args.trajectory_id), views.trajectory)


def trajectory_replay(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetTrajectoryReplay", trajectory_id=args.trajectory_id), views.replay)


def command_catalog(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("ListCommands", manifest_id=args.manifest_id), views.commands)


# -- jobs ------------------------------------------------------------------------------------------


def job_list(api: Api, args: argparse.Namespace) -> None:
    _show(api, _pages(api, "ListJobs", args.limit, kind=args.kind, status=args.status,
                      project_id=args.project_id, created_by=args.created_by), views.jobs)


def job_get(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("GetJob", job_id=args.job_id), views.job)


def job_cancel(api: Api, args: argparse.Namespace) -> None:
    _show(api, api.call("CancelJob", job_id=args.job_id), views.job)


def job_wait(api: Api, args: argparse.Namespace) -> None:
    try:
        job = wait_for_job(api.options, args.job_id, progress_for(sys.stderr), timeout=args.timeout_sec)
    except WaitTimedOut as timed_out:
        if api.options.json and timed_out.job is not None:
            print_json(timed_out.job)
        raise
    if args.quiet:
        if job["status"] == "completed":
            # A trajectory job's products are its trajectories, one id a line.
            ids = (job.get("result") or {}).get("trajectory_ids")
            if job.get("kind") == "trajectory_generation" and ids is not None:
                for trajectory_id in ids:
                    print(trajectory_id)
            else:
                print(job.get("resource_id") or args.job_id)
    else:
        _show(api, job, views.job)
    if job["status"] != "completed":
        reason = f": {job['error']}" if job.get("error") else ""
        raise JobUnsuccessful(f"job {args.job_id} {job['status']}{reason}", job)


# -- registration and the shared wrapper ---------------------------------------------------------


def _run(command: Command) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        # The service's log setup is INFO; httpx would log every request there.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        try:
            options = resolve(args, os.environ)
            with Api(options) as api:
                command(api, args)
        except ClientError as error:
            first, *more = error.lines()
            print(f"worlds: {first}", *more, sep="\n", file=sys.stderr)
            return error.exit_code
        except KeyboardInterrupt:
            print("worlds: interrupted", file=sys.stderr)
            return ExitCode.INTERRUPTED
        except BrokenPipeError:
            # The reader stopped early (`| head`): nothing failed. Point stdout at /dev/null so
            # the interpreter's last flush does not complain again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK

    return run


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def register(parser: argparse.ArgumentParser, sub: Any) -> None:
    """Add the client commands to `worlds`' subcommands, and their exit codes to its help."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("exit codes of the client commands (manifest-*, graph-*, *-details, "
                     "trajectory-*, commands, subgraph, overview, principals, principal, host, "
                     "job-*):\n"
                     + EXIT_CODES_HELP)

    def command(name: str, help_text: str, func: Command) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help_text, description=help_text,
                           epilog="exit codes:\n" + EXIT_CODES_HELP,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        add_flags(p)
        p.set_defaults(func=_run(func))
        return p

    p = command("manifest-create", "enqueue the generation of a world (a manifest job)", manifest_create)
    p.add_argument("--preset", choices=PRESETS, help="size preset (server default: small)")
    p.add_argument("--seed", type=int, help="generation seed (default: the server picks one and records it)")
    p.add_argument("--num-users", type=int, help="number of users, 1..50000 (overrides the preset)")
    p.add_argument("--num-hosts", type=int, help="number of hosts, 1..10000 (overrides the preset)")
    p.add_argument("--domain", dest="domains", action="append", metavar="DNS_NAME",
                   help="an AD domain of the world; repeat for several (at most 16)")
    p.add_argument("--name", help="display name of the manifest")
    p.add_argument("--project-id", help="project of the workspace (default: its default project)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the job id")

    p = command("manifest-list", "list manifests, newest first", manifest_list)
    p.add_argument("--project-id")
    p.add_argument("--created-by", metavar="USER_ID")
    p.add_argument("--limit", type=_positive_int, default=20, help="manifests to show (default 20)")

    p = command("manifest-get", "show one manifest", manifest_get)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")

    for name, what, func, most in (("graph-nodes", "nodes", graph_nodes, 5000),
                                   ("graph-edges", "edges", graph_edges, 20000)):
        p = command(name, f"list a page of a manifest's graph {what}", func)
        p.add_argument("manifest_id", metavar="MANIFEST_ID")
        p.add_argument("--limit", type=int, help=f"{what} per page, 1..{most} (server default 1000)")
        p.add_argument("--offset", type=int, help=f"{what} to skip (default 0)")

    p = command("host-details", "show one host of a manifest's world", host_details)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("host_id", metavar="HOST_ID")

    p = command("principal-details", "show one principal of a manifest's world", principal_details)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("principal_id", metavar="PRINCIPAL_ID")

    p = command("trajectory-create", "enqueue the sampling of trajectories through a world",
                trajectory_create)
    p.add_argument("--manifest-id", required=True, help="the manifest whose world is sampled")
    p.add_argument("--goal", help="what the attacker is after (server default: Domain Admins)")
    p.add_argument("--count", type=int, help="trajectories in the job, 1..100 (default 1)")
    p.add_argument("--strategy", choices=STRATEGIES, help="how commands are picked (default random)")
    p.add_argument("--max-steps", type=int, help="step cap per trajectory, 1..1000 (default 100)")
    p.add_argument("--seed", type=int, help="sampling seed (default 42)")
    p.add_argument("--threads", type=int, help="processes sampling the job, 1..16 (default 1)")
    p.add_argument("--only-successful", action="store_true",
                   help="keep only the trajectories that reached the goal")
    p.add_argument("--mode", choices=MODES, help="command vocabulary (default kali)")
    p.add_argument("--name", help="display name of the trajectories")
    p.add_argument("--project-id", help="must be the manifest's project")
    for flag in ("--runtime-id", "--capability-name", "--agent-name", "--agent-model"):
        p.add_argument(flag, help="agent mode only")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the job id")

    p = command("trajectory-list", "list trajectories, newest first, then by sequence index",
                trajectory_list)
    p.add_argument("--manifest-id")
    p.add_argument("--project-id")
    p.add_argument("--created-by", metavar="USER_ID")
    p.add_argument("--limit", type=_positive_int, default=20, help="trajectories to show (default 20)")

    p = command("manifest-trajectories", "list one manifest's trajectories", manifest_trajectories)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("--limit", type=_positive_int, default=20, help="trajectories to show (default 20)")

    p = command("trajectory-get", "show one trajectory", trajectory_get)
    p.add_argument("trajectory_id", metavar="TRAJECTORY_ID")

    p = command("trajectory-replay", "print a trajectory step by step: title, command, output, "
                "what changed", trajectory_replay)
    p.add_argument("trajectory_id", metavar="TRAJECTORY_ID")

    p = command("commands", "list the commands the sampler can run against a manifest's world",
                command_catalog)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p = command("subgraph", "show the neighbourhood of one node of a manifest's graph", subgraph)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("center", metavar="NODE_ID", help="the node at the centre")
    p.add_argument("--depth", type=int, help="hops from the centre, 1..4 (server default 2)")

    p = command("overview", "show an aggregated picture of a manifest's whole graph", overview)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("--max-nodes", type=int, help="aggregate nodes, 1..500 (server default 80)")
    p.add_argument("--max-edges", type=int, help="aggregate edges, 1..2000 (server default 200)")

    p = command("principals", "search the principals of a manifest's world", principals)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("--query", help="text matched against sam, upn, email, name and id")
    p.add_argument("--type", dest="principal_type", metavar="TYPE",
                   help="only principals of this type: user, group, computer")
    p.add_argument("--limit", type=_positive_int, default=20, help="principals to show (default 20)")

    p = command("principal", "show one principal of a manifest's world (no edges)", principal)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("principal_id", metavar="PRINCIPAL_ID")

    p = command("host", "show one host of a manifest's world (no services or edges)", host)
    p.add_argument("manifest_id", metavar="MANIFEST_ID")
    p.add_argument("host_id", metavar="HOST_ID")

    p = command("job-list", "list jobs, newest first", job_list)
    p.add_argument("--kind", choices=KINDS)
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--project-id")
    p.add_argument("--created-by", metavar="USER_ID")
    p.add_argument("--limit", type=_positive_int, default=20, help="jobs to show (default 20)")

    p = command("job-get", "show one job", job_get)
    p.add_argument("job_id", metavar="JOB_ID")

    p = command("job-wait", "follow a job until it ends; exit 0 only if it completed", job_wait)
    p.add_argument("job_id", metavar="JOB_ID")
    p.add_argument("--timeout-sec", type=_seconds, metavar="SECONDS",
                   help="stop waiting after this long (exit 4); the job keeps running")
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only the id of what the job produced once completed (its "
                   "manifest, or its trajectories one a line)")

    p = command("job-cancel", "cancel a job (a running one stops at its next safe point)", job_cancel)
    p.add_argument("job_id", metavar="JOB_ID")
