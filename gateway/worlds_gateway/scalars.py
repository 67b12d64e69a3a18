"""Leaf values: how one scalar or enum field is read from JSON or from URL text.

The rules are the contract's JSON conventions (``worlds-api.md``): enums are the lowercase value
name without the type prefix (``JOB_STATUS_QUEUED`` → ``"queued"``), or the value's
``(worlds.v1.json_value)`` option where it has one (``"recon-first"``), never numbers and never the
zero value; integers are JSON numbers that must fit the proto type. The codec (bodies) and the
URL parsing (query and path) both go through here, so the two cannot disagree.

A bad value raises :class:`ScalarError`, which callers turn into a field violation.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from google.protobuf.descriptor import EnumDescriptor, EnumValueDescriptor, FieldDescriptor

from worlds.v1 import options_pb2

from .descriptors import enum_type

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import EnumValueOptions
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor


class ScalarError(Exception):
    """A value that does not fit its field: ``type`` and ``msg`` of the envelope's error item."""

    def __init__(self, type_: str, msg: str) -> None:
        super().__init__(msg)
        self.type = type_
        self.msg = msg


# --- enums -------------------------------------------------------------------------------------

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def enum_prefix(enum: EnumDescriptor) -> str:
    """``JobStatus`` → ``JOB_STATUS_``: the prefix buf's ENUM_VALUE_PREFIX rule requires."""
    return _CAMEL_BOUNDARY.sub("_", enum.name).upper() + "_"


def json_value(value: EnumValueDescriptor, prefix: str) -> str:
    """The JSON name of one enum value: its ``json_value`` option, else the lowercase name
    without ``prefix``."""
    options = value.GetOptions()
    handle = cast("_ExtensionFieldDescriptor[EnumValueOptions, str]", options_pb2.json_value)
    if options.HasExtension(handle):
        label: str = options.Extensions[handle]
        return label
    name = value.name[len(prefix) :] if value.name.startswith(prefix) else value.name
    return name.lower()


class EnumNames:
    """Both directions of one enum's JSON names. Zero (UNSPECIFIED) has no name: it is null."""

    __slots__ = ("by_number", "choices", "numbers")

    def __init__(self, enum: EnumDescriptor) -> None:
        prefix = enum_prefix(enum)
        self.by_number: dict[int, str] = {}
        for value in enum.values:
            if value.number == 0 or value.number in self.by_number:
                continue
            self.by_number[value.number] = json_value(value, prefix)
        self.numbers = {name: number for number, name in self.by_number.items()}
        self.choices = ", ".join(self.by_number.values())

    def parse(self, value: object) -> int:
        number = self.numbers.get(value) if isinstance(value, str) else None
        if number is None:
            raise ScalarError("enum", f"must be one of: {self.choices}")
        return number


_ENUMS: dict[str, EnumNames] = {}


def enum_names(enum: EnumDescriptor) -> EnumNames:
    names = _ENUMS.get(enum.full_name)
    if names is None:
        names = _ENUMS[enum.full_name] = EnumNames(enum)
    return names


# --- integers and floats -----------------------------------------------------------------------

_T = FieldDescriptor
_INT32 = (-(2**31), 2**31 - 1, "must fit a signed 32-bit integer")
_INT64 = (-(2**63), 2**63 - 1, "must fit a signed 64-bit integer")
_UINT32 = (0, 2**32 - 1, "must fit an unsigned 32-bit integer")
_UINT64 = (0, 2**64 - 1, "must fit an unsigned 64-bit integer")
INT_RANGES: dict[int, tuple[int, int, str]] = {
    _T.TYPE_INT32: _INT32,
    _T.TYPE_SINT32: _INT32,
    _T.TYPE_SFIXED32: _INT32,
    _T.TYPE_INT64: _INT64,
    _T.TYPE_SINT64: _INT64,
    _T.TYPE_SFIXED64: _INT64,
    _T.TYPE_UINT32: _UINT32,
    _T.TYPE_FIXED32: _UINT32,
    _T.TYPE_UINT64: _UINT64,
    _T.TYPE_FIXED64: _UINT64,
}
_FLOAT32_MAX = 3.4028234663852886e38
_INT_TEXT = re.compile(r"-?[0-9]+")
_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def _int_checker(field: FieldDescriptor) -> Callable[[int], int]:
    low, high, msg = INT_RANGES[field.type]

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ScalarError("int_overflow", msg)
        return value

    return check


