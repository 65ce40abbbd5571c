"""Hosts run a :class:`~firmware_sim.world.World` for links that read and write bytes.

* :class:`VirtualHost`: single-threaded, on the world's
  :class:`~firmware_sim.clock.VirtualClock`.  A read that has to wait advances
  virtual time to the next event instead of sleeping, so a blocking client
  (a pyserial-style ``read`` with a timeout) runs a long scenario in
  milliseconds.
* :class:`ThreadedHost`: drives the world from the real clock (optionally
  sped up) in a background thread; links may be used from any thread.

Both offer the same small interface to :class:`~firmware_sim.link.SimLink`.
"""

from __future__ import annotations

import math
import threading
import time
from abc import ABC, abstractmethod

from firmware_sim.clock import VirtualClock
from firmware_sim.world import World

__all__ = ["Host", "ThreadedHost", "VirtualHost"]


class Host(ABC):
    """What a link needs from whatever runs the world."""

    world: World

    @abstractmethod
    def feed(self, issi: int, data: bytes) -> None:
        """Bytes written by the host side of radio ``issi``."""

    @abstractmethod
    def take(self, issi: int, max_bytes: int) -> bytes:
        """Up to ``max_bytes`` of radio ``issi``'s output (may be empty)."""

    @abstractmethod
    def pending(self, issi: int) -> int:
        """Bytes of output ready to read."""

    @abstractmethod
    def wait_output(self, issi: int, timeout: float | None) -> bool:
        """Wait until radio ``issi`` has output; False on timeout (or nothing can come)."""

    @abstractmethod
    def now(self) -> float:
        """The time base of ``timeout`` values (virtual or monotonic seconds)."""


class VirtualHost(Host):
    """Runs a world on its virtual clock, in the caller's thread."""

    def __init__(self, world: World) -> None:
        if not isinstance(world.clock, VirtualClock):
            raise TypeError("VirtualHost needs a world on a VirtualClock")
        self.world = world
        self.clock: VirtualClock = world.clock
        self._lock = threading.RLock()  # cheap, and keeps stray threads from corrupting it

    def feed(self, issi: int, data: bytes) -> None:
        with self._lock:
            self.world.terminal(issi).receive_data(data)

    def take(self, issi: int, max_bytes: int) -> bytes:
        with self._lock:
            return self.world.terminal(issi).data_to_send(max_bytes)

    def pending(self, issi: int) -> int:
        with self._lock:
            term = self.world.terminal(issi)
            return min(term.output_pending, 1) if term.shaper.faults.one_byte \
                else term.output_pending

    def wait_output(self, issi: int, timeout: float | None) -> bool:
        term = self.world.terminal(issi)
        with self._lock:
            if term.output_pending:
                return True
            if timeout is None:
                # wait "for ever": run until output or until nothing is left to happen
                while not term.output_pending:
                    nxt = self.clock.next_due()
                    if nxt is None:
                        return False
                    self.clock.run_until(nxt)
                return True
            return self.clock.advance_until(lambda: term.output_pending > 0, timeout)

    def now(self) -> float:
        return self.clock.now


class ThreadedHost(Host):
    """Runs a world in real time (times ``speed``) in a daemon thread.

    Args:
        world: a world whose clock is a plain scheduler starting at its current time.
        speed: simulated seconds per real second.
    """

    def __init__(self, world: World, *, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError("speed must be positive")
        self.world = world
        self.speed = speed
        self.cond = threading.Condition(threading.RLock())
        self._thread: threading.Thread | None = None
        self._stop = False
        self._t0 = time.monotonic() - world.clock.now / speed
        world.output_listener = self._on_output

    def _on_output(self, issi: int) -> None:
        self.cond.notify_all()  # world callbacks run with the lock held

    def sim_now(self) -> float:
        """Simulated time that corresponds to the real clock now."""
        return (time.monotonic() - self._t0) * self.speed

    def _catch_up(self) -> None:
        self.world.clock.run_until(self.sim_now())

    # -- thread ---------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the driver thread (time resumes where it stopped)."""
        if self.running:
            return
        with self.cond:
            self._stop = False
            self._t0 = time.monotonic() - self.world.clock.now / self.speed
        self._thread = threading.Thread(target=self._run, name="tetrasim-world", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the driver thread and wait for it."""
        with self.cond:
            self._stop = True
            self.cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def _run(self) -> None:
        with self.cond:
            while not self._stop:
                self._catch_up()
                nxt = self.world.clock.next_due()
                wait = 1.0 if nxt is None else (nxt - self.sim_now()) / self.speed
                self.cond.wait(timeout=min(max(wait, 0.0), 1.0))

    # -- link interface -----------------------------------------------------------------------
    def feed(self, issi: int, data: bytes) -> None:
        with self.cond:
            self._catch_up()
            self.world.terminal(issi).receive_data(data)
            self.cond.notify_all()  # the driver may have an earlier deadline now

    def take(self, issi: int, max_bytes: int) -> bytes:
        with self.cond:
            self._catch_up()
            return self.world.terminal(issi).data_to_send(max_bytes)

    def pending(self, issi: int) -> int:
        with self.cond:
            self._catch_up()
            term = self.world.terminal(issi)
            return min(term.output_pending, 1) if term.shaper.faults.one_byte \
                else term.output_pending

    def wait_output(self, issi: int, timeout: float | None) -> bool:
        term = self.world.terminal(issi)
        with self.cond:
            if not self.running:
                self._catch_up()
                return term.output_pending > 0
            return self.cond.wait_for(
                lambda: term.output_pending > 0 or self._stop,
                None if timeout is None or math.isinf(timeout) else timeout,
            ) and term.output_pending > 0

    def now(self) -> float:
        return time.monotonic()
