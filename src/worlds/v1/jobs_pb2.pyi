import datetime

from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class JobKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_KIND_UNSPECIFIED: _ClassVar[JobKind]
    JOB_KIND_MANIFEST_GENERATION: _ClassVar[JobKind]
    JOB_KIND_TRAJECTORY_GENERATION: _ClassVar[JobKind]

class JobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_STATUS_UNSPECIFIED: _ClassVar[JobStatus]
    JOB_STATUS_QUEUED: _ClassVar[JobStatus]
    JOB_STATUS_RUNNING: _ClassVar[JobStatus]
    JOB_STATUS_COMPLETED: _ClassVar[JobStatus]
    JOB_STATUS_FAILED: _ClassVar[JobStatus]
    JOB_STATUS_CANCELLED: _ClassVar[JobStatus]

class ResourceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RESOURCE_TYPE_UNSPECIFIED: _ClassVar[ResourceType]
    RESOURCE_TYPE_MANIFEST: _ClassVar[ResourceType]
    RESOURCE_TYPE_TRAJECTORY: _ClassVar[ResourceType]
    RESOURCE_TYPE_TRAJECTORY_BATCH: _ClassVar[ResourceType]

class Preset(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PRESET_UNSPECIFIED: _ClassVar[Preset]
    PRESET_SMALL: _ClassVar[Preset]
    PRESET_MEDIUM: _ClassVar[Preset]
    PRESET_LARGE: _ClassVar[Preset]
    PRESET_ENTERPRISE: _ClassVar[Preset]

class SecurityLevel(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SECURITY_LEVEL_UNSPECIFIED: _ClassVar[SecurityLevel]
    SECURITY_LEVEL_HARDENED: _ClassVar[SecurityLevel]
    SECURITY_LEVEL_TYPICAL: _ClassVar[SecurityLevel]
    SECURITY_LEVEL_VULNERABLE: _ClassVar[SecurityLevel]

class JobEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    JOB_EVENT_TYPE_UNSPECIFIED: _ClassVar[JobEventType]
    JOB_EVENT_TYPE_SNAPSHOT: _ClassVar[JobEventType]
    JOB_EVENT_TYPE_CHANGED: _ClassVar[JobEventType]
    JOB_EVENT_TYPE_HEARTBEAT: _ClassVar[JobEventType]
JOB_KIND_UNSPECIFIED: JobKind
JOB_KIND_MANIFEST_GENERATION: JobKind
JOB_KIND_TRAJECTORY_GENERATION: JobKind
JOB_STATUS_UNSPECIFIED: JobStatus
JOB_STATUS_QUEUED: JobStatus
JOB_STATUS_RUNNING: JobStatus
JOB_STATUS_COMPLETED: JobStatus
JOB_STATUS_FAILED: JobStatus
JOB_STATUS_CANCELLED: JobStatus
RESOURCE_TYPE_UNSPECIFIED: ResourceType
RESOURCE_TYPE_MANIFEST: ResourceType
RESOURCE_TYPE_TRAJECTORY: ResourceType
RESOURCE_TYPE_TRAJECTORY_BATCH: ResourceType
PRESET_UNSPECIFIED: Preset
PRESET_SMALL: Preset
PRESET_MEDIUM: Preset
PRESET_LARGE: Preset
PRESET_ENTERPRISE: Preset
SECURITY_LEVEL_UNSPECIFIED: SecurityLevel
SECURITY_LEVEL_HARDENED: SecurityLevel
SECURITY_LEVEL_TYPICAL: SecurityLevel
SECURITY_LEVEL_VULNERABLE: SecurityLevel
JOB_EVENT_TYPE_UNSPECIFIED: JobEventType
JOB_EVENT_TYPE_SNAPSHOT: JobEventType
JOB_EVENT_TYPE_CHANGED: JobEventType
JOB_EVENT_TYPE_HEARTBEAT: JobEventType

class User(_message.Message):
    __slots__ = ("id", "email", "username", "full_name")
    ID_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    FULL_NAME_FIELD_NUMBER: _ClassVar[int]
    id: str
    email: str
    username: str
    full_name: str
    def __init__(self, id: _Optional[str] = ..., email: _Optional[str] = ..., username: _Optional[str] = ..., full_name: _Optional[str] = ...) -> None: ...

class Job(_message.Message):
    __slots__ = ("id", "organization_id", "workspace_id", "project_id", "kind", "status", "progress", "resource_type", "resource_id", "result", "error", "created_by", "created_by_user", "created_at", "started_at", "completed_at", "cancel_requested_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    ORGANIZATION_ID_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_FIELD_NUMBER: _ClassVar[int]
    CREATED_BY_USER_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    CANCEL_REQUESTED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    organization_id: str
    workspace_id: str
    project_id: str
    kind: JobKind
    status: JobStatus
    progress: float
    resource_type: ResourceType
    resource_id: str
    result: _struct_pb2.Struct
    error: str
    created_by: str
    created_by_user: User
    created_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    cancel_requested_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., organization_id: _Optional[str] = ..., workspace_id: _Optional[str] = ..., project_id: _Optional[str] = ..., kind: _Optional[_Union[JobKind, str]] = ..., status: _Optional[_Union[JobStatus, str]] = ..., progress: _Optional[float] = ..., resource_type: _Optional[_Union[ResourceType, str]] = ..., resource_id: _Optional[str] = ..., result: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., error: _Optional[str] = ..., created_by: _Optional[str] = ..., created_by_user: _Optional[_Union[User, _Mapping]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., cancel_requested_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class JobEvent(_message.Message):
    __slots__ = ("type", "event_id", "job")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_FIELD_NUMBER: _ClassVar[int]
    type: JobEventType
    event_id: str
    job: Job
    def __init__(self, type: _Optional[_Union[JobEventType, str]] = ..., event_id: _Optional[str] = ..., job: _Optional[_Union[Job, _Mapping]] = ...) -> None: ...
