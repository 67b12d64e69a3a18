"""Request validation, driven by the `(worlds.v1.rules)` options on request fields.

The bounds of the contract are declared once, in the protos; this module enforces
them for every RPC and the gateway renders the same options into OpenAPI. Every
bad field yields one violation, and all of them are reported together.
Messages and machine types follow the names REST clients of the contract know
(`less_than_equal`, `string_too_long`, ...).

Text: every string field, with rules or without (the path variables `org` and
`workspace` included), rejects control characters other than tab, newline and
carriage return (type `control_characters`). PostgreSQL cannot store NUL at all
and no field of the contract means one, so they are refused before any engine
sees them (see `worlds.store.dialect`).
"""

from __future__ import annotations

import functools
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.descriptor_pb2 import FieldOptions
from google.protobuf.message import Message

from worlds.core.errors import FieldViolation, InvalidArgument
from worlds.v1 import options_pb2

# C0 controls but tab, LF and CR; DEL; C1 controls.
_CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_CONTROL = re.compile(f"[{_CONTROL_CLASS}]")
TEXT_PATTERN = f"^[^{_CONTROL_CLASS}]*$"
"""The same rule as a JSON Schema `pattern` (ECMA-262 and Python alike): what the gateway
documents on every request string (`worlds.app.gateway_app`)."""
CONTROL_CHARACTERS = ("must not contain control characters", "control_characters")

if TYPE_CHECKING:
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor

# protoc's .pyi declares the extension as a plain FieldDescriptor; `Extensions` is indexed by
# a typed handle, which it is at run time.
_RULES = cast("_ExtensionFieldDescriptor[FieldOptions, options_pb2.FieldRules]", options_pb2.rules)

NIL_UUID = "00000000-0000-0000-0000-000000000000"
_DNS_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$", re.IGNORECASE)


def is_dns_name(value: str) -> bool:
    if not value or len(value) > 253 or value.endswith("."):
        return False
    return all(_DNS_LABEL.match(label) for label in value.split("."))


def _uuid_version(value: str) -> int | None:
    """The version of a UUID in canonical form, or None when `value` is not one."""
    if len(value) != 36:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    return parsed.version if str(parsed) == value.lower() else None


@dataclass(frozen=True)
class _FieldPlan:
    field: FieldDescriptor
    rules: options_pb2.FieldRules | None


@functools.cache
def _plan(descriptor: Descriptor) -> tuple[_FieldPlan, ...]:
    plans = []
    for field in descriptor.fields:
        options = field.GetOptions()
        rules = options.Extensions[_RULES] if options.HasExtension(_RULES) else None
        if (rules is not None or field.enum_type is not None
                or field.type == FieldDescriptor.TYPE_STRING):
            plans.append(_FieldPlan(field, rules))
    return tuple(plans)


def rules_for(descriptor: Descriptor, name: str) -> options_pb2.FieldRules:
    field = descriptor.fields_by_name[name]
    return field.GetOptions().Extensions[_RULES]


def int_or_default(message: Message, name: str) -> int:
    """The value of an optional integer field, or the default its rules declare."""
    if message.HasField(name):
        value: int = getattr(message, name)
        return value
    return rules_for(_descriptor(message), name).default_int


def _descriptor(message: Message) -> Descriptor:
    # The stubs type DESCRIPTOR as the pure-Python or the upb class; the upb one passes this
    # isinstance at run time.
    descriptor = message.DESCRIPTOR
    if not isinstance(descriptor, Descriptor):
        raise TypeError(f"{type(message).__name__} has no message descriptor")
    return descriptor


def present(message: Message, name: str) -> Any:
    """The value of an optional (presence-tracking) field, or None when it is unset."""
    return getattr(message, name) if message.HasField(name) else None


def string_or_default(message: Message, name: str) -> str:
    """The value of an optional string field, or the default its rules declare."""
    if message.HasField(name):
        return str(getattr(message, name))
    return rules_for(_descriptor(message), name).default_string


