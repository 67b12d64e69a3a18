"""Worlds for the sampler tests, generated once per (preset, seed) and decoded from JSON.

The sampler's input is the decoded canonical world dict (what a worker reads back
from storage), so the tests feed it exactly that. Cached worlds and indexes are
shared: treat them as read-only.
"""

from __future__ import annotations

import json
from typing import Any

from worlds.generator import generate_world, resolve_spec
from worlds.sampler import WorldIndex, prepare

_WORLDS: dict[tuple[str, int, str], dict[str, Any]] = {}
_INDEXES: dict[tuple[str, int, str], WorldIndex] = {}


def world(preset: str, seed: int, level: str = "typical") -> dict[str, Any]:
    key = (preset, seed, level)
    if key not in _WORLDS:
        generated = generate_world(resolve_spec(preset, None, None, None, seed, level))
        _WORLDS[key] = json.loads(generated.canonical_bytes())
    return _WORLDS[key]


def index(preset: str, seed: int, level: str = "typical") -> WorldIndex:
    key = (preset, seed, level)
    if key not in _INDEXES:
        _INDEXES[key] = prepare(world(preset, seed, level))
    return _INDEXES[key]


def fresh_world(preset: str, seed: int) -> dict[str, Any]:
    """A private deep copy, for tests that modify the world."""
    copied: dict[str, Any] = json.loads(json.dumps(world(preset, seed)))
    return copied


def goals_of(ix: WorldIndex) -> list[str]:
    """One goal string of every accepted form, with this world's real names."""
    root = ix.domain_name[ix.domains[0]]
    host = next(h for h in sorted(ix.hosts) if ix.hosts[h]["role"] == "server")
    user = next(p for p in sorted(ix.principals)
                if ix.principals[p]["principal_type"] == "user" and p not in ix.privileged)
    return [
        "Domain Admins", f"Domain Admins@{root}", "Enterprise Admins", "IT Admins",
        f"Helpdesk@{root}", f"host:{ix.hosts[host]['hostname']}", f"host:{host}",
        f"principal:{ix.principals[user]['sam']}", f"principal:{user}", "dcsync",
        f"dcsync:{root}",
    ]
