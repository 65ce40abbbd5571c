"""An in-process byte link to a simulated radio, shaped like a pyserial port.

:class:`SimLink` has the parts of ``serial.Serial`` that tetrakit's transport
uses (``read``, ``write``, ``in_waiting``, ``timeout``, ``close``...), so code
that takes a port takes a simulated radio unchanged.  ``timeout`` follows
pyserial: ``None`` waits for ``size`` bytes, ``0`` never waits, ``x`` waits
up to ``x`` seconds -- virtual seconds on a :class:`~firmware_sim.hosting.VirtualHost`.
"""

from __future__ import annotations

from firmware_sim.hosting import Host, VirtualHost
from firmware_sim.world import World
from tetrakit.errors import TransportError

__all__ = ["SimLink", "open_link"]


class SimLink:
    """The host end of radio ``issi``'s PEI.

    Args:
        host: what runs the world.
        issi: the PEI radio.
        timeout: read timeout in the pyserial sense.
    """

    def __init__(self, host: Host, issi: int, *, timeout: float | None = None) -> None:
        host.world.terminal(issi)  # raises KeyError naming the radios there are
        self.host = host
        self.issi = issi
        self.timeout = timeout
        self.write_timeout: float | None = None
        self.is_open = True
        self.bytes_written = 0
        self.bytes_read = 0

    @property
    def world(self) -> World:
        return self.host.world

    @property
    def port(self) -> str:
        return f"tetrasim:{self.world.scenario.name}#{self.issi}"

    def _check(self) -> None:
        if not self.is_open:
            raise TransportError(f"simulated radio {self.issi}: link is closed")

    @property
    def in_waiting(self) -> int:
        """Bytes that can be read without waiting."""
        self._check()
        return self.host.pending(self.issi)

    def read(self, size: int = 1) -> bytes:
        """Read up to ``size`` bytes, waiting as ``timeout`` says."""
        self._check()
        out = bytearray()
        deadline = None if self.timeout is None else self.host.now() + self.timeout
        one_byte = self.world.terminal(self.issi).shaper.faults.one_byte
        while len(out) < size:
            chunk = self.host.take(self.issi, size - len(out))
            if chunk:
                out += chunk
                if one_byte:
                    break  # a link that delivers one byte per read
                continue
            if deadline is None:
                if not self.host.wait_output(self.issi, None):
                    break
                continue
            remaining = deadline - self.host.now()
            if remaining <= 0 or not self.host.wait_output(self.issi, remaining):
                break
        self.bytes_read += len(out)
        return bytes(out)

    def read_all(self) -> bytes:
        """Everything available now."""
        return self.read(self.in_waiting) if self.in_waiting else b""

    def write(self, data: bytes) -> int:
        """Send bytes to the radio."""
        self._check()
        data = bytes(data)
        self.host.feed(self.issi, data)
        self.bytes_written += len(data)
        return len(data)

    def flush(self) -> None:
        self._check()

    def reset_input_buffer(self) -> None:
        """Discard output the radio has sent but nobody has read."""
        self._check()
        while self.host.take(self.issi, 1 << 16):
            pass

    def reset_output_buffer(self) -> None:
        self._check()

    def close(self) -> None:
        self.is_open = False

    def __enter__(self) -> SimLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_link(world: World, issi: int, *, timeout: float | None = 1.0) -> SimLink:
    """A link to radio ``issi`` of a world on a virtual clock (reads advance virtual time)."""
    return SimLink(VirtualHost(world), issi, timeout=timeout)
