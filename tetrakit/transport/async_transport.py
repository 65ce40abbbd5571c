"""asyncio transport: a reader thread feeding the event loop, one writer.

Chunks read by the :class:`~tetrakit.transport.reader.ReaderThread` are
passed to the loop with ``loop.call_soon_threadsafe``, so ``on_data`` runs
in the loop thread and may feed a sans-I/O engine directly.  Writes run in a
worker thread (a write can block on flow control) under a lock, so there is
only ever one writer and chunks go out in the order they were given.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from tetrakit.errors import TransportError
from tetrakit.transport.port import Port, open_port
from tetrakit.transport.port_transport import PortTransport
from tetrakit.transport.reader import ReaderThread
from tetrakit.transport.trace import TraceWriter

__all__ = ["AsyncTransport"]

log = logging.getLogger(__name__)


class AsyncTransport(PortTransport):
    """An open port driven from an asyncio loop.

    Use :meth:`open` (or wrap an already open :class:`Port`), then
    :meth:`start` with the callbacks, :meth:`write`, and :meth:`close`.
    """

    def __init__(self, port: Port) -> None:
        super().__init__(port)
        self._reader: ReaderThread | None = None
        self._async_write_lock = asyncio.Lock()

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        baudrate: int = 38400,
        rtscts: bool = False,
        xonxoff: bool = False,
        trace: TraceWriter | None = None,
    ) -> AsyncTransport:
        """Open ``url`` (in a worker thread: opening a device can block) and wrap it.

        Raises:
            TransportError: the port cannot be opened.
        """
        port = await asyncio.to_thread(
            open_port, url, baudrate=baudrate, rtscts=rtscts, xonxoff=xonxoff, trace=trace
        )
        return cls(port)

    @property
    def is_closing(self) -> bool:
        return self._closed or self._lost is not None

    def start(
        self,
        on_data: Callable[[bytes], None],
        on_lost: Callable[[TransportError], None],
    ) -> None:
        """Start reading; both callbacks run in the loop thread.

        ``on_lost`` is called once if the port fails (not after :meth:`close`).
        """
        if self._reader is not None:
            raise RuntimeError("transport already started")
        loop = asyncio.get_running_loop()

        def deliver(chunk: bytes) -> None:
            # a closed loop raises RuntimeError: nobody is left to tell
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._deliver, on_data, chunk)

        def lost(exc: TransportError) -> None:
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(self._report_lost, on_lost, exc)

        self._reader = ReaderThread(self.port, deliver, lost)
        self._reader.start()

    def _deliver(self, on_data: Callable[[bytes], None], chunk: bytes) -> None:
        if not self._closed:
            on_data(chunk)

    def _report_lost(self, on_lost: Callable[[TransportError], None], exc: TransportError) -> None:
        if self._closed:
            return
        self._lost = exc
        on_lost(exc)

    async def write(self, data: bytes) -> None:
        """Write ``data`` completely.

        Raises:
            TransportError: the port failed or the transport is closed.
            PeiTimeoutError: flow control blocked the write too long.
        """
        self._check_writable()
        async with self._async_write_lock:
            await asyncio.to_thread(self._write_locked, data)

    async def close(self) -> None:
        """Stop the reader thread and close the port (idempotent)."""
        if self._closed:
            return
        self._closed = True
        reader, self._reader = self._reader, None
        if reader is not None:
            await asyncio.to_thread(reader.stop)
        self.port.close()
