"""The test-only ``gwtest.v1.TranscodeService``, compiled from ``protos/`` when first needed.

Compiled with grpcio-tools' protoc into a descriptor set and added to the default pool (the
pool the gateway's option extensions live in), so the gateway sees it exactly as it would
see a generated ``_pb2`` module.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

import google.api
from google.api import annotations_pb2  # noqa: F401 - imports first claim their pool entries
from google.protobuf import (  # noqa: F401
    descriptor_pb2,
    descriptor_pool,
    duration_pb2,
    field_mask_pb2,
    struct_pb2,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf.descriptor import FileDescriptor, ServiceDescriptor
from google.protobuf.message_factory import GetMessageClass
from grpc_tools import protoc

from worlds.v1 import options_pb2  # noqa: F401

HERE = Path(__file__).parent
PROTO = "gwtest/v1/transcode.proto"
REPO = HERE.parents[1]


def _include_paths() -> list[str]:
    googleapis = Path(next(iter(google.api.__path__))).parent.parent
    well_known = Path(protoc.__file__).parent / "_proto"
    return [str(HERE / "protos"), str(REPO / "protos"), str(googleapis), str(well_known)]


@functools.cache
def descriptor_set(source_info: bool = False) -> descriptor_pb2.FileDescriptorSet:
    """The test proto and its imports, optionally with comments (``source_code_info``)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "set.binpb")
        args = ["protoc", *(f"-I{p}" for p in _include_paths()), f"--descriptor_set_out={out}"]
        args += ["--include_imports", *(["--include_source_info"] if source_info else []), PROTO]
        if protoc.main(args) != 0:
            raise RuntimeError(f"protoc failed on {PROTO}")
        return descriptor_pb2.FileDescriptorSet.FromString(Path(out).read_bytes())


@functools.cache
def transcode_file() -> FileDescriptor:
    # Only the test file is new; its imports are in the pool already (the _pb2 imports above),
    # and adding them again would make a later import of their _pb2 module fail.
    pool = descriptor_pool.Default()
    for file in descriptor_set().file:
        try:
            pool.FindFileByName(file.name)
        except KeyError:
            pool.Add(file)
    return pool.FindFileByName(PROTO)


def transcode_service() -> ServiceDescriptor:
    return transcode_file().services_by_name["TranscodeService"]


def message_class(name: str) -> type:
    return GetMessageClass(transcode_file().message_types_by_name[name])
