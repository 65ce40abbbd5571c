"""The radio session state machine, sans-I/O (DESIGN.md "Radio sessions"; pei.md §7).

One :class:`RadioSession` supervises one radio on top of a
:class:`~tetrakit.pei.engine.PeiEngine`.  It does no I/O and reads no
clock: the front ends (:class:`~tetrakit.radio.client.RadioClient`,
:class:`~tetrakit.radio.aio.AsyncRadio`) pass bytes and the time in and carry
out what it asks:

* ``connect_due(now)`` -> open the port, then ``connection_made(now)``, or
  ``connection_failed(now, exc)`` if opening failed;
* ``receive_data(data, now)`` for bytes from the radio, ``tick(now)`` at
  ``next_deadline()`` at the latest;
* ``data_to_send()`` -> write these bytes (after every call above);
* ``close_requested`` -> close the port, then ``connection_lost(now, None)``;
* ``connection_lost(now, exc)`` when the port fails;
* ``next_event()`` -> :mod:`tetrakit.radio.events` until ``None``.

What it does:

* init: the vendor profile's steps (``AT`` until answered, ``ATE0``, queries,
  ``AT+CTSP`` registrations) after every (re)connect;
* keep-alive: the profile's keep-alive command after ``keepalive_interval``
  idle seconds; ``AT+CTSP?`` every ``registration_check_interval`` seconds
  to see whether the radio still has our registrations;
* a radio that stops answering (a command timed out) makes the link SILENT:
  it is probed with ``AT`` and re-initialised from scratch when it answers
  again, since it may have restarted and lost its registrations; after
  ``reconnect_after`` seconds of silence the port is reopened, with backoff;
* a restart is also detected when the radio echoes commands again after
  ``ATE0`` (echo is back on after a reboot) or lists fewer registrations;
* outgoing SDS: ``AT+CTSDS`` then ``AT+CMGS`` per message, one at a time; the
  handle goes QUEUED -> WRITING -> ACCEPTED (``+CMGS: <instance>`` + ``OK``)
  -> SENT / FAILED (``+CMGS: <instance>,4|5``) -> DELIVERED (the recipient's
  SDS-TL report), kept by :class:`~tetrakit.radio.outbox.Outbox`.  Nothing is
  ever re-sent by the session: a failed SDS is reported with its error and the
  caller decides (DESIGN rule 5);
* incoming SDS are decoded and reported; an SDS-TL transfer that asks for a
  delivery report is answered with one (``auto_report``).
"""

from __future__ import annotations

import logging
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tetrakit import sds
from tetrakit.errors import (
    CommandError,
    PeiError,
    PeiProtocolError,
    PeiTimeoutError,
    PeiUsageError,
    TetrakitError,
    TransportError,
)
from tetrakit.identities import Tsi, parse_identity
from tetrakit.pei import commands
from tetrakit.pei.commands import Command
from tetrakit.pei.engine import EngineState, PeiEngine
from tetrakit.pei.enums import AiService
from tetrakit.pei.events import (
    CommandCompleted,
    CommandFailed,
    CommandTimedOut,
    Echo,
    EngineEvent,
    ModeChanged,
    ReceiverEvent,
    RegistrationChanged,
    SdsIncoming,
    SdsSendStatus,
)
from tetrakit.pei.receiver import PeiReceiver
from tetrakit.pei.results import Cnum, Creg, Csq, Ctom, Ctsp
from tetrakit.radio.events import (
    LinkHealth,
    LinkState,
    LinkStateChanged,
    RadioEvent,
    SdsHandle,
    SdsReceived,
    Unsolicited,
    decode_incoming,
)
from tetrakit.radio.outbox import Outbox
from tetrakit.radio.profiles import InitStep, StepKind, VendorProfile, get_profile

__all__ = ["CommandRequest", "RadioSession", "SessionConfig"]

log = logging.getLogger(__name__)

