"""resolve_spec: presets, overrides, bounds and domain defaults."""

from __future__ import annotations

import pytest

from worlds.generator import PRESETS, WorldSpec, resolve_spec


def test_everything_unspecified_resolves_to_small():
    spec = resolve_spec(None, None, None, None, seed=5)
    assert spec == WorldSpec("small", 50, 20, ("corp.local",), 5)


def test_presets_have_documented_sizes():
    sizes = {name: (size.users, size.hosts, len(size.domains)) for name, size in PRESETS.items()}
    assert sizes == {
        "small": (50, 20, 1),
        "medium": (1_000, 250, 1),
        "large": (10_000, 2_000, 2),
        "enterprise": (50_000, 10_000, 3),
    }


@pytest.mark.parametrize("spelling", ["medium", "MEDIUM", " Medium ", "PRESET_MEDIUM"])
def test_preset_spellings(spelling):
    assert resolve_spec(spelling, None, None, None, 0).preset == "medium"


@pytest.mark.parametrize("spelling", ["", "unspecified", "PRESET_UNSPECIFIED"])
def test_unspecified_preset_means_small(spelling):
    assert resolve_spec(spelling, None, None, None, 0).preset == "small"


def test_counts_override_the_preset():
    spec = resolve_spec("enterprise", 7, 3, None, 0)
    assert (spec.preset, spec.num_users, spec.num_hosts) == ("enterprise", 7, 3)
    assert spec.domains == PRESETS["enterprise"].domains


def test_counts_without_preset_start_from_small():
    spec = resolve_spec(None, 300, None, None, 0)
    assert (spec.preset, spec.num_users, spec.num_hosts) == ("small", 300, 20)


@pytest.mark.parametrize(
    ("users", "hosts"), [(0, 1), (50_001, 1), (1, 0), (1, 10_001), (-1, 5), (True, 5), (1.5, 5)]
)
def test_counts_out_of_contract_are_rejected(users, hosts):
    with pytest.raises(ValueError):
        resolve_spec(None, users, hosts, None, 0)


def test_count_bounds_are_inclusive():
    assert resolve_spec(None, 1, 1, None, 0).num_users == 1
    spec = resolve_spec(None, 50_000, 10_000, None, 0)
    assert (spec.num_users, spec.num_hosts) == (50_000, 10_000)


def test_default_domains_when_none_or_empty():
    assert resolve_spec("small", None, None, [], 0).domains == ("corp.local",)
    assert resolve_spec("enterprise", None, None, None, 0).domains == (
        "corp.local", "emea.corp.local", "apac.corp.local",
    )


def test_domains_are_lowercased_in_given_order():
    spec = resolve_spec(None, None, None, ["Example.COM", "Lab.Example.com."], 0)
    assert spec.domains == ("example.com", "lab.example.com")


@pytest.mark.parametrize(
    "domains",
    [
        ["a.com", "A.com"],
        ["bad_name.com"],
        ["-x.com"],
        ["x" * 64 + ".com"],
        [f"d{n}.com" for n in range(17)],
        "corp.local",
    ],
)
def test_invalid_domains_are_rejected(domains):
    with pytest.raises(ValueError):
        resolve_spec(None, None, None, domains, 0)


def test_unknown_preset_is_rejected():
    with pytest.raises(ValueError, match="unknown preset"):
        resolve_spec("huge", None, None, None, 0)


@pytest.mark.parametrize("seed", [-(2**63), 2**63 - 1, 0])
def test_seed_spans_signed_64_bits(seed):
    assert resolve_spec(None, None, None, None, seed).seed == seed


@pytest.mark.parametrize("seed", [2**63, -(2**63) - 1])
def test_seed_beyond_64_bits_is_rejected(seed):
    with pytest.raises(ValueError):
        resolve_spec(None, None, None, None, seed)
