"""The client commands' flags and arguments, as `worlds.cli` registers them.

What a user types, and nothing of what a command does: the commands themselves (`commands.py`,
with httpx and the views) are imported only once one runs, so that `worlds --help`, a typo's
usage message and a command's start pay for argparse and this module alone.

Each command names the RPC it calls. A flag fills the request field of its `dest` (or of
`field=` where the two differ: `--limit` fills `page_size` in the paged lists), and also
accepts that field's REST names where they differ from its own: the snake_case name the REST
API takes (`--page_size`, `--num_users`) and the same name with dashes (`--page-size`,
`--domains`), so what a user read in the API reference works here too. The request fields come
from the protos (`routes.request_fields`); the same declarations give the name an API error's
field is shown under (`errors.where`). The API takes snake_case names only (worlds-api.md,
"JSON conventions"), so lowerCamel is not an alias.
"""

from __future__ import annotations

import argparse
from typing import Any

from worlds.client import routes
from worlds.client.errors import EXIT_CODES_HELP
from worlds.client.options import add_flags

PRESETS = ("small", "medium", "large", "enterprise")
KINDS = ("manifest_generation", "trajectory_generation")
STRATEGIES = ("random", "greedy", "recon-first", "smart-random")
MODES = ("kali", "c2", "agent")
STATUSES = ("queued", "running", "completed", "failed", "cancelled")

EXIT_CODES_EPILOG = "exit codes:\n" + EXIT_CODES_HELP
ALIASES_HELP = ("flags also take the REST API's name of the request field they fill, as it is\n"
                "(--page_size) or with dashes (--page-size)")


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """A flag's names once, then its value (`--limit, --page-size, --page_size LIMIT`), as
    Python 3.13 prints them: the aliases do not each repeat the metavar."""

    def _format_action_invocation(self, action: argparse.Action) -> str:
        if not action.option_strings or action.nargs == 0:
            return super()._format_action_invocation(action)
        value = self._format_args(action, self._get_default_metavar_for_optional(action))
        return ", ".join(action.option_strings) + " " + value


def rest_aliases(field: str, names: tuple[str, ...]) -> list[str]:
    """The REST names of `field` as flags, less those the flag already has."""
    spelled = (f"--{field.replace('_', '-')}", f"--{field}")
    return [alias for alias in dict.fromkeys(spelled) if alias not in names]


class Deferred:
    """A command's entry: imports `commands.py` (httpx, the views) only when it runs."""

    def __init__(self, implementation: str, names: dict[str, str]) -> None:
        self.implementation = implementation
        self.names = names

    def __call__(self, args: argparse.Namespace) -> int:
        from worlds.client import commands

        return commands.run(getattr(commands, self.implementation), args, self.names)


class Command:
    """The flags and arguments of one client command, and the request fields they fill."""

    def __init__(self, parser: argparse.ArgumentParser, rpc: str, implementation: str, *,
                 complete: bool = True) -> None:
        """`complete` False: the command is not the one being run, so its name and help are all
        that is needed (to list it, or to reject a misspelt one); its flags are still checked
        but not added, which is most of the time building the parser takes."""
        self.parser = parser
        self.complete = complete
        self.fields = routes.request_fields(rpc)
        # request field -> how this command's line spells it, for API errors (`--domain`, `JOB_ID`)
        self.names: dict[str, str] = {}
        if complete:
            add_flags(parser)
        parser.set_defaults(func=Deferred(implementation, self.names))

    def flag(self, *names: str, field: str | None = None, derived: tuple[str, ...] = (),
             **kwargs: Any) -> None:
        """An optional flag; `field` is the request field it fills when that is not its dest,
        `derived` the fields the command computes from its value (an error in one names it)."""
        long = next(name for name in names if name.startswith("--"))
        filled = field or kwargs.get("dest") or long[2:].replace("-", "_")
        for name in filter(None, (field, *derived)):
            if name not in self.fields:
                raise ValueError(f"{long}: {name} is not a field of the request")
        aliases = rest_aliases(filled, names) if filled in self.fields else []
        for name in (filled, *derived):
            if name in self.fields:
                self.names[name] = long
        if aliases:
            self.parser.epilog = f"{ALIASES_HELP}\n\n{EXIT_CODES_EPILOG}"
        if self.complete:
            self.parser.add_argument(*names, *aliases, **kwargs)

    def argument(self, dest: str, metavar: str, **kwargs: Any) -> None:
        """A positional argument, filling the request field `dest`."""
        if dest in self.fields:
            self.names[dest] = metavar
        if self.complete:
            self.parser.add_argument(dest, metavar=metavar, **kwargs)


