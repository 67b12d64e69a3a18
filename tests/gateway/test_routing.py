"""Routes from bindings: custom verbs never fall back to verb-less templates."""

from __future__ import annotations

from worlds_gateway.bindings import service_bindings
from worlds_gateway.routing import RouteTable, TranscodedRoute

from tests.gateway.conftest import WORLDS

BASE = "/api/v1/org/o/ws/w/worlds/jobs"


async def _unused(scope, receive, send) -> None:  # pragma: no cover - never called
    raise AssertionError


def _routes() -> tuple[RouteTable, dict[str, TranscodedRoute]]:
    table = RouteTable()
    routes = {b.operation_id: TranscodedRoute(b, _unused, table) for b in service_bindings(WORLDS)}
    return table, routes


def test_a_registered_verb_only_matches_routes_with_that_verb() -> None:
    table, routes = _routes()
    assert table.verbs == {"watch"}
    assert routes["WatchJob"].match(f"{BASE}/j1/watch") == {
        "org": "o", "workspace": "w", "job_id": "j1"
    }
    assert routes["GetJob"].match(f"{BASE}/j1:watch") is None
    assert routes["WatchJob"].match(f"{BASE}/j1:watch") is None
    assert routes["WatchJobs"].match(f"{BASE}:watch") == {"org": "o", "workspace": "w"}
    assert routes["ListJobs"].match(f"{BASE}:watch") is None


def test_other_colons_are_part_of_the_segment() -> None:
    _, routes = _routes()
    assert routes["GetJob"].match(f"{BASE}/j1:other")["job_id"] == "j1:other"
    assert routes["GetJob"].match(f"{BASE}/j1%3Awatch")["job_id"] == "j1:watch"
    assert routes["GetJob"].match(f"{BASE}/j1")["job_id"] == "j1"


def test_allowed_methods_follow_the_same_rule() -> None:
    table, _ = _routes()
    assert table.allowed_methods(f"{BASE}/j1/watch") == ["GET"]
    assert table.allowed_methods(f"{BASE}/j1:watch") == []
    assert table.allowed_methods(f"{BASE}/j1/cancel") == ["POST"]
    assert table.allowed_methods(f"{BASE}:watch") == ["GET"]
