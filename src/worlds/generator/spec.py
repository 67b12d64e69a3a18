"""Generator inputs: the size presets and the resolved, validated `WorldSpec`.

`resolve_spec` turns the optional request fields (preset, counts, domains) plus a
seed into one `WorldSpec`, the only input `generate_world` takes. Bounds mirror the
API contract (`CreateManifestJobRequest` field rules) so that the generator never
has to trust its caller.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TypedDict

MIN_USERS, MAX_USERS = 1, 50_000
MIN_HOSTS, MAX_HOSTS = 1, 10_000
MAX_DOMAINS = 16
MIN_SEED, MAX_SEED = -(2**63), 2**63 - 1

DEFAULT_PRESET = "small"

# How well defended the generated estate is; see `security.py` for what each sets.
SECURITY_LEVELS: tuple[str, ...] = ("hardened", "typical", "vulnerable")
DEFAULT_SECURITY_LEVEL = "typical"


@dataclass(frozen=True)
class PresetSize:
    """Documented size of a preset; counts can be overridden per request."""

    users: int
    hosts: int
    # First domain is the forest root; the others are child domains trusting it.
    domains: tuple[str, ...]


PRESETS: Mapping[str, PresetSize] = MappingProxyType(
    {
        "small": PresetSize(users=50, hosts=20, domains=("corp.local",)),
        "medium": PresetSize(users=1_000, hosts=250, domains=("corp.local",)),
        "large": PresetSize(
            users=10_000, hosts=2_000, domains=("corp.local", "emea.corp.local")
        ),
        "enterprise": PresetSize(
            users=MAX_USERS,
            hosts=MAX_HOSTS,
            domains=("corp.local", "emea.corp.local", "apac.corp.local"),
        ),
    }
)


@dataclass(frozen=True)
class WorldSpec:
    """Everything that determines a world: equal specs generate byte-identical worlds."""

    preset: str
    num_users: int
    num_hosts: int
    domains: tuple[str, ...]
    seed: int
    security_level: str = DEFAULT_SECURITY_LEVEL

    def to_dict(self) -> SpecDict:
        """The canonical form recorded in the world (so the level changes its bytes)."""
        return {
            "preset": self.preset,
            "num_users": self.num_users,
            "num_hosts": self.num_hosts,
            "domains": list(self.domains),
            "seed": self.seed,
            "security_level": self.security_level,
        }


class SpecDict(TypedDict):
    preset: str
    num_users: int
    num_hosts: int
    domains: list[str]
    seed: int
    security_level: str


# Same definition as the contract's STRING_FORMAT_DNS_NAME.
_DNS_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


def resolve_spec(
    preset: str | None,
    num_users: int | None,
    num_hosts: int | None,
    domains: Sequence[str] | None,
    seed: int,
    security_level: str | None = None,
) -> WorldSpec:
    """Resolve optional request fields into a complete `WorldSpec`.

    - `preset` None (or "", "unspecified") means "small". The proto enum spelling
      ("PRESET_MEDIUM") is accepted as well as "medium", case-insensitively.
    - `num_users` / `num_hosts` override the preset's counts.
    - `domains` None or empty means the preset's default domains; names are
      lowercased and a trailing dot dropped. The first domain is the forest root.
    - `seed` is mandatory: the caller picks one when the user gave none.
    - `security_level` None (or "", "unspecified") means "typical"; the proto enum
      spelling ("SECURITY_LEVEL_HARDENED") is accepted as well, case-insensitively.

    Raises ValueError on an unknown preset or an out-of-contract value.
    """
    name = _normalize_preset(preset)
    size = PRESETS[name]
    if num_users is not None:
        _bounded("num_users", num_users, MIN_USERS, MAX_USERS)
    if num_hosts is not None:
        _bounded("num_hosts", num_hosts, MIN_HOSTS, MAX_HOSTS)
    resolved_domains = _normalize_domains(domains) if domains else size.domains
    return WorldSpec(
        preset=name,
        num_users=size.users if num_users is None else num_users,
        num_hosts=size.hosts if num_hosts is None else num_hosts,
        domains=resolved_domains,
        seed=_bounded("seed", seed, MIN_SEED, MAX_SEED),
        security_level=_normalize_level(security_level),
    )


def _normalize_level(level: str | None) -> str:
    if level is None:
        return DEFAULT_SECURITY_LEVEL
    if not isinstance(level, str):
        raise ValueError(f"security_level must be a string, got {type(level).__name__}")
    name = level.strip().lower().removeprefix("security_level_")
    if name in ("", "unspecified"):
        return DEFAULT_SECURITY_LEVEL
    if name not in SECURITY_LEVELS:
        raise ValueError(
            f"unknown security_level {level!r}; expected one of {', '.join(SECURITY_LEVELS)}"
        )
    return name


def _normalize_preset(preset: str | None) -> str:
    if preset is None:
        return DEFAULT_PRESET
    if not isinstance(preset, str):
        raise ValueError(f"preset must be a string, got {type(preset).__name__}")
    name = preset.strip().lower().removeprefix("preset_")
    if name in ("", "unspecified"):
        return DEFAULT_PRESET
    if name not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; expected one of {', '.join(PRESETS)}")
    return name


def _bounded(field: str, value: int, low: int, high: int) -> int:
    # bool is an int subclass; True as a count is always a caller bug.
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field} must be an integer, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{field} must be between {low} and {high}, got {value}")
    return value


def _normalize_domains(domains: Sequence[str]) -> tuple[str, ...]:
    if isinstance(domains, str):
        raise ValueError("domains must be a sequence of names, not a single string")
    if len(domains) > MAX_DOMAINS:
        raise ValueError(f"at most {MAX_DOMAINS} domains, got {len(domains)}")
    names: list[str] = []
    for raw in domains:
        if not isinstance(raw, str):
            raise ValueError(f"domain names must be strings, got {type(raw).__name__}")
        name = raw.strip().lower().removesuffix(".")
        if not _is_dns_name(name):
            raise ValueError(f"invalid domain name {raw!r}")
        if name in names:
            raise ValueError(f"duplicate domain name {raw!r}")
        names.append(name)
    return tuple(names)


def _is_dns_name(name: str) -> bool:
    return 0 < len(name) <= 253 and all(_DNS_LABEL.match(label) for label in name.split("."))
