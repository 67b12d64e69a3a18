"""Credentials from metadata, key hashing and role permissions."""

from __future__ import annotations

import pytest

from worlds.api.auth import key_from_metadata
from worlds.core.access import Action, Role, generate_key, hash_key
from worlds.core.errors import Unauthenticated


@pytest.mark.parametrize(("metadata", "key"), [
    ([("authorization", "Bearer abc")], "abc"),
    ([("authorization", "bearer  abc ")], "abc"),
    ([("x-api-key", "abc")], "abc"),
    ([("x-api-key", "abc"), ("authorization", "Bearer abc")], "abc"),
])
def test_key_is_read_from_either_header(metadata: list[tuple[str, str]], key: str) -> None:
    assert key_from_metadata(metadata) == key


@pytest.mark.parametrize(("metadata", "reason"), [
    ([], "MISSING_CREDENTIALS"),
    ([("user-agent", "x")], "MISSING_CREDENTIALS"),
    ([("authorization", "Token abc")], "MALFORMED_CREDENTIALS"),
    ([("authorization", "Bearer")], "MALFORMED_CREDENTIALS"),
    ([("x-api-key", "  ")], "MALFORMED_CREDENTIALS"),
    # Every credential is checked, and two that disagree are refused, not ranked.
    ([("authorization", "Token abc"), ("x-api-key", "abc")], "MALFORMED_CREDENTIALS"),
    ([("x-api-key", "abc"), ("authorization", "Basic")], "MALFORMED_CREDENTIALS"),
    ([("x-api-key", "xyz"), ("authorization", "Bearer abc")], "CONFLICTING_CREDENTIALS"),
    ([("x-api-key", "abc"), ("x-api-key", "xyz")], "CONFLICTING_CREDENTIALS"),
])
def test_missing_or_malformed_credentials(metadata: list[tuple[str, str]], reason: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        key_from_metadata(metadata)
    assert caught.value.reason == reason


def test_keys_are_random_and_hashed() -> None:
    first, second = generate_key(), generate_key()
    assert first != second and len(first) > 40
    assert hash_key(first) == hash_key(first) and len(hash_key(first)) == 64
    assert first not in hash_key(first)


def test_roles() -> None:
    assert all(Role.OWNER.allows(a) for a in Action)
    assert Role.CONTRIBUTOR.allows(Action.CREATE_JOB) and Role.CONTRIBUTOR.allows(Action.CANCEL_JOB)
    assert Role.READER.allows(Action.READ)
    assert not Role.READER.allows(Action.CREATE_JOB) and not Role.READER.allows(Action.CANCEL_JOB)
