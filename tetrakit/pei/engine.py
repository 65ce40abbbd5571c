"""The PEI engine: one AT command in flight, results routed by state (EN 300 392-5 §6.11, §6.13).

Sans-I/O, h11 style.  The caller moves bytes and passes the time in:

* :meth:`PeiEngine.send` queues a :class:`~tetrakit.pei.commands.Command` and
  returns its sequence number; :meth:`PeiEngine.data_to_send` hands out the
  bytes to write (a command's bytes appear when it becomes the one in flight);
* :meth:`PeiEngine.receive_data` takes bytes from the radio (``b""`` = end of
  stream) and :meth:`PeiEngine.next_event` returns events (see
  :mod:`tetrakit.pei.events`) until ``None``;
* :meth:`PeiEngine.poll` checks the in-flight command's deadline against
  ``now`` (any monotonic clock, in seconds) and queues a
  :class:`~tetrakit.pei.events.CommandTimedOut`; :attr:`PeiEngine.deadline`
  says when to call it next.

After every call that can start a command (``send``, ``receive_data``,
``poll``) call ``data_to_send()``: the next queued command is written as soon
as the one before it has its final result (or timed out).

Routing, decided by state and never by timing (DESIGN rule 4):

* a final result (``OK``/``ERROR``/``+CME ERROR``/``+CMS ERROR``) ends the
  command in flight; with none in flight it is a
  :class:`~tetrakit.pei.events.StrayFinalResult`;
* ``+CMGS: <instance>`` while ``AT+CMGS`` is in flight is its set result
  ("accepted by the radio": :class:`~tetrakit.pei.events.SdsAccepted` on
  ``OK``); ``+CMGS: <instance>,<status>[,<ref>]`` is always the unsolicited
  over-the-air result (:class:`~tetrakit.pei.events.SdsSendStatus`);
* ``+CTSDSR`` (with payload), call control results (``+CTICN``, ``+CTCC``,
  ``+CTCR``, ``+CTXG``, ``+CDTXC``, ...) are always unsolicited, also between a
  command and its ``OK``;
* other ``+NAME:`` lines belong to the command in flight when it lists the
  prefix in ``response_prefixes`` (or accepts any); otherwise they are typed
  unsolicited events (``+CREG`` -> RegistrationChanged, ``+CTOM`` ->
  ModeChanged, ...) or :class:`~tetrakit.pei.events.UnknownUnsolicited`;
* bare text lines belong to the command in flight, else are UnknownUnsolicited;
* echoes and ``>`` prompts are dropped; garbage lines are passed on as
  :class:`~tetrakit.pei.events.Garbage`.

The engine never re-sends anything by itself.  After a timeout it proceeds
with the next queued command; a final result that the radio sends late for
the timed-out command would then be taken as the answer of the next one, so a
caller that sees a timeout should treat the link as suspect (probe with
``AT``, or :meth:`PeiEngine.reset` and re-initialise).

Errors: :meth:`PeiEngine.next_event` raises only
:class:`~tetrakit.errors.PeiProtocolError` for bytes from the radio; the
engine then stays in state ERROR (raising it again) until :meth:`reset`.
Calling :meth:`send` in state ERROR or CLOSED raises
:class:`~tetrakit.errors.PeiUsageError`.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from tetrakit.errors import (
    DecodeError,
    PeiError,
    PeiProtocolError,
    PeiTimeoutError,
    PeiUsageError,
    TetrakitError,
    TransportError,
    command_error,
)
from tetrakit.pei.commands import Command
from tetrakit.pei.events import (
    CallControl,
    CommandCompleted,
    CommandFailed,
    CommandTimedOut,
    Echo,
    EndOfStream,
    EngineEvent,
    FinalKind,
    FinalResult,
    Garbage,
    ModeChanged,
    Prompt,
    RegistrationChanged,
    ResultLine,
    SdsAccepted,
    SdsIncoming,
    SdsSendStatus,
    StrayFinalResult,
    UnknownUnsolicited,
    UnsolicitedResult,
)
from tetrakit.pei.receiver import PeiReceiver
from tetrakit.pei.results import (
    Cdtxc,
    CmgsSetResult,
    CmgsStatus,
    Creg,
    Ctcc,
    Ctcr,
    Cticn,
    Ctom,
    Ctxg,
    GenericResult,
    Result,
    UnparsedLine,
    parse_cmgs,
    parse_result,
    split_prefix,
)

__all__ = ["UNSOLICITED_ONLY", "EngineState", "PeiEngine"]

#: prefixes that are never part of a command's response (§6.15 call control)
UNSOLICITED_ONLY = frozenset(
    {"+CTSDSR", "+CTICN", "+CTCC", "+CTCR", "+CTXG", "+CDTXC", "+CTXD", "+CTXI", "+CTXW"}
)

_FINAL_KIND_NAME = {
    FinalKind.ERROR: "ERROR",
    FinalKind.CME_ERROR: "CME",
    FinalKind.CMS_ERROR: "CMS",
}


class EngineState(Enum):
    """Where the engine stands."""

    IDLE = "idle"
    """No command in flight."""
    BUSY = "busy"
    """A command is in flight, waiting for its final result."""
    ERROR = "error"
    """The radio broke the protocol; :meth:`PeiEngine.reset` is needed."""
    CLOSED = "closed"
    """The stream ended; :meth:`PeiEngine.reset` makes the engine usable again."""


@dataclass(slots=True)
class _Flight:
    seq: int
    command: Command
    deadline: float = math.inf
    lines: list[str] = field(default_factory=list)


class PeiEngine:
    """One command in flight, a queue behind it, and unsolicited results routed by state.

    Args:
        receiver: the line receiver to use (a fresh :class:`PeiReceiver` by default).
    """

    def __init__(self, receiver: PeiReceiver | None = None) -> None:
        self._receiver = receiver if receiver is not None else PeiReceiver()
        self._queue: deque[_Flight] = deque()
        self._flight: _Flight | None = None
        self._events: deque[EngineEvent] = deque()
        self._out = bytearray()
        self._seq = 0
        self._now = -math.inf
        self._state = EngineState.IDLE
        self._error: PeiProtocolError | None = None

    # ------------------------------------------------------------------ inspection

    @property
    def state(self) -> EngineState:
        """The engine state."""
        return self._state

    @property
    def in_flight(self) -> Command | None:
        """The command waiting for its final result, if any."""
        return self._flight.command if self._flight is not None else None

    @property
    def queued(self) -> tuple[Command, ...]:
        """Commands waiting behind the one in flight, in order."""
        return tuple(f.command for f in self._queue)

    @property
    def deadline(self) -> float | None:
        """When the in-flight command times out (the clock of ``now``), or ``None``."""
        return self._flight.deadline if self._flight is not None else None

    # ------------------------------------------------------------------ input

    def send(self, command: Command, now: float) -> int:
        """Queue ``command``; it is written as soon as no other command is in flight.

        Returns:
            The sequence number that the command's outcome event carries.

        Raises:
            PeiUsageError: in state ERROR or CLOSED (call :meth:`reset` first).
        """
        if self._state in (EngineState.ERROR, EngineState.CLOSED):
            raise PeiUsageError(
                f"cannot send {command.line!r}: engine is {self._state.value}; call reset() first"
            )
        self._tick(now)
        self._seq += 1
        self._queue.append(_Flight(self._seq, command))
        if self._flight is None:
            self._start_next()
        return self._seq

    def receive_data(self, data: bytes, now: float) -> None:
        """Feed bytes from the radio; ``b""`` means the stream ended.

        The complete lines are routed at once (by the current state); a
        protocol error found here is raised by :meth:`next_event` once the
        events before it have been taken.

        Raises:
            PeiUsageError: if data comes after the end of the stream.
        """
        self._tick(now)
        self._receiver.receive_data(data)
        # Handle the lines at once, so that they are routed by the state at the
        # time they arrived, whatever the caller does before next_event().
        if self._error is not None:
            return
        try:
            while (ev := self._receiver.next_event()) is not None:
                self._handle(ev)
        except PeiProtocolError as exc:
            self._error = exc
            self._state = EngineState.ERROR

    def poll(self, now: float) -> None:
        """Time out the in-flight command if its deadline has passed."""
        self._tick(now)
        flight = self._flight
        if flight is None or now < flight.deadline or self._state is not EngineState.BUSY:
            return
        self._flight = None
        cmd = flight.command
        error = PeiTimeoutError(f"{cmd.line!r}: no final result within {cmd.timeout:g} s")
        self._events.append(CommandTimedOut(flight.seq, cmd, error, tuple(flight.lines)))
        self._start_next()

    def reset(self, error: TetrakitError | None = None) -> None:
        """Start afresh: after a protocol error, the end of the stream, or a rebooted radio.

        The command in flight and every queued command fail with ``error``
        (default: a :class:`~tetrakit.errors.PeiError` saying they were
        discarded) as :class:`~tetrakit.pei.events.CommandFailed` events, so nothing
        is lost silently.  The queue is cleared, because after a reboot the
        caller re-initialises the radio before anything else.  Bytes not yet
        taken by :meth:`data_to_send` and the receiver's buffer are dropped;
        events already produced stay available.
        """
        flights = ([self._flight] if self._flight is not None else []) + list(self._queue)
        self._flight = None
        self._queue.clear()
        self._out.clear()
        self._receiver.reset()
        self._state = EngineState.IDLE
        self._error = None
        for f in flights:
            err = error if error is not None else PeiError(f"{f.command.line!r} discarded by reset")
            self._events.append(CommandFailed(f.seq, f.command, err, tuple(f.lines)))

    # ------------------------------------------------------------------ output

    def data_to_send(self) -> bytes:
        """The bytes to write to the radio now (possibly ``b""``)."""
        data = bytes(self._out)
        self._out.clear()
        return data

    def next_event(self) -> EngineEvent | None:
        """The next event, or ``None`` when more bytes (or time) are needed.

        Raises:
            PeiProtocolError: the radio broke the protocol (see
                :mod:`tetrakit.pei.receiver`); raised again until :meth:`reset`.
        """
        if self._events:
            return self._events.popleft()
        if self._error is not None:
            raise self._error
        return None

    # ------------------------------------------------------------------ internals

    def _tick(self, now: float) -> None:
        if now > self._now:
            self._now = now

    def _start_next(self) -> None:
        if self._flight is not None or self._state in (EngineState.ERROR, EngineState.CLOSED):
            return
        if not self._queue:
            self._state = EngineState.IDLE
            return
        flight = self._queue.popleft()
        flight.deadline = self._now + flight.command.timeout
        self._flight = flight
        self._state = EngineState.BUSY
        self._out += flight.command.data

    def _handle(self, ev: object) -> None:
        if isinstance(ev, ResultLine):
            self._result_line(ev)
        elif isinstance(ev, FinalResult):
            self._final(ev)
        elif isinstance(ev, SdsIncoming | Garbage):
            self._events.append(ev)
        elif isinstance(ev, EndOfStream):
            self._end_of_stream(ev)
        elif isinstance(ev, Echo | Prompt):
            # Echo (ATE1) and prompts carry nothing the caller needs.
            return

    def _final(self, ev: FinalResult) -> None:
        flight = self._flight
        if flight is None:
            self._events.append(StrayFinalResult(ev))
            return
        self._flight = None
        cmd = flight.command
        lines = tuple(flight.lines)
        if ev.kind is FinalKind.OK:
            results = _parse_response(cmd, lines)
            if cmd.is_cmgs:
                instance = next((r.instance for r in results if isinstance(r, CmgsSetResult)), None)
                self._events.append(SdsAccepted(flight.seq, cmd, lines, results, instance))
            else:
                self._events.append(CommandCompleted(flight.seq, cmd, lines, results))
        else:
            error = command_error(cmd.line, ev.code, _FINAL_KIND_NAME[ev.kind])
            self._events.append(CommandFailed(flight.seq, cmd, error, lines))
        self._start_next()

    def _result_line(self, ev: ResultLine) -> None:
        prefix, line = ev.prefix, ev.line
        flight = self._flight
        if prefix == "+CMGS":
            try:
                parsed: CmgsSetResult | CmgsStatus | None = parse_cmgs(split_prefix(line)[1])
            except DecodeError:
                parsed = None
            if isinstance(parsed, CmgsStatus):
                self._events.append(
                    SdsSendStatus(parsed.instance, parsed.status, parsed.message_reference, line)
                )
                return
        if prefix not in UNSOLICITED_ONLY and flight is not None and flight.command.accepts(prefix):
            flight.lines.append(line)
            return
        self._unsolicited(prefix, line)

    def _unsolicited(self, prefix: str | None, line: str) -> None:
        events = self._events
        if prefix is None:
            events.append(UnknownUnsolicited(line, "text line with no command in flight"))
            return
        try:
            result = parse_result(line)
        except DecodeError as exc:
            events.append(UnknownUnsolicited(line, str(exc)))
            return
        if isinstance(result, Creg):
            events.append(RegistrationChanged(result, line))
        elif isinstance(result, Ctom):
            events.append(ModeChanged(result.mode, line))
        elif isinstance(result, Cticn | Ctcc | Ctcr | Ctxg | Cdtxc):
            events.append(CallControl(result, line))
        elif isinstance(result, CmgsSetResult):
            events.append(UnknownUnsolicited(line, "+CMGS set result with no AT+CMGS in flight"))
        elif isinstance(result, GenericResult):
            events.append(UnknownUnsolicited(line, f"no parser for {prefix}"))
        else:
            events.append(UnsolicitedResult(result, line))

    def _end_of_stream(self, ev: EndOfStream) -> None:
        flights = ([self._flight] if self._flight is not None else []) + list(self._queue)
        self._flight = None
        self._queue.clear()
        self._state = EngineState.CLOSED
        for f in flights:
            error = TransportError(f"stream ended before the final result of {f.command.line!r}")
            self._events.append(CommandFailed(f.seq, f.command, error, tuple(f.lines)))
        self._events.append(ev)


def _parse_response(cmd: Command, lines: tuple[str, ...]) -> tuple[Result, ...]:
    """Typed results of a command's information lines.

    A bare line takes the prefix of the line before it (continuation lines of
    ``+CNUMF``/``+CNUMS``), else the command's first response prefix (``+GMI``
    answered without prefix).
    """
    prefixes = cmd.response_prefixes
    default = prefixes[0] if prefixes else None
    results: list[Result] = []
    for line in lines:
        prefix, _ = split_prefix(line)
        if prefix is not None:
            default = prefix
        try:
            if prefix is None and default is None:
                results.append(GenericResult("", tuple(f.strip() for f in line.split(","))))
            else:
                results.append(parse_result(line, default))
        except DecodeError as exc:
            results.append(UnparsedLine(line, str(exc)))
    return tuple(results)
