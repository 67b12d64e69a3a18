"""google.api.http features and every field kind, over REST, on the test-only TranscodeService.

Nothing in the gateway names this service: that its routes, codec and OpenAPI work is the
proof that an annotated RPC needs no route code. Runs in both backend modes (see conftest);
in channel mode every message also crosses the protobuf wire format.
"""

from __future__ import annotations

import json

import pytest

from tests.gateway.conftest import assert_envelope, locs

pytestmark = pytest.mark.anyio

EVERYTHING_FIELDS = {
    "name", "i32", "i64", "u32", "u64", "s64", "dbl", "flt", "flag", "raw", "color",
    "maybe_color", "opt", "opt_i64", "nums", "colors", "inners", "inner", "counts", "inner_map",
    "at", "took", "doc", "any_value", "list", "wrapped", "mask", "pick_a", "pick_b", "child",
    "by_number",
}

UNSET = {
    "name": "x", "i32": 0, "i64": 0, "u32": 0, "u64": 0, "s64": 0, "dbl": 0.0, "flt": 0.0,
    "flag": False, "raw": "", "color": None, "maybe_color": None, "opt": None, "opt_i64": None,
    "nums": [], "colors": [], "inners": [], "inner": None, "counts": {}, "inner_map": {},
    "at": None, "took": None, "doc": {}, "any_value": None, "list": [], "wrapped": None,
    "mask": None, "pick_a": None, "pick_b": None, "child": None, "by_number": {},
}


async def test_every_field_is_present_with_its_unset_form(tclient) -> None:
    response = await tclient.get("/v1/things/x")
    assert response.status_code == 200, response.text
    assert response.json() == UNSET


async def test_query_parameters_fill_every_kind_of_field(tclient) -> None:
    query = (
        "i32=-5&i64=9223372036854775807&u32=4294967295&u64=18446744073709551615&s64=-3"
        "&dbl=1.5&flt=0.1&flag=true&raw=aGk&color=dark_blue&maybe_color=red&opt=&opt_i64=3"
        "&nums=1&nums=2&colors=red&colors=dark_blue&inner.label=L&inner.count=2"
        "&inner.tags=a&inner.tags=b&at=2026-01-02T03:04:05.5Z&took=1.5s&wrapped=7&mask=a,b.c"
        "&pick_b=4&child.name=kid&child.child.i64=-9&inners=ignored&counts=ignored&unknown=1"
    )
    response = await tclient.get(f"/v1/things/x?{query}")
    assert response.status_code == 200, response.text
    assert response.json() == {
        **UNSET,
        "i32": -5, "i64": 2**63 - 1, "u32": 2**32 - 1, "u64": 2**64 - 1, "s64": -3,
        "dbl": 1.5, "flt": 0.1, "flag": True, "raw": "aGk=", "color": "dark_blue",
        "maybe_color": "red", "opt": "", "opt_i64": 3, "nums": [1, 2],
        "colors": ["red", "dark_blue"], "inner": {"label": "L", "count": 2, "tags": ["a", "b"]},
        "at": "2026-01-02T03:04:05.500000Z", "took": "1.500s", "wrapped": 7, "mask": "a,b.c",
        "pick_b": 4,
        "child": {**UNSET, "name": "kid", "child": {**UNSET, "name": "", "i64": -9}},
    }


@pytest.mark.parametrize(
    ("query", "loc", "type_"),
    [
        ("i32=2147483648", ("query", "i32"), "int_overflow"),
        ("u32=-1", ("query", "u32"), "int_overflow"),
        ("flag=1", ("query", "flag"), "bool_parsing"),
        ("flag=True", ("query", "flag"), "bool_parsing"),
        ("dbl=abc", ("query", "dbl"), "float_parsing"),
        ("dbl=inf", ("query", "dbl"), "float_parsing"),
        ("at=yesterday", ("query", "at"), "datetime_parsing"),
        ("nums=1&nums=x", ("query", "nums", 1), "int_parsing"),
        ("inner.count=x", ("query", "inner", "count"), "int_parsing"),
        ("color=red&color=red", ("query", "color"), "multiple_values"),
        ("raw=!!", ("query", "raw"), "base64_decode"),
    ],
)
async def test_query_violations(tclient, query, loc, type_) -> None:
    body = assert_envelope(await tclient.get(f"/v1/things/x?{query}"), 422, "validation_error")
    assert locs(body) == {loc: type_}


