"""Errors in the command line's terms."""

from __future__ import annotations

from worlds.client.errors import ApiError, ExitCode, Unreachable, UsageError, where


def test_field_errors_name_flags_and_arguments() -> None:
    assert where(["body", "num_hosts"]) == "--num-hosts"
    assert where(["body", "domains", 2]) == "--domain[2]"
    assert where(["query", "page_size"]) == "--limit"
    assert where(["path", "job_id"]) == "JOB_ID"
    assert where(["header", "Last-Event-ID"]) == "header.Last-Event-ID"
    error = ApiError(422, {"detail": "Request validation failed", "type": "validation_error",
                           "errors": [{"loc": ["body", "seed"], "msg": "must be an integer"}]})
    assert error.lines() == ["Request validation failed (422 validation_error)",
                             "  --seed: must be an integer"]


def test_every_error_has_its_exit_code() -> None:
    assert (ApiError(404, {}).exit_code, UsageError("x").exit_code, Unreachable("x").exit_code) == (
        ExitCode.API_ERROR, ExitCode.USAGE, ExitCode.UNREACHABLE)
    assert ApiError(503, {"detail": "", "type": "bad_gateway"}).lines() == ["HTTP 503 (503 bad_gateway)"]
