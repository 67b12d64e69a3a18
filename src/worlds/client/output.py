"""Rendering for people (aligned tables, `key: value` blocks) and for programs (JSON).

With --json a command prints exactly one JSON value on stdout (the API's own JSON, unchanged)
and nothing else there; anything for a person (progress, hints, errors) goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

MISSING = "-"


def print_json(value: Any, out: TextIO | None = None) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False), file=out or sys.stdout)


def cell(value: Any) -> str:
    """A value as table text: null as `-`, lists comma-separated, booleans as yes/no."""
    if value is None or value == "" or value == [] or value == {}:
        return MISSING
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(cell(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def when(timestamp: str | None) -> str:
    """An RFC 3339 UTC timestamp, to the second: `2026-01-02 03:04:05Z`."""
    if not timestamp:
        return MISSING
    day, _, time = timestamp.partition("T")
    return f"{day} {time[:8]}Z" if time else timestamp


def percent(progress: float | None) -> str:
    return MISSING if progress is None else f"{progress * 100:.0f}%"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Columns padded to their widest cell; the last column is not padded."""
    texts = [[cell(value) for value in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in texts)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [v.ljust(w) for v, w in zip(values[:-1], widths, strict=False)]
        return "  ".join([*padded, values[-1]]).rstrip()

    return "\n".join([line(list(headers)), *(line(row) for row in texts)])


def fields(pairs: Iterable[tuple[str, Any]]) -> str:
    """`key:  value` lines, values aligned."""
    items = [(key, cell(value)) for key, value in pairs]
    width = max((len(key) for key, _ in items), default=0) + 1
    return "\n".join(f"{(key + ':').ljust(width)}  {value}" for key, value in items)


def section(title: str, body: str) -> str:
    return f"\n\n{title}\n{body or MISSING}"