FULL_BODY = {
    "name": "full", "i32": -(2**31), "i64": -(2**63), "u32": 2**32 - 1, "u64": 2**64 - 1,
    "s64": 2**63 - 1, "dbl": -2.5e300, "flt": 3.25, "flag": True, "raw": "AAEC/w==",
    "color": "red", "maybe_color": "dark_blue", "opt": "o", "opt_i64": -5, "nums": [3, 1],
    "colors": ["dark_blue"], "inners": [{"label": "a", "count": 1, "tags": []}],
    "inner": {"label": "i", "count": 0, "tags": ["t"]}, "counts": {"k": 2**62},
    "inner_map": {"m": {"label": "v", "count": 7, "tags": []}},
    "at": "1970-01-01T00:00:00Z", "took": "-0.000001s",
    "doc": {"n": 3, "f": 0.5, "s": "x", "b": False, "z": None, "l": [1, "a"], "o": {"k": 1}},
    "any_value": [1, {"a": None}], "list": [True, 2.5], "wrapped": -1, "mask": "a_b",
    "pick_a": "a", "pick_b": None, "child": None, "by_number": {"1": "one", "-2": "minus two"},
}


async def test_a_full_body_round_trips(tclient) -> None:
    response = await tclient.post("/v1/things", json=FULL_BODY)
    assert response.status_code == 200, response.text
    assert response.json() == {**FULL_BODY, "raw": "AAEC/w==", "took": "-0.000001s"}


@pytest.mark.parametrize(
    ("body", "loc", "type_"),
    [
        ({"i32": 2**31}, ("body", "i32"), "int_overflow"),
        ({"u32": -1}, ("body", "u32"), "int_overflow"),
        ({"u64": 2**64}, ("body", "u64"), "int_overflow"),
        ({"flt": 1e39}, ("body", "flt"), "float_overflow"),
        ({"dbl": "x"}, ("body", "dbl"), "float_type"),
        ({"dbl": True}, ("body", "dbl"), "float_type"),
        ({"flag": 1}, ("body", "flag"), "bool_type"),
        ({"flag": "true"}, ("body", "flag"), "bool_type"),
        ({"raw": "!!"}, ("body", "raw"), "base64_decode"),
        ({"raw": 5}, ("body", "raw"), "bytes_type"),
        ({"color": "dark-blue"}, ("body", "color"), "enum"),
        ({"colors": ["red", "nope"]}, ("body", "colors", 1), "enum"),
        ({"inner": []}, ("body", "inner"), "dict_type"),
        ({"inner": {"zzz": 1}}, ("body", "inner", "zzz"), "extra_forbidden"),
        ({"inners": [{"count": "x"}]}, ("body", "inners", 0, "count"), "int_type"),
        ({"inners": [None]}, ("body", "inners", 0), "dict_type"),
        ({"inners": {}}, ("body", "inners"), "list_type"),
        ({"counts": {"a": "x"}}, ("body", "counts", "a"), "int_type"),
        ({"counts": []}, ("body", "counts"), "dict_type"),
        ({"by_number": {"x": "one"}}, ("body", "by_number", "x"), "int_parsing"),
        ({"inner_map": {"m": {"count": 1.5}}}, ("body", "inner_map", "m", "count"),
         "int_from_float"),
        ({"at": "yesterday"}, ("body", "at"), "datetime_parsing"),
        ({"at": 0}, ("body", "at"), "datetime_type"),
        ({"took": 5}, ("body", "took"), "duration_type"),
        ({"doc": []}, ("body", "doc"), "dict_type"),
        ({"list": {}}, ("body", "list"), "list_type"),
        ({"wrapped": "7"}, ("body", "wrapped"), "int_type"),
        ({"mask": 1}, ("body", "mask"), "string_type"),
        ({"child": {"child": {"i64": "x"}}}, ("body", "child", "child", "i64"), "int_type"),
    ],
)
async def test_body_violations_name_the_exact_place(tclient, body, loc, type_) -> None:
    envelope = assert_envelope(await tclient.post("/v1/things", json=body), 422,
                               "validation_error")
    assert locs(envelope) == {loc: type_}


@pytest.mark.parametrize(
    ("content", "loc"),
    [
        (rb'{"name": "\ud800"}', ("body", "name")),
        (rb'{"inner": {"tags": ["ok", "\udfff"]}}', ("body", "inner", "tags")),
        (rb'{"counts": {"\ud800": 1}}', ("body", "counts", r"\ud800")),
        (rb'{"\ud800": 1}', ("body", r"\ud800")),
    ],
)
async def test_lone_surrogates_are_rejected(tclient, content: bytes, loc) -> None:
    # Valid JSON ("\ud800" is a legal escape), but not text protobuf can hold.
    response = await tclient.post(
        "/v1/things", content=content, headers={"content-type": "application/json"}
    )
    errors = locs(assert_envelope(response, 422, "validation_error"))
    assert list(errors) == [loc] and errors[loc] in ("string_unicode", "extra_forbidden")


