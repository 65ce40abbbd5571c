"""Scheduled test alarms: prove the whole chain works before it is needed.

alarm-domain.md §7 rank 11 and §8: an end-to-end test call-out to a reference
radio at least daily and at every shift start (Motorola Test Call-Out, Vocera
shift checkout), with failures reported.  At each configured local time
(``test_alarms.schedule``, e.g. ``["07:00", "15:00", "23:00"]``) the scheduler
runs a test alarm to the test radio (``test_alarms.target``) and waits up to
``test_alarms.answer_timeout`` seconds for its receipt.  A test that was not
sent, or not received in time, raises a fault (:class:`FaultKind.TEST_ALARM`);
the next good test clears it.

:func:`next_run` is pure; :class:`TestAlarmScheduler` is the asyncio task,
with its wall clock and sleep injectable so tests run on a virtual clock.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tetrakit._tasks import cancel_and_wait
from tetrakit.alarm.faults import FaultKind, FaultReporter

__all__ = ["TestAlarmScheduler", "TestOutcome", "next_run", "parse_time_of_day"]

log = logging.getLogger(__name__)

#: the fault component name of scheduled tests
COMPONENT = "scheduled test alarm"
#: longest single sleep, so a wall-clock jump (NTP step, suspend) is noticed
_MAX_SLEEP = 60.0


def parse_time_of_day(text: str) -> _dt.time:
    """``"07:00"`` -> ``time(7, 0)``; ValueError naming the bad text."""
    try:
        hour_s, minute_s = text.split(":")
        return _dt.time(int(hour_s), int(minute_s))
    except ValueError:
        raise ValueError(f"not a time of day HH:MM: {text!r}") from None


def next_run(now: _dt.datetime, times: Sequence[_dt.time]) -> _dt.datetime:
    """The first scheduled local time strictly after ``now``.

    ``now`` must be timezone-aware.  The wall times are local times of
    ``now``'s zone as the system knows it; a time that does not exist on a
    daylight-saving day resolves like ``mktime`` does.  Returns an aware
    datetime.
    """
    if not times:
        raise ValueError("no scheduled times")
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    local_now = now.astimezone()  # the system's local zone, with DST
    for day in range(0, 3):
        date = local_now.date() + _dt.timedelta(days=day)
        for t in sorted(times):
            candidate = _dt.datetime.combine(date, t).astimezone()
            if candidate > local_now:
                return candidate
    raise AssertionError("unreachable: a time of day recurs within a day")  # pragma: no cover


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """Result of one test alarm."""

    __test__ = False  # not a pytest class, despite the name

    ok: bool
    detail: str
    alarm_id: str | None = None


#: runs one test alarm end to end (trigger, wait for the receipt)
TestProbe = Callable[[float], Awaitable[TestOutcome]]


class TestAlarmScheduler:
    """Runs a test alarm at every scheduled time and reports failures as faults.

    Args:
        times: local times of day.
        answer_timeout: seconds the probe may wait for the test radio's receipt.
        probe: runs one test (given the timeout) and says how it went.
        faults: where failures and recoveries are reported.
        clock: aware wall clock (``datetime.now(UTC)`` by default).
        sleep: ``asyncio.sleep`` by default.
    """

    __test__ = False  # not a pytest class, despite the name

    def __init__(
        self,
        times: Sequence[_dt.time],
        *,
        answer_timeout: float,
        probe: TestProbe,
        faults: FaultReporter,
        clock: Callable[[], _dt.datetime] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.times = list(times)
        self.answer_timeout = answer_timeout
        self._probe = probe
        self._faults = faults
        self._clock = clock or (lambda: _dt.datetime.now(_dt.UTC))
        self._sleep = sleep or asyncio.sleep
        self.results: list[tuple[_dt.datetime, TestOutcome]] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None and self.times:
            self._task = asyncio.create_task(self.run(), name="test-alarm-schedule")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def run(self) -> None:
        """Forever: wait for the next scheduled time, then run the test."""
        while True:
            due = next_run(self._clock(), self.times)
            log.info("next scheduled test alarm at %s", due.isoformat(timespec="minutes"))
            while (left := (due - self._clock()).total_seconds()) > 0:
                await self._sleep(min(left, _MAX_SLEEP))
            await self.run_once(due)

    async def run_once(self, when: _dt.datetime | None = None) -> TestOutcome:
        """Run one test now and report it."""
        started = when or self._clock()
        try:
            outcome = await self._probe(self.answer_timeout)
        except Exception as exc:  # any failure of the chain is a failed test
            log.exception("scheduled test alarm crashed")
            outcome = TestOutcome(False, f"test alarm could not run: {exc}")
        self.results.append((started, outcome))
        del self.results[:-50]
        if outcome.ok:
            log.info("scheduled test alarm %s ok: %s", outcome.alarm_id or "", outcome.detail)
            self._faults.clear_fault(FaultKind.TEST_ALARM, COMPONENT, outcome.detail)
        else:
            # logged every time; the fault itself is raised once until a good test
            log.error("scheduled test alarm failed: %s", outcome.detail)
            self._faults.raise_fault(FaultKind.TEST_ALARM, COMPONENT, outcome.detail)
        return outcome
