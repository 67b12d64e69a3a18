"""JSON ⇄ protobuf messages, by walking descriptors.

Not ``json_format``: the contract (``worlds-api.md``, "JSON conventions" and "The job record")
wants snake_case names, every field present (``null`` when unset, ``[]`` for empty lists),
int64 as JSON numbers and lowercase prefix-less enums, where proto3 JSON omits defaults, quotes
int64 and prints enum names.

Output (:func:`message_to_json`) runs on every response, so each message type gets a plan (a
list of per-field encoders) built once and cached by full name. Input (:func:`read_message`)
collects every violation instead of stopping at the first, so one 422 lists every bad field.
"""

from __future__ import annotations

import base64
import math
import operator
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.duration_pb2 import Duration
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from .descriptors import descriptor_of, enum_type, message_type
from .errors import EXTRA_FORBIDDEN, Violation
from .scalars import Reader, ScalarError, enum_names, json_reader, text_reader

_T = FieldDescriptor
Encoder = Callable[[Any], Any]

TIMESTAMP = "google.protobuf.Timestamp"
DURATION = "google.protobuf.Duration"
STRUCT = "google.protobuf.Struct"
VALUE = "google.protobuf.Value"
LIST_VALUE = "google.protobuf.ListValue"
FIELD_MASK = "google.protobuf.FieldMask"
EMPTY = "google.protobuf.Empty"
ANY = "google.protobuf.Any"
WRAPPERS = frozenset(
    f"google.protobuf.{name}Value"
    for name in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)


def is_map(field: FieldDescriptor) -> bool:
    return field.type == _T.TYPE_MESSAGE and message_type(field).GetOptions().map_entry


# --- output ------------------------------------------------------------------------------------

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def timestamp_to_json(ts: Any) -> str:
    """RFC 3339 in UTC: ``2026-11-23T10:00:00.123456Z``; no fraction when it is zero."""
    text = (_EPOCH + timedelta(seconds=ts.seconds)).strftime("%Y-%m-%dT%H:%M:%S")
    nanos = ts.nanos
    if not nanos:
        return text + "Z"
    if nanos % 1000:
        return f"{text}.{nanos:09d}Z"
    return f"{text}.{nanos // 1000:06d}Z"


def _struct_value(value: Any) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "number_value":
        number = value.number_value
        # Struct stores every number as a double; print integral ones as integers, like
        # json_format does, so {"total_hosts": 3} round-trips as 3 and not 3.0.
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
        return number if math.isfinite(number) else None
    if kind == "string_value":
        return value.string_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "struct_value":
        return {k: _struct_value(v) for k, v in value.struct_value.fields.items()}
    if kind == "list_value":
        return [_struct_value(v) for v in value.list_value.values]
    return None


def _float32(value: float) -> float:
    # A float field holds a 32-bit value; print the shortest decimal that reads back the same.
    for digits in range(6, 10):
        shortest = float(f"{value:.{digits}g}")
        if struct.pack("<f", shortest) == struct.pack("<f", value):
            return shortest
    return value


def _non_finite(value: float) -> Any:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def _wrapper_encoder(descriptor: Descriptor) -> Encoder:
    inner = _scalar_encoder(descriptor.fields_by_name["value"])
    return lambda message: inner(message.value)


_WKT_ENCODERS: dict[str, Callable[[Descriptor], Encoder]] = {
    TIMESTAMP: lambda _: timestamp_to_json,
    DURATION: lambda _: lambda message: message.ToJsonString(),
    STRUCT: lambda _: lambda message: {
        k: _struct_value(v) for k, v in message.fields.items()
    },
    VALUE: lambda _: _struct_value,
    LIST_VALUE: lambda _: lambda message: [_struct_value(v) for v in message.values],
    FIELD_MASK: lambda _: lambda message: ",".join(message.paths),
    EMPTY: lambda _: lambda message: {},
    ANY: lambda _: lambda message: json_format.MessageToDict(message),
    **{name: _wrapper_encoder for name in WRAPPERS},
}

# What an unset singular message field renders as: null, except the JSON containers.
_UNSET_JSON: dict[str, Callable[[], Any]] = {STRUCT: dict, LIST_VALUE: list}