def violations(message: Message) -> list[FieldViolation]:
    """Every rule `message` breaks, one violation per bad field."""
    found: list[FieldViolation] = []
    for plan in _plan(_descriptor(message)):
        field = plan.field
        if field.is_repeated:
            found.extend(_check_repeated(field, plan.rules, list(getattr(message, field.name))))
        elif not field.has_presence or message.HasField(field.name):
            problem = _check_value(field, plan.rules, getattr(message, field.name))
            if problem:
                found.append(FieldViolation(field.name, *problem))
    return found


def has_control_characters(value: str) -> bool:
    return _CONTROL.search(value) is not None


def check_path(**values: str) -> None:
    """Reject control characters in path variables (`org=…, workspace=…`) before they
    are looked up: raised as InvalidArgument naming each bad one."""
    found = [FieldViolation(name, *CONTROL_CHARACTERS)
             for name, value in values.items() if has_control_characters(value)]
    if found:
        raise InvalidArgument(found)


def validate(message: Message) -> None:
    """Raise InvalidArgument listing every violation, if there is any."""
    found = violations(message)
    if found:
        raise InvalidArgument(found)


def _check_repeated(
    field: FieldDescriptor, rules: options_pb2.FieldRules | None, items: list[object]
) -> list[FieldViolation]:
    if rules is not None and rules.HasField("max_items") and len(items) > rules.max_items:
        return [FieldViolation(field.name, f"must have at most {rules.max_items} items", "too_long")]
    found = []
    for index, item in enumerate(items):
        problem = _check_value(field, rules, item)
        if problem:
            found.append(FieldViolation(f"{field.name}[{index}]", *problem))
    if not found and rules is not None and rules.unique_items:
        keys = [str(item).lower() for item in items]
        if len(set(keys)) != len(keys):
            found.append(FieldViolation(field.name, "must not contain duplicates", "unique_items"))
    return found


def _check_value(
    field: FieldDescriptor, rules: options_pb2.FieldRules | None, value: object
) -> tuple[str, str] | None:
    """(message, type) of the first rule `value` breaks, or None."""
    if field.enum_type is not None:
        valid = field.enum_type.values_by_number.get(value) if isinstance(value, int) else None
        if valid is None or valid.number == 0:
            return "must be one of the enum's values", "enum"
        return None
    if isinstance(value, str) and has_control_characters(value):
        return CONTROL_CHARACTERS
    if rules is None:
        return None
    if isinstance(value, int):
        return _check_int(rules, value)
    if isinstance(value, str):
        return _check_str(rules, value)
    return None


def _check_int(rules: options_pb2.FieldRules, value: int) -> tuple[str, str] | None:
    low = rules.min if rules.HasField("min") else None
    high = rules.max if rules.HasField("max") else None
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            bound = f"must be between {low} and {high}"
        elif low is not None:
            bound = f"must be greater than or equal to {low}"
        else:
            bound = f"must be less than or equal to {high}"
        kind = "greater_than_equal" if low is not None and value < low else "less_than_equal"
        return bound, kind
    return None


def _check_str(rules: options_pb2.FieldRules, value: str) -> tuple[str, str] | None:
    if rules.HasField("min_len") and len(value) < rules.min_len:
        if rules.min_len == 1:
            return "must not be empty", "string_too_short"
        return f"must have at least {rules.min_len} characters", "string_too_short"
    if rules.HasField("max_len") and len(value) > rules.max_len:
        return f"must have at most {rules.max_len} characters", "string_too_long"
    fmt = rules.format
    if fmt in (options_pb2.STRING_FORMAT_UUID4, options_pb2.STRING_FORMAT_UUID) and (
            value.lower() == NIL_UUID):
        # Well-formed, but no id this server issues is ever nil: say so, rather than that
        # it is not a UUID (RFC 9562 §5.9).
        return "is not a valid id (the nil UUID)", "uuid_parsing"
    if fmt == options_pb2.STRING_FORMAT_UUID4 and _uuid_version(value) != 4:
        return "must be a UUID (version 4)", "uuid_parsing"
    if fmt == options_pb2.STRING_FORMAT_UUID and _uuid_version(value) is None:
        return "must be a UUID", "uuid_parsing"
    if fmt == options_pb2.STRING_FORMAT_DNS_NAME and not is_dns_name(value):
        return "must be a valid DNS name", "dns_name"
    return None
