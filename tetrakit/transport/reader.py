"""The reader thread shared by the asyncio and the blocking transport.

pyserial has no asyncio support that works with every URL handler, so one
daemon thread per port blocks in :meth:`Port.read` and hands each chunk to a
callback.  It stops when asked (checked between reads, so within one read
timeout) or when the port fails, which it reports once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from tetrakit.errors import TransportError
from tetrakit.transport.port import Port

__all__ = ["ReaderThread"]

log = logging.getLogger(__name__)


class ReaderThread(threading.Thread):
    """Reads ``port`` until stopped; ``on_data(chunk)`` per chunk, ``on_lost(exc)`` once on failure.

    The callbacks run in this thread; they must be quick and thread-safe
    (the asyncio transport passes ``loop.call_soon_threadsafe`` wrappers).
    """

    def __init__(
        self,
        port: Port,
        on_data: Callable[[bytes], None],
        on_lost: Callable[[TransportError], None],
    ) -> None:
        super().__init__(name=f"tetrakit-reader {port.url}", daemon=True)
        self._port = port
        self._on_data = on_data
        self._on_lost = on_lost
        self._stopping = threading.Event()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def run(self) -> None:
        while not self._stopping.is_set():
            try:
                data = self._port.read()
            except TransportError as exc:
                if not self._stopping.is_set():
                    log.warning("%s", exc)
                    self._on_lost(exc)
                return
            if data and not self._stopping.is_set():
                self._on_data(data)

    def stop(self, timeout: float | None = 2.0) -> None:
        """Ask the thread to end and wait for it (not from the thread itself)."""
        self._stopping.set()
        self._port.cancel_read()
        if self.is_alive() and threading.current_thread() is not self:
            self.join(timeout)
