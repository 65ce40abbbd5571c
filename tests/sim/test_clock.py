from __future__ import annotations

import pytest

from firmware_sim.clock import Scheduler, VirtualClock


def test_callbacks_run_in_time_then_schedule_order() -> None:
    clock = VirtualClock()
    seen: list[tuple[float, str]] = []
    clock.call_later(2.0, lambda: seen.append((clock.now, "b")))
    clock.call_later(1.0, lambda: seen.append((clock.now, "a")))
    clock.call_later(2.0, lambda: seen.append((clock.now, "c")))
    assert clock.advance(1.5) == 1
    assert seen == [(1.0, "a")]
    assert clock.now == 1.5
    clock.advance(10)
    assert seen == [(1.0, "a"), (2.0, "b"), (2.0, "c")]
    assert clock.now == 11.5


def test_cancel_and_nested_scheduling() -> None:
    clock = VirtualClock()
    seen: list[float] = []
    timer = clock.call_later(1.0, lambda: seen.append(-1))
    timer.cancel()
    clock.call_later(1.0, lambda: clock.call_later(0.5, lambda: seen.append(clock.now)))
    clock.advance(2.0)
    assert seen == [1.5]
    assert clock.next_due() is None


def test_advance_until_stops_at_the_event_that_makes_it_true() -> None:
    clock = VirtualClock()
    box: list[int] = []
    clock.call_later(3.0, lambda: box.append(1))
    clock.call_later(9.0, lambda: box.append(2))
    assert clock.advance_until(lambda: bool(box), 60.0)
    assert clock.now == 3.0
    assert not clock.advance_until(lambda: len(box) > 1, 2.0)
    assert clock.now == 5.0


def test_time_never_goes_back_and_negative_delays_are_refused() -> None:
    s = Scheduler(start=10.0)
    s.run_until(5.0)
    assert s.now == 10.0
    with pytest.raises(ValueError):
        s.call_later(-1, lambda: None)
