"""Byte-level fault wrappers and the radio output shaper (all seeded)."""

from __future__ import annotations

import random

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.faults import FaultyLink, LinkFaults, OutputShaper
from firmware_sim.link import open_link
from firmware_sim.world import World

from .helpers import lines


class Pipe:
    """A byte link that returns what was queued into it."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.closed = False

    def read(self, size: int = 1) -> bytes:
        out = bytes(self.buf[:size])
        del self.buf[:size]
        return out

    def write(self, data: bytes) -> int:
        self.buf += data
        return len(data)

    def close(self) -> None:
        self.closed = True


def test_one_byte_at_a_time_wrapper() -> None:
    pipe = Pipe()
    link = FaultyLink(pipe, LinkFaults(one_byte=True))
    link.write(b"OK\r\n")
    assert [link.read(100) for _ in range(5)] == [b"O", b"K", b"\r", b"\n", b""]


def test_drops_and_noise_are_seeded() -> None:
    data = bytes(range(32, 127)) * 4

    def run(seed: int) -> bytes:
        pipe = Pipe()
        pipe.write(data)
        link = FaultyLink(pipe, LinkFaults(drop_probability=0.1, garbage_probability=0.05),
                          seed=seed)
        return link.read(10_000)

    a, b, c = run(3), run(3), run(4)
    assert a == b != c
    assert a != data
    kept = bytes(x for x in a if 32 <= x < 127)
    assert 0.8 * len(data) < len(kept) < len(data)
    assert any(x >= 0x80 or x < 0x20 for x in a)  # noise got in


def test_delay_wrapper_holds_bytes_until_due() -> None:
    clock = VirtualClock()
    pipe = Pipe()
    link = FaultyLink(pipe, LinkFaults(delay=2.0), clock=lambda: clock.now)
    pipe.write(b"AT")
    assert link.read(10) == b""
    clock.advance(1.9)
    assert link.read(10) == b""
    clock.advance(0.2)
    assert link.read(10) == b"AT"
    with pytest.raises(ValueError, match="clock"):
        FaultyLink(pipe, LinkFaults(delay=1.0))


def test_wrapping_a_simulated_radio_link() -> None:
    world = World("hospital")
    link = FaultyLink(open_link(world, 1003, timeout=1), LinkFaults(one_byte=True))
    link.write(b"ATE0\r")
    got = b"".join(link.read(64) for _ in range(40))
    assert lines(got) == ["ATE0", "OK"]
    link.close()


def test_shaper_keeps_order_across_a_delay_change() -> None:
    clock = VirtualClock()
    out: list[tuple[float, bytes]] = []
    shaper = OutputShaper(clock, random.Random(1), lambda d: out.append((clock.now, d)))
    shaper.faults.delay = 1.0
    shaper.push(b"first")
    shaper.faults.delay = 0.0
    shaper.push(b"second")  # must not overtake
    shaper.inject(b"noise")
    clock.advance(2)
    assert [d for _, d in out] == [b"first", b"second", b"noise"]
    assert out[0][0] == 1.0


def test_link_faults_validate() -> None:
    with pytest.raises(ValueError):
        LinkFaults(drop_probability=1.5)
    with pytest.raises(ValueError):
        LinkFaults(delay=-1)
    assert not LinkFaults().active and LinkFaults(one_byte=True).active
