"""What both transports share: an open :class:`Port` with one writer.

:class:`~tetrakit.transport.async_transport.AsyncTransport` and
:class:`~tetrakit.transport.blocking.BlockingTransport` differ in how they
hand over what the reader thread reads; both refuse to write once closed or
once the link failed, and write under one lock so that chunks never
interleave.
"""

from __future__ import annotations

import threading

from tetrakit.errors import TransportError
from tetrakit.transport.port import Port

__all__ = ["PortTransport"]


class PortTransport:
    """An open port, its closed / lost state and its single-writer lock."""

    def __init__(self, port: Port) -> None:
        self.port = port
        self._write_lock = threading.Lock()
        self._closed = False
        self._lost: TransportError | None = None

    @property
    def url(self) -> str:
        return self.port.url

    def _check_writable(self) -> None:
        """Raise :class:`TransportError` when the transport is closed or the link lost."""
        if self._closed:
            raise TransportError(f"{self.url}: transport is closed")
        if self._lost is not None:
            raise TransportError(f"{self.url}: link lost: {self._lost}")

    def _write_locked(self, data: bytes) -> None:
        """Write ``data`` completely, as the only writer (may block on flow control)."""
        with self._write_lock:
            self.port.write(data)
