"""The `worlds` command: serve, worker, gateway, migrate, and the admin commands.

This is the only place that reads the environment; everything below it gets
typed settings.

Building the parser imports argparse and the client's flags (`worlds.client.parser`) and nothing
else: every command imports what it runs when it runs, so `--help`, a usage error and a client
command never load the server's stack (`tests/cli/test_start.py` keeps it so).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from worlds.config import Settings

# The roles of worlds.core.access.Role, spelled out so that building the parser (every
# command, `--help` included) does not import the server's protobuf-based error tree;
# a unit test keeps the two in step.
ROLES = ("owner", "contributor", "reader")


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _add_database_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("WORLDS_DATA_DIR", "./data")),
                        help="directory of the embedded database and the bootstrap key "
                             "(env WORLDS_DATA_DIR, default ./data)")
    parser.add_argument("--database-url", default=os.environ.get("WORLDS_DATABASE_URL"),
                        help="SQLAlchemy URL, e.g. postgresql://user@host/db "
                             "(env WORLDS_DATABASE_URL; default: SQLite in the data dir)")


def _settings(args: argparse.Namespace) -> Settings:
    from worlds.config import Settings

    values: dict[str, Any] = {"data_dir": args.data_dir, "database_url": args.database_url}
    for name in ("grpc_address", "http_address", "grace_period", "metrics_address"):
        if getattr(args, name, None) is not None:
            values[name] = getattr(args, name)
    if hasattr(args, "no_worker"):
        values["in_process_worker"] = (not args.no_worker
                                       and _env_bool("WORLDS_IN_PROCESS_WORKER_ENABLED", True))
    values["bootstrap_api_key"] = os.environ.get("WORLDS_BOOTSTRAP_API_KEY") or None
    if hasattr(args, "job_timeout"):
        values["job_timeouts"] = _job_timeouts(args.job_timeout or (
            [os.environ["WORLDS_JOB_TIMEOUT"]] if os.environ.get("WORLDS_JOB_TIMEOUT") else []))
    if hasattr(args, "min_client_version"):
        values.update(_admission_settings(args))
    for name, env, kind in _WORKER_SETTINGS:
        value = getattr(args, name, None)
        if value is None and os.environ.get(env):
            try:
                value = kind(os.environ[env])
            except ValueError:
                raise SystemExit(f"worlds: {env} must be a number, got {os.environ[env]!r}") from None
        if value is not None:
            values[name] = value
    return Settings(**values)


def _job_timeouts(items: Sequence[str]) -> tuple[tuple[str, float], ...]:
    from worlds.core.jobstate import Kind

    kinds = {k.value for k in Kind}
    found: dict[str, float] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            kind, sep, seconds = part.rpartition("=")
            kind = kind.strip() if sep else Kind.MANIFEST_GENERATION.value
            try:
                value = float(seconds)
            except ValueError:
                value = -1.0
            if kind not in kinds or value <= 0:
                raise SystemExit(f"worlds: --job-timeout expects [KIND=]SECONDS with KIND one of "
                                 f"{', '.join(sorted(kinds))}; got {part!r}")
            found[kind] = value
    return tuple(sorted(found.items()))


def _env_number(name: str, kind: type) -> Any:
    text = os.environ.get(name)
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise SystemExit(f"worlds: {name} must be a number, got {text!r}") from None


def _admission_settings(args: argparse.Namespace) -> dict[str, Any]:
    """Rate limit and minimum client versions, from flags or else the environment."""
    from worlds.api.version_gate import parse_minimums

    rate = args.rate_limit if args.rate_limit is not None else _env_number("WORLDS_RATE_LIMIT", float)
    burst = args.rate_burst if args.rate_burst is not None else _env_number("WORLDS_RATE_BURST", int)
    if rate is not None and rate <= 0:
        raise SystemExit("worlds: --rate-limit must be a positive number of requests per second")
    if burst is not None and burst < 1:
        raise SystemExit("worlds: --rate-burst must be at least 1")
    minimums = tuple(args.min_client_version or ())
    if not minimums and os.environ.get("WORLDS_MIN_CLIENT_VERSION"):
        minimums = (os.environ["WORLDS_MIN_CLIENT_VERSION"],)
    try:
        parse_minimums(minimums)
    except ValueError as exc:
        raise SystemExit(f"worlds: --min-client-version: {exc}") from None
    return {"rate_limit": rate, "rate_burst": burst, "min_client_versions": minimums}


def _add_admission_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rate-limit", type=float, default=None, metavar="PER_SECOND",
                        help="requests per second per API key, per process (token bucket; "
                             "env WORLDS_RATE_LIMIT; default: no limit)")
    parser.add_argument("--rate-burst", type=int, default=None, metavar="N",
                        help="requests a key may make at once before the rate applies "
                             "(env WORLDS_RATE_BURST; default: two seconds' worth of the rate)")
    parser.add_argument("--min-client-version", action="append", metavar="FAMILY=VERSION",
                        help="refuse older clients with 426 / UPGRADE_REQUIRED; FAMILY is "
                             "worlds (this CLI) or dreadnode-sdk; repeatable "
                             "(env WORLDS_MIN_CLIENT_VERSION, comma-separated)")


_WORKER_SETTINGS: tuple[tuple[str, str, type], ...] = (
    ("lease_seconds", "WORLDS_LEASE_SECONDS", float),
    ("worker_concurrency", "WORLDS_WORKER_CONCURRENCY", int),
    ("poll_interval", "WORLDS_POLL_INTERVAL", float),
    ("watch_heartbeat", "WORLDS_WATCH_HEARTBEAT_SECONDS", float),
    ("watch_buffer", "WORLDS_WATCH_BUFFER", int),
    ("event_retention", "WORLDS_EVENT_RETENTION_SECONDS", float),
    ("job_retention", "WORLDS_JOB_RETENTION_SECONDS", float),
)


def _add_log_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--log-format", choices=("text", "json"),
                        default=os.environ.get("WORLDS_LOG_FORMAT") or "text",
                        help="text lines, or one JSON object per line "
                             "(env WORLDS_LOG_FORMAT, default text)")
    parser.add_argument("--verbose", action="store_true",
                        help="also log the database migrations' INFO lines")


def _add_metrics_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--metrics-address", default=os.environ.get("WORLDS_METRICS_ADDRESS"),
                        metavar="HOST:PORT",
                        help="serve Prometheus metrics at http://HOST:PORT/metrics "
                             "(env WORLDS_METRICS_ADDRESS; default: not served)")


def _add_worker_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lease-seconds", type=float, default=None,
                        help="lease of a claimed job, extended by heartbeats every third of it; "
                             "a job whose worker died runs again after it expires "
                             "(env WORLDS_LEASE_SECONDS, default 30)")
    parser.add_argument("--job-retention", type=float, default=None, metavar="SECONDS",
                        help="delete finished jobs and their manifests this long after they "
                             "finish (env WORLDS_JOB_RETENTION_SECONDS; default: kept)")
    parser.add_argument("--job-timeout", action="append", metavar="[KIND=]SECONDS",
                        help="kill an attempt that generates longer than this and fail it "
                             "(retried within the attempts); KIND defaults to "
                             "manifest_generation; repeatable (env WORLDS_JOB_TIMEOUT, "
                             "comma-separated; default: no limit)")
    parser.add_argument("--concurrency", dest="worker_concurrency", type=int, default=None,
                        help="jobs run at once, each in its own generation process "
                             "(env WORLDS_WORKER_CONCURRENCY, default 1)")


# -- long-running commands --------------------------------------------------------


async def _run_until_signalled(start: Callable[[], Any], stop: Callable[[], Any],
                               deadline: float | None = None) -> None:
    """Run until SIGTERM or SIGINT, then stop in order. A second signal, or a stop still
    running `deadline` seconds after the first (a bug; it should never happen), ends
    the process at once: an operator's second Ctrl-C always works."""
    import asyncio
    import logging
    import signal

    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()

    def force(why: str) -> None:
        print(f"worlds: {why}: exiting now", file=sys.stderr, flush=True)
        os._exit(1)

    def on_signal() -> None:
        if stopping.is_set():
            force("second signal while stopping")
        stopping.set()
        if deadline is not None:
            loop.call_later(deadline, force, f"still stopping after {deadline:.0f} s")

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal)
    try:
        await start()
        await stopping.wait()
        logging.getLogger("worlds").info("stopping")
    finally:
        await stop()


