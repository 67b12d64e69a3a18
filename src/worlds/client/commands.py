"""The client commands of `worlds`: what each one does, once `parser.py` has read its line.

Each command is a function of (Api, parsed args) that prints its result; `run` wraps it with
what every command shares: resolving the options, and turning every `ClientError` into its
message on stderr and its exit code (see `errors.py`). This module, and httpx with it, is
imported only when a command runs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from worlds.client import views
from worlds.client.errors import ClientError, ExitCode, JobUnsuccessful, WaitTimedOut
from worlds.client.http import Api
from worlds.client.options import resolve
from worlds.client.output import print_json

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
    # Imported here: only job-wait pays for asyncio and httpx.
    from worlds.client.progress import progress_for
    from worlds.client.wait import wait_for_job

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


# -- the shared wrapper ---------------------------------------------------------------------------


def run(command: Command, args: argparse.Namespace, names: Mapping[str, str]) -> int:
    """Run one command; `names` spells its request fields as its command line does (`parser.py`),
    for the field errors of an API answer."""
    try:
        command(Api(resolve(args, os.environ)), args)
    except ClientError as error:
        first, *more = error.lines(names)
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
