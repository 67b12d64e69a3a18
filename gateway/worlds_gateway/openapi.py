"""The OpenAPI 3.1 document, generated from the same bindings the routes are built from.

What the document promises is what the codec and the routes do:

- responses: every field is ``required`` (the codec always prints every field) and fields that
  can print ``null`` (proto3 ``optional``, message fields) are ``type: [X, "null"]``;
- request bodies: ``additionalProperties: false`` (unknown keys are a 422), every field nullable
  (``null`` leaves it unset), path-bound fields left out, bounds and formats from the
  ``worlds.v1.rules`` field option (the server enforces them; this only documents them);
- a field whose rules refuse its zero value and that has no presence to tell "unset" from zero
  (a plain ``string`` with ``min_len`` or a ``format``, a plain enum) cannot be left out: it is
  ``required`` (body, not nullable) or a ``required`` query parameter;
- ``text_pattern``, when the caller gives one, is the ``pattern`` of every request string that
  has no format of its own (the server's rule for text, which descriptors cannot tell);
- the request headers a method declares (``worlds.v1.http_route``) are header parameters,
  printable ASCII as gRPC metadata must be;
- enums are their lowercase names without the zero value; int64 is ``integer``/``int64``;
- every error response is the ``ErrorEnvelope``; every route lists the statuses the gateway
  itself can answer on any route (``_EVERY_ROUTE``, ``_BODY_ROUTES``) plus the ones its method
  and service declare (``worlds.v1.http_route`` / ``http_service``), each with why;
- a server-streaming route answers ``200`` as NDJSON or SSE (``openapi_streams.py``).

Descriptions come from proto comments when the caller has them: generated ``_pb2`` modules do
not embed ``source_code_info``, so pass :func:`comments_from_files` of a descriptor set built
with ``--include_source_info`` to get them; without, the document simply has none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

from google.protobuf import descriptor_pb2
from google.protobuf.descriptor import Descriptor, FieldDescriptor

from worlds.v1 import options_pb2

from .bindings import Binding
from .codec import (
    ANY,
    DURATION,
    EMPTY,
    FIELD_MASK,
    LIST_VALUE,
    STRUCT,
    TIMESTAMP,
    VALUE,
    WRAPPERS,
    is_map,
)
from .descriptors import enum_type, message_type, option
from .errors import ERROR_TYPES
from .openapi_streams import SCHEMAS as STREAM_SCHEMAS
from .openapi_streams import last_event_id_parameter, stream_response
from .query import query_params
from .scalars import INT_RANGES, enum_names

_T = FieldDescriptor
Schema = dict[str, Any]

ENVELOPE_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}

# (component name, description, headers) of each error response the gateway can produce.
_ERROR_RESPONSES: dict[int, tuple[str, str, dict[str, Any]]] = {
    400: ("InvalidRequest", "Malformed JSON, bad header or unreadable request.", {}),
    401: (
        "AuthenticationError",
        "No or bad credentials.",
        {"WWW-Authenticate": {"schema": {"type": "string", "const": "Bearer"}}},
    ),
    403: ("PermissionDenied", "Authenticated, but the role does not allow this.", {}),
    404: ("NotFound", "No such resource, or not visible to the caller.", {}),
    405: (
        "MethodNotAllowed",
        "The path exists but not with this method.",
        {"Allow": {"description": "Methods bound to this path.", "schema": {"type": "string"}}},
    ),
    409: ("Conflict", "State conflict or duplicate.", {}),
    413: ("PayloadTooLarge", "The request body is larger than the gateway accepts.", {}),
    415: ("UnsupportedMediaType", "The request body is not application/json.", {}),
    422: ("ValidationError", "Field-level validation failed; see `errors`.", {}),
    426: ("UpgradeRequired", "The client is older than the server's minimum.", {}),
    429: (
        "RateLimited",
        "Rate limit hit.",
        {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer", "minimum": 0},
            }
        },
    ),
    500: ("InternalError", "Unexpected failure.", {}),
    502: ("BadGateway", "The gateway cannot reach the gRPC backend.", {}),
    504: ("GatewayTimeout", "The deadline passed.", {}),
}
# What any route can answer whatever its service: a bad request, credentials, a missing
# resource or route, field errors, and the gateway's failures to get an answer. Everything else
# (a conflict, a rate limit) is the service's to declare (bindings.py, ``Binding.errors``).
_EVERY_ROUTE = (400, 401, 403, 404, 405, 422, 500, 502, 504)
_BODY_ROUTES = (413, 415)

_UUID4 = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
# gRPC metadata values are printable ASCII (metadata.py), and HTTP strips a header value's
# surrounding whitespace: a declared header is at least one visible character.
_HEADER_PATTERN = r"^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$"

_FORMATS: dict[int, Schema] = {
    options_pb2.STRING_FORMAT_UUID4: {"format": "uuid", "pattern": _UUID4},
    options_pb2.STRING_FORMAT_UUID: {"format": "uuid"},
    options_pb2.STRING_FORMAT_DNS_NAME: {"format": "hostname", "maxLength": 253},
}


def _message_names(
    protos: Any, path: tuple[int, ...], scope: str, names: dict[tuple[int, ...], str]
) -> None:
    # Source locations address a declaration by its path of field numbers and indexes in
    # FileDescriptorProto: message_type = 4, its field = 2, its nested_type = 3.
    for i, message in enumerate(protos):
        here = (*path, i)
        name = scope + message.name
        names[here] = name
        for j, field in enumerate(message.field):
            names[(*here, 2, j)] = f"{name}.{field.name}"
        _message_names(message.nested_type, (*here, 3), name + ".", names)


def comments_from_files(files: Iterable[descriptor_pb2.FileDescriptorProto]) -> dict[str, str]:
    """Leading comments by full name (services, methods, messages, fields, enums).

    ``files`` must carry ``source_code_info`` (``protoc --include_source_info``).
    """
    comments: dict[str, str] = {}
    for file in files:
        prefix = f"{file.package}." if file.package else ""
        names: dict[tuple[int, ...], str] = {}
        _message_names(file.message_type, (4,), prefix, names)
        for i, enum in enumerate(file.enum_type):
            names[(5, i)] = prefix + enum.name
        for i, service in enumerate(file.service):
            names[(6, i)] = prefix + service.name
            for j, method in enumerate(service.method):
                names[(6, i, 2, j)] = f"{prefix}{service.name}.{method.name}"
        for location in file.source_code_info.location:
            name = names.get(tuple(location.path))
            text = location.leading_comments.strip()
            if name and text:
                comments[name] = "\n".join(line.strip() for line in text.splitlines())
    return comments


def _rules(field: FieldDescriptor) -> options_pb2.FieldRules | None:
    return option(field.GetOptions(), options_pb2.rules, options_pb2.FieldRules)


def required_in_request(field: FieldDescriptor) -> bool:
    """The field cannot be left out of a request: it has no presence, so absent is its zero
    value, and that value is refused (an enum's zero value, an empty string its rules refuse)."""
    if field.is_repeated or field.has_presence or field.type == _T.TYPE_MESSAGE:
        return False
    if field.type == _T.TYPE_ENUM:
        return True  # the zero value is not an accepted value (module docstring)
    rules = _rules(field)
    if rules is None:
        return False
    if field.type == _T.TYPE_STRING:
        return rules.min_len > 0 or rules.format != options_pb2.STRING_FORMAT_UNSPECIFIED
    if field.type in INT_RANGES:
        return (rules.HasField("min") and rules.min > 0) or (rules.HasField("max") and rules.max < 0)
    return False


def _nullable(schema: Schema) -> Schema:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    if "type" not in schema:
        return schema  # already "any JSON value"
    out = dict(schema)
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    out["type"] = [*kinds, "null"] if "null" not in kinds else kinds
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    return out


class _Builder:
    def __init__(self, comments: Mapping[str, str], text_pattern: str | None = None) -> None:
        self.comments = comments
        self.text_pattern = text_pattern
        self.schemas: dict[str, Schema] = {}
        self._names: dict[str, str] = {}

    # -- naming
    def _component(self, descriptor: Descriptor, suffix: str) -> str:
        key = descriptor.full_name + suffix
        name = self._names.get(key)
        if name is None:
            name = descriptor.name + suffix
            if name in self._names.values():
                name = descriptor.full_name.replace(".", "_") + suffix
            self._names[key] = name
        return name

    def _describe(self, schema: Schema, full_name: str) -> Schema:
        text = self.comments.get(full_name)
        if text:
            schema["description"] = text
        return schema

    # -- leaves
    def _scalar(self, field: FieldDescriptor, for_input: bool) -> Schema:
        kind = field.type
        if kind == _T.TYPE_STRING:
            rules = _rules(field)
            formatted = rules is not None and rules.format != options_pb2.STRING_FORMAT_UNSPECIFIED
            if for_input and self.text_pattern is not None and not formatted:
                # A UUID or a DNS name is text already; its format says more than the pattern
                # (and a pattern on top of a format makes generators search, not build).
                return {"type": "string", "pattern": self.text_pattern}
            return {"type": "string"}
        if kind == _T.TYPE_BOOL:
            return {"type": "boolean"}
        if kind == _T.TYPE_BYTES:
            return {"type": "string", "contentEncoding": "base64"}
        if kind in INT_RANGES:
            low, high, _ = INT_RANGES[kind]
            schema: Schema = {"type": "integer", "format": "int64" if high > 2**31 else "int32"}
            if low == 0:
                schema["minimum"] = 0
            return schema
        if kind in (_T.TYPE_DOUBLE, _T.TYPE_FLOAT):
            return {"type": "number", "format": "double" if kind == _T.TYPE_DOUBLE else "float"}
        if kind == _T.TYPE_ENUM:
            return {"type": "string", "enum": list(enum_names(enum_type(field)).by_number.values())}
        return self._message(message_type(field), for_input)

    def _message(self, descriptor: Descriptor, for_input: bool) -> Schema:
        name = descriptor.full_name
        if name == TIMESTAMP:
            return {"type": "string", "format": "date-time"}
        if name == DURATION:
            return {"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$"}
        if name in (STRUCT, ANY, EMPTY):
            return {"type": "object", "additionalProperties": name != EMPTY}
        if name == VALUE:
            return {}
        if name == LIST_VALUE:
            return {"type": "array", "items": {}}
        if name == FIELD_MASK:
            return {"type": "string"}
        if name in WRAPPERS:
            return self._scalar(descriptor.fields_by_name["value"], for_input)
        component = self._component(descriptor, "Input" if for_input else "")
        if component not in self.schemas:
            self.schemas[component] = {}  # placeholder: a message may contain itself
            self.schemas[component] = self.object_schema(descriptor, for_input)
        return {"$ref": f"#/components/schemas/{component}"}

    # -- fields
    def _plain(self, field: FieldDescriptor, for_input: bool) -> Schema:
        """A field's schema, before nullability."""
        if is_map(field):
            value = self._scalar(message_type(field).fields_by_name["value"], for_input)
            return {"type": "object", "additionalProperties": value}
        item = self._scalar(field, for_input)
        rules = _rules(field)
        if rules is not None:
            item = {**item, **self._leaf_rules(rules)}
        if not field.is_repeated:
            return item
        schema: Schema = {"type": "array", "items": item}
        if rules is not None:
            if rules.HasField("max_items"):
                schema["maxItems"] = rules.max_items
            if rules.unique_items:
                schema["uniqueItems"] = True
        return schema

    @staticmethod
    def _prints_null(field: FieldDescriptor) -> bool:
        # Mirrors codec.field_encoder: lists and maps print [] / {}, Struct and ListValue
        # print {} / [], other messages and proto3 optional scalars print null when unset.
        if field.is_repeated:
            return False
        if field.type == _T.TYPE_MESSAGE:
            return message_type(field).full_name not in (STRUCT, LIST_VALUE)
        return field.has_presence

    def field_schema(self, field: FieldDescriptor, for_input: bool) -> Schema:
        """As the codec prints it (output), or accepts it (input: ``null`` means unset, which
        a field that must be sent cannot be)."""
        schema = self._plain(field, for_input)
        if for_input:
            return schema if required_in_request(field) else _nullable(schema)
        return _nullable(schema) if self._prints_null(field) else schema

    @staticmethod
    def _leaf_rules(rules: options_pb2.FieldRules) -> Schema:
        schema: Schema = {}
        if rules.HasField("min"):
            schema["minimum"] = rules.min
        if rules.HasField("max"):
            schema["maximum"] = rules.max
        if rules.HasField("min_len"):
            schema["minLength"] = rules.min_len
        if rules.HasField("max_len"):
            schema["maxLength"] = rules.max_len
        if rules.HasField("default_int"):
            schema["default"] = rules.default_int
        if rules.HasField("default_string"):
            schema["default"] = rules.default_string
        schema.update(_FORMATS.get(rules.format, {}))
        return schema

    def object_schema(
        self, descriptor: Descriptor, for_input: bool, skip: frozenset[str] = frozenset()
    ) -> Schema:
        fields = [f for f in descriptor.fields if f.name not in skip]
        properties = {
            f.name: self._describe(self.field_schema(f, for_input), f.full_name) for f in fields
        }
        schema: Schema = {"type": "object", "properties": properties}
        if for_input:
            schema["additionalProperties"] = False
            required = [f.name for f in fields if required_in_request(f)]
            if required:
                schema["required"] = required
        else:
            schema["required"] = [f.name for f in fields]
        return self._describe(schema, descriptor.full_name)

    def body_schema(self, binding: Binding) -> Schema:
        method = binding.method
        if binding.body != "*":
            return self.field_schema(method.input_type.fields_by_name[binding.body], True)
        skip = frozenset(name for name in binding.path_fields if "." not in name)
        component = self._component(method.input_type, "Body")
        self.schemas[component] = self.object_schema(method.input_type, True, skip)
        return {"$ref": f"#/components/schemas/{component}"}

    def response_schema(self, binding: Binding) -> Schema:
        output = binding.method.output_type
        if binding.response_body:
            # The response body is that field itself, there whenever the call succeeds.
            return self._plain(output.fields_by_name[binding.response_body], False)
        return self._message(output, False)

    # -- operations
    def parameters(self, binding: Binding) -> list[Schema]:
        params: list[Schema] = []
        for name, chain in binding.path_fields.items():
            leaf = chain[-1]
            schema = self._scalar(leaf, True)
            rules = _rules(leaf)
            if rules is not None:
                schema = {**schema, **self._leaf_rules(rules)}
            params.append(
                self._describe(
                    {"name": name, "in": "path", "required": True, "schema": schema},
                    leaf.full_name,
                )
            )
        for param in query_params(binding):
            schema = self._plain(param.field, True)
            required = "." not in param.name and required_in_request(param.field)
            entry: Schema = {"name": param.name, "in": "query", "required": required,
                             "schema": schema}
            if param.repeated:
                entry.update(style="form", explode=True)
            params.append(self._describe(entry, param.field.full_name))
        rule = binding.stream
        if rule is not None and rule.resume_field:
            leaf = rule.resume_chain[-1]
            schema = self._scalar(leaf, True)
            leaf_rules = _rules(leaf)
            if leaf_rules is not None:
                schema = {**schema, **self._leaf_rules(leaf_rules)}
            header = last_event_id_parameter(binding, schema)
            if header is not None:
                params.append(header)
        for declared in binding.headers:
            header_schema: Schema = {"type": "string", "pattern": _HEADER_PATTERN}
            if declared.rules is not None:
                header_schema.update(self._leaf_rules(declared.rules))
            entry = {"name": declared.name, "in": "header", "required": False,
                     "schema": header_schema}
            if declared.description:
                entry["description"] = declared.description
            params.append(entry)
        return params

    def operation(self, binding: Binding) -> Schema:
        method = binding.method
        operation: Schema = {
            "operationId": binding.operation_id,
            "tags": [method.containing_service.name],
        }
        text = self.comments.get(method.full_name)
        if text:
            operation["summary"] = first_sentence(text)
            operation["description"] = text
        if binding.public:
            operation["security"] = []
        parameters = self.parameters(binding)
        if parameters:
            operation["parameters"] = parameters
        if binding.body:
            operation["requestBody"] = {
                # An empty body is {} (endpoint.py): required when some field must be sent.
                "required": _body_required(binding),
                "content": {"application/json": {"schema": self.body_schema(binding)}},
            }
        if binding.server_streaming:
            success = stream_response(binding, self.response_schema(binding))
        else:
            success = {
                "description": HTTPStatus(binding.success_code).phrase,
                "content": {"application/json": {"schema": self.response_schema(binding)}},
            }
        if binding.location is not None:
            success["headers"] = {
                "Location": {
                    "description": f"URL of the created resource: {binding.location.template.source}",
                    "required": True,
                    "schema": {"type": "string"},
                }
            }
        responses: Schema = {str(binding.success_code): success}
        own = {*_EVERY_ROUTE, *(_BODY_ROUTES if binding.body else ())}
        for code in sorted(own | set(binding.errors)):
            responses[str(code)] = _error_response(code, binding.errors.get(code, ()), code in own)
        operation["responses"] = responses
        return operation


def _body_required(binding: Binding) -> bool:
    method = binding.method
    if binding.body != "*":
        return required_in_request(method.input_type.fields_by_name[binding.body])
    return any(required_in_request(f) for f in method.input_type.fields
               if f.name not in binding.path_fields)


def _error_response(code: int, declared: Iterable[str], generic: bool) -> Schema:
    """A route's response for error status ``code``: the shared component, described by what
    the route's method and service declare about it (OpenAPI 3.1: a reference's
    ``description`` replaces the component's). A status the gateway answers on any route
    (``generic``) keeps its own description first; the declaration only adds to it."""
    why = " ".join(text for text in declared if text)
    component = _ERROR_RESPONSES.get(code)
    if component is None:
        # A status of the table the gateway answers on no route by itself (none today but
        # the front server's 408 and 431): the envelope, with the route's reason.
        return {
            "description": f"{why or HTTPStatus(code).phrase} (`{ERROR_TYPES[code]}`)",
            "content": {"application/json": {"schema": ENVELOPE_REF}},
        }
    response: Schema = {"$ref": f"#/components/responses/{component[0]}"}
    if why:
        response["description"] = (f"{_component_description(code)} {why}" if generic
                                   else f"{why} (`{ERROR_TYPES[code]}`)")
    return response


def _component_description(code: int) -> str:
    _, description, _ = _ERROR_RESPONSES[code]
    return f"{description} (`{ERROR_TYPES[code]}`)"


def _error_components() -> tuple[dict[str, Schema], dict[str, Schema]]:
    schemas = {
        "ErrorEnvelope": {
            "type": "object",
            "description": "Body of every non-2xx response.",
            "required": ["code", "detail", "type"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "integer", "description": "The HTTP status."},
                "detail": {"type": "string", "description": "Human-readable message."},
                "type": {"type": "string", "enum": sorted(set(ERROR_TYPES.values()))},
                "errors": {
                    "type": "array",
                    "description": "Field errors; present only when there are some.",
                    "items": {"$ref": "#/components/schemas/FieldError"},
                },
            },
        },
        "FieldError": {
            "type": "object",
            "required": ["loc", "msg", "type"],
            "additionalProperties": False,
            "properties": {
                "loc": {
                    "type": "array",
                    "description": 'Where: ["body" | "query" | "path", field, ...].',
                    "items": {"type": ["string", "integer"]},
                },
                "msg": {"type": "string"},
                "type": {"type": "string"},
            },
        },
    }
    responses = {
        name: {
            "description": _component_description(code),
            "content": {"application/json": {"schema": ENVELOPE_REF}},
            **({"headers": headers} if headers else {}),
        }
        for code, (name, description, headers) in _ERROR_RESPONSES.items()
    }
    return schemas, responses


