"""Writes `worlds/v1/http_routes.py`, the client's route table, from the protos' descriptors.

The client needs, for each RPC of WorldsService, the `google.api.http` verb and path, and the
names of its request's fields (the names the REST API accepts, and so the aliases of the flags
that fill them). Reading them from the descriptors at every start costs the import of protobuf
and of the generated messages, about a quarter of a client command's start; so
`scripts/gen-protos` runs this module once and commits its output beside the other generated
code, and `scripts/gen-protos --check` (and a unit test) fail when the two part ways.

    python -m worlds.client.routegen > src/worlds/v1/http_routes.py

Never imported by a command: only by the generator script and the tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from google.api import annotations_pb2, http_pb2
from google.protobuf.descriptor import ServiceDescriptor
from google.protobuf.descriptor_pb2 import MethodOptions

from worlds.v1 import worlds_service_pb2

if TYPE_CHECKING:
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor

# protoc's .pyi declares the extension as a plain FieldDescriptor; `Extensions` is indexed by
# a typed handle, which it is at run time.
_HTTP = cast("_ExtensionFieldDescriptor[MethodOptions, http_pb2.HttpRule]", annotations_pb2.http)

Route = tuple[str, str, tuple[str, ...]]

_HEADER = '''"""Generated from protos/worlds/v1 by scripts/gen-protos (worlds.client.routegen). Do not edit.

Each RPC of WorldsService that has a `google.api.http` verb: (HTTP method, path template of its
rule, the top-level fields of its request in declaration order).
"""

ROUTES: dict[str, tuple[str, str, tuple[str, ...]]] = {
'''


def routes(service: ServiceDescriptor) -> dict[str, Route]:
    """The route of each RPC of `service` with a verb and path; RPCs without one are left out."""
    found: dict[str, Route] = {}
    for method in service.methods:
        http = method.GetOptions().Extensions[_HTTP]
        kind = http.WhichOneof("pattern")
        if kind is None or kind == "custom":
            continue
        fields = tuple(field.name for field in method.input_type.fields)
        found[method.name] = (kind.upper(), getattr(http, kind), fields)
    return found


def render() -> str:
    """The text of `worlds/v1/http_routes.py`."""
    table = routes(worlds_service_pb2.DESCRIPTOR.services_by_name["WorldsService"])
    lines = [f"    {name!r}: ({verb!r}, {template!r},\n        {fields!r}),\n"
             for name, (verb, template, fields) in sorted(table.items())]
    return _HEADER + "".join(lines) + "}\n"


if __name__ == "__main__":
    print(render(), end="")
