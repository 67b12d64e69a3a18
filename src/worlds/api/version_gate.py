"""The minimum client version, per client family, read from the caller's user agent.

Families: `worlds` (this project's CLI, `User-Agent: worlds/<version>`) and
`dreadnode-sdk` (the upstream Python SDK, `dreadnode-sdk/<version>`). The user agent is
read from the `user-agent` metadata (gRPC: grpc appends its own product after the
application's) and `grpcgateway-user-agent` (the REST client's header, as the gateway
forwards it). A client that names no family, or a version that does not parse, passes:
the gate stops known-old clients, it does not demand that clients identify themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from packaging.version import InvalidVersion, Version

from worlds.core.errors import UpgradeRequired

FAMILIES = ("worlds", "dreadnode-sdk")
_AGENT_KEYS = frozenset({"user-agent", "grpcgateway-user-agent"})
_PRODUCT = re.compile(r"(?:^|[\s,;(])(" + "|".join(map(re.escape, FAMILIES)) + r")/([^\s,;()]+)")


def parse_minimums(values: Iterable[str]) -> dict[str, Version]:
    """`FAMILY=VERSION` items (e.g. `worlds=0.2.0`) into a table; ValueError on a bad one."""
    minimums: dict[str, Version] = {}
    for item in values:
        for part in filter(None, (p.strip() for p in item.split(","))):
            family, sep, version = part.partition("=")
            family = family.strip()
            if not sep or family not in FAMILIES:
                raise ValueError(f"expected FAMILY=VERSION with FAMILY one of "
                                 f"{', '.join(FAMILIES)}; got {part!r}")
            try:
                minimums[family] = Version(version.strip())
            except InvalidVersion:
                raise ValueError(f"not a version: {version.strip()!r} (in {part!r})") from None
    return minimums


def client_versions(metadata: Iterable[tuple[str, str | bytes]]) -> dict[str, str]:
    """family -> version text, for each family the call's user agents name."""
    found: dict[str, str] = {}
    for key, value in metadata:
        if key in _AGENT_KEYS and isinstance(value, str):
            for family, version in _PRODUCT.findall(value):
                found.setdefault(family, version)
    return found


class VersionGate:
    def __init__(self, minimums: Mapping[str, Version]) -> None:
        self.minimums = dict(minimums)

    def check(self, metadata: Iterable[tuple[str, str | bytes]]) -> None:
        """Raise UpgradeRequired when the caller says it is older than its family's minimum."""
        for family, text in client_versions(metadata).items():
            minimum = self.minimums.get(family)
            if minimum is None:
                continue
            try:
                version = Version(text)
            except InvalidVersion:
                continue
            if version < minimum:
                raise UpgradeRequired(
                    f"{family} {version} is older than the oldest version this server "
                    f"accepts ({minimum}); upgrade the client",
                    metadata={"client": family, "client_version": str(version),
                              "min_version": str(minimum)})
