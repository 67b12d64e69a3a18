"""Path templates: the http.proto grammar, matching, decoding and expansion."""

from __future__ import annotations

import pytest
from worlds_gateway.template import DEEP, SINGLE, Literal, TemplateError, parse_template


def test_parse_the_grammar() -> None:
    template = parse_template("/v1/{name=shelves/*/books/**}:publish")
    assert template.segments == (Literal("v1"), Literal("shelves"), SINGLE, Literal("books"), DEEP)
    assert [(v.field_path, v.start, v.end) for v in template.variables] == [("name", 1, 5)]
    assert template.verb == "publish"
    simple = parse_template("/a/{x.y}/*/b")
    assert simple.segments == (Literal("a"), SINGLE, SINGLE, Literal("b"))
    assert [(v.field_path, v.start, v.end) for v in simple.variables] == [("x.y", 1, 2)]


@pytest.mark.parametrize(
    "source",
    ["", "v1/x", "/", "/a//b", "/a/**/b", "/{x=**}/b", "/{x={y}}", "/{x", "/{1x}", "/a/{x}/{x}",
     "/a:", "/a:b/c", "/a/{x=}", "/a}", "/a/{x.}"],
)
def test_bad_templates_are_rejected(source: str) -> None:
    with pytest.raises(TemplateError):
        parse_template(source)


@pytest.mark.parametrize(
    ("source", "path", "values"),
    [
        ("/v1/{name}", "/v1/abc", {"name": "abc"}),
        ("/v1/{name}", "/v1/a%2Fb%20c%3A", {"name": "a/b c:"}),
        ("/v1/{name}", "/v1/caf%C3%A9", {"name": "café"}),
        ("/v1/{name}", "/v1/a+b", {"name": "a+b"}),
        ("/v1/{name}", "/v1/", None),
        ("/v1/{name}", "/v1/a/b", None),
        ("/v1/{name}", "/v1", None),
        ("/v1/{name}", "v1/a", None),
        ("/v1/{name}", "/v1/a:b", {"name": "a:b"}),
        ("/v1/{name}:cancel", "/v1/a:cancel", {"name": "a"}),
        ("/v1/{name}:cancel", "/v1/a", None),
        ("/v1/{name}:cancel", "/v1/a:other", None),
        ("/v1/{name=shelves/*}", "/v1/shelves/s1", {"name": "shelves/s1"}),
        ("/v1/{name=shelves/*}", "/v1/boxes/s1", None),
        ("/v1/{name=shelves/*}", "/v1/shelve%73/s1", {"name": "shelves/s1"}),
        ("/v1/{name=**}", "/v1", {"name": ""}),
        ("/v1/{name=**}", "/v1/a/b%2Fc/%41", {"name": "a/b%2Fc/A"}),
        ("/v1/{name=**}:get", "/v1/a/b:get", {"name": "a/b"}),
        ("/v1/*/x", "/v1/anything/x", {}),
        ("/v1/**", "/v1/a/b/c", {}),
        ("/v1/{a}/{b.c}", "/v1/1/2", {"a": "1", "b.c": "2"}),
    ],
)
def test_match(source: str, path: str, values) -> None:
    assert parse_template(source).match(path) == values


def test_expand_encodes_as_match_decodes() -> None:
    template = parse_template("/v1/{parent=shelves/*}/items/{id}:go")
    path = template.expand({"parent": "shelves/a b", "id": "x/y?#"})
    assert path == "/v1/shelves/a%20b/items/x%2Fy%3F%23:go"
    assert template.match(path) == {"parent": "shelves/a b", "id": "x/y?#"}


def test_expand_needs_every_segment_bound() -> None:
    with pytest.raises(TemplateError):
        parse_template("/v1/*/x").expand({})


def test_specificity_prefers_verbs_and_literals() -> None:
    sources = ["/v1/{a=**}", "/v1/{a}", "/v1/things", "/v1/{a}:go", "/v1/things/{b}"]
    ordered = sorted(sources, key=lambda s: parse_template(s).specificity())
    assert ordered == ["/v1/{a}:go", "/v1/things", "/v1/things/{b}", "/v1/{a}", "/v1/{a=**}"]


def test_openapi_path() -> None:
    assert parse_template("/v1/{p=shelves/*}/x/{id}:go").openapi_path() == "/v1/{p}/x/{id}:go"