def _limit(command: Command, what: str) -> None:
    """--limit of a paged list: the command asks for pages of `page_size` until it has that
    many, so the REST names of page_size are its aliases."""
    command.flag("--limit", field="page_size", derived=("page",), type=_positive_int, default=20,
                 help=f"{what} to show (default 20)")


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


def register(parser: argparse.ArgumentParser, sub: Any, only: str | None = None) -> None:
    """Add the client commands to `worlds`' subcommands, and their exit codes to its help;
    with `only`, the flags of that command alone (see `Command`)."""
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = ("exit codes of the client commands (manifest-*, graph-*, *-details, "
                     "trajectory-*, commands, subgraph, overview, principals, principal, host, "
                     "job-*):\n"
                     + EXIT_CODES_HELP)

    def command(name: str, help_text: str, rpc: str, implementation: str) -> Command:
        p: argparse.ArgumentParser = sub.add_parser(
            name, help=help_text, description=help_text, formatter_class=HelpFormatter,
            epilog=EXIT_CODES_EPILOG)
        return Command(p, rpc, implementation, complete=only in (None, name))

    c = command("manifest-create", "enqueue the generation of a world (a manifest job)",
                "CreateManifestJob", "manifest_create")
    c.flag("--preset", choices=PRESETS, help="size preset (server default: small)")
    c.flag("--seed", type=int, help="generation seed (default: the server picks one and records it)")
    c.flag("--num-users", type=int, help="number of users, 1..50000 (overrides the preset)")
    c.flag("--num-hosts", type=int, help="number of hosts, 1..10000 (overrides the preset)")
    c.flag("--domain", dest="domains", action="append", metavar="DNS_NAME",
           help="an AD domain of the world; repeat for several (at most 16)")
    c.flag("--name", help="display name of the manifest")
    c.flag("--project-id", help="project of the workspace (default: its default project)")
    c.flag("-q", "--quiet", action="store_true", help="print only the job id")

    c = command("manifest-list", "list manifests, newest first", "ListManifests", "manifest_list")
    c.flag("--project-id")
    c.flag("--created-by", metavar="USER_ID")
    _limit(c, "manifests")

    c = command("manifest-get", "show one manifest", "GetManifest", "manifest_get")
    c.argument("manifest_id", "MANIFEST_ID")

    for name, what, rpc, most in (("graph-nodes", "nodes", "ListGraphNodes", 5000),
                                  ("graph-edges", "edges", "ListGraphEdges", 20000)):
        c = command(name, f"list a page of a manifest's graph {what}", rpc, name.replace("-", "_"))
        c.argument("manifest_id", "MANIFEST_ID")
        c.flag("--limit", type=int, help=f"{what} per page, 1..{most} (server default 1000)")
        c.flag("--offset", type=int, help=f"{what} to skip (default 0)")

    c = command("host-details", "show one host of a manifest's world", "GetHostDetails", "host_details")
    c.argument("manifest_id", "MANIFEST_ID")
    c.argument("host_id", "HOST_ID")

    c = command("principal-details", "show one principal of a manifest's world",
                "GetPrincipalDetails", "principal_details")
    c.argument("manifest_id", "MANIFEST_ID")
    c.argument("principal_id", "PRINCIPAL_ID")

    c = command("trajectory-create", "enqueue the sampling of trajectories through a world",
                "CreateTrajectoryJob", "trajectory_create")
    c.flag("--manifest-id", required=True, help="the manifest whose world is sampled")
    c.flag("--goal", help="what the attacker is after (server default: Domain Admins)")
    c.flag("--count", type=int, help="trajectories in the job, 1..100 (default 1)")
    c.flag("--strategy", choices=STRATEGIES, help="how commands are picked (default random)")
    c.flag("--max-steps", type=int, help="step cap per trajectory, 1..1000 (default 100)")
    c.flag("--seed", type=int, help="sampling seed (default 42)")
    c.flag("--threads", type=int, help="processes sampling the job, 1..16 (default 1)")
    c.flag("--only-successful", action="store_true",
           help="keep only the trajectories that reached the goal")
    c.flag("--mode", choices=MODES, help="command vocabulary (default kali)")
    c.flag("--name", help="display name of the trajectories")
    c.flag("--project-id", help="must be the manifest's project")
    for flag in ("--runtime-id", "--capability-name", "--agent-name", "--agent-model"):
        c.flag(flag, help="agent mode only")
    c.flag("-q", "--quiet", action="store_true", help="print only the job id")

    c = command("trajectory-list", "list trajectories, newest first, then by sequence index",
                "ListTrajectories", "trajectory_list")
    c.flag("--manifest-id")
    c.flag("--project-id")
    c.flag("--created-by", metavar="USER_ID")
    _limit(c, "trajectories")

    c = command("manifest-trajectories", "list one manifest's trajectories", "ListTrajectories",
                "manifest_trajectories")
    c.argument("manifest_id", "MANIFEST_ID")
    _limit(c, "trajectories")

    c = command("trajectory-get", "show one trajectory", "GetTrajectory", "trajectory_get")
    c.argument("trajectory_id", "TRAJECTORY_ID")

    c = command("trajectory-replay", "print a trajectory step by step: title, command, output, "
                "what changed", "GetTrajectoryReplay", "trajectory_replay")
    c.argument("trajectory_id", "TRAJECTORY_ID")

    c = command("commands", "list the commands the sampler can run against a manifest's world",
                "ListCommands", "command_catalog")
    c.argument("manifest_id", "MANIFEST_ID")

    c = command("subgraph", "show the neighbourhood of one node of a manifest's graph", "GetSubgraph",
                "subgraph")
    c.argument("manifest_id", "MANIFEST_ID")
    c.argument("center", "NODE_ID", help="the node at the centre")
    c.flag("--depth", type=int, help="hops from the centre, 1..4 (server default 2)")

    c = command("overview", "show an aggregated picture of a manifest's whole graph",
                "GetGraphOverview", "overview")
    c.argument("manifest_id", "MANIFEST_ID")
    c.flag("--max-nodes", type=int, help="aggregate nodes, 1..500 (server default 80)")
    c.flag("--max-edges", type=int, help="aggregate edges, 1..2000 (server default 200)")

    c = command("principals", "search the principals of a manifest's world", "SearchPrincipals",
                "principals")
    c.argument("manifest_id", "MANIFEST_ID")
    c.flag("--query", help="text matched against sam, upn, email, name and id")
    c.flag("--type", dest="principal_type", metavar="TYPE",
           help="only principals of this type: user, group, computer")
    _limit(c, "principals")

    c = command("principal", "show one principal of a manifest's world (no edges)", "GetPrincipal",
                "principal")
    c.argument("manifest_id", "MANIFEST_ID")
    c.argument("principal_id", "PRINCIPAL_ID")

    c = command("host", "show one host of a manifest's world (no services or edges)", "GetHost", "host")
    c.argument("manifest_id", "MANIFEST_ID")
    c.argument("host_id", "HOST_ID")

    c = command("job-list", "list jobs, newest first", "ListJobs", "job_list")
    c.flag("--kind", choices=KINDS)
    c.flag("--status", choices=STATUSES)
    c.flag("--project-id")
    c.flag("--created-by", metavar="USER_ID")
    _limit(c, "jobs")

    c = command("job-get", "show one job", "GetJob", "job_get")
    c.argument("job_id", "JOB_ID")

    c = command("job-wait", "follow a job until it ends; exit 0 only if it completed", "WatchJob",
                "job_wait")
    c.argument("job_id", "JOB_ID")
    c.flag("--timeout-sec", type=_seconds, metavar="SECONDS",
           help="stop waiting after this long (exit 4); the job keeps running")
    c.flag("-q", "--quiet", action="store_true",
           help="print only the id of what the job produced once completed (its "
           "manifest, or its trajectories one a line)")

    c = command("job-cancel", "cancel a job (a running one stops at its next safe point)", "CancelJob",
                "job_cancel")
    c.argument("job_id", "JOB_ID")
