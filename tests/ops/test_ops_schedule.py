"""Scheduled test alarms: next run time and failure reporting as a fault."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from collections.abc import Iterator

import pytest

from tetrakit.alarm.faults import FaultKind, FaultReporter
from tetrakit.alarm.schedule import (
    TestAlarmScheduler,
    TestOutcome,
    next_run,
    parse_time_of_day,
)


@pytest.fixture
def oslo_tz() -> Iterator[None]:
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Europe/Oslo"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_parse_time_of_day() -> None:
    assert parse_time_of_day("07:00") == dt.time(7, 0)
    with pytest.raises(ValueError, match="HH:MM"):
        parse_time_of_day("7 o'clock")


@pytest.mark.usefixtures("oslo_tz")
def test_next_run_in_local_time_across_days_and_dst() -> None:
    times = [dt.time(7), dt.time(15), dt.time(23)]
    # 06:30 local (UTC+1 in November) -> 07:00 local the same day
    now = dt.datetime(2026, 11, 26, 5, 30, tzinfo=dt.UTC)
    assert next_run(now, times) == dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC)
    # exactly at 15:00 local -> the next one, 23:00
    now = dt.datetime(2026, 11, 26, 14, 0, tzinfo=dt.UTC)
    assert next_run(now, times) == dt.datetime(2026, 11, 26, 22, 0, tzinfo=dt.UTC)
    # after 23:00 -> 07:00 tomorrow
    now = dt.datetime(2026, 11, 26, 22, 30, tzinfo=dt.UTC)
    assert next_run(now, times) == dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.UTC)
    # the night summer time starts (29 March 2026): 07:00 local is 05:00 UTC
    now = dt.datetime(2026, 3, 28, 23, 0, tzinfo=dt.UTC)
    assert next_run(now, times) == dt.datetime(2026, 3, 29, 5, 0, tzinfo=dt.UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        next_run(dt.datetime(2026, 1, 1), times)


class VirtualWallClock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> dt.datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += dt.timedelta(seconds=seconds)
        await asyncio.sleep(0)


@pytest.mark.usefixtures("oslo_tz")
def test_scheduler_runs_at_shift_start_and_reports_failure_then_recovery() -> None:
    async def main() -> None:
        clock = VirtualWallClock(dt.datetime(2026, 11, 26, 5, 0, tzinfo=dt.UTC))  # 06:00
        faults = FaultReporter(clock=clock)
        outcomes = [
            TestOutcome(True, "received by 1009 after 3 s", "A1"),
            TestOutcome(False, "no receipt from 1009 within 60 s", "A2"),
            TestOutcome(True, "received by 1009 after 4 s", "A3"),
        ]
        calls: list[tuple[dt.datetime, float]] = []
        three_done = asyncio.Event()

        async def probe(timeout: float) -> TestOutcome:
            calls.append((clock.now, timeout))
            if len(calls) == 3:
                three_done.set()
            return outcomes[len(calls) - 1]

        sched = TestAlarmScheduler(
            [dt.time(7), dt.time(15), dt.time(23)],
            answer_timeout=60,
            probe=probe,
            faults=faults,
            clock=clock,
            sleep=clock.sleep,
        )
        task = asyncio.create_task(sched.run())
        async with asyncio.timeout(5):
            await three_done.wait()
        task.cancel()
        assert [c[0].astimezone().strftime("%H:%M") for c in calls] == ["07:00", "15:00", "23:00"]
        assert all(c[1] == 60 for c in calls)
        assert max(clock.slept) <= 60  # short sleeps notice wall-clock jumps
        kinds = [(n.kind, n.raised, n.detail) for n in faults.history]
        assert kinds == [
            (FaultKind.TEST_ALARM, True, "no receipt from 1009 within 60 s"),
            (FaultKind.TEST_ALARM, False, "received by 1009 after 4 s"),
        ]

    asyncio.run(main())


def test_a_crashing_probe_is_a_failed_test() -> None:
    async def main() -> None:
        faults = FaultReporter()

        async def probe(timeout: float) -> TestOutcome:
            raise OSError("journal is read-only")

        sched = TestAlarmScheduler([dt.time(7)], answer_timeout=5, probe=probe, faults=faults)
        outcome = await sched.run_once()
        assert not outcome.ok and "journal is read-only" in outcome.detail
        assert (FaultKind.TEST_ALARM, "scheduled test alarm") in faults.active

    asyncio.run(main())
