"""The allowed import directions of `docs/architecture.md`, checked over the source tree.

Every module of `src/worlds` and `gateway/worlds_gateway` is read with `ast`; each import of
a project package must be allowed by `ALLOWED` below (imports inside a package are always
allowed). A new subpackage must be added here, with its place in the layers, before its
first import passes.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# package -> the project packages it may import (besides itself). Lower layers first.
ALLOWED: dict[str, set[str]] = {
    "worlds.v1": set(),
    "worlds.config": set(),
    "worlds.metrics": set(),
    "worlds.logs": set(),
    "worlds.core": {"worlds.v1"},
    "worlds.generator": set(),
    "worlds.sampler": {"worlds.generator"},
    "worlds.store": {"worlds.core"},
    "worlds.migrations": {"worlds.store"},
    "worlds.convert": {"worlds.core", "worlds.v1"},
    "worlds.jobs": {"worlds.core", "worlds.config", "worlds.store", "worlds.generator",
                    "worlds.sampler", "worlds.metrics", "worlds.logs"},
    "worlds.watch": {"worlds.core", "worlds.store", "worlds.convert", "worlds.v1"},
    "worlds.api": {"worlds.core", "worlds.config", "worlds.store", "worlds.convert",
                   "worlds.watch", "worlds.v1", "worlds.sampler", "worlds.metrics",
                   "worlds.logs"},
    # The client talks HTTP only: it must not pull in the server's storage stack.
    "worlds.client": {"worlds", "worlds.config", "worlds.v1"},
    "worlds_gateway": {"worlds.v1"},
    # The console is a client of the REST API: the gateway app it mounts on, never the store.
    "worlds.console": {"worlds_gateway", "worlds.config"},
    # The top: wiring of one process, the admin commands, the bootstrap of an empty database.
    "worlds.bootstrap": {"worlds.core", "worlds.store"},
    "worlds.app": {"*"},
    "worlds.cli": {"*"},
    "worlds.__main__": {"worlds.cli"},
    "worlds": set(),  # the package docstring and version only
}
PACKAGES = sorted(ALLOWED, key=len, reverse=True)


def _owner(module: str) -> str | None:
    for package in PACKAGES:
        if module == package or (package != "worlds" and module.startswith(package + ".")):
            return package
    return None


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT / ("gateway" if "worlds_gateway" in path.parts else "src"))
    parts = list(rel.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module is not None and node.level == 0:
            # `from worlds import store` imports the package named by module + name.
            # `from worlds import __version__` reads the package itself.
            if node.module == "worlds":
                found += [(node.lineno, "worlds" if alias.name.startswith("__")
                           else f"worlds.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] in ("worlds", "worlds_gateway")]


def _sources() -> list[Path]:
    files = sorted((ROOT / "src" / "worlds").rglob("*.py")) + sorted(
        (ROOT / "gateway" / "worlds_gateway").rglob("*.py"))
    return [f for f in files if "v1" not in f.relative_to(ROOT).parts[2:3]]


def test_every_package_has_a_place_in_the_layers() -> None:
    unplaced = sorted({_module_name(f) for f in _sources() if _owner(_module_name(f)) is None})
    assert unplaced == [], f"add these to ALLOWED (and docs/architecture.md): {unplaced}"


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_follow_the_layers(path: Path) -> None:
    module = _module_name(path)
    owner = _owner(module)
    assert owner is not None
    allowed = ALLOWED[owner]
    wrong = []
    for line, name in _imports(path, module):
        target = _owner(name)
        if target == owner or "*" in allowed:
            continue
        if target not in allowed:
            wrong.append(f"line {line}: {name} ({owner} may import {sorted(allowed) or 'nothing'})")
    assert wrong == []
