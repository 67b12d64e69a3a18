"""Where a client command's server, key, org and workspace come from.

Each is the flag when given, else its environment variable, else the local bootstrap that
`worlds serve` creates on its first start: the server on http://127.0.0.1:8080, organization
`local`, workspace `main`, and the owner key it saves in `$WORLDS_DATA_DIR/bootstrap-api-key`
(`./data/bootstrap-api-key` by default). So on the machine that runs `worlds serve`, in the
same directory, the client commands need no flags at all.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from worlds.client.errors import UsageError

DEFAULT_SERVER = "http://127.0.0.1:8080"
DEFAULT_ORG = "local"
DEFAULT_WORKSPACE = "main"


@dataclass(frozen=True)
class ClientOptions:
    server: str
    api_key: str
    # Named in authentication errors: a stale key file is the usual cause of a 401.
    key_source: str
    org: str
    workspace: str
    json: bool = False


def add_flags(parser: argparse.ArgumentParser) -> None:
    """The flags every client command takes."""
    group = parser.add_argument_group("connection")
    group.add_argument("--server", help=f"URL of the REST API (env WORLDS_SERVER, default {DEFAULT_SERVER})")
    group.add_argument("--api-key", help="API key (env WORLDS_API_KEY, default: the bootstrap key in "
                                         "$WORLDS_DATA_DIR/bootstrap-api-key, i.e. ./data/bootstrap-api-key)")
    group.add_argument("--org", help=f"organization slug (env WORLDS_ORG, default {DEFAULT_ORG})")
    group.add_argument("--workspace",
                       help=f"workspace slug (env WORLDS_WORKSPACE, default {DEFAULT_WORKSPACE})")
    parser.add_argument("--json", action="store_true",
                        help="print the API's JSON on stdout and nothing else there")


def _pick(flag: str | None, environ: Mapping[str, str], name: str, default: str) -> str:
    if flag:
        return flag
    return environ.get(name) or default


def _server(value: str) -> str:
    try:
        parts = urlsplit(value)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 1) > 0
    except ValueError:  # a bad port or IPv6 literal
        valid = False
    if not valid:
        raise UsageError(f"--server must be an http:// or https:// URL, got {value!r}")
    return value.rstrip("/")


def _checked_key(key: str, source: str) -> tuple[str, str]:
    # A header value must be visible ASCII; anything else is a pasting accident, not a key.
    if not key.isascii() or not key.isprintable() or " " in key:
        raise UsageError(f"the API key from {source} contains characters no API key has")
    return key, source


def _api_key(flag: str | None, environ: Mapping[str, str]) -> tuple[str, str]:
    if flag:
        return _checked_key(flag.strip(), "--api-key")
    if environ.get("WORLDS_API_KEY"):
        return _checked_key(environ["WORLDS_API_KEY"].strip(), "WORLDS_API_KEY")
    from worlds.config import Settings  # only here: the flags and the environment need none of it

    data_dir = environ.get("WORLDS_DATA_DIR")
    path = (Settings(data_dir=Path(data_dir)) if data_dir else Settings()).bootstrap_key_file
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        raise UsageError(f"no API key: pass --api-key or set WORLDS_API_KEY ({path} does not exist; "
                         "`worlds serve` writes it on its first start)") from None
    except OSError as exc:
        raise UsageError(f"no API key: cannot read {path}: {exc.strerror or exc}") from None
    if not key:
        raise UsageError(f"no API key: {path} is empty")
    return _checked_key(key, str(path))


def resolve(args: argparse.Namespace, environ: Mapping[str, str]) -> ClientOptions:
    """The options of one command, from its parsed flags and the environment."""
    key, source = _api_key(args.api_key, environ)
    return ClientOptions(
        server=_server(_pick(args.server, environ, "WORLDS_SERVER", DEFAULT_SERVER)),
        api_key=key,
        key_source=source,
        org=_pick(args.org, environ, "WORLDS_ORG", DEFAULT_ORG),
        workspace=_pick(args.workspace, environ, "WORLDS_WORKSPACE", DEFAULT_WORKSPACE),
        json=args.json,
    )
