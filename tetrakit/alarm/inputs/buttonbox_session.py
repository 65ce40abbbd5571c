"""The host side of the button box protocol, sans-I/O (hw/buttonbox/PROTOCOL.md).

:class:`ButtonBoxSession` takes the bytes read from the panel's serial line and
the current time, and returns events; the bytes to write are taken with
:meth:`ButtonBoxSession.data_to_send`.  It does no I/O and reads no clock, so
the asyncio runner (:mod:`tetrakit.alarm.inputs.buttonbox`), the tests and the
simulator drive the same code.

What it does (PROTOCOL.md §5-§8):

* acknowledges every copy of PRESS/FAULT/CLEAR and acts on the first one only
  (duplicate suppression by sequence number);
* optionally holds back the acknowledgement of a PRESS until the caller says
  the alarm was taken (``defer_press_ack``), so that a press the controller
  could not journal is repeated by the panel instead of being lost;
* applies FAULT/CLEAR of one input in sequence order, and reconciles with the
  INPUT_FAULT bit of ``HB``;
* declares the panel lost after ``lost_after`` seconds without a valid frame,
  and back at the next one;
* pings a quiet line every second so that the panel can supervise the host;
* drives the LEDs: the alarm state the controller sets (SLOW/ON/OFF), FAST while
  the button's input is in fault, refreshed every 10 s and after HELLO.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from tetrakit.alarm.inputs.buttonbox_codec import (
    SEQ_MOD,
    Ack,
    Clear,
    DropReason,
    Fault,
    FaultKind,
    Heartbeat,
    Hello,
    HostMessage,
    Led,
    LedMode,
    LineSplitter,
    PanelMessage,
    Ping,
    Press,
    Release,
    Status,
    decode,
    drop_reason,
    encode,
    seq_newer,
)
from tetrakit.errors import DecodeError

__all__ = [
    "DUP_MEMORY",
    "LED_REFRESH",
    "PING_IDLE",
    "ButtonBoxSession",
    "ButtonPressed",
    "ButtonReleased",
    "FrameDropped",
    "PanelBack",
    "PanelEvent",
    "PanelLost",
    "PanelStarted",
    "PanelState",
    "SessionStats",
    "WireCleared",
    "WireFault",
]

PING_IDLE = 1.0  # §7: the host sends PING when it has sent nothing for 1 s
LED_REFRESH = 10.0  # §4.2: LED frames are not acknowledged; the full state is resent
DUP_MEMORY = 5.0  # §5: a sequence number is remembered 5 s after its last copy


class PanelState(enum.StrEnum):
    """The panel link as the host sees it."""

    UNKNOWN = "unknown"  # no valid frame yet
    UP = "up"
    LOST = "lost"


@dataclass(frozen=True, slots=True)
class PanelStarted:
    """The panel (re)started: HELLO, or its uptime went backwards (then version is None)."""

    panel: str
    version: str | None
    buttons: int | None


@dataclass(frozen=True, slots=True)
class ButtonPressed:
    """A press, reported once however often the panel repeats it."""

    panel: str
    button: int
    seq: int


@dataclass(frozen=True, slots=True)
class ButtonReleased:
    """The button went up (informational)."""

    panel: str
    button: int


@dataclass(frozen=True, slots=True)
class WireFault:
    """A supervised input is cut (OPEN), shorted (SHORT) or tampered with."""

    panel: str
    button: int
    kind: FaultKind


@dataclass(frozen=True, slots=True)
class WireCleared:
    """A supervised input is healthy again."""

    panel: str
    button: int


@dataclass(frozen=True, slots=True)
class PanelLost:
    """No valid frame for ``lost_after`` seconds."""

    panel: str
    silent_for: float


@dataclass(frozen=True, slots=True)
class PanelBack:
    """A valid frame after the panel was lost."""

    panel: str


@dataclass(frozen=True, slots=True)
class FrameDropped:
    """A line that was not a valid panel frame (bad check value, syntax, ...)."""

    panel: str
    reason: DropReason
    detail: str


PanelEvent = (
    PanelStarted
    | ButtonPressed
    | ButtonReleased
    | WireFault
    | WireCleared
    | PanelLost
    | PanelBack
    | FrameDropped
)


@dataclass(slots=True)
class SessionStats:
    """Counters for metrics and the status page."""

    frames: int = 0
    dropped: dict[DropReason, int] = field(default_factory=lambda: dict.fromkeys(DropReason, 0))
    presses: int = 0
    duplicates: int = 0
    acks: int = 0
    restarts: int = 0
    lost: int = 0


@dataclass(slots=True)
class _Seen:
    msg: PanelMessage
    last: float
    done: bool


class ButtonBoxSession:
    """One panel on one serial line, seen from the host.

    Args:
        panel: the panel's id (from the configuration), carried in events.
        now: the current time in seconds (any monotonic origin).
        buttons: the panel button numbers bound to controller buttons; their
            LEDs are set OFF at start so that a host restart clears stale LEDs.
        lost_after: seconds without a valid frame before the panel is lost.
        defer_press_ack: when true, a PRESS is acknowledged only after
            :meth:`press_done`; until then its copies are neither acted on
            nor acknowledged.
    """

    def __init__(
        self,
        panel: str,
        *,
        now: float,
        buttons: Iterable[int] = (),
        lost_after: float = 3.0,
        defer_press_ack: bool = False,
    ) -> None:
        if lost_after <= 0:
            raise ValueError("lost_after must be positive")
        self.panel = panel
        self.lost_after = lost_after
        self.defer_press_ack = defer_press_ack
        self.state = PanelState.UNKNOWN
        self.stats = SessionStats()
        self.version: str | None = None
        self.panel_buttons: int | None = None
        self.faults: dict[int, FaultKind] = {}
        self._splitter = LineSplitter()
        self._out = bytearray()
        self._seq = 0
        self._last_rx = now
        self._last_tx = now
        self._last_refresh = now
        self._last_uptime: int | None = None
        self._seen: dict[int, _Seen] = {}
        self._fault_seq: dict[int, int] = {}
        self._alarm_led: dict[int, LedMode] = {}
        self._shown: dict[int, LedMode] = {}
        for button in buttons:
            self.set_led(button, LedMode.OFF, now)

    # ------------------------------------------------------------------ inputs

    def receive_data(self, data: bytes, now: float) -> list[PanelEvent]:
        """Feed bytes read from the line; returns what happened."""
        events: list[PanelEvent] = []
        oversize = self._splitter.oversize
        lines = self._splitter.feed(data)
        for _ in range(self._splitter.oversize - oversize):
            events.append(self._dropped(DropReason.OVERSIZE, "line without LF too long"))
        for line in lines:
            try:
                msg = decode(line)
            except DecodeError as exc:
                events.append(self._dropped(drop_reason(exc), f"{exc}: {line[:80]!r}"))
                continue
            if isinstance(msg, HostMessage):
                # our own frames echoed back, or two hosts on one line
                events.append(self._dropped(DropReason.UNEXPECTED, f"host frame {line!r}"))
                continue
            self.stats.frames += 1
            self._last_rx = now
            if self.state is PanelState.LOST:
                events.append(PanelBack(self.panel))
            self.state = PanelState.UP
            events.extend(self._handle(msg, now))
        return events

    def tick(self, now: float) -> list[PanelEvent]:
        """Let time pass: supervision, PING on a quiet line, LED refresh."""
        events: list[PanelEvent] = []
        if self.state is not PanelState.LOST and now - self._last_rx >= self.lost_after:
            self.state = PanelState.LOST
            self.stats.lost += 1
            events.append(PanelLost(self.panel, now - self._last_rx))
        if now - self._last_refresh >= LED_REFRESH:
            self.refresh_leds(now)
        if now - self._last_tx >= PING_IDLE:
            self._send(Ping(self._next_seq()), now)
        for seq in [s for s, e in self._seen.items() if e.done and now - e.last > DUP_MEMORY]:
            del self._seen[seq]
        return events

    def next_deadline(self) -> float:
        """The latest time at which :meth:`tick` must be called next."""
        lost = self._last_rx + self.lost_after if self.state is not PanelState.LOST else None
        times = [self._last_tx + PING_IDLE, self._last_refresh + LED_REFRESH]
        if lost is not None:
            times.append(lost)
        return min(times)

    def press_done(self, seq: int, ok: bool, now: float) -> None:
        """With ``defer_press_ack``: the press ``seq`` was taken (ok) or failed.

        On success the press is acknowledged (and its later copies too); on
        failure it is forgotten, so that the panel's next copy is acted on anew.
        """
        entry = self._seen.get(seq)
        if not ok:
            if entry is not None and not entry.done:
                del self._seen[seq]
            return
        if entry is not None:
            entry.done = True
            entry.last = now
        self._ack(seq, now)

    def set_led(self, button: int, mode: LedMode, now: float) -> None:
        """Set the alarm-state LED of a panel button (FAST while its input is in fault)."""
        self._alarm_led[button] = LedMode(mode)
        self._update_led(button, now)

    def refresh_leds(self, now: float) -> None:
        """Send the whole LED state again (after the line was reopened)."""
        self._last_refresh = now
        for button, mode in sorted(self._shown.items()):
            self._send(Led(self._next_seq(), button, mode), now)

    def led(self, button: int) -> LedMode:
        """The LED mode the host shows on ``button`` now."""
        return self._shown.get(button, LedMode.OFF)

    def data_to_send(self) -> bytes:
        """The bytes to write to the line (and forget them)."""
        out = bytes(self._out)
        self._out.clear()
        return out

    # --------------------------------------------------------------- internals

    def _next_seq(self) -> int:
        seq = self._seq
        self._seq = (seq + 1) % SEQ_MOD
        return seq

    def _send(self, msg: HostMessage, now: float) -> None:
        self._out += encode(msg)
        self._last_tx = now

    def _ack(self, seq: int, now: float) -> None:
        # ACK carries the panel's number, not a host sequence number (§4.2)
        self._send(Ack(seq), now)
        self.stats.acks += 1

    def _dropped(self, reason: DropReason, detail: str) -> FrameDropped:
        self.stats.dropped[reason] += 1
        return FrameDropped(self.panel, reason, detail)

    def _update_led(self, button: int, now: float) -> None:
        mode = LedMode.FAST if button in self.faults else self._alarm_led.get(button, LedMode.OFF)
        if self._shown.get(button) != mode:
            self._shown[button] = mode
            self._send(Led(self._next_seq(), button, mode), now)

    def _restarted(self) -> None:
        # the panel numbers from 0 again: old numbers mean nothing any more
        self._seen.clear()
        self._fault_seq.clear()
        self._last_uptime = None
        self.stats.restarts += 1

    def _handle(self, msg: PanelMessage, now: float) -> list[PanelEvent]:
        match msg:
            case Hello(_, version, buttons):
                self._restarted()
                self.version = version
                self.panel_buttons = buttons
                # a restarted panel shows nothing: give it the whole LED state
                for button in range(1, buttons + 1):
                    self._shown.pop(button, None)
                    self._update_led(button, now)
                return [PanelStarted(self.panel, version, buttons)]
            case Press():
                return self._press(msg, now)
            case Release(_, button):
                return [ButtonReleased(self.panel, button)]
            case Fault() | Clear():
                return self._fault(msg, now)
            case Heartbeat():
                return self._heartbeat(msg, now)
        return []  # pragma: no cover - PanelMessage has no other member

    def _press(self, msg: Press, now: float) -> list[PanelEvent]:
        seen = self._seen.get(msg.seq)
        if seen is not None and seen.msg == msg:
            seen.last = now
            self.stats.duplicates += 1
            if seen.done:
                self._ack(msg.seq, now)
            return []
        self._seen[msg.seq] = _Seen(msg, now, done=not self.defer_press_ack)
        self.stats.presses += 1
        if not self.defer_press_ack:
            self._ack(msg.seq, now)
        return [ButtonPressed(self.panel, msg.button, msg.seq)]

    def _fault(self, msg: Fault | Clear, now: float) -> list[PanelEvent]:
        self._ack(msg.seq, now)
        seen = self._seen.get(msg.seq)
        if seen is not None and seen.msg == msg:
            seen.last = now
            self.stats.duplicates += 1
            return []
        self._seen[msg.seq] = _Seen(msg, now, done=True)
        last = self._fault_seq.get(msg.button)
        if last is not None and not seq_newer(msg.seq, last):
            return []  # an older report overtaken by a newer one (§5)
        self._fault_seq[msg.button] = msg.seq
        return self._set_fault(msg.button, msg.kind if isinstance(msg, Fault) else None, now)

    def _set_fault(self, button: int, kind: FaultKind | None, now: float) -> list[PanelEvent]:
        old = self.faults.get(button)
        if old == kind:
            return []
        event: PanelEvent
        if kind is None:
            del self.faults[button]
            event = WireCleared(self.panel, button)
        else:
            self.faults[button] = kind
            event = WireFault(self.panel, button, kind)
        self._update_led(button, now)
        return [event]

    def _heartbeat(self, msg: Heartbeat, now: float) -> list[PanelEvent]:
        events: list[PanelEvent] = []
        if self._last_uptime is not None and msg.uptime < self._last_uptime:
            # restarted and its HELLO was lost (§8)
            self._restarted()
            events.append(PanelStarted(self.panel, None, None))
        self._last_uptime = msg.uptime
        if not msg.flags & Status.INPUT_FAULT:
            # the panel has no input in fault at this HB: older FAULTs are stale (§6)
            known = set(self.faults) | set(self._fault_seq) | set(self._alarm_led)
            known.update(range(1, (self.panel_buttons or 0) + 1))
            for button in sorted(known):
                self._fault_seq[button] = msg.seq
                events.extend(self._set_fault(button, None, now))
        return events
