"""The REST route of each RPC, from the `google.api.http` rules of the protos this package ships
(protos/worlds/v1/worlds_service.proto): the client asks for exactly the paths the gateway
serves, and follows the contract when it changes instead of repeating it.

The rules are read from `worlds.v1.http_routes`, which `scripts/gen-protos` derives from the
descriptors (`routegen.py`): plain Python, so a command does not import protobuf to start.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from worlds.v1.http_routes import ROUTES

_VARIABLE = re.compile(r"\{([^}=]+)(?:=[^}]*)?\}")


def rule(rpc: str) -> tuple[str, str]:
    """(HTTP method, path template) of an RPC of WorldsService."""
    if rpc not in ROUTES:
        raise ValueError(f"{rpc} has no google.api.http verb and path")
    method, template, _ = ROUTES[rpc]
    return method, template


def request_fields(rpc: str) -> tuple[str, ...]:
    """The top-level fields of an RPC's request: the names its REST route accepts."""
    return ROUTES[rpc][2]


def path_variables(rpc: str) -> frozenset[str]:
    """The fields an RPC's path binds."""
    return frozenset(match.group(1) for match in _VARIABLE.finditer(rule(rpc)[1]))


def path(rpc: str, values: dict[str, str]) -> str:
    """The path of an RPC with its variables filled in, each one path segment.

    Quoting every character but the unreserved ones keeps an id or slug from reaching another
    route (`/`, `?`, `..`), which would answer for a different resource.
    """
    return _VARIABLE.sub(lambda match: _segment(values[match.group(1)]), rule(rpc)[1])


def _segment(value: str) -> str:
    # `.` and `..` would be resolved away by URL normalization (RFC 3986 §5.2.4).
    return "%2E" * len(value) if value in (".", "..") else quote(value, safe="")
