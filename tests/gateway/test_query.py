"""Query parameters: which names a binding accepts, and how their text is read."""

from __future__ import annotations

from worlds_gateway.bindings import service_bindings
from worlds_gateway.errors import Violation
from worlds_gateway.query import QueryParams, query_params, read_query

from tests.gateway.conftest import WORLDS
from tests.gateway.descriptors import message_class, transcode_service


def _binding(service, operation_id: str):
    return next(b for b in service_bindings(service) if b.operation_id == operation_id)


def test_list_jobs_parameters() -> None:
    names = [p.name for p in query_params(_binding(WORLDS, "ListJobs"))]
    assert names == ["page", "page_size", "kind", "status", "project_id", "created_by", "page_token"]


def test_no_query_parameters_with_a_star_body() -> None:
    create = _binding(WORLDS, "CreateManifestJob")
    assert query_params(create) == [] and not QueryParams(create)


def test_path_and_body_fields_are_not_parameters() -> None:
    shelve = _binding(transcode_service(), "Shelve")
    names = {p.name for p in query_params(shelve)}
    assert names == {"id", "where.label", "where.count", "where.tags"}
    params = QueryParams(shelve)
    assert params.get("parent") is None and params.get("thing.i32") is None
    assert params.get("where.tags").repeated


def test_recursive_names_resolve_at_any_depth() -> None:
    params = QueryParams(_binding(transcode_service(), "Echo"))
    assert params.get("child.child.child.i64") is not None
    for name in ("child", "inners", "inners.label", "counts", "doc", "name", "i64.x", ""):
        assert params.get(name) is None, name
    documented = {p.name for p in query_params(_binding(transcode_service(), "Echo"))}
    assert "at" in documented and "wrapped" in documented and "child.name" not in documented


def test_the_name_cache_is_bounded() -> None:
    params = QueryParams(_binding(transcode_service(), "Echo"))
    for i in range(5000):
        params.get(f"unknown{i}")
    assert len(params._cache) <= QueryParams._MAX_CACHED


def test_read_query() -> None:
    params = QueryParams(_binding(transcode_service(), "Fetch"))
    message = message_class("ShelfRequest")()
    out: list[Violation] = []
    pairs = [("where.tags", "a"), ("where.tags", "b"), ("where.count", "3"), ("x", "y"),
             ("where.label", "1"), ("where.label", "2"), ("where.label", "3")]
    read_query(params, pairs, message, out)
    assert list(message.where.tags) == ["a", "b"] and message.where.count == 3
    assert message.where.label == "1"
    assert out == [Violation("where.label", "must be given at most once", "multiple_values")]
