"""Protobuf descriptors narrowed to what the code walking them knows they are.

The stubs type ``FieldDescriptor.message_type`` and ``.enum_type`` as optional (they are None
unless the field is of that kind) and ``Message.DESCRIPTOR`` as a union of the pure-Python and
upb classes (the upb one passes ``isinstance`` against the pure-Python one at run time). These
helpers check once and fail loudly on a misuse instead of letting ``None`` travel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor
from google.protobuf.message import Message

if TYPE_CHECKING:
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor


def descriptor_of(message: Message) -> Descriptor:
    """The descriptor of ``message``'s type."""
    descriptor = message.DESCRIPTOR
    if not isinstance(descriptor, Descriptor):
        raise TypeError(f"{type(message).__name__} has no message descriptor")
    return descriptor


def message_type(field: FieldDescriptor) -> Descriptor:
    """The message type of a message (or map) field; TypeError for any other field."""
    if field.message_type is None:
        raise TypeError(f"{field.full_name} is not a message field")
    return field.message_type


def enum_type(field: FieldDescriptor) -> EnumDescriptor:
    """The enum type of an enum field; TypeError for any other field."""
    if field.enum_type is None:
        raise TypeError(f"{field.full_name} is not an enum field")
    return field.enum_type


_Options = TypeVar("_Options", bound=Message)
_Value = TypeVar("_Value", bound=Message)


def option(options: _Options, extension: FieldDescriptor, kind: type[_Value]) -> _Value | None:
    """The value of the custom option ``extension`` (of message type ``kind``), None when unset.

    protoc's generated ``.pyi`` declares an extension as a plain ``FieldDescriptor``; the
    protobuf stubs index ``Extensions`` by a typed handle, which this is at run time.
    """
    handle = cast("_ExtensionFieldDescriptor[_Options, _Value]", extension)
    if not options.HasExtension(handle):
        return None
    value = options.Extensions[handle]
    if not isinstance(value, kind):
        raise TypeError(f"{extension.full_name} is not a {kind.__name__}")
    return value
