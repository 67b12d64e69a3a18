from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class StringFormat(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    STRING_FORMAT_UNSPECIFIED: _ClassVar[StringFormat]
    STRING_FORMAT_UUID4: _ClassVar[StringFormat]
    STRING_FORMAT_DNS_NAME: _ClassVar[StringFormat]
    STRING_FORMAT_UUID: _ClassVar[StringFormat]
STRING_FORMAT_UNSPECIFIED: StringFormat
STRING_FORMAT_UUID4: StringFormat
STRING_FORMAT_DNS_NAME: StringFormat
STRING_FORMAT_UUID: StringFormat
RULES_FIELD_NUMBER: _ClassVar[int]
rules: _descriptor.FieldDescriptor
HTTP_RESPONSE_FIELD_NUMBER: _ClassVar[int]
http_response: _descriptor.FieldDescriptor
HTTP_STREAM_FIELD_NUMBER: _ClassVar[int]
http_stream: _descriptor.FieldDescriptor
HTTP_ROUTE_FIELD_NUMBER: _ClassVar[int]
http_route: _descriptor.FieldDescriptor
HTTP_SERVICE_FIELD_NUMBER: _ClassVar[int]
http_service: _descriptor.FieldDescriptor
JSON_VALUE_FIELD_NUMBER: _ClassVar[int]
json_value: _descriptor.FieldDescriptor

class FieldRules(_message.Message):
    __slots__ = ("min", "max", "min_len", "max_len", "max_items", "unique_items", "format", "default_int", "default_string")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MIN_LEN_FIELD_NUMBER: _ClassVar[int]
    MAX_LEN_FIELD_NUMBER: _ClassVar[int]
    MAX_ITEMS_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_ITEMS_FIELD_NUMBER: _ClassVar[int]
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_INT_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_STRING_FIELD_NUMBER: _ClassVar[int]
    min: int
    max: int
    min_len: int
    max_len: int
    max_items: int
    unique_items: bool
    format: StringFormat
    default_int: int
    default_string: str
    def __init__(self, min: _Optional[int] = ..., max: _Optional[int] = ..., min_len: _Optional[int] = ..., max_len: _Optional[int] = ..., max_items: _Optional[int] = ..., unique_items: _Optional[bool] = ..., format: _Optional[_Union[StringFormat, str]] = ..., default_int: _Optional[int] = ..., default_string: _Optional[str] = ...) -> None: ...

class HttpResponseRule(_message.Message):
    __slots__ = ("success_code", "location", "public")
    SUCCESS_CODE_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    success_code: int
    location: str
    public: bool
    def __init__(self, success_code: _Optional[int] = ..., location: _Optional[str] = ..., public: _Optional[bool] = ...) -> None: ...

class HttpStreamRule(_message.Message):
    __slots__ = ("resume_field", "event_id_field", "event_type_field", "heartbeat_type")
    RESUME_FIELD_FIELD_NUMBER: _ClassVar[int]
    EVENT_ID_FIELD_FIELD_NUMBER: _ClassVar[int]
    EVENT_TYPE_FIELD_FIELD_NUMBER: _ClassVar[int]
    HEARTBEAT_TYPE_FIELD_NUMBER: _ClassVar[int]
    resume_field: str
    event_id_field: str
    event_type_field: str
    heartbeat_type: str
    def __init__(self, resume_field: _Optional[str] = ..., event_id_field: _Optional[str] = ..., event_type_field: _Optional[str] = ..., heartbeat_type: _Optional[str] = ...) -> None: ...

class HttpError(_message.Message):
    __slots__ = ("status", "description")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    status: int
    description: str
    def __init__(self, status: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...

class HttpHeader(_message.Message):
    __slots__ = ("name", "description", "rules")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    name: str
    description: str
    rules: FieldRules
    def __init__(self, name: _Optional[str] = ..., description: _Optional[str] = ..., rules: _Optional[_Union[FieldRules, _Mapping]] = ...) -> None: ...

class HttpRouteRule(_message.Message):
    __slots__ = ("headers", "errors")
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    headers: _containers.RepeatedCompositeFieldContainer[HttpHeader]
    errors: _containers.RepeatedCompositeFieldContainer[HttpError]
    def __init__(self, headers: _Optional[_Iterable[_Union[HttpHeader, _Mapping]]] = ..., errors: _Optional[_Iterable[_Union[HttpError, _Mapping]]] = ...) -> None: ...