#: CME 38: "TE already registered the protocol identifier" - the registration stands
_CME_ALREADY_REGISTERED = 38


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """Timing of a radio session, in seconds (defaults after pei.md §2 and §7).

    Attributes:
        keepalive_interval: idle time before the keep-alive command (pei.md: <= 30 s).
        registration_check_interval: how often ``AT+CTSP?`` verifies the
            registrations; ``None`` never.
        probe_attempts: how often the init ``AT`` is tried before the radio
            counts as silent.
        probe_interval: pause between probes of a silent radio.
        reconnect_after: reopen the port after this much silence.
        backoff_initial / backoff_max: delay before reconnecting, doubling
            after every failed attempt, reset once the radio is ready.
        sent_timeout: an accepted SDS without ``+CMGS: <instance>,<status>``
            after this long becomes UNCONFIRMED.
        report_timeout: how long a sent SDS waits for its delivery report
            before its message reference is given back.
        auto_report: answer an incoming SDS-TL transfer that asks for a
            delivery report with an SDS-REPORT (EN 300 392-2 cl. 29.4.2.2).
            With the text service routed to the TE only, the host is the
            SDS-TL end point: without this the sender's radio never learns
            that its message arrived.
    """

    keepalive_interval: float = 20.0
    registration_check_interval: float | None = 300.0
    probe_attempts: int = 5
    probe_interval: float = 2.0
    reconnect_after: float = 30.0
    backoff_initial: float = 1.0
    backoff_max: float = 60.0
    sent_timeout: float = 60.0
    report_timeout: float = 600.0
    auto_report: bool = True

    def __post_init__(self) -> None:
        for name in ("keepalive_interval", "probe_interval", "reconnect_after", "sent_timeout",
                     "report_timeout", "backoff_max"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        if self.backoff_initial < 0 or self.backoff_initial > self.backoff_max:
            raise ValueError("backoff_initial must be 0..backoff_max")
        if self.probe_attempts < 1:
            raise ValueError("probe_attempts must be at least 1")
        check = self.registration_check_interval
        if check is not None and not check > 0:
            raise ValueError("registration_check_interval must be positive or None")


class CommandRequest:
    """A command the caller asked the session to send (:meth:`RadioSession.request`).

    ``result`` holds the :class:`~tetrakit.pei.events.CommandCompleted` once it
    succeeded, ``error`` the exception once it failed; ``done`` is true after either.
    """

    __slots__ = ("command", "error", "result")

    def __init__(self, command: Command) -> None:
        self.command = command
        self.result: CommandCompleted | None = None
        self.error: TetrakitError | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None


class _Purpose(Enum):
    INIT = "init"
    CHECK = "check"
    KEEPALIVE = "keepalive"
    PROBE = "probe"
    CTSDS = "ctsds"
    CMGS = "cmgs"
    REQUEST = "request"


class _EchoCountingReceiver(PeiReceiver):
    """A receiver that counts echoed command lines (the engine drops them).

    After ``ATE0`` succeeded an echo means the radio went back to its
    defaults: it restarted.
    """

    echoes: int = 0

    def next_event(self) -> ReceiverEvent | None:
        event = super().next_event()
        if isinstance(event, Echo):
            self.echoes += 1
        return event


class RadioSession:
    """Supervision of one radio: init, keep-alive, restart detection, SDS sending.

    Args:
        profile: a vendor profile or its name (``generic``, ``motorola``, ``sepura``).
        config: timing.
        now: the current time on the caller's monotonic clock.
        message_reference_start: the first SDS-TL message reference per
            destination; by default derived from ``now`` so that successive
            program runs do not start at the same reference.
    """

    def __init__(
        self,
        profile: VendorProfile | str = "generic",
        *,
        config: SessionConfig | None = None,
        now: float,
        message_reference_start: int | None = None,
    ) -> None:
        self.profile = get_profile(profile)
        self.config = config or SessionConfig()
        if message_reference_start is None:
            message_reference_start = int(now * 1000) % 256
        self._state = LinkState.DISCONNECTED
        self._engine: PeiEngine | None = None
        self._receiver: _EchoCountingReceiver | None = None
        self._events: deque[RadioEvent] = deque()
        self._pending: dict[int, tuple[_Purpose, Any]] = {}
        # connection
        self._reconnect_at: float | None = now
        self._backoff = self.config.backoff_initial
        self._close_requested = False
        self._connect_count = 0
        # init
        self._steps: tuple[InitStep, ...] = ()
        self._step_index = 0
        self._probe_tries = 0
        self._initialised_once = False
        self._reinit_count = 0
        self._echo_off = False
        self._echoes_seen = 0
        self._check_enabled = self.config.registration_check_interval is not None and (
            self.profile.check_registrations
        )
        self._next_check: float | None = None
        # liveness
        self._last_answer: float | None = None
        self._last_activity = now
        self._silent_since: float | None = None
        self._probe_at: float | None = None
        # health
        self._registered: list[str] = []
        self._failed_registrations: list[str] = []
        self._registered_objs: list[tuple[int, int]] = []
        self._rssi_dbm: int | None = None
        self._reg_stat: int | None = None
        self._ai_mode: int | None = None
        self._own: Tsi | None = None
        self._last_error: str | None = None
        # SDS and commands asked for by the caller
        self._outbox = Outbox(
            self._events.append,
            sent_timeout=self.config.sent_timeout,
            report_timeout=self.config.report_timeout,
            message_reference_start=message_reference_start,
        )
        self._requests: deque[CommandRequest] = deque()
        # a pass of _run or an engine reset is in progress: start nothing new
        self._settling = False

    # ================================================================== inspection

    @property
    def state(self) -> LinkState:
        return self._state

    @property
    def close_requested(self) -> bool:
        """True when the session wants the port closed (and then reopened)."""
        return self._close_requested

    @property
    def connected(self) -> bool:
        """True while a port is open (state INITIALISING, READY or SILENT)."""
        return self._engine is not None

    def health(self) -> LinkHealth:
        """A snapshot of the link for status pages and metrics."""
        queued = len(self._outbox)
        return LinkHealth(
            state=self._state,
            vendor=self.profile.name,
            last_answer=self._last_answer,
            registered=tuple(self._registered),
            failed_registrations=tuple(self._failed_registrations),
            rssi_dbm=self._rssi_dbm,
            reg_stat=self._reg_stat,
            ai_mode=self._ai_mode,
            own_identity=self._own,
            reinit_count=self._reinit_count,
            connect_count=self._connect_count,
            queued_sds=queued,
            last_error=self._last_error,
        )

    def connect_due(self, now: float) -> bool:
        """True when the port should be opened now."""
        return (
            self._state is LinkState.DISCONNECTED
            and self._reconnect_at is not None
            and now >= self._reconnect_at
        )

    def next_deadline(self) -> float | None:
        """The latest time at which :meth:`tick` must be called, or ``None``."""
        times: list[float] = []
        engine = self._engine
        if self._state is LinkState.DISCONNECTED and self._reconnect_at is not None:
            times.append(self._reconnect_at)
        if engine is not None:
            if engine.deadline is not None:
                times.append(engine.deadline)
            idle = self._idle()
            if self._state is LinkState.READY and idle:
                times.append(self._last_activity + self.config.keepalive_interval)
                if self._check_enabled and self._next_check is not None:
                    times.append(self._next_check)
            if self._state is LinkState.SILENT:
                if idle and self._probe_at is not None:
                    times.append(self._probe_at)
                if self._silent_since is not None:
                    times.append(self._silent_since + self.config.reconnect_after)
        times += self._outbox.deadlines()
        return min(times) if times else None

    def next_event(self) -> RadioEvent | None:
        """The next event, or ``None``."""
        return self._events.popleft() if self._events else None

    def data_to_send(self) -> bytes:
        """Bytes to write to the radio now (possibly ``b""``)."""
        return self._engine.data_to_send() if self._engine is not None else b""

    # ================================================================== connection

    def connection_made(self, now: float) -> None:
        """The port is open: start a fresh engine and initialise the radio."""
        if self._state is LinkState.CLOSED:
            raise PeiUsageError("session is closed")
        self._receiver = _EchoCountingReceiver()
        self._engine = PeiEngine(self._receiver)
        self._echoes_seen = 0
        self._pending.clear()
        self._close_requested = False
        self._connect_count += 1
        self._reconnect_at = None
        self._start_init(now, "port opened", restarted=True)
        self._run(now)

    def connection_failed(self, now: float, error: BaseException, *, raised: bool = False) -> None:
        """Opening the port failed; try again after the backoff delay.

        ``raised``: the caller raises ``error`` to its own caller (a first open
        from the CLI), which reports it; the session then logs it at DEBUG only,
        so that the failure is not printed twice.
        """
        self._last_error = str(error)
        log.log(logging.DEBUG if raised else logging.WARNING, "cannot open radio port: %s", error)
        self._schedule_reconnect(now)

    def connection_lost(self, now: float, error: BaseException | None) -> None:
        """The port failed or was closed on request; reconnect after the backoff delay."""
        if error is not None:
            self._last_error = str(error)
        engine = self._engine
        if engine is not None:
            reason = error if isinstance(error, TetrakitError) else TransportError(
                f"link to the radio lost: {error}" if error else "port closed"
            )
            self._reset_engine(reason, now)
        self._engine = None
        self._receiver = None
        self._pending.clear()
        self._close_requested = False
        self._outbox.unconfirm_accepted(
            now, "the link to the radio was lost before it reported the over-the-air result"
        )
        if self._state is not LinkState.CLOSED:
            self._set_state(LinkState.DISCONNECTED, str(error) if error else "port closed")
            self._schedule_reconnect(now)

    def close(self, now: float) -> None:
        """Stop for good: queued SDS fail, accepted ones become UNCONFIRMED."""
        if self._state is LinkState.CLOSED:
            return
        self._reset_engine(PeiError("radio session closed"), now)
        self._engine = None
        self._outbox.close(now)
        for req in self._requests:
            req.error = PeiError(f"{req.command.line!r} not sent: radio session closed")
        self._requests.clear()
        self._set_state(LinkState.CLOSED, "closed")

    # ================================================================== input

    def receive_data(self, data: bytes, now: float) -> None:
        """Bytes from the radio."""
        if self._engine is None or not data:
            return
        self._engine.receive_data(data, now)
        self._run(now)

    def tick(self, now: float) -> None:
        """Let time pass: command timeouts, keep-alive, probes, expiries."""
        if self._engine is not None:
            self._engine.poll(now)
        self._run(now)

    # ================================================================== sending

    def send_sds(
        self,
        to: Tsi | int | str,
        data: bytes,
        bits: int,
        *,
        now: float,
        group: bool = False,
        priority: int = 0,
        ai_service: int = AiService.SDS_TYPE_4,
        message_reference: int | None = None,
        report_requested: bool = False,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue SDS user data for ``AT+CMGS`` (type-4 data starts with its PI).

        Args:
            to: ISSI/GSSI or TSI.
            data / bits: the user data and its length in bits.
            group: ``to`` is a group (reports may come from every member).
            priority: access priority of ``AT+CTSDS`` (0 low, 1 high, 2 emergency).
            ai_service: 12 (SDS type 4) or 13 (status), or 9-11 for types 1-3.
            message_reference / report_requested: for matching SDS-TL reports.
            timeout: give up (FAILED) if not written within this many seconds.

        Raises:
            ValueError: on a bad identity, length or priority.
            PeiUsageError: when the session is closed.
        """
        if self._state is LinkState.CLOSED:
            raise PeiUsageError("radio session is closed")
        tsi = to if isinstance(to, Tsi) else parse_identity(to)
        if priority not in (0, 1, 2):
            raise ValueError(f"priority must be 0 (low), 1 (high) or 2 (emergency), not {priority}")
        commands.ctsds(ai_service, 0)  # validates the service
        commands.cmgs(tsi, data, bits)  # validates identity, data and length
        handle = SdsHandle(
            to=tsi,
            data=bytes(data),
            bits=bits,
            ai_service=int(ai_service),
            group=group,
            priority=priority,
            message_reference=message_reference,
            report_requested=report_requested,
            expires_at=None if timeout is None else now + timeout,
            now=now,
        )
        self._outbox.add(handle)
        self._run(now)
        return handle

    def send_text(
        self,
        to: Tsi | int | str,
        text: str,
        *,
        now: float,
        group: bool = False,
        report: bool = True,
        immediate: bool = False,
        priority: int = 0,
        message_reference: int | None = None,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue an SDS-TL text message (Latin-1, UCS-2 when needed; EN 300 392-2 cl. 29.5.3).

        With ``report`` a "received and consumed" report is requested and the
        handle becomes DELIVERED when the first report arrives.

        Raises:
            EncodeError: the text does not fit one SDS.
            ValueError: on a bad identity, priority or message reference.
        """
        tsi = to if isinstance(to, Tsi) else parse_identity(to)
        ref = self._outbox.allocate_reference(tsi, message_reference)
        request = (
            sds.DeliveryReportRequest.RECEIVED_AND_CONSUMED
            if report
            else sds.DeliveryReportRequest.NONE
        )
        try:
            # SDS-TL service selection (cl. 29.4.2.4): on the uplink 1 = "group or
            # individual"; 0 would tell the SwMI the message is for an individual only
            pdu = sds.text_message(
                text, message_reference=ref, report=request, immediate=immediate,
                service_selection=group,
            )
            data, bits = sds.encode(pdu)
            return self.send_sds(
                tsi, data, bits, now=now, group=group, priority=priority,
                message_reference=ref, report_requested=report, timeout=timeout,
            )
        except BaseException:
            self._outbox.release_reference(tsi, ref)
            raise

    def send_status(
        self,
        to: Tsi | int | str,
        value: int,
        *,
        now: float,
        group: bool = False,
        priority: int = 0,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue a 16-bit pre-coded status (AI service 13; EN 300 392-2 cl. 14.8.34).

        Raises:
            ValueError: when ``value`` is not 0-0xFFFF, or on a bad identity.
        """
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
            raise ValueError(f"a status value is 0-0xFFFF, not {value!r}")
        return self.send_sds(
            to, value.to_bytes(2, "big"), 16, now=now, group=group, priority=priority,
            ai_service=AiService.STATUS, timeout=timeout,
        )

    def withdraw(self, handle: SdsHandle, now: float, why: str) -> bool:
        """Take back a queued SDS the radio has not seen yet (it becomes FAILED with ``why``).

        False when it is already being written or accepted.  Lets a caller with
        several radios move an SDS to another radio without sending it twice.
        """
        return self._outbox.withdraw(handle, now, why)

    def request(self, command: Command, now: float) -> CommandRequest:
        """Send any command (e.g. ``commands.cnum()``) while the link is ready.

        Raises:
            PeiUsageError: when the link is not READY.
        """
        if self._state is not LinkState.READY or self._engine is None:
            raise PeiUsageError(f"cannot send {command.line!r}: link is {self._state.value}")
        req = CommandRequest(command)
        # queued here, not in the engine: the engine then only ever holds one
        # command of ours, so a reset knows that a pending AT+CMGS was written
        self._requests.append(req)
        self._run(now)
        return req

    # ================================================================== internals: plumbing

    def _idle(self) -> bool:
        engine = self._engine
        return engine is not None and engine.in_flight is None and not engine.queued

    def _send(self, command: Command, now: float, purpose: _Purpose, what: Any = None) -> None:
        assert self._engine is not None
        seq = self._engine.send(command, now)
        self._pending[seq] = (purpose, what)

    def _set_state(self, state: LinkState, reason: str) -> None:
        if state is self._state:
            return
        previous, self._state = self._state, state
        log.info("radio link %s -> %s (%s)", previous.value, state.value, reason)
        self._events.append(LinkStateChanged(state, previous, reason))

    def _schedule_reconnect(self, now: float) -> None:
        self._reconnect_at = now + self._backoff
        self._backoff = min(max(self._backoff * 2, 0.1), self.config.backoff_max)

    def _run(self, now: float) -> None:
        """Process every engine event, then start whatever is due.

        Not re-entrant: called while a pass or an engine reset is in progress
        (an SDS queued while handling an event), it returns at once and the
        pass in progress, or the caller's next call, starts what was queued.
        """
        if self._settling:
            return
        self._settling = True
        try:
            for _ in range(1000):  # each pass either consumes events or starts at most one thing
                self._drain(now)
                if not self._pump(now):
                    break
        finally:
            self._settling = False

    def _drain(self, now: float) -> None:
        engine = self._engine
        while engine is not None and engine is self._engine:
            try:
                event = engine.next_event()
            except PeiProtocolError as exc:
                self._last_error = str(exc)
                log.warning("PEI protocol error, re-initialising: %s", exc)
                self._reset_engine(exc, now)
                self._start_init(now, f"protocol error: {exc}", restarted=False)
                continue
            if event is None:
                break
            self._dispatch(event, now)
        self._check_echo(now)

    def _check_echo(self, now: float) -> None:
        receiver = self._receiver
        if receiver is None or receiver.echoes == self._echoes_seen:
            return
        self._echoes_seen = receiver.echoes
        if self._echo_off and self._state is LinkState.READY:
            self._restart_detected(now, "the radio echoes commands again after ATE0")

    # ================================================================== internals: events

    def _dispatch(self, event: EngineEvent, now: float) -> None:
        if isinstance(event, CommandCompleted | CommandFailed):
            purpose, what = self._pending.pop(event.seq, (None, None))
            answered = isinstance(event, CommandCompleted) or isinstance(event.error, CommandError)
            if answered:
                self._last_answer = now
                self._last_activity = now
            if purpose is None:
                self._events.append(Unsolicited(event))
            else:
                self._command_done(purpose, what, event, now)
        elif isinstance(event, SdsSendStatus):
            if not self._outbox.send_status(event, now):
                self._events.append(Unsolicited(event))
        elif isinstance(event, SdsIncoming):
            self._incoming(event, now)
        elif isinstance(event, ModeChanged):
            self._ai_mode = int(event.mode)
            self._events.append(Unsolicited(event))
            if self._state is LinkState.READY:
                # changing the AI mode can drop routings (pei.md §1.6): register again
                self._start_init(now, f"AI mode changed to {int(event.mode)}", restarted=False)
        elif isinstance(event, RegistrationChanged):
            self._reg_stat = int(event.registration.stat)
            self._events.append(Unsolicited(event))
        else:
            self._events.append(Unsolicited(event))

    def _command_done(
        self, purpose: _Purpose, what: Any, event: CommandCompleted | CommandFailed, now: float
    ) -> None:
        if isinstance(event, CommandCompleted):
            self._absorb(event)
        if purpose is _Purpose.INIT:
            self._init_step_done(what, event, now)
        elif purpose is _Purpose.CHECK:
            self._check_done(bool(what), event, now)
        elif purpose is _Purpose.KEEPALIVE:
            if isinstance(event, CommandTimedOut):
                self._go_silent(now, f"no answer to keep-alive {event.command.line!r}")
        elif purpose is _Purpose.PROBE:
            if isinstance(event, CommandTimedOut):
                self._probe_at = now + self.config.probe_interval
            elif isinstance(event, CommandCompleted) or isinstance(event.error, CommandError):
                self._restart_detected(now, "the radio answers again")
        elif purpose is _Purpose.CTSDS:
            self._ctsds_done(what, event, now)
        elif purpose is _Purpose.CMGS:
            self._outbox.written(what, event, now)
        elif purpose is _Purpose.REQUEST:
            req: CommandRequest = what
            if isinstance(event, CommandCompleted):
                req.result = event
            else:
                req.error = event.error
        if isinstance(event, CommandTimedOut) and purpose in (
            _Purpose.CTSDS, _Purpose.CMGS, _Purpose.REQUEST
        ):
            self._go_silent(now, f"no answer to {event.command.line!r}")

    def _absorb(self, event: CommandCompleted) -> None:
        """Keep what answers tell about the radio (signal, registration, mode, identity)."""
        for result in event.results:
            if isinstance(result, Csq):
                self._rssi_dbm = result.dbm
            elif isinstance(result, Creg):
                self._reg_stat = int(result.stat)
            elif isinstance(result, Ctom):
                self._ai_mode = int(result.mode)
            elif isinstance(result, Cnum) and result.identity is not None and int(
                result.num_type
            ) in (0, 6) and self._own is None:
                self._own = result.identity

    # ================================================================== internals: init

    def _start_init(self, now: float, reason: str, *, restarted: bool) -> None:
        engine = self._engine
        if engine is None:
            return
        if engine.state is not EngineState.IDLE or engine.in_flight is not None or engine.queued:
            self._reset_engine(PeiError(f"discarded: re-initialising ({reason})"), now)
        if restarted:
            self._outbox.unconfirm_accepted(
                now, f"the radio may have restarted ({reason}) before it reported the "
                "over-the-air result"
            )
        if self._initialised_once:
            self._reinit_count += 1
        self._set_state(LinkState.INITIALISING, reason)
        self._steps = self.profile.steps()
        self._step_index = 0
        self._probe_tries = 0
        self._echo_off = False
        self._registered = []
        self._failed_registrations = []
        self._registered_objs = []
        self._silent_since = None
        self._probe_at = None
        self._send_step(now)

    def _reset_engine(self, error: TetrakitError, now: float) -> None:
        """Reset the engine and settle what it discards before anything new is sent."""
        if self._engine is not None:
            settling, self._settling = self._settling, True
            try:
                self._engine.reset(error)
                self._drain_resets(now)
            finally:
                self._settling = settling

    def _drain_resets(self, now: float) -> None:
        """Handle the CommandFailed events a reset produced, before anything else is sent."""
        engine = self._engine
        pending: list[EngineEvent] = []
        while engine is not None:
            try:
                event = engine.next_event()
            except PeiProtocolError:
                break
            if event is None:
                break
            if isinstance(event, CommandCompleted | CommandFailed) and event.seq in self._pending:
                purpose, what = self._pending.pop(event.seq)
                if purpose in (_Purpose.CTSDS, _Purpose.CMGS, _Purpose.REQUEST):
                    self._command_done(purpose, what, event, now)
            else:
                pending.append(event)
        for event in pending:
            self._dispatch(event, now)

    def _send_step(self, now: float) -> None:
        if self._step_index < len(self._steps):
            step = self._steps[self._step_index]
            self._send(step.command, now, _Purpose.INIT, step)
            return
        if self._check_enabled and self._registered_objs:
            # calibrate: does this radio list its registrations at all?
            self._send(commands.ctsp_query(), now, _Purpose.CHECK, True)
            return
        self._init_done(now)

    def _init_step_done(self, step: InitStep, event: CommandCompleted | CommandFailed,
                        now: float) -> None:
        ok = isinstance(event, CommandCompleted)
        error = None if ok else event.error  # type: ignore[union-attr]
        if step.kind is StepKind.PROBE:
            if not ok:
                self._probe_tries += 1
                if self._probe_tries < self.config.probe_attempts:
                    self._send(step.command, now, _Purpose.INIT, step)
                    return
                if isinstance(event, CommandTimedOut):
                    self._go_silent(now, f"no answer to {step.command.line!r}")
                    return
                # it answers, if only with errors (CME 35 from garbage): go on
                log.warning("%s keeps failing (%s); continuing init", step.command.line, error)
        elif isinstance(event, CommandTimedOut):
            self._go_silent(now, f"no answer to {step.command.line!r} during init")
            return
        elif step.kind is StepKind.SETTING:
            if ok and step.command.line.upper() == "ATE0":
                self._echo_off = True
            elif not ok:
                log.warning("init setting %s failed: %s", step.command.line, error)
        elif step.kind is StepKind.REGISTER:
            cme = error.cme_code if isinstance(error, CommandError) else None
            if ok or cme == _CME_ALREADY_REGISTERED:
                self._registered.append(step.command.line)
                layer1, layer2 = _ctsp_layers(step.command.line)
                self._registered_objs.append((layer1, layer2))
            else:
                self._failed_registrations.append(f"{step.command.line}: {error}")
                self._last_error = str(error)
                log.warning("registration %s failed: %s", step.command.line, error)
        elif step.kind is StepKind.QUERY and not ok:
            log.info("init query %s failed: %s", step.command.line, error)
        self._step_index += 1
        self._send_step(now)

    def _init_done(self, now: float) -> None:
        self._initialised_once = True
        self._backoff = self.config.backoff_initial
        self._last_activity = now
        interval = self.config.registration_check_interval
        self._next_check = None if interval is None else now + interval
        reason = "initialised"
        if self._failed_registrations:
            reason += f" ({len(self._failed_registrations)} registrations failed)"
        self._set_state(LinkState.READY, reason)

    def _check_done(self, calibrating: bool, event: CommandCompleted | CommandFailed,
                    now: float) -> None:
        interval = self.config.registration_check_interval
        self._next_check = None if interval is None else now + interval
        if isinstance(event, CommandTimedOut):
            self._go_silent(now, "no answer to AT+CTSP?")
            return
        if isinstance(event, CommandFailed):
            log.info("radio does not answer AT+CTSP? (%s); registration checks off", event.error)
            self._check_enabled = False
        else:
            listed = [(int(r.layer1), r.layer2) for r in event.results if isinstance(r, Ctsp)]
            missing = [
                (l1, l2) for l1, l2 in self._registered_objs
                if not any(x1 == l1 and (x2 is None or x2 == l2) for x1, x2 in listed)
            ]
            if calibrating and len(missing) == len(self._registered_objs):
                # lists none of what it just accepted: its answer tells us nothing
                log.info("radio does not list its registrations; registration checks off")
                self._check_enabled = False
            elif missing and not calibrating:
                lost = ", ".join(f"{l1},{l2}" for l1, l2 in missing)
                self._restart_detected(now, f"registrations lost ({lost})")
                return
        if calibrating:
            self._init_done(now)

    # ================================================================== internals: liveness

    def _go_silent(self, now: float, reason: str) -> None:
        self._last_error = reason
        engine = self._engine
        if engine is not None and (engine.in_flight is not None or engine.queued):
            self._reset_engine(PeiTimeoutError(f"discarded: {reason}"), now)
        if self._silent_since is None:
            self._silent_since = now
        self._probe_at = now + self.config.probe_interval
        self._set_state(LinkState.SILENT, reason)

    def _restart_detected(self, now: float, reason: str) -> None:
        log.warning("re-initialising the radio: %s", reason)
        self._start_init(now, reason, restarted=True)

    def _pump(self, now: float) -> bool:
        """Start what is due; True if something was started (events may follow)."""
        self._outbox.expire(now, self._state.value)
        engine = self._engine
        if engine is None:
            return False
        if self._state is LinkState.SILENT:
            silent_since = self._silent_since
            if silent_since is not None and now >= silent_since + self.config.reconnect_after:
                if not self._close_requested:
                    log.warning("radio silent for %.0f s: reopening the port",
                                now - silent_since)
                    self._close_requested = True
                return False
            if self._idle() and self._probe_at is not None and now >= self._probe_at:
                self._probe_at = None
                self._send(self.profile.probe, now, _Purpose.PROBE)
                return True
            return False
        if self._state is not LinkState.READY or not self._idle():
            return False
        if self._requests:
            req = self._requests.popleft()
            self._send(req.command, now, _Purpose.REQUEST, req)
            return True
        handle = self._outbox.take(now)
        if handle is not None:
            ctsds = commands.ctsds(
                handle.ai_service, 0, self.profile.text_area, handle.priority
            )
            self._send(ctsds, now, _Purpose.CTSDS, handle)
            return True
        if self._check_enabled and self._next_check is not None and now >= self._next_check:
            self._next_check = None
            self._send(commands.ctsp_query(), now, _Purpose.CHECK, False)
            return True
        if now >= self._last_activity + self.config.keepalive_interval:
            self._last_activity = now
            self._send(self.profile.keepalive, now, _Purpose.KEEPALIVE)
            return True
        return False

    # ================================================================== internals: SDS

    def _ctsds_done(self, handle: SdsHandle, event: CommandCompleted | CommandFailed,
                    now: float) -> None:
        if isinstance(event, CommandCompleted):
            command = commands.cmgs(handle.to, handle.data, handle.bits)
            self._send(command, now, _Purpose.CMGS, handle)
        elif isinstance(event.error, CommandError):
            self._outbox.written(handle, event, now)
        else:
            # AT+CMGS was not written yet: nothing left the host, so it waits for the link
            self._outbox.requeue_active(now)

    def _incoming(self, event: SdsIncoming, now: float) -> None:
        pdu, error = decode_incoming(event)
        self._events.append(SdsReceived(event, pdu, error, now))
        if isinstance(pdu, sds.SdsReport):
            self._outbox.report(event.calling, pdu.message_reference, int(pdu.delivery_status),
                                sds.delivery_class(int(pdu.delivery_status)), now)
        elif isinstance(pdu, sds.StatusPdu) and pdu.short_report is not None:
            short = pdu.short_report
            received = int(short.report_type) in (2, 3)  # message received / consumed
            self._outbox.report(
                event.calling, short.message_reference, int(short.report_type),
                sds.DeliveryClass.SUCCESS if received else sds.DeliveryClass.FAILED, now,
            )
        elif isinstance(pdu, sds.SdsTransfer) and self.config.auto_report:
            self._answer_transfer(event, pdu, now)

    def _answer_transfer(self, event: SdsIncoming, pdu: sds.SdsTransfer, now: float) -> None:
        """Send the SDS-REPORT an incoming transfer asks for (cl. 29.4.2.2, Table 29.17)."""
        request = int(pdu.delivery_report_request)
        calling = event.calling
        if request == sds.DeliveryReportRequest.NONE or calling is None:
            return
        own, called = self._own, event.called
        if own is not None and called is not None and not own.same_party(called):
            return  # sent to a group we listen to: members do not report
        # "received" when asked for it (alone or with "consumed"): the program
        # that reads this has the message now; "consumed" only when only that was asked
        status = (
            sds.DeliveryStatus.RECEIPT_ACKNOWLEDGED_BY_DESTINATION
            if request & sds.DeliveryReportRequest.RECEIVED
            else sds.DeliveryStatus.CONSUMED_BY_DESTINATION
        )
        report = sds.sds_report(
            delivery_status=status, message_reference=pdu.message_reference,
            protocol_id=pdu.protocol_id,
        )
        data, bits = sds.encode(report)
        # queued only (a pass or a reset is in progress, so _run does not start
        # anything): the loop that delivered this event sends it when the link is free
        self.send_sds(calling, data, bits, now=now)


def _ctsp_layers(line: str) -> tuple[int, int]:
    """``(layer1, layer2)`` of an ``AT+CTSP=p,l1,l2`` line built by the profile."""
    fields = line.split("=", 1)[1].split(",")
    return int(fields[1]), int(fields[2]) if len(fields) > 2 and fields[2] else 0

