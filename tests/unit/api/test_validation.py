"""The validator reads the bounds from the protos' field options."""

from __future__ import annotations

import pytest

from worlds.api.validation import int_or_default, is_dns_name, validate, violations
from worlds.core.errors import InvalidArgument
from worlds.v1 import worlds_service_pb2 as pb


@pytest.mark.parametrize("name", ["corp.local", "a", "x-1.example.com", "A.B", "a" * 63 + ".com"])
def test_dns_names_accepted(name: str) -> None:
    assert is_dns_name(name)


@pytest.mark.parametrize("name", ["", "-a.com", "a-.com", "a..b", "a b", "a.com.", "a" * 64,
                                  ".".join(["abcdefgh"] * 29) + ".com", "ü.com", "a_b.com"])
def test_dns_names_rejected(name: str) -> None:
    assert not is_dns_name(name)


def test_defaults_come_from_the_field_rules() -> None:
    request = pb.ListJobsRequest()
    assert (int_or_default(request, "page"), int_or_default(request, "page_size")) == (1, 20)
    request.page_size = 7
    assert int_or_default(request, "page_size") == 7


def test_unset_optional_fields_are_not_checked() -> None:
    assert violations(pb.CreateManifestJobRequest()) == []


def test_validate_raises_with_every_violation() -> None:
    with pytest.raises(InvalidArgument) as caught:
        validate(pb.CreateManifestJobRequest(num_users=0, name="x" * 300))
    assert {v.field for v in caught.value.violations} == {"num_users", "name"}


def test_control_characters_are_refused_in_every_string_field() -> None:
    """Fields with rules (name), without (org, workspace) and repeated ones (domains)."""
    request = pb.CreateManifestJobRequest(org="a\x00", workspace="w\x1f", name="n\x00",
                                          domains=["corp.local\x00"])
    found = {v.field: v.type for v in violations(request)}
    assert found == {"org": "control_characters", "workspace": "control_characters",
                     "name": "control_characters", "domains[0]": "control_characters"}
    assert violations(pb.CreateManifestJobRequest(org="acme", name="tab\there\r\n")) == []


def test_the_nil_uuid_is_not_a_valid_id() -> None:
    from worlds.api import validation
    from worlds.v1 import worlds_service_pb2 as pb

    nil = "00000000-0000-0000-0000-000000000000"
    found = validation.violations(pb.GetJobRequest(org="o", workspace="w", job_id=nil))
    assert [(v.field, v.message, v.type) for v in found] == [
        ("job_id", "is not a valid id (the nil UUID)", "uuid_parsing")]
    found = validation.violations(pb.CreateManifestJobRequest(project_id=nil.upper()))
    assert [v.message for v in found] == ["is not a valid id (the nil UUID)"]
