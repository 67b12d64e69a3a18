"""What the fuzz runs check beyond Schemathesis's own checks, loaded by `schemathesis run`.

- Every error response, documented or not, is the contract's envelope with the type its
  status has (`worlds-api.md`, "The error envelope"), and leaks nothing.
- NDJSON stream bodies are read line by line: each line must match the documented line schema
  (an event, or the `{"error": ...}` line that ends a stream which failed after it started).
  Schemathesis knows no NDJSON: it validates the first line, this check the others.
- A schema-valid request may still be refused with a 422 for what the document cannot say: an
  opaque token this service did not issue (`page_token`, `resume_token` / `Last-Event-ID`:
  only the server mints them), two parameters that exclude each other (`page` and
  `page_token`), a field required only with another's value (`mode: "agent"` needs
  `runtime_id` and `capability_name`), DNS names equal but for case (`unique_items`), or a
  reference to data that does not exist (a goal naming nothing in the world, a project that is
  not the workspace's or not the manifest's). Those rejections are what the contract
  promises, so `positive_data_acceptance` failures made only of them are dropped; any other
  field error (a bound, a type, a format the document states) still fails the run.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis import Response
from worlds_gateway.errors import ERROR_TYPES

NDJSON = "application/x-ndjson"
ENVELOPE_KEYS = {"code", "detail", "type"}
# Field error types that only the server can judge (see the module docstring).
SEMANTIC = {"page_token", "resume_token", "exclusive", "goal", "project_not_found",
            "project_mismatch", "missing", "unique_items"}


def _media_type(response: Response) -> str:
    values = response.headers.get("content-type") or [""]
    return values[0].partition(";")[0].strip().lower()


@schemathesis.check
def error_is_the_envelope(ctx: Any, response: Response, case: Any) -> bool | None:
    status = response.status_code
    if status < 400:
        return None
    assert _media_type(response) == "application/json", f"{status} is not JSON"
    body = json.loads(response.content)
    assert isinstance(body, dict) and ENVELOPE_KEYS <= set(body) <= ENVELOPE_KEYS | {"errors"}, body
    assert body["code"] == status, f"envelope code {body['code']} on a {status}"
    assert body["type"] == ERROR_TYPES.get(status), f"type {body['type']!r} on a {status}"
    detail = body["detail"]
    assert isinstance(detail, str) and detail, "empty detail"
    assert "Traceback" not in detail and "SELECT " not in detail.upper(), detail
    return True


@schemathesis.deserializer(NDJSON)
def first_ndjson_line(ctx: Any, response: Response) -> Any:
    lines = response.content.splitlines()
    if not lines:
        raise ValueError("an NDJSON stream without a single line")
    return json.loads(lines[0])


@schemathesis.check
def every_ndjson_line_conforms(ctx: Any, response: Response, case: Any) -> bool | None:
    if response.status_code != 200 or _media_type(response) != NDJSON:
        return None
    for line in response.content.splitlines()[1:]:
        one = Response(status_code=response.status_code, headers=response.headers, content=line,
                       request=response.request, elapsed=response.elapsed,
                       verify=response.verify)
        case.operation.validate_response(one, case=case)
    return True


@schemathesis.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure but a 422 that only the server could have known to give."""
    if getattr(failure, "code", None) != "ST202" or response is None:
        return True
    if response.status_code != 422:
        return True
    errors = json.loads(response.content).get("errors") or [{}]
    return not all(error.get("type") in SEMANTIC for error in errors)