# Beyond the grace period, what the stop of the remaining parts may take.
STOP_MARGIN = 15.0


def cmd_serve(args: argparse.Namespace) -> int:
    # Imported here: client commands and --help must not pay for the event loop's modules.
    import asyncio

    from worlds.app import WorldsApp

    app = WorldsApp(_settings(args))

    async def start() -> None:
        await app.start()
        app.announce()

    asyncio.run(_run_until_signalled(start, app.stop, app.settings.grace_period + STOP_MARGIN))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    import asyncio

    from worlds.api.metrics import MetricsServer, StoreCollector
    from worlds.app import open_database
    from worlds.jobs.worker import Worker, WorkerConfig
    from worlds.metrics import Metrics
    from worlds.store import migrate

    settings = _settings(args)
    state: dict[str, Any] = {}

    async def start() -> None:
        db = state["db"] = open_database(settings)
        await asyncio.to_thread(migrate.upgrade, db.engine)
        metrics = Metrics()
        worker = state["worker"] = Worker(db, WorkerConfig.from_settings(settings), metrics=metrics)
        await worker.start()
        if settings.metrics_address is not None:
            metrics.registry.register(StoreCollector(db, None))
            state["metrics"] = MetricsServer(metrics, settings.metrics_address)
        print(f"worlds: worker {worker.id} running "
              f"({'LISTEN + polling' if worker.listening else 'polling'})",
              file=sys.stderr, flush=True)

    async def stop() -> None:
        if "worker" in state:
            await state["worker"].stop(settings.grace_period)
        if "metrics" in state:
            state["metrics"].stop()
        if "db" in state:
            await asyncio.to_thread(state["db"].close)

    asyncio.run(_run_until_signalled(start, stop, settings.grace_period + STOP_MARGIN))
    return 0


