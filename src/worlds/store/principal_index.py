"""The principal search index of a world, built when its manifest is published.

Two kinds of chunks sit beside the world's others (see `worlds.store.artifacts`):

- `principal_index`: the searchable text of every principal in the world's stored order
  (its position in the graph's nodes), cut in runs of `INDEX_PER_CHUNK`, each a column
  document `{"ids": [...], "types": [...], "text": [...]}`. `text` is the lowercased
  `sam`, `upn`, `email`, display name (the graph label) and `principal_id`, joined by a
  separator no query can contain.
- `principal_rows`: the basic record of every principal (`basic_principal`), in the
  same order, in runs of `RECORDS_PER_CHUNK`, so a page of results reads one or two
  small chunks.

A reader loads the index chunks once per manifest (a manifest never changes) into a
`PrincipalIndex`: one string per principal type, the texts concatenated, so a query is a
run of `str.find` calls in C over that string (plus a bisect per hit) rather than a scan
of the world per request.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

INDEX_KIND = "principal_index"
RECORDS_KIND = "principal_rows"
INDEX_PER_CHUNK = 8_192
RECORDS_PER_CHUNK = 256
_SEP = "\x00"
"""Between the fields of one principal and between principals: queries cannot hold it."""

BASIC_PRINCIPAL_FIELDS = ("principal_id", "principal_type", "sam", "enabled", "upn", "dn",
                          "sid", "domain", "email", "department", "title")


def basic_principal(details: Mapping[str, Any]) -> dict[str, Any]:
    """The principal's basic record (inspection.md): no edges, no credentials; `tags` {}."""
    record = {name: details.get(name) for name in BASIC_PRINCIPAL_FIELDS}
    record["tags"] = dict(details.get("tags") or {})
    return record


def search_text(details: Mapping[str, Any], label: str | None) -> str:
    """What a query is matched against, lowercased."""
    parts = (details.get("sam"), details.get("upn"), details.get("email"), label,
             details.get("principal_id"))
    return _SEP.join(str(part).lower() for part in parts if part)


def ordered_principals(nodes: Iterable[Mapping[str, Any]],
                       principals: Mapping[str, Any]) -> list[tuple[str, str | None]]:
    """(principal id, label) in the world's stored order: the order of the graph's nodes,
    then any principal without a node (none in generated worlds), by id."""
    order: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for node in nodes:
        node_id = node["id"]
        if node_id in principals:
            order.append((node_id, node.get("label")))
            seen.add(node_id)
    order.extend((key, None) for key in sorted(principals) if key not in seen)
    return order


def index_columns(order: Sequence[tuple[str, str | None]],
                  principals: Mapping[str, Any]) -> dict[str, list[str]]:
    ids, types, texts = [], [], []
    for key, label in order:
        details = principals[key]
        ids.append(key)
        types.append(str(details.get("principal_type") or ""))
        texts.append(search_text(details, label))
    return {"ids": ids, "types": types, "text": texts}


@dataclass(frozen=True)
class _Haystack:
    """The texts of some principals concatenated, and where each starts."""

    text: str
    starts: list[int]
    positions: list[int]
    """Stored-order position of each principal in `text`."""


def _haystack(positions: list[int], texts: Sequence[str]) -> _Haystack:
    starts: list[int] = []
    offset = 0
    for position in positions:
        starts.append(offset)
        offset += len(texts[position]) + 1
    text = _SEP.join(texts[p] for p in positions) + _SEP
    return _Haystack(text, starts, positions)


class PrincipalIndex:
    """Searchable principals of one world, in memory. Thread-safe once built (read-only)."""

    def __init__(self, ids: list[str], types: list[str], texts: list[str]) -> None:
        self.ids = ids
        self.types = types
        self.count = len(ids)
        by_type: dict[str, list[int]] = {}
        for position, kind in enumerate(types):
            by_type.setdefault(kind, []).append(position)
        self._all = _haystack(list(range(len(ids))), texts)
        self._by_type = {kind: _haystack(positions, texts) for kind, positions in by_type.items()}

    @classmethod
    def from_columns(cls, columns: Iterable[Mapping[str, list[str]]]) -> PrincipalIndex:
        ids: list[str] = []
        types: list[str] = []
        texts: list[str] = []
        for part in columns:
            ids += part["ids"]
            types += part["types"]
            texts += part["text"]
        return cls(ids, types, texts)

    def search(self, query: str, principal_type: str | None) -> list[int]:
        """Stored-order positions of the principals matching, in stored order."""
        hay = self._all if principal_type is None else self._by_type.get(principal_type)
        if hay is None:
            return []
        needle = query.lower()
        if not needle:
            return list(hay.positions)
        if _SEP in needle:
            return []
        text, starts, positions = hay.text, hay.starts, hay.positions
        found: list[int] = []
        at = text.find(needle)
        while at >= 0:
            row = bisect.bisect_right(starts, at) - 1
            found.append(positions[row])
            # Next principal: a second hit in the same one must not count twice.
            nxt = starts[row + 1] if row + 1 < len(starts) else len(text)
            at = text.find(needle, nxt)
        return found
