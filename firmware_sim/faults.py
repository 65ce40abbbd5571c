"""Faults on the byte link between a radio and its host, all seeded.

Two ways to apply them:

* :class:`OutputShaper` sits inside every :class:`~firmware_sim.terminal.TerminalModel`
  and shapes what the radio sends (drop bytes, insert garbage, one byte per
  read, delay); the scenario timeline switches its :class:`LinkFaults` on and
  off.  It is sans-I/O: delays are callbacks on the world's scheduler.
* :class:`FaultyLink` wraps *any* byte link with ``read``/``write`` (a
  :class:`~firmware_sim.link.SimLink`, a pyserial port, ...) and applies the
  same faults to what is read from it.

Radio-level faults (reboot, ``+CME ERROR: 42`` busy, coverage loss) are
methods of the terminal and the network, driven from the scenario timeline
in :mod:`firmware_sim.world`.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from firmware_sim.clock import Scheduler

__all__ = ["ByteLink", "FaultyLink", "LinkFaults", "OutputShaper", "garbage_bytes"]

# Line noise on a serial cable at the wrong baud rate looks like this: high
# bytes and control characters, and sometimes stray printable characters.
_NOISE = bytes(range(0x80, 0x100)) + b"\x00\x01\x07\x08\x11\x13\x7f~^#@!%"


def garbage_bytes(rng: random.Random, count: int) -> bytes:
    """``count`` bytes of serial-line noise drawn from ``rng``."""
    return bytes(rng.choice(_NOISE) for _ in range(count))


@dataclass(slots=True)
class LinkFaults:
    """Which byte-level faults are active (all off by default).

    Attributes:
        drop_probability: each byte is lost with this probability.
        garbage_probability: before each byte a noise byte is inserted with this probability.
        one_byte: deliver one byte per read.
        delay: seconds every byte is held back (order is kept).
    """

    drop_probability: float = 0.0
    garbage_probability: float = 0.0
    one_byte: bool = False
    delay: float = 0.0

    def __post_init__(self) -> None:
        for name in ("drop_probability", "garbage_probability"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{name} must be within 0..1, got {p}")
        if self.delay < 0:
            raise ValueError(f"delay must not be negative, got {self.delay}")

    @property
    def active(self) -> bool:
        return bool(
            self.drop_probability or self.garbage_probability or self.one_byte or self.delay
        )


def _mangle(data: bytes, faults: LinkFaults, rng: random.Random) -> bytes:
    if not (faults.drop_probability or faults.garbage_probability):
        return data
    out = bytearray()
    for b in data:
        if faults.garbage_probability and rng.random() < faults.garbage_probability:
            out.append(rng.choice(_NOISE))
        if faults.drop_probability and rng.random() < faults.drop_probability:
            continue
        out.append(b)
    return bytes(out)


class OutputShaper:
    """Applies :class:`LinkFaults` to a radio's output on the way to its host.

    Args:
        scheduler: the world's scheduler (for delays).
        rng: the seeded random source of this radio's link.
        sink: receives the shaped bytes.
    """

    def __init__(
        self, scheduler: Scheduler, rng: random.Random, sink: Callable[[bytes], None]
    ) -> None:
        self.faults = LinkFaults()
        self._scheduler = scheduler
        self._rng = rng
        self._sink = sink
        self._release_at = 0.0

    def push(self, data: bytes) -> None:
        """Shape ``data`` and hand it to the sink now or after the delay."""
        data = _mangle(data, self.faults, self._rng)
        if not data:
            return
        if self.faults.delay > 0 or self._release_at > self._scheduler.now:
            # never let later output overtake earlier delayed output
            when = max(self._scheduler.now + self.faults.delay, self._release_at)
            self._release_at = when
            self._scheduler.call_at(when, lambda: self._sink(data))
        else:
            self._sink(data)

    def inject(self, data: bytes) -> None:
        """Put raw bytes on the line (serial garbage), keeping order with delayed output."""
        if self._release_at > self._scheduler.now:
            self._scheduler.call_at(self._release_at, lambda: self._sink(data))
        else:
            self._sink(data)


class ByteLink(Protocol):
    """The part of a pyserial port the wrappers need."""

    def read(self, size: int = 1) -> bytes: ...
    def write(self, data: bytes) -> int | None: ...
    def close(self) -> None: ...


class FaultyLink:
    """Wraps a byte link; what is read through it suffers :class:`LinkFaults`.

    Args:
        link: any object with ``read(size)``, ``write(data)`` and ``close()``.
        faults: the faults to apply to the bytes read.
        seed: seed of the random source (drops, garbage).
        clock: a function returning seconds, needed only for ``faults.delay``.
    """

    def __init__(
        self,
        link: ByteLink,
        faults: LinkFaults,
        *,
        seed: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if faults.delay and clock is None:
            raise ValueError("a delay needs a clock")
        self.link = link
        self.faults = faults
        self._rng = random.Random(seed)
        self._clock = clock
        self._held: deque[tuple[float, bytes]] = deque()
        self._ready = bytearray()

    def _collect(self, size: int) -> None:
        if self._ready:
            return
        if not self._held:
            data = _mangle(self.link.read(size), self.faults, self._rng)
            if data:
                stamp = self._clock() if self._clock is not None else 0.0
                self._held.append((stamp, data))
        now = self._clock() if self._clock is not None else 0.0
        while self._held and self._held[0][0] + self.faults.delay <= now:
            self._ready += self._held.popleft()[1]

    def read(self, size: int = 1) -> bytes:
        """Read up to ``size`` bytes (one when ``one_byte``); may return fewer, or none."""
        self._collect(size)
        n = min(size, 1 if self.faults.one_byte else len(self._ready))
        out = bytes(self._ready[:n])
        del self._ready[:n]
        return out

    @property
    def in_waiting(self) -> int:
        """Bytes ready now (after faults); 1 at most when ``one_byte``."""
        ready = len(self._ready)
        if self.faults.one_byte:
            return min(ready, 1)
        return ready

    def write(self, data: bytes) -> int | None:
        return self.link.write(data)

    def close(self) -> None:
        self.link.close()

    def __getattr__(self, name: str) -> object:
        # everything else (timeout, in_waiting, is_open, ...) is the wrapped link's
        return getattr(self.link, name)