def cmd_gateway(args: argparse.Namespace) -> int:
    import asyncio

    import grpc
    from worlds_gateway.backend import ChannelBackend

    from worlds.api.access_log import RequestLogMiddleware
    from worlds.api.http_server import HttpServer
    from worlds.app import gateway_app
    from worlds.console import mount_console

    state: dict[str, Any] = {}

    async def start() -> None:
        channel = grpc.aio.insecure_channel(args.grpc_target)
        state["channel"] = channel
        app = gateway_app(ChannelBackend(channel), default_timeout=args.timeout)
        mount_console(app)
        server = state["http"] = HttpServer(RequestLogMiddleware(app), args.http_address)
        await server.start()
        print(f"worlds: REST gateway on http://{args.http_address.rpartition(':')[0]}:{server.port}"
              f" -> gRPC {args.grpc_target}", file=sys.stderr, flush=True)

    async def stop() -> None:
        if "http" in state:
            await state["http"].stop()
        if "channel" in state:
            await state["channel"].close()

    asyncio.run(_run_until_signalled(start, stop))
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from worlds.app import open_database
    from worlds.store import migrate

    db = open_database(_settings(args))
    try:
        migrate.upgrade(db.engine)
        print(f"database at revision {migrate.current_revision(db.engine)}")
    finally:
        db.close()
    return 0


# -- admin commands -----------------------------------------------------------------


def _admin(work: Callable[..., Any]) -> Callable[[argparse.Namespace], int]:
    """Run `work(conn, args, now)` in one write transaction on a migrated database."""

    def command(args: argparse.Namespace) -> int:
        from worlds.app import open_database
        from worlds.core.clock import system_clock
        from worlds.store import migrate

        db = open_database(_settings(args))
        try:
            migrate.upgrade(db.engine)
            db.run_write(lambda conn: work(conn, args, system_clock()))
        finally:
            db.close()
        return 0

    return command


