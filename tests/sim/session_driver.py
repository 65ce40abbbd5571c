"""Drive tetrakit's sans-I/O :class:`~tetrakit.radio.RadioSession` against a simulated radio.

The session and the world share the world's virtual clock: the driver moves
bytes both ways and advances virtual time to the session's next deadline or
the radio's next output, whichever comes first.  No threads, no sleeps.
"""

from __future__ import annotations

from collections.abc import Callable

from firmware_sim.clock import VirtualClock
from firmware_sim.world import World
from tetrakit.radio import RadioEvent, RadioSession, SessionConfig


class SessionDriver:
    def __init__(self, world: World, issi: int, vendor: str,
                 config: SessionConfig | None = None) -> None:
        self.world = world
        self.term = world.terminal(issi)
        self.session = RadioSession(vendor, config=config, now=world.now)
        self.connected = False
        self.events: list[RadioEvent] = []
        self.connects = 0

    def _collect(self) -> None:
        while (event := self.session.next_event()) is not None:
            self.events.append(event)

    def _pump(self) -> None:
        data = self.session.data_to_send()
        if data and self.connected:
            self.term.receive_data(data)
        self._collect()

    def step(self, until: float) -> None:
        s, world = self.session, self.world
        if s.close_requested and self.connected:
            self.connected = False
            s.connection_lost(world.now, None)
        if not self.connected and s.connect_due(world.now):
            self.connected = True
            self.connects += 1
            s.connection_made(world.now)
        self._pump()
        deadline = s.next_deadline()
        target = until if deadline is None else min(deadline, until)
        clock = world.clock
        assert isinstance(clock, VirtualClock)
        clock.advance_until(lambda: self.term.output_pending > 0,
                                  max(0.0, target - world.now))
        data = self.term.data_to_send()
        if data and self.connected:
            s.receive_data(data, world.now)
        s.tick(world.now)
        self._pump()

    def run_until(self, done: Callable[[], bool], timeout: float) -> bool:
        end = self.world.now + timeout
        while not done():
            if self.world.now >= end:
                return done()
            self.step(end)
        return True

    def run_for(self, seconds: float) -> None:
        end = self.world.now + seconds
        while self.world.now < end:
            self.step(end)
