"""The REST bindings of a gRPC service, read from its compiled descriptors.

One :class:`Binding` per ``google.api.http`` rule (its ``additional_bindings`` included), plus
this project's ``worlds.v1.http_response`` method option (success status and ``Location``
template). Everything downstream (routes, OpenAPI) is derived from these objects, so adding an
annotated RPC to the proto is all it takes to expose it.

Rules from ``google/api/http.proto`` that are checked here, at start-up, so a bad annotation
fails loudly instead of misrouting requests: path variables name singular non-message fields;
``body`` is ``*`` or a top-level field; ``response_body`` is a top-level field;
``additional_bindings`` nest one level only.

Every RPC also reads ``worlds.v1.http_route``, and its service ``worlds.v1.http_service``
(:class:`HeaderRule`, ``Binding.errors``): the request headers its routes read besides the
credentials, forwarded as metadata and documented as header parameters, and the error statuses
they answer besides the ones the gateway documents on every route. These are the service's own
facts (which call is idempotent, which one can conflict, what every call's admission can
refuse); the gateway cannot know them from the method's shape, so the protos say them, next to
the methods, like every other REST fact of a method. Header names and statuses are checked here:
a header the gateway handles itself, or a status its error table cannot produce, is an error.

Server-streaming RPCs also read ``worlds.v1.http_stream`` (:class:`StreamRule`): which request
field receives ``Last-Event-ID``, and which fields of each streamed message (the
``response_body`` field when set) give the SSE ``id:`` and ``event:`` and mark heartbeats. Its
field names are checked here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import (
    Descriptor,
    FieldDescriptor,
    MethodDescriptor,
    ServiceDescriptor,
)

from worlds.v1 import options_pb2

from .descriptors import enum_type, option
from .errors import ERROR_TYPES, EXTRA_FORBIDDEN, split_field_path
from .metadata import declarable_header
from .scalars import enum_names
from .template import PathTemplate, TemplateError, parse_template

FieldChain = tuple[FieldDescriptor, ...]
"""The fields along a dotted path, outermost first."""

_VERBS = ("get", "put", "post", "delete", "patch")

RESERVED_EVENTS = frozenset({"error", "done"})
"""SSE event names the gateway itself sends (see ``stream_endpoint.py``); a stream's own event types
may not use them."""


class BindingError(ValueError):
    """An ``google.api.http`` annotation that cannot be served."""


def resolve_field_path(descriptor: Descriptor, path: str) -> FieldChain:
    """``"job.id"`` in ``descriptor`` → its fields; raises KeyError when a name is unknown."""
    chain: list[FieldDescriptor] = []
    current: Descriptor | None = descriptor
    for name in path.split("."):
        if current is None:
            raise KeyError(path)
        field_ = current.fields_by_name[name]
        chain.append(field_)
        current = field_.message_type if field_.type == FieldDescriptor.TYPE_MESSAGE else None
    return tuple(chain)


@dataclass(frozen=True, slots=True)
class LocationRule:
    """The ``Location`` header template; each variable reads the request, else the response."""

    template: PathTemplate
    request_fields: dict[str, FieldChain]
    response_fields: dict[str, FieldChain]


@dataclass(frozen=True, slots=True)
class StreamRule:
    """How a server stream is framed over HTTP (``worlds.v1.http_stream``); empty parts are off.

    ``resume_field`` is a dotted path in the request; ``event_id_field`` and
    ``event_type_field`` are dotted paths in the streamed message, read from its JSON form (so an
    enum type is its lowercase name, exactly as the event's JSON shows it).
    """

    resume_field: str = ""
    event_id_field: str = ""
    event_type_field: str = ""
    heartbeat_type: str = ""
    resume_chain: FieldChain = ()
    event_types: tuple[str, ...] = ()
    """The names ``event_type_field`` can take, when it is an enum (for the documentation)."""


@dataclass(frozen=True, slots=True)
class HeaderRule:
    """A request header a method reads (``worlds.v1.http_route.headers``)."""

    name: str
    """As declared (``Idempotency-Key``): the OpenAPI parameter's name."""
    key: str
    """Its lowercase name: the HTTP header as ASGI gives it and the gRPC metadata key."""
    description: str
    rules: options_pb2.FieldRules | None


@dataclass(eq=False)
class Binding:
    """One HTTP route of one RPC."""

    method: MethodDescriptor
    http_method: str
    template: PathTemplate
    body: str
    response_body: str
    success_code: int = 200
    location: LocationRule | None = None
    index: int = 0
    path_fields: dict[str, FieldChain] = field(default_factory=dict)
    public: bool = False
    """``http_response.public``: the route needs no credentials (documented so in OpenAPI)."""
    stream: StreamRule | None = None
    """Set on server-streaming bindings only (an empty rule when the method has no option)."""
    headers: tuple[HeaderRule, ...] = ()
    """Request headers read by the method, its service's first (``http_service``, ``http_route``)."""
    errors: dict[int, tuple[str, ...]] = field(default_factory=dict)
    """Error statuses declared for the method, each with its descriptions (service's first)."""

    @property
    def server_streaming(self) -> bool:
        return self.method.server_streaming

    @property
    def client_streaming(self) -> bool:
        return self.method.client_streaming

    @property
    def operation_id(self) -> str:
        return self.method.name if self.index == 0 else f"{self.method.name}_{self.index}"

    def field_source(self, field_path: str) -> str:
        """Where a request field travels: ``"path"``, ``"body"`` or ``"query"`` (http.proto)."""
        for bound in self.path_fields:
            if field_path == bound or field_path.startswith((bound + ".", bound + "[")):
                return "path"
        if self.body == "*":
            return "body"
        if self.body and (
            field_path == self.body or field_path.startswith((self.body + ".", self.body + "["))
        ):
            return "body"
        return "query" if field_path else ("body" if self.body else "query")

    def locate(self, field_path: str, reason: str = "") -> list[str | int]:
        """The envelope ``loc`` of a violation on ``field_path`` of the request message."""
        parts = split_field_path(field_path)
        # An unknown name can only come from the body: unknown query parameters are ignored
        # and the path has no names to get wrong. So a path-bound key repeated in the body is
        # reported where it was written, under "body".
        source = "body" if reason == EXTRA_FORBIDDEN else self.field_source(field_path)
        if source == "body" and self.body not in ("", "*") and parts and parts[0] == self.body:
            parts = parts[1:]  # the JSON body *is* that field's value
        return [source, *parts]


def _http_rule(method: MethodDescriptor) -> http_pb2.HttpRule | None:
    return option(method.GetOptions(), annotations_pb2.http, http_pb2.HttpRule)


def _verb_and_path(method: MethodDescriptor, rule: http_pb2.HttpRule) -> tuple[str, str]:
    pattern = rule.WhichOneof("pattern")
    if pattern is None:
        raise BindingError(f"{method.full_name}: google.api.http rule without a path")
    if pattern == "custom":
        return rule.custom.kind.upper(), rule.custom.path
    return pattern.upper(), getattr(rule, pattern)


def _check_path_fields(method: MethodDescriptor, template: PathTemplate) -> dict[str, FieldChain]:
    chains: dict[str, FieldChain] = {}
    for variable in template.variables:
        try:
            chain = resolve_field_path(method.input_type, variable.field_path)
        except KeyError:
            raise BindingError(
                f"{method.full_name}: path variable {variable.field_path!r} is not a field of "
                f"{method.input_type.full_name}"
            ) from None
        leaf = chain[-1]
        if leaf.is_repeated or leaf.type == FieldDescriptor.TYPE_MESSAGE:
            raise BindingError(
                f"{method.full_name}: path variable {variable.field_path!r} must be a singular "
                "scalar field (http.proto: no repeated, map or message fields in the path)"
            )
        chains[variable.field_path] = chain
    return chains


def _top_level_field(method: MethodDescriptor, descriptor: Descriptor, name: str, what: str) -> None:
    if name and name != "*" and name not in descriptor.fields_by_name:
        raise BindingError(
            f"{method.full_name}: {what} {name!r} is not a top-level field of "
            f"{descriptor.full_name}"
        )


def _location_rule(method: MethodDescriptor, source: str) -> LocationRule:
    try:
        template = parse_template(source)
    except TemplateError as error:
        raise BindingError(f"{method.full_name}: http_response.location: {error}") from None
    request_fields: dict[str, FieldChain] = {}
    response_fields: dict[str, FieldChain] = {}
    for variable in template.variables:
        for descriptor, found in (
            (method.input_type, request_fields),
            (method.output_type, response_fields),
        ):
            try:
                found[variable.field_path] = resolve_field_path(descriptor, variable.field_path)
                break
            except KeyError:
                continue
        else:
            raise BindingError(
                f"{method.full_name}: location variable {variable.field_path!r} is neither a "
                "request nor a response field"
            )
    try:
        template.expand(dict.fromkeys(request_fields | response_fields, ""))
    except TemplateError as error:
        raise BindingError(f"{method.full_name}: http_response.location: {error}") from None
    return LocationRule(template, request_fields, response_fields)


def streamed_message(method: MethodDescriptor, response_body: str) -> Descriptor | None:
    """The message type each streamed item is rendered as (None when that is not a message)."""
    if not response_body:
        return method.output_type
    field_ = method.output_type.fields_by_name[response_body]
    if field_.type != FieldDescriptor.TYPE_MESSAGE or field_.is_repeated:
        return None
    return field_.message_type


def _singular_leaf(
    method: MethodDescriptor, descriptor: Descriptor | None, path: str, what: str, kinds: set[int]
) -> FieldChain:
    where = descriptor.full_name if descriptor is not None else "a non-message response_body"
    try:
        if descriptor is None:
            raise KeyError(path)
        chain = resolve_field_path(descriptor, path)
    except KeyError:
        raise BindingError(
            f"{method.full_name}: http_stream.{what} {path!r} is not a field of {where}"
        ) from None
    leaf = chain[-1]
    if leaf.is_repeated or leaf.type not in kinds:
        raise BindingError(
            f"{method.full_name}: http_stream.{what} {path!r} must be a singular "
            + ("string or enum" if FieldDescriptor.TYPE_ENUM in kinds else "string or integer")
            + " field"
        )
    return chain


_T = FieldDescriptor
_ID_KINDS = {_T.TYPE_STRING, _T.TYPE_INT32, _T.TYPE_INT64, _T.TYPE_UINT32, _T.TYPE_UINT64,
             _T.TYPE_SINT32, _T.TYPE_SINT64, _T.TYPE_FIXED32, _T.TYPE_FIXED64, _T.TYPE_SFIXED32,
             _T.TYPE_SFIXED64}
_TYPE_KINDS = {_T.TYPE_STRING, _T.TYPE_ENUM}


def _stream_rule(
    method: MethodDescriptor,
    response_body: str,
    path_fields: dict[str, FieldChain],
    option: options_pb2.HttpStreamRule | None,
) -> StreamRule:
    if option is None:
        return StreamRule()
    streamed = streamed_message(method, response_body)
    resume_chain: FieldChain = ()
    if option.resume_field:
        resume_chain = _singular_leaf(method, method.input_type, option.resume_field,
                                      "resume_field", _ID_KINDS)
        if option.resume_field in path_fields:
            raise BindingError(f"{method.full_name}: http_stream.resume_field is bound to the path")
    if option.event_id_field:
        _singular_leaf(method, streamed, option.event_id_field, "event_id_field", _ID_KINDS)
    event_types: tuple[str, ...] = ()
    if option.event_type_field:
        leaf = _singular_leaf(method, streamed, option.event_type_field, "event_type_field",
                              _TYPE_KINDS)[-1]
        if leaf.type == FieldDescriptor.TYPE_ENUM:
            event_types = tuple(enum_names(enum_type(leaf)).by_number.values())
            if option.heartbeat_type and option.heartbeat_type not in event_types:
                raise BindingError(
                    f"{method.full_name}: http_stream.heartbeat_type {option.heartbeat_type!r} "
                    f"is not one of {', '.join(event_types)}"
                )
            clash = RESERVED_EVENTS.intersection(event_types)
            if clash:
                raise BindingError(
                    f"{method.full_name}: event type {sorted(clash)[0]!r} is reserved for the "
                    "gateway's own SSE events"
                )
    elif option.heartbeat_type:
        raise BindingError(f"{method.full_name}: http_stream.heartbeat_type needs event_type_field")
    return StreamRule(
        resume_field=option.resume_field,
        event_id_field=option.event_id_field,
        event_type_field=option.event_type_field,
        heartbeat_type=option.heartbeat_type,
        resume_chain=resume_chain,
        event_types=event_types,
    )


def _route_rules(
    method: MethodDescriptor,
) -> tuple[tuple[HeaderRule, ...], dict[int, tuple[str, ...]]]:
    """The headers and error statuses of ``method``: its service's ``http_service``, then its
    own ``http_route``."""
    rules = [
        option(method.containing_service.GetOptions(), options_pb2.http_service,
               options_pb2.HttpRouteRule),
        option(method.GetOptions(), options_pb2.http_route, options_pb2.HttpRouteRule),
    ]
    headers: dict[str, HeaderRule] = {}
    errors: dict[int, tuple[str, ...]] = {}
    for rule in rules:
        if rule is None:
            continue
        for declared in rule.headers:
            key = declared.name.lower()
            problem = declarable_header(key)
            if problem is not None:
                raise BindingError(f"{method.full_name}: header {declared.name!r} {problem}")
            if key in headers:
                raise BindingError(f"{method.full_name}: header {declared.name!r} declared twice")
            headers[key] = HeaderRule(
                name=declared.name, key=key, description=declared.description,
                rules=declared.rules if declared.HasField("rules") else None)
        for error in rule.errors:
            if error.status < 400 or error.status not in ERROR_TYPES:
                raise BindingError(
                    f"{method.full_name}: error status {error.status} is not one the gateway "
                    f"answers ({', '.join(map(str, sorted(ERROR_TYPES)))})"
                )
            errors[error.status] = (*errors.get(error.status, ()), error.description)
    return tuple(headers.values()), errors


def _binding(
    method: MethodDescriptor,
    rule: http_pb2.HttpRule,
    index: int,
    response: options_pb2.HttpResponseRule | None,
    stream: options_pb2.HttpStreamRule | None = None,
) -> Binding:
    verb, path = _verb_and_path(method, rule)
    try:
        template = parse_template(path)
    except TemplateError as error:
        raise BindingError(f"{method.full_name}: {error}") from None
    _top_level_field(method, method.input_type, rule.body, "body")
    _top_level_field(method, method.output_type, rule.response_body, "response_body")
    path_fields = _check_path_fields(method, template)
    if rule.body and rule.body != "*" and rule.body in path_fields:
        raise BindingError(f"{method.full_name}: body field {rule.body!r} is also in the path")
    success_code = 200
    location = None
    stream_rule = None
    public = False
    if method.server_streaming:
        stream_rule = _stream_rule(method, rule.response_body, path_fields, stream)
        if response is not None:
            raise BindingError(f"{method.full_name}: http_response does not apply to a stream")
    elif stream is not None:
        raise BindingError(f"{method.full_name}: http_stream on a method that does not stream")
    headers, errors = _route_rules(method)
    if response is not None:
        success_code = response.success_code or 200
        public = response.public
        if response.location:
            location = _location_rule(method, response.location)
    return Binding(
        method=method,
        http_method=verb,
        template=template,
        body=rule.body,
        response_body=rule.response_body,
        success_code=success_code,
        location=location,
        index=index,
        path_fields=path_fields,
        stream=stream_rule,
        public=public,
        headers=headers,
        errors=errors,
    )


def method_bindings(method: MethodDescriptor) -> list[Binding]:
    """The bindings of one RPC: its rule, then its ``additional_bindings`` (none if unannotated)."""
    rule = _http_rule(method)
    if rule is None:
        return []
    options = method.GetOptions()
    response = option(options, options_pb2.http_response, options_pb2.HttpResponseRule)
    stream = option(options, options_pb2.http_stream, options_pb2.HttpStreamRule)
    bindings = [_binding(method, rule, 0, response, stream)]
    for index, extra in enumerate(rule.additional_bindings, start=1):
        if extra.additional_bindings:
            raise BindingError(f"{method.full_name}: additional_bindings nest one level only")
        bindings.append(_binding(method, extra, index, response, stream))
    return bindings


def service_bindings(*services: ServiceDescriptor) -> list[Binding]:
    """Every binding of every annotated method of ``services``, in declaration order; two
    bindings of the same HTTP method and path (within or across services) are an error."""
    bindings = [b for service in services for method in service.methods
                for b in method_bindings(method)]
    seen: dict[tuple[str, str], Binding] = {}
    for binding in bindings:
        key = (binding.http_method, binding.template.source)
        if key in seen:
            raise BindingError(
                f"{binding.method.full_name} and {seen[key].method.full_name} both bind "
                f"{key[0]} {key[1]}"
            )
        seen[key] = binding
    return bindings
