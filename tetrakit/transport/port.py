"""Opening a PEI port: any pyserial URL, wrapped so that failures name the URL.

This is the one module that calls :func:`serial.serial_for_url`.  Device
paths (``/dev/ttyUSB0``, a pty such as ``/dev/pts/7``), ``socket://``,
``loop://``, ``spy://`` and ``rfc2217://`` come with pyserial; the
simulator's ``tetrasim://`` handler is registered here when the
``firmware_sim`` package is installed.  pyserial has no entry point for URL
handlers, so registration means appending the handler package to
``serial.protocol_handler_packages``.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import threading

import serial

from tetrakit.errors import PeiTimeoutError, TransportError
from tetrakit.transport.trace import TraceWriter

__all__ = [
    "DEFAULT_BAUDRATE",
    "Port",
    "open_port",
    "register_panel_handler",
    "register_simulator_handler",
]

log = logging.getLogger(__name__)

#: PEI default used by Motorola and Sepura codeplugs (reference pei.md §2).
DEFAULT_BAUDRATE = 38400

#: packages that may hold the simulator's ``protocol_tetrasim`` module
_SIMULATOR_HANDLER_PACKAGES = ("firmware_sim.urlhandler", "firmware_sim")

_register_lock = threading.Lock()


def register_simulator_handler() -> bool:
    """Make ``tetrasim://`` URLs work when the simulator package is installed.

    Returns:
        True when a handler package is registered (now or before).
    """
    with _register_lock:
        for package in _SIMULATOR_HANDLER_PACKAGES:
            if package in serial.protocol_handler_packages:
                return True
        for package in _SIMULATOR_HANDLER_PACKAGES:
            try:
                found = importlib.util.find_spec(f"{package}.protocol_tetrasim") is not None
            except (ImportError, ValueError):
                found = False
            if found:
                serial.protocol_handler_packages.append(package)
                return True
    return False


def register_panel_handler() -> bool:
    """Make ``simpanel://`` URLs (the simulated button box) work when firmware_sim is installed.

    Returns:
        True when the handler is registered (now or before).
    """
    try:
        # imported by name: the simulator is optional and not part of the typed package
        module = importlib.import_module("firmware_sim.buttonbox")
    except ImportError:
        return False
    module.register()
    return True


class Port:
    """An open byte link to a radio.

    Thin wrapper over a pyserial object: turns every failure into
    :class:`~tetrakit.errors.TransportError` with the URL in the message and
    records traffic to a :class:`~tetrakit.transport.trace.TraceWriter` when
    one is given.  It decides nothing about the bytes.

    Reads and writes may happen from two different threads at once (pyserial
    supports that); two concurrent writers are not supported - the transports
    above serialise writes.
    """

    def __init__(self, ser: serial.Serial, url: str, trace: TraceWriter | None = None) -> None:
        self._serial = ser
        self.url = url
        self.trace = trace

    @property
    def serial(self) -> serial.Serial:
        """The underlying pyserial object (for settings the wrapper does not cover)."""
        return self._serial

    @property
    def is_open(self) -> bool:
        return bool(self._serial.is_open)

    def read(self, max_bytes: int = 4096) -> bytes:
        """Wait up to the port's read timeout for data, then return what is there.

        Returns:
            At least one byte, or ``b""`` when the timeout passed without data.

        Raises:
            TransportError: the port failed or was closed (a pty whose other
                side went away, a dropped socket, an unplugged USB adapter).
        """
        try:
            waiting = self._serial.in_waiting
            data = self._serial.read(min(waiting, max_bytes) if waiting else 1)
            if data and len(data) < max_bytes:
                # a chunk, not a byte at a time: take whatever arrived meanwhile
                more = self._serial.in_waiting
                if more:
                    data += self._serial.read(min(more, max_bytes - len(data)))
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            # pyserial raises TypeError/AttributeError when a port is closed under a read
            raise TransportError(f"{self.url}: {_reason(exc, 'read failed')}") from exc
        if data and self.trace is not None:
            self.trace.record("rx", data)
        return bytes(data)

    def write(self, data: bytes) -> None:
        """Write all of ``data``.

        Raises:
            PeiTimeoutError: the write did not finish within the write timeout
                (e.g. the radio holds CTS low).
            TransportError: the port failed or was closed.
        """
        if self.trace is not None:
            self.trace.record("tx", data)
        try:
            self._serial.write(data)
            self._serial.flush()
        except serial.SerialTimeoutException as exc:
            raise PeiTimeoutError(
                f"{self.url}: write of {len(data)} bytes timed out (flow control holding?)"
            ) from exc
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            raise TransportError(f"{self.url}: {_reason(exc, 'write failed')}") from exc

    def cancel_read(self) -> None:
        """Wake a thread blocked in :meth:`read`, where the port type supports it."""
        cancel = getattr(self._serial, "cancel_read", None)
        if cancel is not None:
            try:
                cancel()
            except (serial.SerialException, OSError, AttributeError, TypeError):
                log.debug("%s: cancel_read failed", self.url, exc_info=True)

    def close(self) -> None:
        """Close the port (idempotent; errors while closing are logged, not raised)."""
        try:
            self._serial.close()
        except (serial.SerialException, OSError) as exc:
            log.debug("%s: close failed: %s", self.url, exc)

    def __enter__(self) -> Port:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Port({self.url!r}, open={self.is_open})"


def _reason(exc: BaseException, what: str = "") -> str:
    """The exception's text, prefixed with ``what`` unless pyserial already said it."""
    errno = getattr(exc, "errno", None)
    if isinstance(exc, serial.SerialException) and isinstance(errno, int):
        # pyserial repeats the device and the OSError text ("could not open
        # port X: [Errno 2] ...: 'X'"); the system's own words say it once
        text = f"{os.strerror(errno)} (errno {errno})"
    else:
        text = str(exc).strip() or type(exc).__name__
    if what and not text.lower().startswith(what):
        text = f"{what}: {text}"
    return text


