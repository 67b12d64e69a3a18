"""Store rows to protobuf messages, and protobuf enums to the store's strings."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

from google.protobuf import struct_pb2, timestamp_pb2
from google.protobuf.internal.enum_type_wrapper import EnumTypeWrapper

from worlds.v1 import jobs_pb2, options_pb2

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import EnumValueOptions
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor


def timestamp(value: datetime) -> timestamp_pb2.Timestamp:
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(value)
    return ts


_Enum = TypeVar("_Enum", bound=int)


def _wrapper(enum_type: type[int]) -> EnumTypeWrapper:
    # A generated enum is an EnumTypeWrapper at run time; its .pyi declares it as a subclass
    # of int (the type of its values), which is what the message fields take.
    return cast(EnumTypeWrapper, enum_type)


def _json_value(enum_type: type[int], number: int) -> str | None:
    """The value's `(worlds.v1.json_value)` option, if it has one ("recon-first")."""
    options = _wrapper(enum_type).DESCRIPTOR.values_by_number[number].GetOptions()
    handle = cast("_ExtensionFieldDescriptor[EnumValueOptions, str]", options_pb2.json_value)
    return options.Extensions[handle] if options.HasExtension(handle) else None


@functools.cache
def _named(full_name: str, enum_type: Any) -> dict[str, int]:
    """The values of `enum_type` that carry a `json_value` option, by that name (cached by
    the enum's full name)."""
    return {label: value.number for value in _wrapper(enum_type).DESCRIPTOR.values
            if (label := _json_value(enum_type, value.number)) is not None}


def enum_value(enum_type: type[_Enum], prefix: str, name: str) -> _Enum:
    """`(JobStatus, "JOB_STATUS_", "queued")` → JobStatus.JOB_STATUS_QUEUED; a value's
    `json_value` option is its name where it has one."""
    wrapper = _wrapper(enum_type)
    number = _named(wrapper.DESCRIPTOR.full_name, wrapper).get(name)
    if number is not None:
        return cast(_Enum, number)
    return cast(_Enum, _wrapper(enum_type).Value(prefix + name.upper()))


def enum_name(enum_type: type[int], prefix: str, number: int) -> str:
    """JobStatus.JOB_STATUS_QUEUED → "queued" (the store's and the contract's spelling), or
    the value's `json_value` option ("recon-first") where it has one, as the gateway does."""
    return _json_value(enum_type, number) or \
        _wrapper(enum_type).Name(number).removeprefix(prefix).lower()


class _Fields:
    """Attribute access to a mapping's values, missing keys reading as None."""

    __slots__ = ("_values",)

    def __init__(self, values: Any) -> None:
        self._values = values

    def __getattr__(self, name: str) -> Any:
        return self._values.get(name)


def job_to_proto(record: Any) -> jobs_pb2.Job:
    """A job row (or the mapping of one), joined with its creator's user fields."""
    row = _Fields(record._mapping if hasattr(record, "_mapping") else record)
    job = jobs_pb2.Job(
        id=row.id,
        organization_id=row.organization_id,
        workspace_id=row.workspace_id,
        kind=enum_value(jobs_pb2.JobKind, "JOB_KIND_", row.kind),
        status=enum_value(jobs_pb2.JobStatus, "JOB_STATUS_", row.status),
        created_at=timestamp(row.created_at),
    )
    if row.project_id is not None:
        job.project_id = row.project_id
    if row.progress is not None:
        job.progress = row.progress
    if row.resource_type is not None:
        job.resource_type = enum_value(jobs_pb2.ResourceType, "RESOURCE_TYPE_", row.resource_type)
    if row.resource_id is not None:
        job.resource_id = row.resource_id
    result = struct_pb2.Struct()
    result.update(row.result or {})
    job.result.CopyFrom(result)
    if row.error is not None:
        job.error = row.error
    if row.created_by is not None:
        job.created_by = row.created_by
        if row.user_username is not None:
            job.created_by_user.CopyFrom(jobs_pb2.User(
                id=row.created_by, email=row.user_email, username=row.user_username))
            if row.user_full_name is not None:
                job.created_by_user.full_name = row.user_full_name
    for name in ("started_at", "completed_at", "cancel_requested_at", "updated_at"):
        value = getattr(row, name)
        if value is not None:
            getattr(job, name).CopyFrom(timestamp(value))
    return job
