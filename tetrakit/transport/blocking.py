"""Blocking transport for scripts and the CLI: reads with a deadline, one writer.

A reader thread fills a queue, so :meth:`BlockingTransport.read` honours
any timeout exactly (a plain ``serial.read`` would round up to the port's
read timeout) and no byte is lost between calls.
"""

from __future__ import annotations

import queue

from tetrakit.errors import TransportError
from tetrakit.transport.port import Port, open_port
from tetrakit.transport.port_transport import PortTransport
from tetrakit.transport.reader import ReaderThread
from tetrakit.transport.trace import TraceWriter

__all__ = ["BlockingTransport"]


class BlockingTransport(PortTransport):
    """An open port used from one thread with blocking calls."""

    def __init__(self, port: Port) -> None:
        super().__init__(port)
        self._queue: queue.Queue[bytes | TransportError] = queue.Queue()
        self._reader = ReaderThread(port, self._queue.put, self._queue.put)
        self._reader.start()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        baudrate: int = 38400,
        rtscts: bool = False,
        xonxoff: bool = False,
        trace: TraceWriter | None = None,
    ) -> BlockingTransport:
        """Open ``url`` and start reading it.

        Raises:
            TransportError: the port cannot be opened.
        """
        return cls(open_port(url, baudrate=baudrate, rtscts=rtscts, xonxoff=xonxoff, trace=trace))

    def read(self, timeout: float | None) -> bytes:
        """Return the next chunk, or ``b""`` when ``timeout`` seconds pass without one.

        Data that arrived before a failure is returned first; then the
        failure is raised on this and every later call.

        Raises:
            TransportError: the port failed or the transport is closed.
        """
        if self._closed:
            raise TransportError(f"{self.url}: transport is closed")
        if self._lost is not None and self._queue.empty():
            raise self._lost
        try:
            item = self._queue.get(timeout=timeout) if timeout is None or timeout > 0 else (
                self._queue.get_nowait()
            )
        except queue.Empty:
            return b""
        if isinstance(item, TransportError):
            self._lost = item
            raise item
        return item

    def write(self, data: bytes) -> None:
        """Write ``data`` completely.

        Raises:
            TransportError: the port failed or the transport is closed.
            PeiTimeoutError: flow control blocked the write too long.
        """
        self._check_writable()
        self._write_locked(data)

    def close(self) -> None:
        """Stop the reader and close the port (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._reader.stop()
        self.port.close()

    def __enter__(self) -> BlockingTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
