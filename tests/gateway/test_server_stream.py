"""ServerStream: the bounded hand-off between a call's task and the endpoint."""

from __future__ import annotations

import asyncio

import pytest
from google.rpc import code_pb2, status_pb2
from worlds_gateway import RpcStatusError
from worlds_gateway.server_stream import ServerStream

from worlds.v1 import worlds_service_pb2

pytestmark = pytest.mark.anyio


def _message(n: int) -> worlds_service_pb2.WatchJobResponse:
    return worlds_service_pb2.WatchJobResponse(event={"event_id": str(n)})


async def test_the_producer_runs_at_most_buffer_messages_ahead() -> None:
    produced: list[int] = []
    stream = ServerStream(buffer=2)

    async def produce() -> None:
        for n in range(10):
            await stream.put(_message(n))
            produced.append(n)
        stream.end()

    stream.attach(produce())
    await stream.started()
    await asyncio.sleep(0.01)
    assert produced == [0, 1], "two handed over, the third waits for the consumer"
    first = await anext(stream)
    await asyncio.sleep(0.01)
    assert first.event.event_id == "0" and produced == [0, 1, 2]
    rest = [m.event.event_id async for m in stream]
    assert rest == [str(n) for n in range(1, 10)] and stream.received == 10
    await stream.aclose()


async def test_an_end_with_a_status_is_raised_after_the_messages() -> None:
    stream = ServerStream()

    async def produce() -> None:
        await stream.put(_message(1))
        stream.end(status_pb2.Status(code=code_pb2.NOT_FOUND, message="gone"))
        stream.end()  # only the first end counts

    stream.attach(produce())
    await stream.started()  # a message came first: started, not failed
    assert (await anext(stream)).event.event_id == "1"
    for _ in range(2):  # and it stays failed
        with pytest.raises(RpcStatusError) as raised:
            await anext(stream)
        assert raised.value.code == code_pb2.NOT_FOUND
    await stream.aclose()


async def test_started_raises_a_failure_before_any_message() -> None:
    stream = ServerStream.failed(status_pb2.Status(code=code_pb2.UNAUTHENTICATED))
    with pytest.raises(RpcStatusError):
        await stream.started()
    await stream.aclose()


async def test_initial_metadata_starts_a_stream_without_messages() -> None:
    stream = ServerStream()
    release = asyncio.Event()

    async def produce() -> None:
        stream.mark_started()
        await release.wait()
        stream.end()

    stream.attach(produce())
    await asyncio.wait_for(stream.started(), 1)
    release.set()
    assert [m async for m in stream] == []
    await stream.aclose()


async def test_aclose_cancels_a_running_producer_and_waits_for_it() -> None:
    stream = ServerStream()
    finished: list[str] = []

    async def produce() -> None:
        try:
            await stream.put(_message(1))
            await asyncio.sleep(10)
        finally:
            finished.append("cleaned up")

    stream.attach(produce())
    await stream.started()
    await stream.aclose()
    assert finished == ["cleaned up"]
