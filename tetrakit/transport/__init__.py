"""The only code that touches serial ports, threads and the event loop (DESIGN.md, layer 2).

- :func:`open_port` opens any pyserial URL (device, pty, ``socket://``,
  ``loop://``, ``spy://``, ``tetrasim://``) as a :class:`Port`; failures
  become :class:`~tetrakit.errors.TransportError` naming the URL.
- :class:`AsyncTransport`: a reader thread hands chunks to the asyncio loop;
  one writer.  :class:`BlockingTransport`: the same for blocking code.
- :class:`TraceWriter` / :func:`read_trace`: the JSON-lines traffic trace
  behind ``--trace FILE`` and ``tetrakit pei replay``.

Transports move bytes and report failure; they decide nothing.
"""

from __future__ import annotations

from tetrakit.transport.async_transport import AsyncTransport
from tetrakit.transport.blocking import BlockingTransport
from tetrakit.transport.port import DEFAULT_BAUDRATE, Port, open_port, register_simulator_handler
from tetrakit.transport.trace import Direction, TraceRecord, TraceWriter, read_trace

__all__ = [
    "DEFAULT_BAUDRATE",
    "AsyncTransport",
    "BlockingTransport",
    "Direction",
    "Port",
    "TraceRecord",
    "TraceWriter",
    "open_port",
    "read_trace",
    "register_simulator_handler",
]