def open_port(
    url: str,
    *,
    baudrate: int = DEFAULT_BAUDRATE,
    rtscts: bool = False,
    xonxoff: bool = False,
    timeout: float = 0.1,
    write_timeout: float | None = 5.0,
    trace: TraceWriter | None = None,
) -> Port:
    """Open any pyserial URL as a PEI link (8N1).

    Args:
        url: a device path or pyserial URL (``/dev/ttyUSB0``, ``/dev/pts/3``,
            ``socket://host:port``, ``loop://``, ``spy://...``, ``tetrasim://...``).
        baudrate: line speed; must match the radio's codeplug (pei.md §2).
        rtscts: hardware flow control (Motorola data cables use CTS).
        xonxoff: software flow control.
        timeout: how long one :meth:`Port.read` waits for data, in seconds.
            Transports poll with it, so it bounds how fast they notice a stop.
        write_timeout: how long a write may block (flow control), ``None`` = forever.
        trace: record both directions to this writer.

    Raises:
        TransportError: the URL is unknown or the port cannot be opened;
            the message names the URL and the reason.
        ValueError: a setting is out of range (e.g. a negative timeout).
    """
    if not url:
        raise TransportError("no port given (use -p/--port or TETRAKIT_PORT)")
    if timeout < 0 or (write_timeout is not None and write_timeout < 0):
        raise ValueError("timeouts must not be negative")
    if url.lower().startswith("tetrasim://") and not register_simulator_handler():
        raise TransportError(f"{url}: the simulator package (firmware_sim) is not installed")
    if url.lower().startswith("simpanel://") and not register_panel_handler():
        raise TransportError(f"{url}: the simulator package (firmware_sim) is not installed")
    try:
        ser = serial.serial_for_url(
            url,
            baudrate=baudrate,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            rtscts=rtscts,
            xonxoff=xonxoff,
            timeout=timeout,
            write_timeout=write_timeout,
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise TransportError(f"{url}: cannot open port: {_reason(exc)}") from exc
    log.debug("%s: opened at %d baud (rtscts=%s, xonxoff=%s)", url, baudrate, rtscts, xonxoff)
    if trace is not None:
        trace.comment(f"port {url} baudrate {baudrate}")
    return Port(ser, url, trace)
