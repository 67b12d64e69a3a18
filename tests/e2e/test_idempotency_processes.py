"""Concurrent retries of one create, spread over two `worlds serve` processes on one database,
make exactly one job: the idempotency key's unique row decides, not any process's memory."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, func, select

from tests.support.served import Served
from worlds.store.engine import normalize_url
from worlds.store.models import IdempotencyKey, Job

pytestmark = pytest.mark.slow

KEY = "wk_idempotency_processes_key_0123456789"
PATH = "/api/v1/org/local/ws/main/worlds/manifests"


@pytest.fixture
def apis(database_url: str, tmp_path: Path) -> Iterator[list[Served]]:
    env = {"WORLDS_BOOTSTRAP_API_KEY": KEY}
    started: list[Served] = []
    try:
        for name in ("a", "b"):
            started.append(Served(tmp_path / name, env, "--database-url", database_url))
        yield started
    finally:
        for api in started:
            api.stop()


def test_retries_across_two_api_processes_make_one_job(apis: list[Served], database_url: str) -> None:
    rounds, per_round = 5, 12
    engine = create_engine(normalize_url(database_url))
    try:
        for round_ in range(rounds):
            barrier = threading.Barrier(per_round)
            body = {"preset": "small", "seed": round_}

            def post(i: int, body: dict[str, object] = body, barrier: threading.Barrier = barrier,
                     key: str = f"retry-{round_}") -> tuple[int, str]:
                url = apis[i % 2].url + PATH
                barrier.wait()
                response = httpx.post(url, json=body, timeout=30,
                                      headers={"X-API-Key": KEY, "Idempotency-Key": key})
                return response.status_code, response.json()["id"]

            with ThreadPoolExecutor(per_round) as pool:
                results = list(pool.map(post, range(per_round)))
            assert {status for status, _ in results} == {202}
            assert len({job_id for _, job_id in results}) == 1, results
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Job)).scalar_one() == rounds
            assert conn.execute(select(func.count()).select_from(IdempotencyKey)).scalar_one() == rounds
    finally:
        engine.dispose()
