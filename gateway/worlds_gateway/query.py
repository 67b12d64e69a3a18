"""URL query parameters → request fields (and the text values of path variables).

``google/api/http.proto``: every leaf field that is neither bound to the path nor carried by the
body is a query parameter named by its dotted field path (``a.b``); a repeated field is given as
repeated parameters; repeated message fields and maps are not mappable. With ``body: "*"`` there
are no query parameters at all.

Decisions the contract leaves to us, matching grpc-gateway's ``runtime/query.go``: unknown
parameters are ignored (the upstream API is FastAPI, which ignores them, and existing clients
must keep working); a single-valued parameter given twice is a violation, not "last one wins".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from .bindings import Binding, FieldChain
from .codec import is_map, wkt_text_reader
from .descriptors import message_type
from .errors import Violation
from .scalars import ScalarError, text_reader

MULTIPLE_VALUES = "multiple_values"


@dataclass(frozen=True, slots=True)
class QueryParam:
    """One query parameter: its name (the dotted field path) and how its text is applied."""

    name: str
    chain: FieldChain
    repeated: bool
    apply: Callable[[Message, str], None]

    @property
    def field(self) -> FieldDescriptor:
        return self.chain[-1]


def _parent(message: Message, chain: FieldChain) -> Message:
    for field in chain[:-1]:
        message = getattr(message, field.name)
    return message


def text_applier(chain: FieldChain) -> Callable[[Message, str], None]:
    """Sets (or, for a repeated field, appends) the field at ``chain`` from URL text.

    Raises :class:`ScalarError` when the text does not fit the field.
    """
    leaf = chain[-1]
    name = leaf.name
    if leaf.type == FieldDescriptor.TYPE_MESSAGE:
        fill = wkt_text_reader(message_type(leaf))
        if fill is None:
            raise TypeError(f"{leaf.full_name}: not settable from text")

        def apply_wkt(message: Message, text: str) -> None:
            parent = _parent(message, chain)
            target = getattr(parent, name).add() if leaf.is_repeated else getattr(parent, name)
            fill(target, text)
            target.SetInParent()

        return apply_wkt

    read = text_reader(leaf)
    if leaf.is_repeated:

        def append(message: Message, text: str) -> None:
            getattr(_parent(message, chain), name).append(read(text))

        return append

    def assign(message: Message, text: str) -> None:
        try:
            setattr(_parent(message, chain), name, read(text))
        except (ValueError, TypeError, UnicodeError):
            raise ScalarError("string_unicode", "must be valid Unicode text") from None

    return assign


def _is_text_message(descriptor: Descriptor) -> bool:
    return wkt_text_reader(descriptor) is not None


def _leaf_param(name: str, chain: FieldChain) -> QueryParam | None:
    """The parameter for a field path ending at ``chain[-1]``, if that field is mappable."""
    leaf = chain[-1]
    if is_map(leaf):
        return None
    if leaf.type == FieldDescriptor.TYPE_MESSAGE and not _is_text_message(message_type(leaf)):
        return None
    return QueryParam(name, chain, leaf.is_repeated, text_applier(chain))


def _traversable(field: FieldDescriptor) -> bool:
    """A singular message field whose subfields can be named as ``field.sub``."""
    return (
        field.type == FieldDescriptor.TYPE_MESSAGE
        and not field.is_repeated
        and not message_type(field).full_name.startswith("google.protobuf.")
    )


def _bound_elsewhere(binding: Binding, path: str, depth: int, field: FieldDescriptor) -> bool:
    return path in binding.path_fields or (depth == 0 and field.name == binding.body)


class QueryParams:
    """Resolves query parameter names of one binding to fields, lazily.

    Names are resolved on first use and cached, rather than enumerated up front, because a
    message may contain itself (``child.child.name`` is a valid name at any depth). The cache
    is bounded: unknown names are attacker-chosen.
    """

    _MAX_CACHED = 1024

    def __init__(self, binding: Binding) -> None:
        self.binding = binding
        self.enabled = binding.body != "*"
        self._cache: dict[str, QueryParam | None] = {}

    def __bool__(self) -> bool:
        return self.enabled

    def get(self, name: str) -> QueryParam | None:
        if not self.enabled:
            return None
        try:
            return self._cache[name]
        except KeyError:
            pass
        param = self._resolve(name)
        if len(self._cache) < self._MAX_CACHED:
            self._cache[name] = param
        return param

    def _resolve(self, name: str) -> QueryParam | None:
        descriptor = self.binding.method.input_type
        chain: list[FieldDescriptor] = []
        parts = name.split(".")
        for depth, part in enumerate(parts):
            field = descriptor.fields_by_name.get(part)
            if field is None:
                return None
            chain.append(field)
            path = ".".join(parts[: depth + 1])
            if _bound_elsewhere(self.binding, path, depth, field):
                return None
            if depth == len(parts) - 1:
                return _leaf_param(name, tuple(chain))
            if not _traversable(field):
                return None
            descriptor = message_type(field)
        return None


def query_params(binding: Binding) -> list[QueryParam]:
    """Every query parameter of ``binding``, for documentation: field order, nested ones
    depth-first, recursion cut at the first repeat of a message type."""
    if binding.body == "*":
        return []
    params: list[QueryParam] = []

    def walk(descriptor: Descriptor, prefix: str, chain: FieldChain, seen: frozenset[str]) -> None:
        for field in descriptor.fields:
            path = prefix + field.name
            if _bound_elsewhere(binding, path, len(chain), field):
                continue
            here = (*chain, field)
            if _traversable(field):
                inner = message_type(field)
                if inner.full_name not in seen:
                    walk(inner, path + ".", here, seen | {inner.full_name})
                continue
            param = _leaf_param(path, here)
            if param is not None:
                params.append(param)

    walk(binding.method.input_type, "", (), frozenset({binding.method.input_type.full_name}))
    return params


def read_query(
    params: QueryParams | Mapping[str, QueryParam],
    pairs: Iterable[tuple[str, str]],
    message: Message,
    out: list[Violation],
) -> None:
    """Apply decoded ``(name, value)`` pairs to ``message``; violations go to ``out``."""
    counts: dict[str, int] = {}
    for name, text in pairs:
        param = params.get(name)
        if param is None:
            continue
        count = counts.get(name, 0)
        counts[name] = count + 1
        if not param.repeated and count:
            if count == 1:
                out.append(Violation(name, "must be given at most once", MULTIPLE_VALUES))
            continue
        try:
            param.apply(message, text)
        except ScalarError as error:
            where = f"{name}[{count}]" if param.repeated else name
            out.append(Violation(where, error.msg, error.type))
