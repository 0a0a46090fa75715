"""Health from a loop's progress: NOT_SERVING while work waits and nothing moves, SERVING once it moves."""

from __future__ import annotations

import threading

from clearway.health import NOT_SERVING, SERVING, Progress, StallWatch


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def watch(*loops, stall_s=60.0, ready=True):
    statuses = []
    started = threading.Event()
    if ready:
        started.set()
    return StallWatch(statuses.append, stall_s, started, loops=lambda: list(loops)), statuses, started


def test_pending_work_that_does_not_move_for_the_stall_time_is_not_serving_until_it_moves():
    clock = Clock()
    loop = Progress("petitions", clock=clock)
    stall, statuses, _ = watch(loop)
    loop.working()
    clock.now += 59
    assert stall.check() == SERVING
    clock.now += 2
    assert stall.check() == NOT_SERVING and loop.stalled_for() == 61
    loop.advanced(pending=True)  # a record handled, a transaction committed
    assert stall.check() == SERVING
    assert statuses == [SERVING, NOT_SERVING, SERVING]  # each change set once


def test_an_idle_loop_is_serving_however_long_it_waits():
    clock = Clock()
    loop = Progress("notifications", clock=clock)
    stall, _, _ = watch(loop)
    loop.advanced(pending=False)  # a poll that found nothing to do
    clock.now += 3600
    assert stall.check() == SERVING and loop.stalled_for() == 0


def test_not_serving_before_the_loops_are_ready_and_when_any_one_loop_is_stuck():
    clock = Clock()
    moving, stuck = Progress("a", clock=clock), Progress("b", clock=clock)
    stall, _, ready = watch(moving, stuck, stall_s=5, ready=False)
    assert stall.check() == NOT_SERVING
    ready.set()
    assert stall.check() == SERVING
    stuck.working()
    clock.now += 6
    moving.advanced()
    assert stall.check() == NOT_SERVING
