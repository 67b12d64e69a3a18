"""What can go wrong in a client command, and the exit code each ends with.

    ClientError
     ├── ApiError          1  the server answered with the error envelope (bad key, not found, …)
     ├── UsageError        2  bad flags or configuration, found before any request (argparse's
     │                        own errors exit 2 as well)
     ├── Unreachable       3  no answer: connection refused, DNS, TLS, a broken or silent connection
     ├── WaitTimedOut      4  job-wait --timeout-sec passed; the job itself keeps running
     └── JobUnsuccessful   5  job-wait: the job ended failed or cancelled

Lower-layer errors (httpx, JSON, files) are re-raised as one of these (`raise … from`), so a
command reports every failure a user can cause as one message on stderr, never a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    API_ERROR = 1
    USAGE = 2
    UNREACHABLE = 3
    WAIT_TIMEOUT = 4
    JOB_UNSUCCESSFUL = 5
    # 128 + SIGINT, as shells report a command stopped by Ctrl-C.
    INTERRUPTED = 130


EXIT_CODES_HELP = """\
  0    success (job-wait: the job completed)
  1    the server answered with an error (its detail is printed)
  2    bad usage: an unknown flag, a missing argument, no API key
  3    the server could not be reached, or stopped answering
  4    job-wait: --timeout-sec passed; the job keeps running
  5    job-wait: the job failed or was cancelled (its error is printed)
  130  interrupted (Ctrl-C)
"""


class ClientError(Exception):
    exit_code: ExitCode = ExitCode.API_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def lines(self, names: Mapping[str, str] | None = None) -> list[str]:
        """What to print on stderr, one line each; `names` as in `where`."""
        return [self.message]


class UsageError(ClientError):
    exit_code = ExitCode.USAGE


class Unreachable(ClientError):
    exit_code = ExitCode.UNREACHABLE


class ApiError(ClientError):
    """A non-2xx response, carrying the contract's error envelope."""

    exit_code = ExitCode.API_ERROR

    def __init__(self, status: int, envelope: dict[str, Any], hint: str | None = None) -> None:
        self.status = status
        self.type = str(envelope.get("type") or "")
        self.detail = str(envelope.get("detail") or f"HTTP {status}")
        self.errors = [e for e in envelope.get("errors") or [] if isinstance(e, dict)]
        self.hint = hint
        super().__init__(self.detail)

    def lines(self, names: Mapping[str, str] | None = None) -> list[str]:
        kind = f"{self.status} {self.type}" if self.type else str(self.status)
        lines = [f"{self.detail} ({kind})"]
        for error in self.errors:
            lines.append(f"  {where(error.get('loc') or [], names)}: {error.get('msg', '')}")
        if self.hint:
            lines.append(self.hint)
        return lines


def where(loc: list[Any], names: Mapping[str, str] | None = None) -> str:
    """A field error's `loc` in the command line's terms: `--num-hosts`, `JOB_ID`, `--domain[1]`.

    `names` spells the command's request fields as its line does (`parser.Command.names`);
    a field without an entry is its own name as a flag.
    """
    names = names or {}
    if len(loc) >= 2 and loc[0] in ("body", "query") and isinstance(loc[1], str):
        name = names.get(loc[1], "--" + loc[1].replace("_", "-"))
    elif len(loc) >= 2 and loc[0] == "path" and isinstance(loc[1], str):
        name = names.get(loc[1], loc[1].upper())
    else:
        return ".".join(str(part) for part in loc) or "request"
    return name + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc[2:])


class WaitTimedOut(ClientError):
    exit_code = ExitCode.WAIT_TIMEOUT

    def __init__(self, message: str, job: dict[str, Any] | None) -> None:
        super().__init__(message)
        self.job = job


class JobUnsuccessful(ClientError):
    exit_code = ExitCode.JOB_UNSUCCESSFUL

    def __init__(self, message: str, job: dict[str, Any]) -> None:
        super().__init__(message)
        self.job = job