def _scalar_encoder(field: FieldDescriptor) -> Encoder:
    kind = field.type
    if kind == _T.TYPE_ENUM:
        by_number = enum_names(enum_type(field)).by_number
        # Zero is UNSPECIFIED: "no value", so null. An unknown number (a newer server) stays a
        # number rather than being dropped.
        return lambda number: by_number.get(number, None if number == 0 else number)
    if kind == _T.TYPE_DOUBLE:
        return lambda value: value if math.isfinite(value) else _non_finite(value)
    if kind == _T.TYPE_FLOAT:
        return lambda value: _float32(value) if math.isfinite(value) else _non_finite(value)
    if kind == _T.TYPE_BYTES:
        return lambda value: base64.b64encode(value).decode("ascii")
    if kind == _T.TYPE_MESSAGE:
        return message_encoder(message_type(field))
    return _identity


def _identity(value: Any) -> Any:
    return value


def message_encoder(descriptor: Descriptor) -> Encoder:
    """Encoder of a whole message of this type (well-known types as their JSON forms)."""
    wkt = _WKT_ENCODERS.get(descriptor.full_name)
    if wkt is not None:
        return wkt(descriptor)
    full_name = descriptor.full_name
    if len(descriptor.fields) > 1 and all(_is_plain(field) for field in descriptor.fields):
        # Every field is a plain scalar (a graph edge's data, say: tens of thousands per
        # page): one C-level attrgetter call reads them all, in field order.
        names = tuple(field.name for field in descriptor.fields)
        read = operator.attrgetter(*names)
        return lambda message: dict(zip(names, read(message), strict=True))

    def encode(message: Message) -> dict[str, Any]:
        # Looked up per call, not captured: a message may contain itself.
        plan = _PLANS.get(full_name) or _build_plan(descriptor_of(message))
        return {name: encoder(message) for name, encoder in plan}

    return encode


# Singular scalars without presence whose JSON value is the attribute itself.
_PLAIN_TYPES = frozenset({
    _T.TYPE_STRING, _T.TYPE_BOOL, _T.TYPE_INT32, _T.TYPE_INT64, _T.TYPE_UINT32,
    _T.TYPE_UINT64, _T.TYPE_SINT32, _T.TYPE_SINT64, _T.TYPE_FIXED32, _T.TYPE_FIXED64,
    _T.TYPE_SFIXED32, _T.TYPE_SFIXED64,
})


def _is_plain(field: FieldDescriptor) -> bool:
    return not field.is_repeated and not field.has_presence and field.type in _PLAIN_TYPES


def field_encoder(field: FieldDescriptor) -> Encoder:
    """Encoder taking the *containing* message and returning this field's JSON value."""
    name = field.name
    if is_map(field):
        entry = message_type(field)
        key_field = entry.fields_by_name["key"]
        value = _scalar_encoder(entry.fields_by_name["value"])
        if key_field.type == _T.TYPE_BOOL:
            return lambda m: {("true" if k else "false"): value(v) for k, v in getattr(m, name).items()}
        return lambda m: {str(k): value(v) for k, v in getattr(m, name).items()}
    encode = _scalar_encoder(field)
    if field.is_repeated:
        return lambda m: [encode(v) for v in getattr(m, name)]
    if field.type == _T.TYPE_MESSAGE:
        make_unset = _UNSET_JSON.get(message_type(field).full_name, _none)
        return lambda m: encode(getattr(m, name)) if m.HasField(name) else make_unset()
    if field.has_presence:
        return lambda m: encode(getattr(m, name)) if m.HasField(name) else None
    return lambda m: encode(getattr(m, name))


def _none() -> None:
    return None


_PLANS: dict[str, list[tuple[str, Encoder]]] = {}


def _build_plan(descriptor: Descriptor) -> list[tuple[str, Encoder]]:
    plan: list[tuple[str, Encoder]] = []
    _PLANS[descriptor.full_name] = plan  # registered first, so recursion finds it
    plan.extend((field.name, field_encoder(field)) for field in descriptor.fields)
    return plan


def message_to_json(message: Message) -> Any:
    """The contract's JSON value of ``message``: every field present, by proto name."""
    return message_encoder(descriptor_of(message))(message)


# --- input -------------------------------------------------------------------------------------

Setter = Callable[[Message, Any, str, list[Violation]], None]
# Fills a well-known-type message from one JSON (or URL text) value.
WktReader = Callable[[Message, Any], None]


