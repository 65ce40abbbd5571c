"""A simulated button box: the real panel firmware with simulated buttons and faults.

:class:`SimPanel` runs ``hw/buttonbox/firmware/protocol.py`` and ``inputs.py``
unchanged (loaded by :mod:`firmware_sim.buttonbox.firmware`) and stands in for
the Pico's pins: each button's supervised loop is a state (normal, pressed,
cut, shorted, tampered) turned into the ADC reading the real resistor network
would give (hw/buttonbox/WIRING.md), sampled every 10 ms through the
firmware's own classification and debouncing.

It does no I/O and reads no clock: ``now`` (seconds, any origin) is passed to
every call, so a virtual clock can drive it in tests and
:mod:`firmware_sim.buttonbox.hosting` drives it from the real clock over a pty
or an in-process serial port.

Fault injection: :meth:`SimPanel.hang` (the panel stops: it sends nothing and
hears nothing), :meth:`SimPanel.noise` (a noisy line: frames corrupted in both
directions and garbage lines added, from a seeded random generator),
:meth:`SimPanel.reboot`, and wire faults via :meth:`SimPanel.set_loop`.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware_sim.buttonbox.firmware import load

__all__ = ["LOOP_STATES", "LedChange", "SimPanel"]

_protocol = load("protocol")
_inputs = load("inputs")

#: loop state -> ADC ratio of full scale with the WIRING.md resistor network
_RATIO = {
    "NORMAL": 4.7 / (4.7 + 4.7),
    "PRESSED": 2.35 / (2.35 + 4.7),
    "TAMPER": 14.7 / (14.7 + 4.7),
    "SHORT": 0.0,
    "OPEN": 1.0,
}
LOOP_STATES = tuple(_RATIO)
SAMPLE_S = 0.010  # main.py samples every 10 ms
_CATCH_UP_SAMPLES = 50  # after a long jump of a virtual clock, enough to debounce


@dataclass(frozen=True, slots=True)
class LedChange:
    """An LED of the simulated panel changed mode (for assertions and the log)."""

    time: float
    button: int
    mode: str


@dataclass(order=True, slots=True)
class _Timer:
    when: float
    seq: int
    action: Callable[[float], None] = field(compare=False)


class SimPanel:
    """One simulated panel.

    Args:
        panel_id: the panel's name (as in the controller's ``inputs.buttonboxes``).
        buttons: number of buttons (1-255).
        now: the current time in seconds.
        version: firmware version reported in HELLO (default: the firmware's).
        seed: seed of the noise generator.
    """

    def __init__(
        self,
        panel_id: str,
        buttons: int = 4,
        *,
        now: float,
        version: str | None = None,
        seed: int = 0,
    ) -> None:
        if not 1 <= buttons <= 255:
            raise ValueError("a panel has 1-255 buttons")
        self.id = panel_id
        self.buttons = buttons
        self.version = version or _protocol.VERSION
        self.loops: dict[int, str] = dict.fromkeys(range(1, buttons + 1), "NORMAL")
        self.led_log: list[LedChange] = []
        #: called with every LED change (from the thread that drives the panel)
        self.led_listeners: list[Callable[[LedChange], None]] = []
        self.hung_until: float | None = None
        self.noise_until: float | None = None
        self.noise_rate = 0.0
        self.boots = 0
        self._rng = random.Random(seed)
        self._timers: list[_Timer] = []
        self._timer_seq = itertools.count()
        self._out = bytearray()
        self._boot(now)

    # ------------------------------------------------------------------ control

    def press(self, button: int, now: float, hold: float | None = 0.3) -> None:
        """Press a button; release it after ``hold`` seconds (None: keep it down)."""
        self._check(button)
        self.loops[button] = "PRESSED"
        if hold is not None:
            self.at(now + hold, lambda t: self.release(button, t))

    def release(self, button: int, now: float) -> None:
        """Let a pressed button go (a faulted loop stays as it is)."""
        self._check(button)
        if self.loops[button] == "PRESSED":
            self.loops[button] = "NORMAL"

    def set_loop(self, button: int, state: str, now: float) -> None:
        """Put a loop in a state: NORMAL (repaired), PRESSED, OPEN, SHORT or TAMPER."""
        self._check(button)
        if state not in _RATIO:
            raise ValueError(f"loop state must be one of {', '.join(LOOP_STATES)}")
        self.loops[button] = state

    def hang(self, now: float, seconds: float | None = None) -> None:
        """Stop the panel for ``seconds`` (None: until :meth:`resume`)."""
        self.hung_until = float("inf") if seconds is None else now + seconds

    def resume(self, now: float) -> None:
        """End a hang."""
        self.hung_until = None

    def noise(self, now: float, seconds: float, rate: float = 0.5) -> None:
        """Make the line noisy for ``seconds``: each frame is corrupted with ``rate``."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("noise rate must be between 0 and 1")
        self.noise_until = now + seconds
        self.noise_rate = rate

    def reboot(self, now: float) -> None:
        """Restart the firmware (HELLO, sequence numbers from 0, LEDs dark)."""
        self._boot(now)

    def at(self, when: float, action: Callable[[float], None]) -> None:
        """Run ``action(now)`` at time ``when`` (scenario timelines)."""
        heapq.heappush(self._timers, _Timer(when, next(self._timer_seq), action))

    # ---------------------------------------------------------------- the line

    def step(self, now: float) -> None:
        """Let time pass: timers, input sampling, repetition and heartbeat."""
        while self._timers and self._timers[0].when <= now:
            timer = heapq.heappop(self._timers)
            timer.action(timer.when)
        if self.noise_until is not None and now >= self.noise_until:
            self.noise_until = None
        if self.hung_until is not None:
            if now < self.hung_until:
                self._next_sample = now  # a stopped panel samples nothing
                return
            self.hung_until = None
        if now - self._next_sample > _CATCH_UP_SAMPLES * SAMPLE_S:
            self._next_sample = now - _CATCH_UP_SAMPLES * SAMPLE_S
        while self._next_sample <= now:
            self._sample(self._next_sample)
            self._next_sample += SAMPLE_S
        self.fw.poll(self._ms(now))
        self._emit(self.fw.take_output())

    def receive(self, data: bytes, now: float) -> None:
        """Bytes from the host (lost while the panel hangs)."""
        if self.hung or not data:
            return
        if self._noisy(now):
            data = self._corrupt_stream(data)
        before = list(self.fw.leds)
        self.fw.receive(data, self._ms(now))
        for i, (old, new) in enumerate(zip(before, self.fw.leds, strict=True)):
            if old != new:
                self._led_changed(LedChange(now, i + 1, new))
        self._emit(self.fw.take_output())  # a PING is answered at once

    def take_output(self) -> bytes:
        """The bytes the panel wrote to the line since the last call."""
        out = bytes(self._out)
        self._out.clear()
        return out

    # ------------------------------------------------------------------- state

    @property
    def hung(self) -> bool:
        return self.hung_until is not None

    def led(self, button: int) -> str:
        """The LED mode of ``button`` (OFF, ON, SLOW or FAST)."""
        return str(self.fw.led_mode(button))

    def led_modes(self, button: int) -> list[str]:
        """The modes ``button``'s LED went through, in order (changes only)."""
        return [c.mode for c in self.led_log if c.button == button]

    def status(self) -> dict[str, Any]:
        """A JSON-able summary (for the control socket)."""
        return {
            "panel": self.id,
            "buttons": self.buttons,
            "version": self.version,
            "leds": {str(b): self.led(b) for b in range(1, self.buttons + 1)},
            "led_history": {str(b): self.led_modes(b) for b in range(1, self.buttons + 1)},
            "loops": {str(b): s for b, s in self.loops.items()},
            "hung": self.hung,
            "noise": self.noise_until is not None,
            "pending": len(self.fw.pending),
            "rx_dropped": self.fw.rx_dropped,
            "boots": self.boots,
        }

    # --------------------------------------------------------------- internals

    def _check(self, button: int) -> None:
        if not 1 <= button <= self.buttons:
            raise ValueError(f"panel {self.id} has buttons 1-{self.buttons}, not {button}")

    def _ms(self, now: float) -> int:
        return round((now - self._origin) * 1000)

    def _boot(self, now: float) -> None:
        self.boots += 1
        self._origin = now
        self.fw = _protocol.Panel(self.buttons, 0, self.version)
        self._debouncers = [_inputs.SupervisedInput(b) for b in self.loops]
        # like main.py: one full debounce period of samples before the first HB
        for _ in range(_inputs.FAULT_SAMPLES):
            self._sample(now)
        self._next_sample = now + SAMPLE_S
        for button in self.loops:  # a restarted panel's LEDs are dark
            modes = self.led_modes(button)
            if modes and modes[-1] != "OFF":
                self._led_changed(LedChange(now, button, "OFF"))
        self._emit(self.fw.take_output())

    def _led_changed(self, change: LedChange) -> None:
        self.led_log.append(change)
        for listener in list(self.led_listeners):
            listener(change)

    def _sample(self, now: float) -> None:
        ms = self._ms(now)
        for loop in self._debouncers:
            raw = round(_RATIO[self.loops[loop.button]] * 65535)
            loop.sample(_inputs.classify(raw), self.fw, ms)

    def _noisy(self, now: float) -> bool:
        return self.noise_until is not None and now < self.noise_until

    def _emit(self, data: bytes) -> None:
        if not data:
            return
        if self.noise_until is not None:
            data = self._corrupt_stream(data)
        self._out += data

    def _corrupt_stream(self, data: bytes) -> bytes:
        out = bytearray()
        for line in data.split(b"\n"):
            if not line:
                continue
            if self._rng.random() < self.noise_rate:
                buf = bytearray(line)
                buf[self._rng.randrange(len(buf))] = self._rng.randrange(0x20, 0x7F)
                line = bytes(buf)
            if self._rng.random() < self.noise_rate:
                n = self._rng.randrange(1, 40)
                out += bytes(self._rng.randrange(0, 256) for _ in range(n)).replace(b"\n", b"")
                out += b"\n"
            out += line + b"\n"
        return bytes(out)