def _float_checker(field: FieldDescriptor) -> Callable[[float], float]:
    if field.type == _T.TYPE_DOUBLE:
        return float

    def check(value: float) -> float:
        if math.isfinite(value) and abs(value) > _FLOAT32_MAX:
            raise ScalarError("float_overflow", "must fit a 32-bit float")
        return value

    return check


# --- readers -----------------------------------------------------------------------------------

Reader = Callable[[Any], Any]
"""Converts one JSON (or URL text) value to what the protobuf field accepts, or raises."""


def json_reader(field: FieldDescriptor) -> Reader:
    """How a JSON value becomes this (non-message) field's value."""
    kind = field.type
    if kind == _T.TYPE_STRING:
        return _json_string
    if kind == _T.TYPE_BOOL:
        return _json_bool
    if kind in INT_RANGES:
        check = _int_checker(field)

        def read_int(value: Any) -> int:
            if value.__class__ is int:
                return check(value)
            if value.__class__ is float:
                if value.is_integer():
                    return check(int(value))
                raise ScalarError("int_from_float", "must be a whole number")
            raise ScalarError("int_type", "must be an integer")

        return read_int
    if kind in (_T.TYPE_DOUBLE, _T.TYPE_FLOAT):
        check_float = _float_checker(field)

        def read_float(value: Any) -> float:
            if value.__class__ in (int, float):
                return check_float(float(value))
            if isinstance(value, str) and value in _NON_FINITE:
                return _NON_FINITE[value]
            raise ScalarError("float_type", "must be a number")

        return read_float
    return _enum_or_bytes_reader(field)


def text_reader(field: FieldDescriptor) -> Reader:
    """How one URL query or path value (always text) becomes this field's value."""
    kind = field.type
    if kind == _T.TYPE_STRING:
        return str
    if kind == _T.TYPE_BOOL:

        def read_bool(text: str) -> bool:
            if text in ("true", "false"):
                return text == "true"
            raise ScalarError("bool_parsing", "must be true or false")

        return read_bool
    if kind in INT_RANGES:
        check = _int_checker(field)

        def read_int(text: str) -> int:
            # Strict: no "+", spaces, underscores or "7.0" in a URL (int() would accept some).
            if _INT_TEXT.fullmatch(text) is None or len(text) > 40:
                raise ScalarError("int_parsing", "must be an integer")
            return check(int(text))

        return read_int
    if kind in (_T.TYPE_DOUBLE, _T.TYPE_FLOAT):
        check_float = _float_checker(field)

        def read_float(text: str) -> float:
            if text in _NON_FINITE:
                return _NON_FINITE[text]
            try:
                value = float(text)
            except ValueError:
                raise ScalarError("float_parsing", "must be a number") from None
            if not math.isfinite(value) or "_" in text or text != text.strip():
                raise ScalarError("float_parsing", "must be a number")
            return check_float(value)

        return read_float
    return _enum_or_bytes_reader(field)


def _enum_or_bytes_reader(field: FieldDescriptor) -> Reader:
    # The same in JSON and in URL text: an enum's name (or number), base64 bytes.
    if field.type == _T.TYPE_ENUM:
        return enum_names(enum_type(field)).parse
    if field.type == _T.TYPE_BYTES:
        return _json_bytes
    raise TypeError(f"{field.full_name}: not a scalar field")


def _json_string(value: Any) -> str:
    if value.__class__ is not str:
        raise ScalarError("string_type", "must be a string")
    return value


def _json_bool(value: Any) -> bool:
    if value is True or value is False:
        return value
    raise ScalarError("bool_type", "must be a boolean")


def _json_bytes(value: Any) -> bytes:
    if value.__class__ is not str:
        raise ScalarError("bytes_type", "must be a base64 string")
    # proto3 JSON: standard or URL-safe alphabet, padding optional.
    text = value.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ScalarError("base64_decode", "must be a base64 string") from None
