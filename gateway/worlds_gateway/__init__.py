"""REST transcoding gateway: ``google.api.http`` rules → HTTP/JSON routes over a gRPC service.

Public API::

    create_gateway_app(service, backend, ...)   the FastAPI app (app.py)
    ChannelBackend(channel)                     call a gRPC server over a grpc.aio channel
    InProcessBackend(servicer)                  await the servicer directly (same process)
    InProcessContext                            the ServicerContext InProcessBackend passes
    RpcStatusError                              a failed call, carrying its google.rpc.Status
    ServerStream                                a server stream as Backend.stream returns it

How a request flows, module by module::

    routing     Starlette routes built from bindings (404 / 405 + Allow; custom verbs)
    endpoint    the ASGI handler of a unary binding: headers, body, call, response
    stream_endpoint  the ASGI handler of a server-streaming binding: NDJSON / SSE, disconnects
    stream_formats   Accept negotiation; SSE and NDJSON framing of items, errors, the end
    server_stream    ServerStream: bounded hand-off from the task running a streaming call
    transcode   per binding: path + query + body → request; response → body, Location
    template    google.api.http path templates: grammar, matching, expansion
    query       query parameters → fields;  metadata   headers → gRPC metadata, deadline
    codec       JSON ⇄ messages by descriptors;  scalars    leaf values (ints, enums)
    descriptors descriptors narrowed: a field's message / enum type, custom options
    backend     Backend protocol, ChannelBackend, InProcessBackend;  context  InProcessContext
    errors      every failure as google.rpc.Status; the one status → HTTP table
    bindings    google.api.http + worlds.v1.http_response / http_stream → Binding
    openapi     the document;  openapi_streams  how a streaming route is documented
"""

from .app import create_gateway_app
from .backend import Backend, ChannelBackend, InProcessBackend
from .context import InProcessContext
from .errors import RpcStatusError
from .server_stream import ServerStream

__all__ = [
    "Backend",
    "ChannelBackend",
    "InProcessBackend",
    "InProcessContext",
    "RpcStatusError",
    "ServerStream",
    "create_gateway_app",
]