async def test_non_finite_floats_travel_as_strings(tclient) -> None:
    body = {"dbl": "-Infinity", "flt": "NaN"}
    response = await tclient.post("/v1/things", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["dbl"], response.json()["flt"]) == ("-Infinity", "NaN")


# -- templates -------------------------------------------------------------------------------------


async def test_a_verb_route_with_a_path_field(tclient) -> None:
    response = await tclient.put("/v1/things/caf%C3%A9:replace", json={"i32": 1})
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["i32"]) == ("café", 1)
    forbidden = await tclient.put("/v1/things/x:replace", json={"name": "y"})
    assert locs(assert_envelope(forbidden, 422, "validation_error")) == {
        ("body", "name"): "extra_forbidden"
    }


async def test_a_body_field_binding_with_nested_path_field_and_response_body(tclient) -> None:
    response = await tclient.post(
        "/v1/shelves/s%201/items/thing-1?id=abc&where.label=L%2FM",
        json={"name": "from-body", "i64": 5},
    )
    assert response.status_code == 201, response.text
    thing = response.json()
    assert set(thing) == EVERYTHING_FIELDS, "the response body is the `thing` field"
    assert (thing["name"], thing["i64"]) == ("thing-1", 5), "the path wins over the body"
    # {parent=shelves/*} keeps its slash, thing.name comes from the request, where_label
    # (not a request field) from the response.
    assert response.headers["location"] == "/v1/shelves/s%201/items/thing-1/L%2FM"


async def test_violations_of_a_body_field_binding(tclient) -> None:
    response = await tclient.post(
        "/v1/shelves/s1/items/t?where.count=x", json={"i32": "x", "zzz": 1}
    )
    assert locs(assert_envelope(response, 422, "validation_error")) == {
        ("body", "i32"): "int_type",
        ("body", "zzz"): "extra_forbidden",
        ("query", "where", "count"): "int_parsing",
    }


@pytest.mark.parametrize(
    ("path", "id_"),
    [
        ("/v1/files", ""),
        ("/v1/files/", ""),
        ("/v1/files/a", "a"),
        ("/v1/files/a/b/c.txt", "a/b/c.txt"),
        ("/v1/files/a%2Fb/c%20d", "a%2Fb/c d"),
    ],
)
async def test_a_deep_wildcard_variable(tclient, path: str, id_: str) -> None:
    response = await tclient.get(path)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == id_


async def test_a_custom_verb_route(tclient) -> None:
    response = await tclient.post("/v1/shelves/s1:archive", json={"id": "z"})
    assert response.status_code == 200, response.text
    assert (response.json()["parent"], response.json()["id"]) == ("shelves/s1", "z")
    assert_envelope(await tclient.post("/v1/shelves/s1", json={}), 404, "not_found")
    assert_envelope(await tclient.post("/v1/shelves/s1:other", json={}), 404, "not_found")
    locked = await tclient.post("/v1/shelves/s1:archive", json={"parent": "x"})
    assert locs(assert_envelope(locked, 422, "validation_error")) == {
        ("body", "parent"): "extra_forbidden"
    }


async def test_additional_bindings_share_the_rpc(tclient) -> None:
    created = await tclient.post("/v1/things", json={"name": "n", "i32": 3})
    fetched = await tclient.get("/v1/things/n?i32=3")
    assert created.json() == fetched.json()
    response = await tclient.delete("/v1/things/n")
    assert_envelope(response, 405, "invalid_request")
    assert response.headers["allow"] == "GET"


async def test_unannotated_methods_are_not_routed_and_streams_are(tclient, transcode_app) -> None:
    watched = await tclient.get("/v1/watch/x")
    assert watched.headers["content-type"] == "application/x-ndjson"
    assert [line["id"] for line in map(json.loads, watched.text.splitlines())] == ["x", "x"]
    operations = {
        operation["operationId"]
        for path in transcode_app.openapi()["paths"].values()
        for operation in path.values()
    }
    assert operations == {"Echo", "Echo_1", "Echo_2", "Shelve", "Fetch", "Archive", "Watch", "Tail"}


async def test_servicer_failures_map_the_same_way_here(tclient) -> None:
    response = await tclient.get("/v1/things/fail:rate")
    assert_envelope(response, 429, "rate_limited")
    assert response.headers["retry-after"] == "2"
    violations = assert_envelope(await tclient.get("/v1/things/fail:violations"), 422,
                                 "validation_error")
    # This binding has only `name` in the path: the other fields travel in the query.
    assert locs(violations) == {
        ("query", "num_hosts"): "less_than_equal",
        ("query", "domains", 2): "dns_name",
        ("query", "org"): "org_parsing",
    }