def _join(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def _violation(path: str, error: ScalarError) -> Violation:
    return Violation(path, error.msg, error.type)


def _json_string_reader(
    kind: type[Timestamp] | type[Duration], not_text: tuple[str, str], bad_text: tuple[str, str]
) -> WktReader:
    """Reader of a well-known type whose JSON form is a string its ``FromJsonString`` parses;
    ``not_text`` and ``bad_text`` are the (type, msg) of its two errors."""

    def read(message: Message, value: Any) -> None:
        if not isinstance(message, kind):
            raise TypeError(f"{message.DESCRIPTOR.full_name} is not a {kind.__name__}")
        if not isinstance(value, str):
            raise ScalarError(*not_text)
        try:
            message.FromJsonString(value)
        except ValueError:
            raise ScalarError(*bad_text) from None

    return read


_timestamp_from_json = _json_string_reader(
    Timestamp,
    ("datetime_type", "must be an RFC 3339 timestamp string"),
    ("datetime_parsing", "must be an RFC 3339 timestamp"),
)
_duration_from_json = _json_string_reader(
    Duration,
    ("duration_type", "must be a duration string such as \"1.5s\""),
    ("duration_parsing", "must be a duration such as \"1.5s\""),
)


def _parse_dict_into(type_: str, check: Callable[[Any], bool], what: str) -> WktReader:
    def read(message: Message, value: Any) -> None:
        if not check(value):
            raise ScalarError(type_, what)
        try:
            json_format.ParseDict(value, message)
        except (json_format.ParseError, ValueError, TypeError):
            raise ScalarError("value_error", "is not a valid value") from None

    return read


def _field_mask_from_json(message: Message, value: Any) -> None:
    if not isinstance(message, FieldMask):
        raise TypeError(f"{message.DESCRIPTOR.full_name} is not a FieldMask")
    if not isinstance(value, str):
        raise ScalarError("string_type", "must be a comma-separated list of field paths")
    message.paths[:] = [path for path in value.split(",") if path]


def _empty_from_json(message: Message, value: Any) -> None:
    if value != {}:
        raise ScalarError("dict_type", "must be an empty object")


def _wrapper_reader(descriptor: Descriptor, make: Callable[[FieldDescriptor], Reader]) -> WktReader:
    inner = make(descriptor.fields_by_name["value"])

    def read(message: Message, value: Any) -> None:
        # One of the nine wrappers_pb2 types (their only field is `value`); `Message`
        # declares no fields.
        message.value = inner(value)  # type: ignore[attr-defined]

    return read


_WKT_JSON: dict[str, WktReader] = {
    TIMESTAMP: _timestamp_from_json,
    DURATION: _duration_from_json,
    STRUCT: _parse_dict_into("dict_type", lambda v: isinstance(v, dict), "must be an object"),
    LIST_VALUE: _parse_dict_into("list_type", lambda v: isinstance(v, list), "must be an array"),
    VALUE: _parse_dict_into("value_error", lambda v: True, "must be a JSON value"),
    FIELD_MASK: _field_mask_from_json,
    EMPTY: _empty_from_json,
    ANY: _parse_dict_into("dict_type", lambda v: isinstance(v, dict), "must be an object"),
}


def wkt_json_reader(descriptor: Descriptor) -> WktReader | None:
    """How a JSON value fills a well-known-type message, or None for ordinary messages."""
    if descriptor.full_name in WRAPPERS:
        return _wrapper_reader(descriptor, json_reader)
    return _WKT_JSON.get(descriptor.full_name)


def wkt_text_reader(descriptor: Descriptor) -> WktReader | None:
    """How one URL text value fills a well-known-type message (query parameters)."""
    if descriptor.full_name in WRAPPERS:
        return _wrapper_reader(descriptor, text_reader)
    return {
        TIMESTAMP: _timestamp_from_json,
        DURATION: _duration_from_json,
        FIELD_MASK: _field_mask_from_json,
    }.get(descriptor.full_name)


def _set_scalar(message: Message, name: str, value: Any) -> None:
    try:
        setattr(message, name, value)
    except (ValueError, TypeError, UnicodeError):
        # Only a str with lone surrogates ("\ud800" is valid JSON) gets here: types are
        # checked by the reader first.
        raise ScalarError("string_unicode", "must be valid Unicode text") from None


def _setter(field: FieldDescriptor) -> Setter:
    name = field.name
    if is_map(field):
        return _map_setter(field)
    if field.type == _T.TYPE_MESSAGE:
        item = _message_item(message_type(field))
        if field.is_repeated:

            def set_messages(message: Message, value: Any, path: str, out: list[Violation]) -> None:
                if value.__class__ is not list:
                    out.append(Violation(path, "must be an array", "list_type"))
                    return
                container = getattr(message, name)
                for index, element in enumerate(value):
                    item(container.add(), element, f"{path}[{index}]", out)

            return set_messages

        def set_message(message: Message, value: Any, path: str, out: list[Violation]) -> None:
            item(getattr(message, name), value, path, out)

        return set_message

    read = json_reader(field)
    if field.is_repeated:

        def set_repeated(message: Message, value: Any, path: str, out: list[Violation]) -> None:
            if value.__class__ is not list:
                out.append(Violation(path, "must be an array", "list_type"))
                return
            items = []
            ok = True
            for index, element in enumerate(value):
                try:
                    items.append(read(element))
                except ScalarError as error:
                    out.append(_violation(f"{path}[{index}]", error))
                    ok = False
            if ok:
                try:
                    getattr(message, name).extend(items)
                except (ValueError, TypeError, UnicodeError):
                    out.append(Violation(path, "must be valid Unicode text", "string_unicode"))

        return set_repeated

    def set_one(message: Message, value: Any, path: str, out: list[Violation]) -> None:
        try:
            _set_scalar(message, name, read(value))
        except ScalarError as error:
            out.append(_violation(path, error))

    return set_one


def _message_item(descriptor: Descriptor) -> Callable[[Message, Any, str, list[Violation]], None]:
    """Fills one (sub)message from one JSON value; ``null`` items are type errors."""
    wkt = wkt_json_reader(descriptor)
    if wkt is not None:

        def read_wkt(target: Message, value: Any, path: str, out: list[Violation]) -> None:
            try:
                wkt(target, value)
                target.SetInParent()
            except ScalarError as error:
                out.append(_violation(path, error))

        return read_wkt

    def read_object(target: Message, value: Any, path: str, out: list[Violation]) -> None:
        target.SetInParent()
        read_message(value, target, out, prefix=path)

    return read_object


def _map_setter(field: FieldDescriptor) -> Setter:
    name = field.name
    entry = message_type(field)
    read_key = text_reader(entry.fields_by_name["key"])
    value_field = entry.fields_by_name["value"]
    # How one entry's value goes into the map container: messages are filled in place.
    if value_field.type == _T.TYPE_MESSAGE:
        read_item = _message_item(message_type(value_field))

        def put(container: Any, key: Any, element: Any, path: str, out: list[Violation]) -> None:
            read_item(container[key], element, path, out)
    else:
        read_value = json_reader(value_field)

        def put(container: Any, key: Any, element: Any, path: str, out: list[Violation]) -> None:
            container[key] = read_value(element)

    def set_map(message: Message, value: Any, path: str, out: list[Violation]) -> None:
        if value.__class__ is not dict:
            out.append(Violation(path, "must be an object", "dict_type"))
            return
        container = getattr(message, name)
        for key_text, element in value.items():
            item_path = f"{path}[{key_text}]"
            try:
                put(container, read_key(key_text), element, item_path, out)
            except ScalarError as error:
                out.append(_violation(item_path, error))
            except (ValueError, TypeError, UnicodeError):
                out.append(Violation(item_path, "must be valid Unicode text", "string_unicode"))

    return set_map


_SETTERS: dict[str, dict[str, Setter]] = {}


def _setters(descriptor: Descriptor) -> dict[str, Setter]:
    setters = _SETTERS.get(descriptor.full_name)
    if setters is None:
        setters = _SETTERS[descriptor.full_name] = {}  # registered first: recursion
        setters.update((field.name, _setter(field)) for field in descriptor.fields)
    return setters


def read_message(
    data: Any,
    message: Message,
    out: list[Violation],
    *,
    prefix: str = "",
    forbidden: frozenset[str] = frozenset(),
) -> None:
    """Fill ``message`` from the JSON value ``data``, appending every problem to ``out``.

    Keys are proto field names; ``forbidden`` names (fields bound to the URL path) count as
    unknown, so a body cannot contradict the path. ``null`` leaves a field unset. Violation
    paths are ``prefix``-qualified proto paths (``domains[2]``, ``created_by_user.email``).
    """
    if data.__class__ is not dict:
        out.append(Violation(prefix, "must be a JSON object", "dict_type"))
        return
    setters = _setters(descriptor_of(message))
    for key, value in data.items():
        setter = setters.get(key)
        path = _join(prefix, key)
        if setter is None or key in forbidden:
            out.append(Violation(path, "is not a known field", EXTRA_FORBIDDEN))
        elif value is not None:
            setter(message, value, path, out)


def read_field(message: Message, name: str, value: Any, out: list[Violation]) -> None:
    """Fill the top-level field ``name`` of ``message`` from JSON (``body: "<field>"``)."""
    if value is not None:
        _setters(descriptor_of(message))[name](message, value, name, out)
