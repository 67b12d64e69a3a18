"""Where the server, key, org and workspace come from: flag, then environment, then bootstrap."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from worlds.client.errors import UsageError
from worlds.client.options import add_flags, resolve


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_flags(parser)
    return parser.parse_args(argv)


def test_flags_win_over_the_environment(tmp_path: Path) -> None:
    env = {"WORLDS_SERVER": "http://env:1", "WORLDS_API_KEY": "wk_env", "WORLDS_ORG": "eo",
           "WORLDS_WORKSPACE": "ew", "WORLDS_DATA_DIR": str(tmp_path)}
    options = resolve(parse("--server", "https://flag:2/", "--api-key", "wk_flag", "--org", "fo",
                            "--workspace", "fw", "--json"), env)
    assert (options.server, options.api_key, options.key_source, options.org, options.workspace,
            options.json) == ("https://flag:2", "wk_flag", "--api-key", "fo", "fw", True)
    options = resolve(parse(), env)
    assert (options.server, options.api_key, options.key_source, options.org, options.workspace,
            options.json) == ("http://env:1", "wk_env", "WORLDS_API_KEY", "eo", "ew", False)


def test_the_local_bootstrap_is_the_default(tmp_path: Path) -> None:
    (tmp_path / "bootstrap-api-key").write_text("wk_boot\n")
    options = resolve(parse(), {"WORLDS_DATA_DIR": str(tmp_path), "WORLDS_ORG": ""})
    assert (options.server, options.api_key, options.org, options.workspace) == (
        "http://127.0.0.1:8080", "wk_boot", "local", "main")
    assert options.key_source == str(tmp_path / "bootstrap-api-key")


def test_the_bootstrap_key_is_under_data_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bootstrap-api-key").write_text("wk_here")
    assert resolve(parse(), {}).api_key == "wk_here"


@pytest.mark.parametrize("content", [None, ""])
def test_no_key_is_a_usage_error(tmp_path: Path, content: str | None) -> None:
    if content is not None:
        (tmp_path / "bootstrap-api-key").write_text(content)
    with pytest.raises(UsageError) as raised:
        resolve(parse(), {"WORLDS_DATA_DIR": str(tmp_path)})
    assert "no API key" in raised.value.message and raised.value.exit_code == 2


@pytest.mark.parametrize("server", ["127.0.0.1:8080", "ftp://host", "http://", "http://[::1", "http://h:99999"])
def test_the_server_must_be_an_http_url(server: str) -> None:
    with pytest.raises(UsageError, match="--server must be"):
        resolve(parse("--server", server, "--api-key", "k"), {})


@pytest.mark.parametrize("key", ["wk é", "wk\tkey", "wk key"])
def test_a_key_no_header_could_carry_is_a_usage_error(key: str) -> None:
    with pytest.raises(UsageError, match="contains characters no API key has"):
        resolve(parse("--api-key", key), {})
