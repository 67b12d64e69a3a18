"""Commands for the BloodHound CE edges and properties the generator will emit.

The generator does not emit them yet, so the test injects them into a small world:
each command must become applicable exactly when its edge is known and its source
held, yield what the catalog says, and keep trajectories sound.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.sampler.worlds import fresh_world
from worlds.sampler import SampleRequest, WorldIndex, prepare, replay_check, sample
from worlds.sampler import actions as act
from worlds.sampler.engine import _start
from worlds.sampler.state import AttackerState

TEMPLATE = "d0-ct000"


def _sid_suffix(world: dict[str, Any], pid: str) -> str:
    return str(world["principals"][pid]["sid"]).rsplit("-", 1)[-1]


def _injected() -> tuple[WorldIndex, dict[str, str]]:
    world = fresh_world("small", 1)
    principals = world["principals"]
    users = sorted(p for p, v in principals.items() if v["principal_type"] == "user"
                   and v["enabled"] and int(_sid_suffix(world, p)) > 1000)
    domain_users = next(p for p in principals if _sid_suffix(world, p) == "513"
                        and principals[p]["principal_type"] == "group")
    domain_admins = next(p for p in principals if _sid_suffix(world, p) == "512"
                     and principals[p]["principal_type"] == "group")
    windows = sorted(h for h, v in world["hosts"].items()
                     if v["os_family"] == "windows" and v["role"] == "workstation")
    nodes = {n["id"]: n for n in world["nodes"]}
    names = {
        "domain_users": domain_users, "domain_admins": domain_admins, "laps": windows[0],
        "shared": windows[1], "act": windows[2], "sql": windows[3], "gmsa": users[-1],
        "shadow": users[-2], "spn": users[-3], "asrep": users[-4], "roast": users[-5],
    }
    nodes[names["spn"]]["properties"]["password_crackable"] = True
    nodes[names["asrep"]]["properties"].update(dont_require_preauth=False, dontreqpreauth=True)
    nodes[names["roast"]]["properties"].update(has_spn=False, hasspn=True,
                                                password_crackable=False)
    for host in (windows[0], windows[1]):
        nodes[host]["properties"]["local_admin_password_id"] = "lap-0001"
    world["nodes"].append({"id": TEMPLATE, "label": "VULNUSER@CORP.LOCAL",
                           "node_type": "certtemplate", "properties": {"domain": "corp.local"}})
    edges = [
        (domain_users, names["laps"], "ReadLAPSPassword"),
        (domain_users, names["gmsa"], "ReadGMSAPassword"),
        (domain_users, names["shadow"], "AddKeyCredentialLink"),
        (domain_users, names["spn"], "WriteSPN"),
        (domain_users, names["sql"], "SQLAdmin"),
        (domain_users, TEMPLATE, "Enroll"),
        (domain_users, "d0", "ADCSESC1"),
        (domain_users, "d0", "ADCSESC3"),
        (domain_users, "d0", "ADCSESC4"),
        (names["gmsa"], names["act"], "AllowedToAct"),
        (names["shadow"], domain_admins, "HasSIDHistory"),
    ]
    world["edges"] += [{"id": f"x{n:06d}", "source": s, "target": t, "edge_type": k,
                        "severity": "high"} for n, (s, t, k) in enumerate(edges)]
    names["edge:" + "ReadLAPSPassword"] = "x000000"
    for n, (_, _, kind) in enumerate(edges):
        names[f"edge:{kind}"] = f"x{n:06d}"
    return prepare(world), names


def _known_state(ix: WorldIndex) -> AttackerState:
    """A foothold that has collected its domain and scanned every subnet it knows."""
    st = AttackerState()
    user, workstations = ix.footholds[0]
    _start(ix, st, user, workstations[0])
    st.begin_step()
    act.execute(ix, st, ("bloodhound_collect", "d0"))
    for subnet in list(st.known_subnets):
        st.begin_step()
        act.execute(ix, st, ("network_scan", subnet))
    return st


def _run(ix: WorldIndex, st: AttackerState, action: act.Action) -> act.Outcome:
    assert act.applicable(ix, st, action), action
    st.begin_step()
    return act.execute(ix, st, action)


def test_each_new_edge_type_has_its_command() -> None:
    ix, names = _injected()
    for kind, command in [("ReadLAPSPassword", "read_laps_password"),
                          ("ReadGMSAPassword", "read_gmsa_password"),
                          ("AddKeyCredentialLink", "shadow_credentials"),
                          ("WriteSPN", "targeted_kerberoast"), ("SQLAdmin", "sql_admin"),
                          ("Enroll", "adcs_enroll"), ("ADCSESC1", "adcs_esc1"),
                          ("ADCSESC3", "adcs_esc3"), ("ADCSESC4", "adcs_esc4"),
                          ("AllowedToAct", "rbcd"), ("HasSIDHistory", "sid_history")]:
        assert act.edge_command(ix, ix.edge_by_id[names[f"edge:{kind}"]]) == command


def test_unknown_edges_are_not_applicable_before_collection() -> None:
    ix, names = _injected()
    st = AttackerState()
    user, workstations = ix.footholds[0]
    _start(ix, st, user, workstations[0])
    assert not act.applicable(ix, st, ("read_gmsa_password", names["edge:ReadGMSAPassword"]))


def test_laps_gmsa_rbcd_shadow_sid_history_and_shared_local_admin() -> None:
    ix, names = _injected()
    st = _known_state(ix)
    _run(ix, st, ("read_laps_password", names["edge:ReadLAPSPassword"]))
    assert names["laps"] in st.admin_hosts
    # A SAM dump there yields the shared local admin hash: pass it to the twin host.
    assert not act.applicable(ix, st, ("pass_the_hash_local_admin", names["shared"]))
    _run(ix, st, ("sam_dump", names["laps"]))
    assert "lap-0001" in st.local_secrets
    _run(ix, st, ("pass_the_hash_local_admin", names["shared"]))
    assert names["shared"] in st.admin_hosts

    assert not act.applicable(ix, st, ("rbcd", names["edge:AllowedToAct"]))  # gMSA not held
    _run(ix, st, ("read_gmsa_password", names["edge:ReadGMSAPassword"]))
    assert names["gmsa"] in st.owned
    _run(ix, st, ("rbcd", names["edge:AllowedToAct"]))
    assert names["act"] in st.admin_hosts

    _run(ix, st, ("shadow_credentials", names["edge:AddKeyCredentialLink"]))
    assert names["shadow"] in st.owned
    _run(ix, st, ("sid_history", names["edge:HasSIDHistory"]))
    assert names["domain_admins"] in st.controlled
    for action in [("read_gmsa_password", names["edge:ReadGMSAPassword"]),
                   ("sid_history", names["edge:HasSIDHistory"])]:
        assert not act.applicable(ix, st, action)  # nothing left to gain


def test_sql_admin_enroll_and_targeted_kerberoast() -> None:
    ix, names = _injected()
    st = _known_state(ix)
    _run(ix, st, ("sql_admin", names["edge:SQLAdmin"]))
    assert names["sql"] in st.shell_hosts
    out = _run(ix, st, ("adcs_enroll", names["edge:Enroll"]))
    assert not out.failed and st.credentials[-1]["kind"] == "certificate"
    assert not act.applicable(ix, st, ("adcs_enroll", names["edge:Enroll"]))
    _run(ix, st, ("targeted_kerberoast", names["edge:WriteSPN"]))
    assert names["spn"] in st.roasted
    out = _run(ix, st, ("crack_hash", names["spn"]))  # password_crackable: true
    assert not out.failed and names["spn"] in st.owned


def test_bloodhound_ce_property_names_drive_roasting_and_cracking() -> None:
    ix, names = _injected()
    assert names["asrep"] in ix.asrep_roastable["d0"]
    assert names["roast"] in ix.kerberoastable["d0"]
    st = _known_state(ix)
    _run(ix, st, ("asrep_roast", names["asrep"]))
    _run(ix, st, ("kerberoast", names["roast"]))
    out = _run(ix, st, ("crack_hash", names["roast"]))  # password_crackable: false
    assert out.failed and out.failure_reason and names["roast"] not in st.owned
    assert not act.applicable(ix, st, ("crack_hash", names["roast"]))


@pytest.mark.parametrize("esc", ["ADCSESC1", "ADCSESC3", "ADCSESC4"])
def test_certificate_escalations_compromise_the_domain(esc: str) -> None:
    ix, names = _injected()
    st = _known_state(ix)
    _run(ix, st, (f"adcs_{esc[4:].lower()}", names[f"edge:{esc}"]))
    assert "d0" in st.compromised
    assert ix.domain_administrator["d0"] in st.owned
    _run(ix, st, ("dcsync", "d0"))
    assert "d0" in st.dcsynced


def test_trajectories_through_the_new_edges_stay_sound() -> None:
    ix, _ = _injected()
    used: set[str] = set()
    for n in range(12):
        for strategy in ("smart-random", "random"):
            trajectory = sample(ix, SampleRequest(goal="dcsync", strategy=strategy,
                                                  max_steps=300, mode="c2"), n)
            assert replay_check(ix, trajectory) == []
            used.update(s["command_name"] for s in trajectory.steps)
    assert used & {"read_laps_password", "read_gmsa_password", "shadow_credentials",
                   "adcs_esc1", "adcs_esc3", "adcs_esc4", "sql_admin", "adcs_enroll"}
