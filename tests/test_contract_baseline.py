"""`buf breaking` against the committed baseline image (protos/baseline/worlds.binpb).

Each test works on a copy of the contract in a fresh git repository, so the checks see exactly
what `scripts/test` and `scripts/accept-breaking` see, with real buf and real git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUF = ROOT / ".venv" / "bin" / "buf"
BASELINE = Path("protos/baseline/worlds.binpb")

pytestmark = pytest.mark.skipif(not BUF.exists(), reason="buf is installed by scripts/setup")


def _run(args: list[str], cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BUF": str(BUF), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    """A git repository holding a copy of the contract, its baseline and the script."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "buf.yaml", repo)
    shutil.copytree(ROOT / "protos", repo / "protos")
    shutil.copytree(ROOT / "third_party", repo / "third_party")
    shutil.copy(ROOT / "scripts" / "accept-breaking", repo / "scripts")
    _run(["git", "init", "-q"], repo)
    _run(["git", "add", "-A"], repo)
    _run(["git", "commit", "-qm", "contract"], repo)
    return repo


def _breaking(repo: Path) -> subprocess.CompletedProcess[str]:
    return _run([str(BUF), "breaking", "protos", "--against", str(BASELINE)], repo, check=False)


def _delete_job_id(repo: Path) -> None:
    proto = repo / "protos" / "worlds" / "v1" / "jobs.proto"
    text = proto.read_text()
    assert "  string id = 1;\n" in text
    proto.write_text(text.replace("message Job {\n  string id = 1;\n", "message Job {\n", 1))


def _add_message(repo: Path) -> None:
    proto = repo / "protos" / "worlds" / "v1" / "jobs.proto"
    proto.write_text(proto.read_text() + "\nmessage BaselineProbe {\n  string note = 1;\n}\n")


def test_the_tree_has_no_break_against_its_baseline(contract: Path) -> None:
    result = _breaking(contract)
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_addition_is_not_a_break(contract: Path) -> None:
    _add_message(contract)
    result = _breaking(contract)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_break_is_caught_however_many_commits_follow_it(contract: Path) -> None:
    _delete_job_id(contract)
    _run(["git", "commit", "-qam", "drop Job.id"], contract)
    # Two unrelated commits after the break: HEAD~1 no longer holds it.
    _add_message(contract)
    _run(["git", "commit", "-qam", "an addition"], contract)
    (contract / "NOTE").write_text("x")
    _run(["git", "add", "NOTE"], contract)
    _run(["git", "commit", "-qm", "a note"], contract)
    result = _breaking(contract)
    assert result.returncode != 0
    assert 'Previously present field "1" with name "id" on message "Job" was deleted' in result.stdout


def test_accept_breaking_commits_the_new_baseline_alone(contract: Path) -> None:
    _delete_job_id(contract)
    _run(["git", "commit", "-qam", "drop Job.id"], contract)
    _run(["scripts/accept-breaking", "Job.id is replaced"], contract)
    assert _breaking(contract).returncode == 0
    changed = _run(["git", "show", "--name-only", "--format=%s", "HEAD"], contract).stdout.split()
    assert changed[-1] == str(BASELINE)
    assert "Job.id is replaced" in _run(["git", "log", "-1", "--format=%s"], contract).stdout
    assert _run(["git", "status", "--porcelain"], contract).stdout == ""


def test_accept_breaking_wants_a_reason_and_a_clean_index(contract: Path) -> None:
    assert _run(["scripts/accept-breaking"], contract, check=False).returncode == 2
    (contract / "NOTE").write_text("staged")
    _run(["git", "add", "NOTE"], contract)
    refused = _run(["scripts/accept-breaking", "why"], contract, check=False)
    assert refused.returncode == 1
    assert "staged" in refused.stderr
