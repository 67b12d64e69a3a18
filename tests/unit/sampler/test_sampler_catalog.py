"""The command catalog: data for every command, and the route's items for one world."""

from __future__ import annotations

import re

from tests.unit.sampler.worlds import index, world
from worlds.sampler import COMMANDS, catalog_for_world

EXPECTED = {
    "network_scan", "bloodhound_collect", "enum_sessions", "enum_shares", "asrep_roast",
    "kerberoast", "crack_hash", "password_spray", "lsass_dump", "sam_dump", "loot_artifact",
    "dcsync", "read_laps_password", "read_gmsa_password", "shadow_credentials",
    "targeted_kerberoast", "adcs_enroll", "adcs_esc1", "adcs_esc3", "adcs_esc4",
    "force_change_password", "add_member", "generic_all", "generic_write", "write_dacl",
    "write_owner", "owns", "admin_to", "can_rdp", "can_psremote", "sql_admin",
    "allowed_to_delegate", "rbcd", "sid_history", "pass_the_hash_local_admin", "trust_abuse",
}


def test_every_command_is_complete_data() -> None:
    assert {c.name for c in COMMANDS} == EXPECTED
    assert len(COMMANDS) == len(EXPECTED)
    for command in COMMANDS:
        assert command.kind in ("discovery", "credential", "exploit")
        assert re.fullmatch(r"T\d{4}(\.\d{3})?", command.technique.technique_id), command.name
        assert command.technique.tactic and command.technique.name
        assert command.kali and command.c2 and command.events
        assert command.precondition and command.effect and command.usage.startswith(command.name)


def test_the_catalog_route_items_use_the_worlds_real_names() -> None:
    ix = index("medium", 1)
    items = catalog_for_world(ix)
    assert [i["name"] for i in items] == [c.name for c in COMMANDS]
    for item in items:
        assert set(item) == {"name", "pattern", "description", "usage", "examples", "events"}
        for example in item["examples"]:
            assert "{" not in example.replace("@{", ""), example  # every placeholder filled
    by_name = {i["name"]: i for i in items}
    dc = ix.hosts[ix.domain_dcs[ix.domains[0]][0]]
    assert any(dc["ip"] in e for e in by_name["bloodhound_collect"]["examples"])
    roastable = ix.principals[ix.kerberoastable[ix.domains[0]][0]]["sam"]
    assert any(roastable in e for e in by_name["kerberoast"]["examples"])
    assert by_name["admin_to"]["examples"]
    # Commands for edges this world lacks have no example, but are listed.
    present = {edge["edge_type"] for edge in world("medium", 1)["edges"]}
    absent = [c for c in COMMANDS if c.target == "edge" and not set(c.edge_types) & present]
    assert absent, "the test needs a command whose edge type the world lacks"
    assert all(by_name[c.name]["examples"] == [] for c in absent)


def test_the_catalog_accepts_a_world_dict() -> None:
    assert catalog_for_world(world("small", 1)) == catalog_for_world(index("small", 1))
