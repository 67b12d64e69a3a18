"""docs/api.md is what scripts/gen-api-docs renders from the gateway's OpenAPI document today:
a change to the protos (paths, fields, bounds, comments) must come with the regenerated file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_api_reference_is_up_to_date() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen-api-docs"), "--check"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
