"""job-wait: follow one job's watch stream until the job ends. Never a polling loop.

The stream is WatchJob's route (protos/worlds/v1/worlds_service.proto, path from `routes.py`)
with `Accept: application/x-ndjson`: one event per line,
`{"type": "snapshot" | "changed" | "heartbeat", "event_id": "…", "job": {…} | null}`, the
job's current state first; the server ends it after the job reaches a terminal status. A
failure after the `200` arrives as a last line `{"error": {envelope}}` (the gateway's NDJSON
framing).

When the stream stops before the job ended:

- the connection broke, went silent for `Policy.liveness` seconds (the server sends heartbeats
  well within that), or the stream failed with a 5xx: open it again with `resume_token` = the
  last `event_id` seen, after a growing pause; the server replays every event after it;
- the token is too old (409: its events were pruned): watch anew without one; the snapshot is
  the job as it is now;
- the stream ended cleanly (a resumed watch of a job that finished in between has nothing more
  to send): watch anew without a token, and the snapshot tells.

A server that cannot be reached at the first attempt fails at once (`Unreachable`); later, a
server that stays away or failing for `Policy.give_up_after` seconds does. `wait_for_job`'s
timeout stops everything at once, whatever is in flight: the job itself is left alone.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable
from contextlib import aclosing
from dataclasses import dataclass
from typing import Any

import httpx

from worlds.client.errors import ApiError, ClientError, WaitTimedOut
from worlds.client.http import (
    CONNECT_TIMEOUT,
    api_error,
    broken,
    cannot_connect,
    headers,
    no_answer,
    tls_context,
    url,
)
from worlds.client.options import ClientOptions
from worlds.client.progress import Progress

TERMINAL = frozenset({"completed", "failed", "cancelled"})
NDJSON = "application/x-ndjson"

Job = dict[str, Any]


@dataclass(frozen=True)
class Policy:
    # Seconds without a byte before the connection counts as dead: four of the server's
    # heartbeats (15 s by default) missed.
    liveness: float = 60.0
    # Pause before reconnecting, doubling per attempt that heard nothing, up to max_pause.
    first_pause: float = 0.2
    max_pause: float = 5.0
    # Seconds without any event, while failing, before giving up.
    give_up_after: float = 60.0


class JobFollower:
    """Follows one job; `run` returns the job once terminal. `last_job` is the latest state seen."""

    def __init__(self, options: ClientOptions, job_id: str, on_job: Callable[[Job], None], *,
                 policy: Policy = Policy(), transport: httpx.AsyncBaseTransport | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.options = options
        self.job_id = job_id
        self.last_job: Job | None = None
        self._on_job = on_job
        self._policy = policy
        self._transport = transport
        self._clock = clock
        self._url = url(options, "WatchJob", job_id=job_id)
        self._token: str | None = None
        self._connected = False

    async def run(self) -> Job:
        policy = self._policy
        pause = policy.first_pause
        heard_at = self._clock()
        async with httpx.AsyncClient(headers={**headers(self.options), "Accept": NDJSON},
                                     timeout=httpx.Timeout(policy.liveness, connect=CONNECT_TIMEOUT),
                                     transport=self._transport, verify=tls_context(self.options)) as client:
            while True:
                failure: ClientError | None = None
                heard = False
                try:
                    async with aclosing(self._events(client)) as events:
                        async for event in events:
                            heard = True
                            job = event.get("job")
                            if isinstance(job, dict):
                                self.last_job = job
                                self._on_job(job)
                                if job.get("status") in TERMINAL:
                                    return job
                    self._token = None
                except httpx.TransportError as exc:
                    if not self._connected:
                        raise self._unreachable(exc) from exc
                    failure = self._unreachable(exc)
                except ApiError as error:
                    if error.status == 409 and self._token is not None:
                        self._token = None
                    elif error.status >= 500 and self._connected:
                        failure = error
                    else:
                        raise
                if heard:
                    heard_at, pause = self._clock(), policy.first_pause
                elif failure is not None and self._clock() - heard_at > policy.give_up_after:
                    raise failure
                await asyncio.sleep(pause)
                pause = min(pause * 2, policy.max_pause)

    def _unreachable(self, exc: httpx.TransportError) -> ClientError:
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
            return cannot_connect(exc, self.options)
        if isinstance(exc, httpx.TimeoutException):
            return no_answer(self.options)
        return broken(exc, self.options)

    async def _events(self, client: httpx.AsyncClient) -> AsyncGenerator[dict[str, Any], None]:
        params = {"resume_token": self._token} if self._token else None
        async with client.stream("GET", self._url, params=params) as response:
            if not response.is_success:
                raise api_error(response.status_code, await response.aread(), str(response.url),
                                self.options)
            self._connected = True
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                event = _decode(line)
                if isinstance(event.get("error"), dict):
                    envelope = event["error"]
                    code = envelope.get("code")
                    raise ApiError(code if isinstance(code, int) else 500, envelope)
                if event.get("event_id"):
                    self._token = str(event["event_id"])
                yield event


def _decode(line: str) -> dict[str, Any]:
    try:
        event = json.loads(line)
    except ValueError:
        event = None
    if not isinstance(event, dict):
        raise ApiError(200, {"detail": "the watch stream sent a line that is not a JSON object",
                             "type": "invalid_response"})
    return event


async def _tick(progress: Progress) -> None:
    while True:
        await asyncio.sleep(1)
        progress.tick()


def wait_for_job(options: ClientOptions, job_id: str, progress: Progress, *,
                 timeout: float | None = None, policy: Policy = Policy(),
                 transport: httpx.AsyncBaseTransport | None = None) -> Job:
    """The job once it is terminal, shown on `progress` meanwhile (closed before returning).

    Raises WaitTimedOut after `timeout` seconds (None: never), ApiError and Unreachable.
    """
    follower = JobFollower(options, job_id, progress.update, policy=policy, transport=transport)

    async def follow() -> Job:
        ticker = asyncio.ensure_future(_tick(progress))
        try:
            async with asyncio.timeout(timeout):
                return await follower.run()
        finally:
            ticker.cancel()

    try:
        return asyncio.run(follow())
    except TimeoutError:
        status = (follower.last_job or {}).get("status", "unknown")
        raise WaitTimedOut(f"stopped waiting after {timeout:g} s; job {job_id} was still {status} "
                           "and is left to run", follower.last_job) from None
    finally:
        progress.close()
