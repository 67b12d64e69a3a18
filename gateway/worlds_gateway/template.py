"""``google.api.http`` path templates: parsing, matching and expansion.

The grammar is the one in ``google/api/http.proto``::

    Template = "/" Segments [ Verb ] ;
    Segments = Segment { "/" Segment } ;
    Segment  = "*" | "**" | LITERAL | Variable ;
    Variable = "{" FieldPath [ "=" Segments ] "}" ;
    FieldPath = IDENT { "." IDENT } ;
    Verb     = ":" LITERAL ;

Decoding follows the same file: a single-segment variable (``{var}``, ``{var=*}``) is fully
percent-decoded (RFC 6570 §3.2.2); a multi-segment one (``{var=foo/*}``, ``{var=**}``) is decoded
except ``%2F``, so that a decoded slash cannot be confused with a segment boundary.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote


class TemplateError(ValueError):
    """A path template that does not follow the grammar."""


@dataclass(frozen=True, slots=True)
class Literal:
    text: str


class _Wildcard:
    __slots__ = ("deep",)

    def __init__(self, deep: bool) -> None:
        self.deep = deep

    def __repr__(self) -> str:
        return "**" if self.deep else "*"


SINGLE = _Wildcard(deep=False)
"""``*``: exactly one non-empty segment."""
DEEP = _Wildcard(deep=True)
"""``**``: zero or more segments; only last."""

Segment = Literal | _Wildcard


@dataclass(frozen=True, slots=True)
class Variable:
    """``{field_path=...}`` capturing ``segments[start:end]``."""

    field_path: str
    start: int
    end: int

    def is_single_segment(self, segments: tuple[Segment, ...]) -> bool:
        return self.end - self.start == 1 and segments[self.start] is SINGLE


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_LITERAL = re.compile(r"[^/{}:*=]+")
_KEEP_SLASH = re.compile(r"(%2[fF])")
# What expansion leaves unencoded (http.proto): [-_.~0-9a-zA-Z], plus "/" in multi-segment vars.
_SAFE_ONE, _PLAIN_ONE = "-_.~", re.compile(r"[-_.~0-9a-zA-Z]*")
_SAFE_MANY, _PLAIN_MANY = "-_.~/", re.compile(r"[-_.~/0-9a-zA-Z]*")
# A piece of an expansion: literal text, or (field path, characters left unquoted, the pattern
# of values that need no quoting at all).
Piece = str | tuple[str, str, re.Pattern[str]]
_PIECES: dict[str, tuple[Piece, ...]] = {}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.segments: list[Segment] = []
        self.variables: list[Variable] = []

    def fail(self, why: str) -> TemplateError:
        return TemplateError(f"path template {self.source!r}, at {self.pos}: {why}")

    def peek(self, text: str) -> bool:
        return self.source.startswith(text, self.pos)

    def parse(self) -> PathTemplate:
        if not self.peek("/"):
            raise self.fail("must start with '/'")
        self.pos += 1
        self.parse_segments(in_variable=False)
        verb = None
        if self.peek(":"):
            self.pos += 1
            match = _LITERAL.fullmatch(self.source, self.pos)
            if match is None:
                raise self.fail("a verb must be a literal at the end")
            verb = match.group()
            self.pos = len(self.source)
        if self.pos != len(self.source):
            raise self.fail("unexpected character")
        segments = tuple(self.segments)
        for i, segment in enumerate(segments):
            if segment is DEEP and i != len(segments) - 1:
                raise self.fail("'**' must be the last segment")
        names = [v.field_path for v in self.variables]
        if len(set(names)) != len(names):
            raise self.fail("a field is bound twice")
        return PathTemplate(self.source, segments, tuple(self.variables), verb)

    def parse_segments(self, *, in_variable: bool) -> None:
        while True:
            self.parse_segment(in_variable=in_variable)
            if not self.peek("/"):
                return
            self.pos += 1

    def parse_segment(self, *, in_variable: bool) -> None:
        if self.peek("**"):
            self.pos += 2
            self.segments.append(DEEP)
        elif self.peek("*"):
            self.pos += 1
            self.segments.append(SINGLE)
        elif self.peek("{"):
            if in_variable:
                raise self.fail("variables cannot nest")
            self.parse_variable()
        else:
            match = _LITERAL.match(self.source, self.pos)
            if match is None:
                raise self.fail("expected a segment")
            self.pos = match.end()
            self.segments.append(Literal(match.group()))

    def parse_variable(self) -> None:
        self.pos += 1
        match = _IDENT.match(self.source, self.pos)
        if match is None:
            raise self.fail("expected a field path")
        self.pos = match.end()
        start = len(self.segments)
        if self.peek("="):
            self.pos += 1
            self.parse_segments(in_variable=True)
        else:
            self.segments.append(SINGLE)
        if not self.peek("}"):
            raise self.fail("expected '}'")
        self.pos += 1
        self.variables.append(Variable(match.group(), start, len(self.segments)))


def parse_template(source: str) -> PathTemplate:
    """Parse ``source``; raises :class:`TemplateError` when it breaks the grammar."""
    return _Parser(source).parse()


def _decode_keeping_slashes(raw: str) -> str:
    if "%" not in raw:
        return raw
    return "".join(
        part if _KEEP_SLASH.fullmatch(part) else unquote(part) for part in _KEEP_SLASH.split(raw)
    )


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed template. Match against the raw (still percent-encoded) request path."""

    source: str
    segments: tuple[Segment, ...]
    variables: tuple[Variable, ...]
    verb: str | None

    @property
    def deep(self) -> bool:
        return bool(self.segments) and self.segments[-1] is DEEP

    def match(self, raw_path: str) -> dict[str, str] | None:
        """The decoded variable values if ``raw_path`` matches, else None."""
        if not raw_path.startswith("/"):
            return None
        rest = raw_path[1:]
        if self.verb is not None:
            suffix = ":" + self.verb
            if not rest.endswith(suffix):
                return None
            rest = rest[: -len(suffix)]
        parts = rest.split("/")
        segments = self.segments
        if self.deep:
            # "/a/**" also matches "/a": ** may take no segment at all.
            if len(parts) < len(segments) - 1:
                return None
            if len(segments) - 1 == len(parts):
                parts.append("")
        elif len(parts) != len(segments):
            return None
        for i, segment in enumerate(segments):
            part = parts[i]
            if isinstance(segment, Literal):
                if part != segment.text and unquote(part) != segment.text:
                    return None
            elif segment is SINGLE and not part:
                return None
        values: dict[str, str] = {}
        for variable in self.variables:
            if variable.is_single_segment(segments):
                values[variable.field_path] = unquote(parts[variable.start])
            else:
                end = len(parts) if segments[variable.end - 1] is DEEP else variable.end
                raw = "/".join(parts[variable.start : end])
                values[variable.field_path] = _decode_keeping_slashes(raw)
        return values

    def expand(self, values: Mapping[str, str]) -> str:
        """Render the template with ``values``, encoding them as ``match`` decodes them."""
        out: list[str] = []
        for piece in self._pieces():
            if isinstance(piece, str):
                out.append(piece)
                continue
            variable, safe, plain = piece
            value = values[variable]
            # quote() is slow; ids and slugs rarely need it.
            out.append(value if plain.fullmatch(value) else quote(value, safe=safe))
        return "".join(out)

    def _pieces(self) -> tuple[Piece, ...]:
        pieces = _PIECES.get(self.source)
        if pieces is not None:
            return pieces
        starts = {v.start: v for v in self.variables}
        built: list[Piece] = []
        i = 0
        while i < len(self.segments):
            built.append("/")
            variable = starts.get(i)
            if variable is not None:
                if variable.is_single_segment(self.segments):
                    built.append((variable.field_path, _SAFE_ONE, _PLAIN_ONE))
                else:
                    built.append((variable.field_path, _SAFE_MANY, _PLAIN_MANY))
                i = variable.end
                continue
            segment = self.segments[i]
            if not isinstance(segment, Literal):
                raise TemplateError(f"{self.source!r}: a bare wildcard cannot be expanded")
            built.append(segment.text)
            i += 1
        if self.verb:
            built.append(":" + self.verb)
        pieces = _PIECES[self.source] = tuple(built)
        return pieces

    def specificity(self) -> tuple[bool, tuple[int, ...]]:
        """Sort key: routes with a verb, then more literal segments earlier, match first."""
        ranks = []
        for segment in self.segments:
            if isinstance(segment, Literal):
                ranks.append(0)
            else:
                ranks.append(2 if segment is DEEP else 1)
        return (self.verb is None, tuple(ranks))

    def openapi_path(self) -> str:
        """The OpenAPI path: each variable as ``{field.path}``, whatever it captures."""
        starts = {v.start: v for v in self.variables}
        out: list[str] = []
        i = 0
        while i < len(self.segments):
            variable = starts.get(i)
            if variable is not None:
                out.append("{" + variable.field_path + "}")
                i = variable.end
                continue
            segment = self.segments[i]
            out.append(segment.text if isinstance(segment, Literal) else repr(segment))
            i += 1
        return "/" + "/".join(out) + (":" + self.verb if self.verb else "")
