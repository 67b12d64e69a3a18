"""JSON ⇄ protobuf by descriptors: the contract's conventions, unit by unit."""

from __future__ import annotations

import json
import math

import pytest
from google.protobuf import struct_pb2, timestamp_pb2
from worlds_gateway.codec import message_to_json, read_message, timestamp_to_json
from worlds_gateway.errors import Violation
from worlds_gateway.scalars import enum_names, enum_prefix

from tests.gateway.descriptors import message_class
from worlds.v1 import jobs_pb2, worlds_service_pb2


@pytest.mark.parametrize(
    ("seconds", "nanos", "text"),
    [
        (0, 0, "1970-01-01T00:00:00Z"),
        (1795428000, 123456000, "2026-11-23T10:00:00.123456Z"),
        (1795428000, 500_000_000, "2026-11-23T10:00:00.500000Z"),
        (1795428000, 1, "2026-11-23T10:00:00.000000001Z"),
        (-1, 999_999_000, "1969-12-31T23:59:59.999999Z"),
        (253402300799, 0, "9999-12-31T23:59:59Z"),
    ],
)
def test_timestamps_are_rfc3339_utc(seconds: int, nanos: int, text: str) -> None:
    assert timestamp_to_json(timestamp_pb2.Timestamp(seconds=seconds, nanos=nanos)) == text


def test_enum_names() -> None:
    assert enum_prefix(jobs_pb2.JobStatus.DESCRIPTOR) == "JOB_STATUS_"
    assert enum_prefix(jobs_pb2.ResourceType.DESCRIPTOR) == "RESOURCE_TYPE_"
    names = enum_names(jobs_pb2.ResourceType.DESCRIPTOR)
    assert names.by_number == {1: "manifest", 2: "trajectory", 3: "trajectory_batch"}
    assert names.choices == "manifest, trajectory, trajectory_batch"


def test_a_job_prints_every_field() -> None:
    job = jobs_pb2.Job(id="j", status=jobs_pb2.JOB_STATUS_RUNNING, progress=0.0)
    job.resource_type = jobs_pb2.RESOURCE_TYPE_TRAJECTORY_BATCH
    printed = message_to_json(job)
    assert printed == {
        "id": "j", "organization_id": "", "workspace_id": "", "project_id": None,
        "kind": None, "status": "running", "progress": 0.0,
        "resource_type": "trajectory_batch", "resource_id": None, "result": {}, "error": None,
        "created_by": None, "created_by_user": None, "created_at": None, "started_at": None,
        "completed_at": None, "cancel_requested_at": None, "updated_at": None,
    }
    assert message_to_json(job) == printed, "the cached plan prints the same"


def test_unknown_enum_numbers_stay_numbers() -> None:
    job = jobs_pb2.Job(status=77)
    assert message_to_json(job)["status"] == 77


def test_struct_numbers() -> None:
    doc = struct_pb2.Struct()
    doc.update({"count": 3, "half": 0.5, "big": 2.0**60, "nested": {"l": [1, 2.5]}})
    doc.fields["nan"].number_value = math.nan
    printed = message_to_json(doc)
    assert printed == {
        "count": 3, "half": 0.5, "big": 2.0**60, "nested": {"l": [1, 2.5]}, "nan": None,
    }
    assert json.dumps(printed["count"]) == "3"


def test_floats_bytes_and_maps() -> None:
    everything = message_class("Everything")(flt=0.1, dbl=math.inf, raw=b"\x00\xff")
    everything.by_number[-1] = "m"
    everything.counts["k"] = 2**63 - 1
    printed = message_to_json(everything)
    assert (printed["flt"], printed["dbl"], printed["raw"]) == (0.1, "Infinity", "AP8=")
    assert printed["by_number"] == {"-1": "m"} and printed["counts"] == {"k": 2**63 - 1}


def test_recursive_messages_print() -> None:
    everything = message_class("Everything")(name="a")
    everything.child.child.name = "c"
    assert message_to_json(everything)["child"]["child"]["name"] == "c"
    assert message_to_json(everything)["child"]["child"]["child"] is None


def _read(data, message_type=worlds_service_pb2.CreateManifestJobRequest, **kwargs):
    message = message_type()
    out: list[Violation] = []
    read_message(data, message, out, **kwargs)
    return message, out


def test_null_leaves_fields_unset() -> None:
    message, out = _read({"name": None, "seed": None, "domains": None})
    assert out == [] and not message.HasField("name") and not message.HasField("seed")


def test_integral_floats_are_integers() -> None:
    message, out = _read({"seed": 7.0, "num_users": -0.0})
    assert out == [] and message.seed == 7 and message.num_users == 0


def test_every_violation_is_collected_in_order() -> None:
    _, out = _read(
        {"org": "x", "seed": "1", "domains": [1, "a", None], "zz": 1},
        forbidden=frozenset({"org"}),
    )
    assert out == [
        Violation("org", "is not a known field", "extra_forbidden"),
        Violation("seed", "must be an integer", "int_type"),
        Violation("domains[0]", "must be a string", "string_type"),
        Violation("domains[2]", "must be a string", "string_type"),
        Violation("zz", "is not a known field", "extra_forbidden"),
    ]


def test_prefix_qualifies_paths() -> None:
    _, out = _read({"i32": "x"}, message_class("Everything"), prefix="thing")
    assert out == [Violation("thing.i32", "must be an integer", "int_type")]


def test_a_non_object_is_one_violation_at_the_prefix() -> None:
    assert _read([1])[1] == [Violation("", "must be a JSON object", "dict_type")]
