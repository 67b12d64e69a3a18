"""Lease timings, worker settings from the CLI and environment, notification payloads."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from worlds import cli
from worlds.core.lease import LeasePolicy
from worlds.jobs.worker import WorkerConfig
from worlds.store.notify import JobSignals


def test_lease_policy_timings() -> None:
    policy = LeasePolicy(30)
    assert (policy.heartbeat_interval, policy.rescue_interval) == (10, 15)
    assert LeasePolicy(120).rescue_interval == 15  # capped: a dead worker's job waits little
    now = datetime(2030, 1, 1, tzinfo=UTC)
    assert policy.expiry(now) == now + timedelta(seconds=30)
    with pytest.raises(ValueError):
        LeasePolicy(0)


def test_worker_settings_come_from_flags_then_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORLDS_LEASE_SECONDS", "2.5")
    monkeypatch.setenv("WORLDS_WORKER_CONCURRENCY", "3")
    args = cli.build_parser().parse_args(["worker", "--concurrency", "2"])
    config = WorkerConfig.from_settings(cli._settings(args))
    assert (config.lease.duration, config.concurrency) == (2.5, 2)

    monkeypatch.setenv("WORLDS_LEASE_SECONDS", "soon")
    with pytest.raises(SystemExit, match="WORLDS_LEASE_SECONDS"):
        cli._settings(cli.build_parser().parse_args(["worker"]))


@pytest.mark.parametrize(("env", "flag", "expected"), [
    (None, [], True), ("false", [], False), ("true", ["--no-worker"], False)])
def test_serve_runs_the_in_process_worker_unless_disabled(
        monkeypatch: pytest.MonkeyPatch, env: str | None, flag: list[str], expected: bool) -> None:
    if env is not None:
        monkeypatch.setenv("WORLDS_IN_PROCESS_WORKER_ENABLED", env)
    settings = cli._settings(cli.build_parser().parse_args(["serve", *flag]))
    assert settings.in_process_worker is expected


def test_signals_wake_waiters_and_route_cancels() -> None:
    async def main() -> None:
        signals = JobSignals()
        signals.reset_queued()
        assert await signals.wait_queued(0.01) is False
        waiter = asyncio.create_task(signals.wait_queued(5))
        await asyncio.sleep(0)
        signals.dispatch("queued:job-1")
        assert await waiter is True
        with signals.cancel_watch("job-2") as cancel, signals.cancel_watch("job-3") as other:
            signals.dispatch("cancel:job-2")
            assert cancel.is_set() and not other.is_set()
        signals.dispatch("cancel:job-2")  # nobody watches: ignored
        signals.dispatch("unknown:job-4")

    asyncio.run(main())