def first_sentence(text: str) -> str:
    """The first sentence of a comment, whatever its line wrapping (a summary is a whole
    sentence, never the first line of a wrapped one)."""
    paragraph = " ".join(text.split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def build_openapi(
    bindings: Iterable[Binding],
    *,
    title: str,
    version: str,
    comments: Mapping[str, str] | None = None,
    text_pattern: str | None = None,
) -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``bindings`` (see the module docstring for its promises)."""
    bindings = list(bindings)
    builder = _Builder(comments or {}, text_pattern)
    paths: dict[str, Schema] = {}
    tags: dict[str, Schema] = {}
    for binding in bindings:
        item = paths.setdefault(binding.template.openapi_path(), {})
        item[binding.http_method.lower()] = builder.operation(binding)
        service = binding.method.containing_service
        tags.setdefault(service.name, builder._describe({"name": service.name}, service.full_name))
    error_schemas, error_responses = _error_components()
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "tags": list(tags.values()),
        "paths": paths,
        "components": {
            "schemas": {
                **builder.schemas,
                **error_schemas,
                **(STREAM_SCHEMAS if any(b.server_streaming for b in bindings) else {}),
            },
            "responses": error_responses,
            "securitySchemes": {
                "BearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "`Authorization: Bearer <api-key>`",
                },
                "ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
        "security": [{"BearerAuth": []}, {"ApiKeyAuth": []}],
    }
