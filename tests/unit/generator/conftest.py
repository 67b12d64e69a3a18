"""Shared fixtures: worlds are generated once per session and per spec."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from worlds.generator import World, generate_world, resolve_spec


@cache
def _world(
    preset: str | None, num_users: int | None, num_hosts: int | None,
    domains: tuple[str, ...] | None, seed: int,
) -> World:
    return generate_world(resolve_spec(preset, num_users, num_hosts, domains, seed))


@pytest.fixture(scope="session")
def make_world() -> Callable[..., World]:
    """make_world(preset=None, num_users=None, num_hosts=None, domains=None, seed=1).

    Worlds are cached: treat them as read-only.
    """

    def make(
        preset: str | None = None,
        num_users: int | None = None,
        num_hosts: int | None = None,
        domains: tuple[str, ...] | None = None,
        seed: int = 1,
    ) -> World:
        return _world(preset, num_users, num_hosts, domains, seed)

    return make
