"""The REST route of each RPC, read from the `google.api.http` rules of the protos this package
ships (protos/worlds/v1/worlds_service.proto): the client asks for exactly the paths the gateway
serves, and follows the contract when it changes instead of repeating it."""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor_pb2 import MethodOptions

from worlds.v1 import worlds_service_pb2

if TYPE_CHECKING:
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor

# protoc's .pyi declares the extension as a plain FieldDescriptor; `Extensions` is indexed by
# a typed handle, which it is at run time.
_HTTP = cast("_ExtensionFieldDescriptor[MethodOptions, http_pb2.HttpRule]", annotations_pb2.http)
_SERVICE = worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"]
_VARIABLE = re.compile(r"\{([^}=]+)(?:=[^}]*)?\}")


@functools.cache
def rule(rpc: str) -> tuple[str, str]:
    """(HTTP method, path template) of an RPC of WorldsService."""
    http = _SERVICE.methods_by_name[rpc].GetOptions().Extensions[_HTTP]
    kind = http.WhichOneof("pattern")
    if kind is None or kind == "custom":
        raise ValueError(f"{rpc} has no google.api.http verb and path")
    template: str = getattr(http, kind)
    return kind.upper(), template


def path(rpc: str, values: dict[str, str]) -> str:
    """The path of an RPC with its variables filled in, each one path segment.

    Quoting every character but the unreserved ones keeps an id or slug from reaching another
    route (`/`, `?`, `..`), which would answer for a different resource.
    """
    return _VARIABLE.sub(lambda match: _segment(values[match.group(1)]), rule(rpc)[1])


def _segment(value: str) -> str:
    # `.` and `..` would be resolved away by URL normalization (RFC 3986 §5.2.4).
    return "%2E" * len(value) if value in (".", "..") else quote(value, safe="")
