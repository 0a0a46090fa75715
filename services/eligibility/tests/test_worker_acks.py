"""AckAfterSend: an input event is acked (committable) only after its records are acknowledged."""

from __future__ import annotations

import asyncio

import pytest

from clearway_eligibility.worker import AckAfterSend


class Recorder:
    def __init__(self):
        self.acked: list[str] = []
        self.failures: list[BaseException] = []

    async def ack(self, event):
        self.acked.append(event)

    async def on_failure(self, exc):
        self.failures.append(exc)


async def settle():
    for _ in range(5):
        await asyncio.sleep(0)


async def test_events_are_acked_in_order_once_all_their_records_are_acknowledged():
    loop = asyncio.get_running_loop()
    seen = Recorder()
    acks = AckAfterSend(seen.ack, seen.on_failure)
    a1, a2, b1 = loop.create_future(), loop.create_future(), loop.create_future()
    await acks.add("a", [a1, a2])
    await acks.add("b", [b1])
    await acks.add("duplicate", [])
    b1.set_result("b1 written")       # b is done before a: still waits its turn
    a1.set_result("a1 written")
    await settle()
    assert seen.acked == []           # a's second record is not acknowledged yet
    a2.set_result("a2 written")
    await settle()
    assert seen.acked == ["a", "b", "duplicate"]
    await acks.drain(timeout_s=1)
    acks.close()


async def test_a_failed_record_leaves_its_event_and_later_ones_unacked_and_crashes():
    loop = asyncio.get_running_loop()
    seen = Recorder()
    acks = AckAfterSend(seen.ack, seen.on_failure)
    ok, bad, later = loop.create_future(), loop.create_future(), loop.create_future()
    await acks.add("a", [ok])
    await acks.add("b", [bad])
    await acks.add("c", [later])
    ok.set_result(None)
    error = RuntimeError("broker refused the batch")
    bad.set_exception(error)
    later.set_result(None)
    await acks.drain(timeout_s=1)
    assert seen.acked == ["a"]
    assert seen.failures == [error]
    with pytest.raises(RuntimeError):  # nothing more is taken once acking has stopped
        await acks.add("d", [])
    acks.close()


async def test_no_more_than_the_window_of_events_waits_for_acknowledgement():
    loop = asyncio.get_running_loop()
    seen = Recorder()
    acks = AckAfterSend(seen.ack, seen.on_failure, window=2)
    first = loop.create_future()
    await acks.add("a", [first])      # taken by the acking task, waiting for its record
    await settle()
    await acks.add("b", [])
    await acks.add("c", [])
    blocked = asyncio.ensure_future(acks.add("d", []))
    await settle()
    assert not blocked.done()         # b and c fill the window
    first.set_result(None)
    await asyncio.wait_for(blocked, 1)
    await acks.drain(timeout_s=1)
    assert seen.acked == ["a", "b", "c", "d"]
    acks.close()


def test_cases_wait_when_a_fetched_high_watermark_is_past_what_the_agent_read():
    from clearway_eligibility.worker import cases_waiting

    highwaters = {"p0": 10, "p1": 7, "p2": None}
    assert cases_waiting(["p0", "p1"], highwaters.get, {"p0": 8, "p1": 7})
    assert not cases_waiting(["p0", "p1"], highwaters.get, {"p0": 10, "p1": 7})
    assert not cases_waiting(["p2"], highwaters.get, {"p2": 3})  # never fetched: nothing known
    assert not cases_waiting(["p0"], highwaters.get, {})  # not read here yet: its commit decides
