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

from tetrakit.errors import PeiTimeoutError, TetrakitError, TransportError
from tetrakit.pei.commands import Command
from tetrakit.pei.events import CommandCompleted
from tetrakit.radio.events import LinkState, RadioEvent, SdsHandle, SdsState
from tetrakit.radio.front_end import RadioFrontEnd, wanted_states
from tetrakit.transport.blocking import BlockingTransport

__all__ = ["RadioClient"]

log = logging.getLogger(__name__)


class RadioClient(RadioFrontEnd):
    """A radio driven with blocking calls.

    Args: see :class:`~tetrakit.radio.front_end.RadioFrontEnd` (``url``,
    ``baudrate``, ``rtscts``, ``vendor``, ``trace``, ``config``, ``clock``,
    ``message_reference_start``).
    """

    def _init_loop(self) -> None:
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
            raise self._not_ready(self.url, timeout)

    def close(self) -> None:
        """Close the session and the port (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.session.close(self._clock())
        self._collect()
        self._drop_transport()
        self._close_trace()

    def __enter__(self) -> RadioClient:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ sending and waiting

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
        wanted = wanted_states(states)
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
            session.connection_failed(self._clock(), exc, raised=raise_errors)
            self._collect()
            if raise_errors:
                raise
            return
        session.connection_made(self._clock())
        self._flush()

    def _queued(self) -> None:
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
