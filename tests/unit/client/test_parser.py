"""What the command line accepts: the REST field names as flag aliases, and an unknown flag's
usage message with a suggestion."""

from __future__ import annotations

import argparse
import re

import pytest

from worlds.cli import build_parser
from worlds.client import routes
from worlds.client.parser import Deferred


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(argv)


def client_commands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: p for name, p in sub.choices.items() if isinstance(p.get_default("func"), Deferred)}


def test_each_flag_also_takes_the_rest_names_of_its_field() -> None:
    args = parse("manifest-create", "--num_hosts", "5", "--num_users", "3", "--domains", "a.test",
                 "--domain", "b.test", "--project_id", "p")
    assert (args.num_hosts, args.num_users, args.domains, args.project_id) == (5, 3, ["a.test", "b.test"],
                                                                               "p")
    for alias in ("--page-size", "--page_size", "--limit"):
        assert parse("job-list", alias, "7").limit == 7
    assert parse("principals", "m", "--principal-type", "user").principal_type == "user"
    assert parse("principals", "m", "--principal_type", "group").principal_type == "group"
    assert parse("trajectory-create", "--manifest_id", "m", "--only_successful").only_successful


def test_every_field_a_flag_fills_is_accepted_under_its_rest_name() -> None:
    commands = client_commands()
    assert len(commands) > 20
    checked = 0
    for name, command in commands.items():
        deferred = command.get_default("func")
        flags = {s for action in command._actions for s in action.option_strings}
        for field, spelled in deferred.names.items():
            if spelled.startswith("--") and field != "page":  # page: derived from --limit
                assert {f"--{field}", f"--{field.replace('_', '-')}"} <= flags, (name, field)
                checked += 1
    assert checked > 40


def test_the_names_of_fields_come_from_the_request() -> None:
    """A flag's field must be a field of its command's request (the table from the protos)."""
    names = client_commands()["job-list"].get_default("func").names
    assert names["page_size"] == "--limit" and names["page"] == "--limit"
    assert set(names) <= set(routes.request_fields("ListJobs"))
    assert client_commands()["manifest-create"].get_default("func").names["domains"] == "--domain"
    assert client_commands()["job-get"].get_default("func").names["job_id"] == "JOB_ID"


def test_help_lists_a_flags_aliases_once_with_its_value(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parse("job-list", "--help")
    out = capsys.readouterr().out
    assert "--limit, --page-size, --page_size LIMIT" in out
    assert "REST API's name of the request field" in out
    # The usage line names each flag once, by its own name.
    usage = out.split("\n\n")[0]
    assert "[--limit LIMIT]" in usage and "page_size" not in usage


@pytest.mark.parametrize(("argv", "message"), [
    (["job-list", "--pagesize", "5"], "unknown flag --pagesize; did you mean --page-size?"),
    (["job-list", "--pageSize=5"], "unknown flag --pageSize; did you mean --page-size?"),
    (["manifest-create", "--num-host", "3"], "unknown flag --num-host; did you mean --num-hosts?"),
    (["job-list", "--lim", "3"], "unknown flag --lim; did you mean --limit?"),
    (["job-list", "--bogus"], "unknown flag --bogus; see worlds job-list --help"),
    (["job-get", "a", "b"], "unexpected argument: b"),
    (["serve", "--grpc-adress", "x"], "unknown flag --grpc-adress; did you mean --grpc-address?"),
])
def test_an_unknown_flag_prints_the_commands_usage_and_a_suggestion(
        argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        parse(*argv)
    assert exit_.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.rstrip("\n").split("\n")
    # One paragraph: the command's own usage, then the error on one line.
    assert lines[0].startswith(f"usage: worlds {argv[0]} ") and "" not in lines
    assert lines[-1] == f"worlds {argv[0]}: error: {message}"


def test_abbreviations_are_not_taken() -> None:
    """A prefix that is unique today is ambiguous once a flag or alias is added."""
    with pytest.raises(SystemExit):
        parse("job-list", "--stat", "queued")
    assert parse("job-list", "--status", "queued").status == "queued"


def test_a_parser_for_one_line_has_that_commands_flags_and_every_commands_name(
        capsys: pytest.CaptureFixture[str]) -> None:
    line = ["job-list", "--page_size", "3", "--status", "queued"]
    assert vars(build_parser(line).parse_args(line)).items() >= {"limit": 3, "status": "queued"}.items()
    with pytest.raises(SystemExit):
        build_parser(["--help"]).parse_args(["--help"])
    listed = capsys.readouterr().out
    assert all(re.search(rf"^    {name}\b", listed, re.M) for name in client_commands())
    with pytest.raises(SystemExit) as exit_:
        build_parser(["job-lst"]).parse_args(["job-lst"])
    assert exit_.value.code == 2 and "invalid choice: 'job-lst'" in capsys.readouterr().err
