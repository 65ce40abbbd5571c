"""Time for the simulated world: a sans-I/O timer queue and a virtual clock.

Everything in the simulator that happens "later" (a ``+CMGS`` status two
seconds after the command, an SDS arriving after the network latency, a team
member answering after twelve seconds, a fault on the scenario timeline) is a
callback in one :class:`Scheduler`.  The scheduler never reads a clock: time is
passed in with :meth:`Scheduler.run_until`.  :class:`VirtualClock` drives it
by hand (``advance(dt)`` runs everything due, so a ten-minute scenario runs in
milliseconds); :mod:`firmware_sim.hosting` drives it from the real clock in a
background thread.

Callbacks due at the same instant run in the order they were scheduled, so a
run is reproducible for a given seed.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Scheduler", "Timer", "VirtualClock"]


@dataclass(order=True, slots=True)
class Timer:
    """A scheduled callback; :meth:`cancel` keeps it from running."""

    when: float
    seq: int
    callback: Callable[[], object] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        """Do not run this callback (idempotent)."""
        self.cancelled = True


class Scheduler:
    """A timer queue over simulated seconds (sans-I/O: time is passed in).

    Args:
        start: the initial time in seconds.
    """

    def __init__(self, start: float = 0.0) -> None:
        self._now = start
        self._heap: list[Timer] = []
        self._seq = itertools.count()

    @property
    def now(self) -> float:
        """The current simulated time in seconds."""
        return self._now

    def call_at(self, when: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` at simulated time ``when`` (at once if already past)."""
        timer = Timer(max(when, self._now), next(self._seq), callback)
        heapq.heappush(self._heap, timer)
        return timer

    def call_later(self, delay: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` ``delay`` seconds from now."""
        if delay < 0:
            raise ValueError(f"delay must not be negative, got {delay}")
        return self.call_at(self._now + delay, callback)

    def next_due(self) -> float | None:
        """When the next pending callback is due, or ``None`` if none is pending."""
        while self._heap and self._heap[0].cancelled:
            heapq.heappop(self._heap)
        return self._heap[0].when if self._heap else None

    def pending(self) -> int:
        """Number of callbacks not yet run or cancelled."""
        return sum(1 for t in self._heap if not t.cancelled)

    def run_until(self, when: float) -> int:
        """Run every callback due at or before ``when`` in time order; return how many ran.

        Callbacks may schedule further callbacks; those that fall due before
        ``when`` run in the same call.  Time never goes backwards: a ``when``
        in the past only runs what is already due.
        """
        ran = 0
        while self._heap and self._heap[0].when <= when:
            timer = heapq.heappop(self._heap)
            if timer.cancelled:
                continue
            self._now = max(self._now, timer.when)
            timer.callback()
            ran += 1
        self._now = max(self._now, when)
        return ran


class VirtualClock(Scheduler):
    """A scheduler whose time moves only when told to."""

    def advance(self, dt: float) -> int:
        """Move time forward by ``dt`` seconds, running everything due; return the count run."""
        if dt < 0:
            raise ValueError(f"cannot advance by a negative time ({dt})")
        return self.run_until(self.now + dt)

    def advance_until(
        self, predicate: Callable[[], bool], timeout: float, *, step: float | None = None
    ) -> bool:
        """Advance event by event until ``predicate()`` holds or ``timeout`` seconds pass.

        Jumps straight to each next due callback (or by ``step`` if given, for
        polling a condition that no callback signals).  Returns whether the
        predicate became true.
        """
        deadline = self.now + timeout
        while not predicate():
            if self.now >= deadline:
                return False
            nxt = self.next_due()
            target = deadline if nxt is None else min(nxt, deadline)
            if step is not None:
                target = min(target, self.now + step)
            self.run_until(target)
        return True