def _org_create(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    org_id = tenancy.create_organization(conn, args.slug, args.name or args.slug, now)
    print(org_id)


def _workspace_create(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    print(tenancy.create_workspace(conn, args.org, args.slug, args.name or args.slug, now))


def _user_create(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    print(tenancy.create_user(conn, args.email, args.username, args.full_name, now))


def _member_set(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    org, _, ws = args.workspace.partition("/")
    ws_id = tenancy.workspace_id_by_slugs(conn, org, ws)
    user_id = tenancy.user_id_by_name(conn, args.user)
    from worlds.core import access

    tenancy.set_membership(conn, user_id, ws_id, access.Role(args.role), now)
    print(f"{args.user} is {args.role} of {args.workspace}")


def _key_create(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    user_id = tenancy.user_id_by_name(conn, args.user)
    from worlds.core import access

    key = access.generate_key()
    key_id = tenancy.create_api_key(conn, user_id, args.name, access.hash_key(key), key[:8], now)
    print(f"key id: {key_id}", file=sys.stderr)
    print("the key is shown only this once:", file=sys.stderr)
    print(key)


def _key_revoke(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    tenancy.revoke_api_key(conn, args.key_id, now)
    print(f"revoked {args.key_id}")


def _prune(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from datetime import timedelta

    from worlds.store import retention
    from worlds.store.dialect import dialect_for

    before = now - timedelta(seconds=args.older_than)
    removed = total = 0
    while True:
        removed = retention.prune_finished(dialect_for(conn.engine), conn, before)
        total += removed
        if removed == 0:
            break
    print(f"deleted {total} finished job(s) older than {args.older_than:g} s, with their manifests")


def _key_list(conn: Any, args: argparse.Namespace, now: Any) -> None:
    from worlds.store import tenancy

    print(f"{'ID':36}  {'PREFIX':8}  {'USER':16}  {'NAME':16}  {'LAST USED':25}  REVOKED")
    for row in tenancy.list_api_keys(conn):
        last = row.last_used_at.isoformat() if row.last_used_at else "-"
        revoked = row.revoked_at.isoformat() if row.revoked_at else "-"
        print(f"{row.id:36}  {row.prefix:8}  {row.username:16}  {row.name:16}  {last:25}  {revoked}")


# -- parser -------------------------------------------------------------------------------


class CommandParser(argparse.ArgumentParser):
    """The parser of one subcommand. An argument it does not know ends it with its own usage and
    a suggestion (`did you mean --page-size?`), exit 2, instead of argparse's default: the top
    parser's usage and "unrecognized arguments", which name neither the command nor its flags.

    Abbreviated flags are not taken (`--lim` for `--limit`): a prefix that is unique today is
    ambiguous once a flag or an alias is added, and the suggestion names the whole flag.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)

    # typeshed declares overloads (the namespace's type in, the same out); argparse calls this
    # with None, the one case used here.
    def parse_known_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                         namespace: argparse.Namespace | None = None,
                         ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras:
            self.error(self.unrecognized(extras))
        return parsed, extras

    def unrecognized(self, extras: list[str]) -> str:
        flags = [arg for arg in extras if arg.startswith("-") and arg != "-"]
        if not flags:
            return f"unexpected argument{'s' if len(extras) > 1 else ''}: {' '.join(extras)}"
        flag = flags[0].partition("=")[0]
        close = self.closest(flag)
        hint = f"; did you mean {close}?" if close else f"; see {self.prog} --help"
        return f"unknown flag {flag}{hint}"

    def closest(self, flag: str) -> str | None:
        """The flag `flag` abbreviates (`--proj`), else the known flag most like it, ignoring
        case (`--pageSize` is `--page-size`); of equally close names, the one declared first
        (a flag's own name before its aliases)."""
        import difflib  # only a usage error pays for it

        known = [name for action in self._actions for name in action.option_strings]
        typed = flag.lower()
        if len(typed) >= 4:
            longer = [name for name in known if name.lower().startswith(typed)]
            if longer:
                return longer[0]
        scored = [(difflib.SequenceMatcher(None, typed, name.lower()).ratio(), -order, name)
                  for order, name in enumerate(known)]
        score, _, name = max(scored, default=(0.0, 0, ""))
        # Below this, the "closest" flag shares little more than its dashes (--bogus, --org).
        return name if score >= 0.75 else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser of every command; given the command line `argv`, the client commands it does
    not run get only their name and help (they are listed, not parsed)."""
    from worlds import __version__

    parser = argparse.ArgumentParser(prog="worlds", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"worlds {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                parser_class=CommandParser)

    serve = sub.add_parser("serve", help="run the gRPC service, the REST gateway and a worker")
    _add_database_flags(serve)
    serve.add_argument("--grpc-address", default=os.environ.get("WORLDS_GRPC_ADDRESS", "127.0.0.1:50051"),
                       help="HOST:PORT of the gRPC server (env WORLDS_GRPC_ADDRESS)")
    serve.add_argument("--http-address", default=os.environ.get("WORLDS_HTTP_ADDRESS", "127.0.0.1:8080"),
                       help="HOST:PORT of the REST gateway (env WORLDS_HTTP_ADDRESS)")
    serve.add_argument("--no-worker", action="store_true",
                       help="do not run the in-process worker (env WORLDS_IN_PROCESS_WORKER_ENABLED=false)")
    serve.add_argument("--grace-period", type=float, default=None,
                       help="seconds in-flight calls get to finish on shutdown (default 10)")
    _add_worker_flags(serve)
    _add_admission_flags(serve)
    _add_metrics_flag(serve)
    _add_log_flags(serve)
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="run a worker alone: claim queued jobs and run them")
    _add_database_flags(worker)
    _add_worker_flags(worker)
    _add_metrics_flag(worker)
    _add_log_flags(worker)
    worker.add_argument("--grace-period", type=float, default=None,
                        help="seconds running jobs get to finish on SIGTERM before they are "
                             "released to the queue (default 10)")
    worker.set_defaults(func=cmd_worker)

    gateway = sub.add_parser("gateway", help="run the REST gateway alone, in front of a gRPC server")
    gateway.add_argument("--grpc-target", required=True, help="HOST:PORT of a WorldsService gRPC server")
    gateway.add_argument("--http-address", default=os.environ.get("WORLDS_HTTP_ADDRESS", "127.0.0.1:8080"))
    gateway.add_argument("--timeout", type=float, default=30.0,
                         help="deadline of a call when the client sets none (seconds)")
    _add_log_flags(gateway)
    gateway.set_defaults(func=cmd_gateway)

    mig = sub.add_parser("migrate", help="apply database migrations")
    _add_database_flags(mig)
    _add_log_flags(mig)
    mig.set_defaults(func=cmd_migrate)

    def admin(name: str, help_text: str, work: Callable[..., Any]) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        _add_database_flags(p)
        _add_log_flags(p)
        p.set_defaults(func=_admin(work))
        return p

    p = admin("org-create", "create an organization", _org_create)
    p.add_argument("slug")
    p.add_argument("--name")
    p = admin("workspace-create", "create a workspace (and its default project)", _workspace_create)
    p.add_argument("org", help="organization slug")
    p.add_argument("slug")
    p.add_argument("--name")
    p = admin("user-create", "create a user", _user_create)
    p.add_argument("username")
    p.add_argument("--email", required=True)
    p.add_argument("--full-name")
    p = admin("member-set", "give a user a role in a workspace", _member_set)
    p.add_argument("workspace", help="ORG/WORKSPACE")
    p.add_argument("user", help="username or email")
    p.add_argument("role", choices=ROLES)
    p = admin("key-create", "create an API key for a user (printed once)", _key_create)
    p.add_argument("user", help="username or email")
    p.add_argument("--name", default="cli")
    p = admin("key-revoke", "revoke an API key", _key_revoke)
    p.add_argument("key_id")
    admin("key-list", "list API keys (never their values)", _key_list)
    p = admin("prune", "delete finished jobs (and their manifests) older than a cut-off", _prune)
    p.add_argument("--older-than", type=float, required=True, metavar="SECONDS",
                   help="delete completed, failed and cancelled jobs that finished this long ago")

    from worlds.client import parser as client_parser

    # The command is the first word that is not a flag: the top level's flags take no value.
    only = None if argv is None else next((arg for arg in argv if not arg.startswith("-")), "")
    client_parser.register(parser, sub, only)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    line = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(line).parse_args(line)
    if hasattr(args, "log_format"):
        # The commands that log (the servers and the admin commands; a client command prints
        # its own lines and nothing else).
        import logging

        from worlds import logs

        logs.configure(args.log_format, os.environ.get("WORLDS_LOG_LEVEL", "INFO"))
        if not args.verbose:
            # Alembic's INFO lines ("Context impl SQLiteImpl", "Will assume non-transactional
            # DDL") say nothing an operator needs on every start.
            logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        code: int = args.func(args)
        return code
    except Exception as exc:
        from worlds.core.errors import WorldsError

        if isinstance(exc, WorldsError):
            print(f"worlds: {exc.message}", file=sys.stderr)
            return 1
        if isinstance(exc, (OSError, RuntimeError)):
            print(f"worlds: {exc}", file=sys.stderr)
            return 1
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError):
            # A database that refuses us (read-only, unreachable, wrong credentials): one
            # line naming the cause, not a traceback.
            cause = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else str(exc)
            print(f"worlds: the database refused the operation: {cause}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
