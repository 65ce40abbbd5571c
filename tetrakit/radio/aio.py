"""asyncio radio front end for the alarm daemon, on :class:`RadioSession`.

One supervisor task per radio owns the session: it opens the port when the
session asks for it (with the session's backoff), feeds it the chunks the
transport's reader thread hands to the loop, ticks it at its deadlines,
writes what it wants written and fans its events out to subscribers.
Callers use plain methods (``send_text`` returns a handle at once) and
await :meth:`AsyncRadio.wait_for` or an event queue.

Example::

    radio = AsyncRadio("/dev/ttyUSB0", vendor="motorola")
    await radio.start()
    events = radio.subscribe()
    handle = radio.send_text(2001, "Hjertestans B312")
    await radio.wait_for(handle, SdsState.SENT, timeout=30)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from tetrakit._tasks import cancel_and_wait
from tetrakit.errors import PeiTimeoutError, PeiUsageError, TransportError
from tetrakit.pei.commands import Command
from tetrakit.pei.events import CommandCompleted
from tetrakit.radio.events import LinkState, RadioEvent, SdsHandle, SdsState
from tetrakit.radio.front_end import RadioFrontEnd, wanted_states
from tetrakit.radio.profiles import VendorProfile
from tetrakit.radio.session import SessionConfig
from tetrakit.transport.async_transport import AsyncTransport
from tetrakit.transport.port import DEFAULT_BAUDRATE
from tetrakit.transport.trace import TraceWriter

__all__ = ["AsyncRadio"]

log = logging.getLogger(__name__)

Listener = Callable[[RadioEvent], None]


class AsyncRadio(RadioFrontEnd):
    """A supervised radio link in an asyncio program.

    Args: as :class:`~tetrakit.radio.front_end.RadioFrontEnd`; ``name`` labels
    the radio in logs (e.g. ``primary``).
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
        name: str | None = None,
    ) -> None:
        self.name = name or url
        super().__init__(
            url, baudrate=baudrate, rtscts=rtscts, vendor=vendor, trace=trace, config=config,
            clock=clock, message_reference_start=message_reference_start,
        )

    def _init_loop(self) -> None:
        self._transport: AsyncTransport | None = None
        self._lost: TransportError | None = None
        self._task: asyncio.Task[None] | None = None
        self._wake: asyncio.Event | None = None
        self._subscribers: list[asyncio.Queue[RadioEvent]] = []
        self._listeners: list[Listener] = []
        self._waiters: list[asyncio.Future[None]] = []
        self._closing = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the supervisor task (returns at once; see :meth:`wait_ready`)."""
        if self._task is not None:
            raise PeiUsageError(f"{self.name}: already started")
        self._wake = asyncio.Event()
        self._task = asyncio.create_task(self._supervise(), name=f"radio {self.name}")

    async def wait_ready(self, timeout: float) -> None:
        """Wait until the link is READY.

        Raises:
            PeiTimeoutError: not ready within ``timeout`` seconds (the message
                names the link state and the last error).
        """
        try:
            await self._wait(lambda: self.session.state is LinkState.READY, timeout)
        except TimeoutError:
            raise self._not_ready(self.name, timeout) from None

    async def close(self) -> None:
        """Stop supervising, close the session and the port (idempotent)."""
        if self._closing:
            return
        self._closing = True
        self._kick()
        task, self._task = self._task, None
        await cancel_and_wait(task)
        self.session.close(self._clock())
        self._dispatch()
        await self._drop_transport()
        self._close_trace()

    async def __aenter__(self) -> AsyncRadio:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ------------------------------------------------------------------ events

    def subscribe(self) -> asyncio.Queue[RadioEvent]:
        """A queue that receives every event from now on (unbounded)."""
        queue: asyncio.Queue[RadioEvent] = asyncio.Queue()
        self._subscribers.append(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[RadioEvent]) -> None:
        with contextlib.suppress(ValueError):
            self._subscribers.remove(queue)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event)`` in the loop for every event (must not block)."""
        self._listeners.append(listener)

    # ------------------------------------------------------------------ sending

    def withdraw(self, handle: SdsHandle, why: str) -> bool:
        """Take back a queued SDS the radio has not seen yet (see RadioSession.withdraw)."""
        taken = self.session.withdraw(handle, self._clock(), why)
        if taken:
            self._dispatch()
        return taken

    async def wait_for(
        self,
        handle: SdsHandle,
        states: SdsState | Iterable[SdsState] = SdsState.SENT,
        *,
        timeout: float,
    ) -> SdsHandle:
        """Wait until ``handle`` is in one of ``states`` or final, or ``timeout`` passed.

        Returns the handle; the caller looks at its state.
        """
        wanted = wanted_states(states)
        with contextlib.suppress(TimeoutError):
            await self._wait(lambda: handle.state in wanted or handle.final, timeout)
        return handle

    async def command(self, command: Command, timeout: float | None = None) -> CommandCompleted:
        """Send any command on the ready link and return its answer.

        Raises:
            CommandError: an error answer; PeiTimeoutError: no answer;
            PeiUsageError: the link is not ready.
        """
        request = self.session.request(command, self._clock())
        self._kick()
        limit = timeout if timeout is not None else command.timeout + 1.0
        try:
            await self._wait(lambda: request.done, limit)
        except TimeoutError:
            raise PeiTimeoutError(f"{command.line!r}: no answer within {limit:g} s") from None
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    # ------------------------------------------------------------------ internals

    def _queued(self) -> None:
        self._kick()

    def _kick(self) -> None:
        if self._wake is not None:
            self._wake.set()

    async def _wait(self, done: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not done():
                future = asyncio.get_running_loop().create_future()
                self._waiters.append(future)
                await future

    def _dispatch(self) -> None:
        got = False
        while (event := self.session.next_event()) is not None:
            got = True
            for queue in self._subscribers:
                queue.put_nowait(event)
            for listener in list(self._listeners):
                try:
                    listener(event)
                except Exception:  # a faulty listener must not stop the supervision
                    log.exception("%s: event listener failed", self.name)
        if got or self._waiters:
            waiters, self._waiters = self._waiters, []
            for future in waiters:
                if not future.done():
                    future.set_result(None)

    async def _supervise(self) -> None:
        session = self.session
        wake = self._wake
        assert wake is not None
        while not self._closing:
            now = self._clock()
            if self._lost is not None or session.close_requested:
                error, self._lost = self._lost, None
                await self._drop_transport()
                session.connection_lost(self._clock(), error)
            if session.connect_due(now):
                await self._connect()
            await self._flush()
            self._dispatch()
            deadline = session.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self._clock())
            # asyncio.timeout, not wait_for: in 3.11 wait_for can swallow a
            # cancellation that races with the event being set
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    await wake.wait()
            wake.clear()
            session.tick(self._clock())

    async def _connect(self) -> None:
        try:
            transport = await AsyncTransport.open(
                self.url, baudrate=self._baudrate, rtscts=self._rtscts, trace=self._trace
            )
        except TransportError as exc:
            self.session.connection_failed(self._clock(), exc)
            return
        self._transport = transport
        self._lost = None
        transport.start(self._on_data, self._on_lost)
        self.session.connection_made(self._clock())

    def _on_data(self, chunk: bytes) -> None:
        self.session.receive_data(chunk, self._clock())
        self._kick()

    def _on_lost(self, exc: TransportError) -> None:
        self._lost = exc
        self._kick()

    async def _flush(self) -> None:
        data = self.session.data_to_send()
        if not data:
            return
        transport = self._transport
        if transport is None:
            return
        try:
            await transport.write(data)
        except TransportError as exc:
            self._lost = exc
            self._kick()

    async def _drop_transport(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.close()
