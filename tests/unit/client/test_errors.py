"""Errors in the command line's terms."""

from __future__ import annotations

from worlds.client.errors import ApiError, ExitCode, Unreachable, UsageError, where


def test_field_errors_name_flags_and_arguments() -> None:
    # As the command's line spells its fields (parser.Command.names) ...
    names = {"domains": "--domain", "page_size": "--limit", "center": "NODE_ID"}
    assert where(["body", "domains", 2], names) == "--domain[2]"
    assert where(["query", "page_size"], names) == "--limit"
    assert where(["query", "center"], names) == "NODE_ID"
    # ... else the field's name as a flag, which every flag takes as an alias.
    assert where(["body", "num_hosts"]) == "--num-hosts"
    assert where(["body", "domains", 2]) == "--domains[2]"
    assert where(["path", "job_id"]) == "JOB_ID"
    assert where(["header", "Last-Event-ID"]) == "header.Last-Event-ID"
    error = ApiError(422, {"detail": "Request validation failed", "type": "validation_error",
                           "errors": [{"loc": ["body", "seed"], "msg": "must be an integer"},
                                      {"loc": ["body", "domains", 0], "msg": "bad name"}]})
    assert error.lines({"domains": "--domain"}) == ["Request validation failed (422 validation_error)",
                                                    "  --seed: must be an integer",
                                                    "  --domain[0]: bad name"]


def test_every_error_has_its_exit_code() -> None:
    assert (ApiError(404, {}).exit_code, UsageError("x").exit_code, Unreachable("x").exit_code) == (
        ExitCode.API_ERROR, ExitCode.USAGE, ExitCode.UNREACHABLE)
    assert ApiError(503, {"detail": "", "type": "bad_gateway"}).lines() == ["HTTP 503 (503 bad_gateway)"]
