"""What a user can get wrong: the key, the server, the workspace, the flags. One message on
stderr, nothing on stdout, a documented exit code, never a traceback (checked in `worlds`)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.conftest import client_env, worlds
from tests.support.served import Served, free_port


def test_a_bad_key_prints_the_401_detail_and_where_the_key_came_from(idle: Served) -> None:
    done = worlds(idle, "job-list", "--api-key", "wk_wrong")
    assert done.code == 1 and done.out == ""
    assert done.err.splitlines() == ["worlds: Invalid API key (401 authentication_error)",
                                     "  (the API key came from --api-key)"]
    from_env = worlds(idle, "job-list", env=client_env(idle, WORLDS_API_KEY="wk_wrong"))
    assert from_env.code == 1 and "came from WORLDS_API_KEY" in from_env.err


def test_the_key_comes_from_the_environment_before_the_bootstrap_file(idle: Served, tmp_path: Path) -> None:
    env = client_env(idle, WORLDS_API_KEY=idle.bootstrap_key, WORLDS_DATA_DIR=str(tmp_path))
    assert worlds(idle, "job-list", "--json", env=env).code == 0


def test_no_key_anywhere_is_a_usage_error(idle: Served, tmp_path: Path) -> None:
    done = worlds(idle, "job-list", env=client_env(idle, WORLDS_DATA_DIR=str(tmp_path)))
    assert done.code == 2 and done.out == ""
    assert "no API key" in done.err and str(tmp_path / "bootstrap-api-key") in done.err


def test_an_unknown_workspace_is_not_found(idle: Served) -> None:
    done = worlds(idle, "job-list", "--workspace", "nope")
    assert done.code == 1 and "Workspace 'local/nope' not found (404 not_found)" in done.err
    env = client_env(idle, WORLDS_ORG="elsewhere")
    assert "Workspace 'elsewhere/main' not found" in worlds(idle, "job-list", env=env).err


def test_a_server_that_is_down_exits_3(idle: Served) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    for args in (["job-list"], ["manifest-create"], ["job-wait", "00000000-0000-4000-8000-000000000000"]):
        done = worlds(idle, *args, "--server", down)
        assert done.code == 3 and done.out == "", args
        assert f"cannot reach the server at {down}" in done.err and "refused" in done.err


def test_a_server_url_that_is_not_http_is_a_usage_error(idle: Served) -> None:
    done = worlds(idle, "job-list", "--server", "127.0.0.1:8080")
    assert done.code == 2 and "--server must be an http:// or https:// URL" in done.err


def test_a_server_that_is_not_the_worlds_api(idle: Served) -> None:
    done = worlds(idle, "job-list", "--server", idle.url + "/healthz/")
    assert done.code == 1 and done.out == "" and "(404" in done.err


def test_bad_flags_are_usage_errors(idle: Served) -> None:
    for args in (["job-list", "--bogus"], ["manifest-create", "--preset", "huge"],
                 ["manifest-create", "--seed", "x"], ["job-list", "--limit", "0"],
                 ["job-wait", "00000000-0000-4000-8000-000000000000", "--timeout-sec", "-1"],
                 ["job-get"]):
        done = worlds(idle, *args)
        assert done.code == 2 and done.out == "", args
        assert "usage:" in done.err, args


def test_help_documents_the_exit_codes(idle: Served) -> None:
    for args in (["--help"], ["job-wait", "--help"]):
        done = worlds(idle, *args)
        assert done.code == 0
        assert "exit codes" in done.out and "4    job-wait: --timeout-sec passed" in done.out


def test_an_unknown_flag_shows_the_commands_usage_and_the_flag_it_resembles(idle: Served) -> None:
    done = worlds(idle, "job-list", "--pagesize", "5")
    assert done.code == 2 and done.out == ""
    assert done.err.startswith("usage: worlds job-list [-h]") and "\n\n" not in done.err
    assert done.err.splitlines()[-1] == ("worlds job-list: error: unknown flag --pagesize; "
                                         "did you mean --page-size?")
