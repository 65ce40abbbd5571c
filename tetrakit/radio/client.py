"""Blocking radio client for scripts and the CLI, on :class:`RadioSession`.

Every blocking call runs the same loop: open the port when the session asks
for it, write what the session wants written, read with a timeout that ends
at the session's next deadline, and feed bytes and time back in.  Nothing
runs between calls, so a script that stays away long enough lets the
keep-alive lapse; :meth:`RadioClient.events` keeps the loop running for
programs that only listen (``tetrakit monitor``).

Example::

    with RadioClient("/dev/ttyUSB0", vendor="motorola") as radio:
        handle = radio.send_text(2001, "Test")
        radio.wait(handle, SdsState.SENT, timeout=30)
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from tetrakit.errors import PeiTimeoutError, TetrakitError, TransportError
from tetrakit.identities import Tsi
from tetrakit.pei.commands import Command
from tetrakit.pei.events import CommandCompleted
from tetrakit.radio.events import LinkHealth, LinkState, RadioEvent, SdsHandle, SdsState
from tetrakit.radio.profiles import VendorProfile
from tetrakit.radio.session import RadioSession, SessionConfig
from tetrakit.transport.blocking import BlockingTransport
from tetrakit.transport.port import DEFAULT_BAUDRATE
from tetrakit.transport.trace import TraceWriter

__all__ = ["RadioClient"]

log = logging.getLogger(__name__)


class RadioClient:
    """A radio driven with blocking calls.

    Args:
        url: device path or pyserial URL of the radio's PEI.
        baudrate / rtscts: serial settings (pei.md §2).
        vendor: init profile name or a :class:`VendorProfile`.
        trace: a :class:`TraceWriter` or a file path to record the traffic to.
        config: session timing.
        clock: monotonic clock in seconds (tests may pass their own).
        message_reference_start: first SDS-TL message reference (default: clock based).
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = DEFAULT_BAUDRATE,
        rtscts: bool = False,
        vendor: str | VendorProfile = "generic",
        trace: TraceWriter | str | Path | None = None,
        config: SessionConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        message_reference_start: int | None = None,
    ) -> None:
        self.url = url
        self._baudrate = baudrate
        self._rtscts = rtscts
        self._clock = clock
        if isinstance(trace, str | Path):
            self._trace: TraceWriter | None = TraceWriter(trace)
            self._owns_trace = True
        else:
            self._trace = trace
            self._owns_trace = False
        self.session = RadioSession(
            vendor, config=config, now=clock(), message_reference_start=message_reference_start
        )
        self._transport: BlockingTransport | None = None
        self._events: deque[RadioEvent] = deque()
        self._closed = False

    # ------------------------------------------------------------------ lifecycle

    def open(self, timeout: float = 30.0) -> None:
        """Open the port and initialise the radio; return once the link is READY.

        Raises:
            TransportError: the port cannot be opened (first attempt; later
                reconnects are retried with backoff).
            PeiTimeoutError: the radio was not ready within ``timeout`` seconds;
                the message says what state the link was in and why.
        """
        if self._transport is None and self.session.state is LinkState.DISCONNECTED:
            self._connect(raise_errors=True)
        if not self._run_until(lambda: self.session.state is LinkState.READY, timeout):
            health = self.session.health()
            why = f": {health.last_error}" if health.last_error else ""
            raise PeiTimeoutError(
                f"{self.url}: radio not ready within {timeout:g} s "
                f"(link {health.state.value}{why})"
            )

    def close(self) -> None:
        """Close the session and the port (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.session.close(self._clock())
        self._collect()
        self._drop_transport()
        if self._trace is not None and self._owns_trace:
            self._trace.close()

    def __enter__(self) -> RadioClient:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ inspection

    @property
    def state(self) -> LinkState:
        return self.session.state

    def health(self) -> LinkHealth:
        """A snapshot of the link."""
        return self.session.health()

    # ------------------------------------------------------------------ sending

    def send_sds(
        self,
        to: Tsi | int | str,
        data: bytes,
        bits: int,
        *,
        group: bool = False,
        priority: int = 0,
        ai_service: int = 12,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue SDS user data (see :meth:`RadioSession.send_sds`); returns at once."""
        handle = self.session.send_sds(
            to, data, bits, now=self._clock(), group=group, priority=priority,
            ai_service=ai_service, timeout=timeout,
        )
        self._flush()
        return handle

    def send_text(
        self,
        to: Tsi | int | str,
        text: str,
        *,
        group: bool = False,
        report: bool = True,
        priority: int = 0,
        message_reference: int | None = None,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue an SDS-TL text (see :meth:`RadioSession.send_text`); returns at once."""
        handle = self.session.send_text(
            to, text, now=self._clock(), group=group, report=report, priority=priority,
            message_reference=message_reference, timeout=timeout,
        )
        self._flush()
        return handle

    def send_status(
        self, to: Tsi | int | str, value: int, *, group: bool = False, priority: int = 0
    ) -> SdsHandle:
        """Queue a pre-coded status (see :meth:`RadioSession.send_status`); returns at once."""
        handle = self.session.send_status(
            to, value, now=self._clock(), group=group, priority=priority
        )
        self._flush()
        return handle

    def wait(
        self,
        handle: SdsHandle,
        states: SdsState | Iterable[SdsState] = SdsState.SENT,
        *,
        timeout: float,
    ) -> SdsHandle:
        """Run the link until ``handle`` reaches one of ``states`` or can no longer.

        Returns when the handle is in one of ``states``, or in a final state
        (FAILED, UNCONFIRMED, DELIVERED), or when ``timeout`` passed; the
        caller looks at ``handle.state``.  Waiting for SENT also ends at
        DELIVERED, which implies it.
        """
        wanted = {states} if isinstance(states, SdsState) else set(states)
        if SdsState.SENT in wanted:
            wanted.add(SdsState.DELIVERED)
        self._run_until(lambda: handle.state in wanted or handle.final, timeout)
        return handle

    def command(self, command: Command, timeout: float | None = None) -> CommandCompleted:
        """Send any command once the link is ready and return its answer.

        Raises:
            CommandError: the radio answered with an error (a subclass per CME code).
            PeiTimeoutError: no answer in time.
            PeiUsageError: the link is not ready.
        """
        request = self.session.request(command, self._clock())
        limit = timeout if timeout is not None else command.timeout + 1.0
        if not self._run_until(lambda: request.done, limit):
            raise PeiTimeoutError(f"{command.line!r}: no answer within {limit:g} s")
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    # ------------------------------------------------------------------ receiving

    def events(self, timeout: float | None = None) -> Iterator[RadioEvent]:
        """Yield session events as they happen, keeping the link supervised.

        Runs until ``timeout`` seconds have passed (``None``: forever) or the
        session is closed.
        """
        end = None if timeout is None else self._clock() + timeout
        while not self._closed:
            while self._events:
                yield self._events.popleft()
            now = self._clock()
            if end is not None and now >= end:
                return
            self._step(None if end is None else end)

    def poll_events(self) -> list[RadioEvent]:
        """The events collected so far (and forget them)."""
        events = list(self._events)
        self._events.clear()
        return events

    # ------------------------------------------------------------------ the loop

    def _run_until(self, done: Callable[[], bool], timeout: float) -> bool:
        end = self._clock() + timeout
        while not done():
            if self._clock() >= end or self._closed:
                return done()
            self._step(end)
        return True

    def _step(self, until: float | None) -> None:
        """One turn: connect if due, write, read until the next deadline, tick."""
        session = self.session
        now = self._clock()
        if session.close_requested:
            self._drop_transport()
            session.connection_lost(now, None)
        if session.connect_due(now):
            self._connect(raise_errors=False)
        self._flush()
        deadline = session.next_deadline()
        limits = [t for t in (deadline, until) if t is not None]
        wait = max(0.0, min(limits) - self._clock()) if limits else 1.0
        transport = self._transport
        if transport is None:
            time.sleep(min(wait, 1.0))  # waiting for the reconnect time; nothing to read
        else:
            try:
                chunk = transport.read(wait)
            except TransportError as exc:
                self._drop_transport()
                session.connection_lost(self._clock(), exc)
            else:
                if chunk:
                    session.receive_data(chunk, self._clock())
        session.tick(self._clock())
        self._flush()

    def _connect(self, *, raise_errors: bool) -> None:
        session = self.session
        try:
            self._transport = BlockingTransport.open(
                self.url, baudrate=self._baudrate, rtscts=self._rtscts, trace=self._trace
            )
        except TransportError as exc:
            session.connection_failed(self._clock(), exc)
            self._collect()
            if raise_errors:
                raise
            return
        session.connection_made(self._clock())
        self._flush()

    def _flush(self) -> None:
        data = self.session.data_to_send()
        if data and self._transport is not None:
            try:
                self._transport.write(data)
            except TransportError as exc:
                self._drop_transport()
                self.session.connection_lost(self._clock(), exc)
        self._collect()

    def _collect(self) -> None:
        while (event := self.session.next_event()) is not None:
            self._events.append(event)

    def _drop_transport(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            try:
                transport.close()
            except TetrakitError as exc:  # closing a broken port: nothing more to do
                log.debug("closing %s: %s", self.url, exc)
