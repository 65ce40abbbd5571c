"""Serve a world's PEI radios on pseudo-terminals or TCP ports, in real time.

This is what ``tetrakit sim`` runs: one select loop in one thread drives the
world from the real clock and moves bytes between each radio and its
endpoint.  Endpoints:

* :class:`PtyEndpoint` -- a pty pair per radio; programs open the slave path
  (``/dev/pts/N``) like a serial port.  The slave is kept open here and set
  to raw mode, so the link survives clients coming and going.
* :class:`TcpEndpoint` -- a listening socket per radio; one client at a time
  (a new connection replaces the old one); reach it with pyserial's
  ``socket://HOST:PORT``.

Other endpoints (the button-box panel) plug in with :meth:`Server.add_endpoint`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import selectors
import socket
import time
import tty
from abc import ABC, abstractmethod
from collections.abc import Callable

from firmware_sim.world import World

__all__ = ["Endpoint", "PtyEndpoint", "Server", "TcpEndpoint"]

_MAX_BACKLOG = 1 << 20  # bytes kept for a client that does not read


class Endpoint(ABC):
    """A byte endpoint served by :class:`Server` (subclasses fill in the I/O)."""

    label = ""

    @abstractmethod
    def fileno(self) -> int:
        """The descriptor the server waits on for input."""

    @abstractmethod
    def on_readable(self) -> None:
        """Read what arrived (the descriptor is readable)."""

    def pump(self) -> None:  # noqa: B027 - a hook: most endpoints have no output to move
        """Move pending output out (non-blocking)."""

    @abstractmethod
    def close(self) -> None:
        """Release the endpoint's descriptors."""


class _RadioEndpoint(Endpoint):
    def __init__(self, world: World, issi: int) -> None:
        self.world = world
        self.issi = issi
        self._backlog = bytearray()

    @abstractmethod
    def _write_fd(self) -> int | None:
        """Where the radio's output goes, or None while no client is connected."""

    def _deliver(self, data: bytes) -> None:
        self.world.terminal(self.issi).receive_data(data)

    def pump(self) -> None:
        term = self.world.terminal(self.issi)
        while term.output_pending:
            self._backlog += term.data_to_send()
        fd = self._write_fd()
        if fd is None:
            if len(self._backlog) > _MAX_BACKLOG:
                del self._backlog[: len(self._backlog) - _MAX_BACKLOG]
            return
        while self._backlog:
            try:
                n = os.write(fd, self._backlog)
            except BlockingIOError:
                break
            except OSError:
                self._client_gone()
                return
            del self._backlog[:n]
        if len(self._backlog) > _MAX_BACKLOG:
            del self._backlog[: len(self._backlog) - _MAX_BACKLOG]

    def _client_gone(self) -> None:
        pass


class PtyEndpoint(_RadioEndpoint):
    """Radio ``issi`` on a new pseudo-terminal; :attr:`path` is the slave device."""

    def __init__(self, world: World, issi: int) -> None:
        super().__init__(world, issi)
        self.master, self.slave = os.openpty()
        tty.setraw(self.slave)
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self.slave)
        self.label = self.path

    def fileno(self) -> int:
        return self.master

    def _write_fd(self) -> int | None:
        return self.master

    def on_readable(self) -> None:
        try:
            data = os.read(self.master, 4096)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno == errno.EIO:
                return
            raise
        if data:
            self._deliver(data)

    def close(self) -> None:
        for fd in (self.master, self.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class TcpEndpoint(_RadioEndpoint):
    """Radio ``issi`` on a TCP listener at ``host:port`` (port 0 picks a free one)."""

    def __init__(self, world: World, issi: int, host: str, port: int) -> None:
        super().__init__(world, issi)
        self.listener = socket.create_server((host, port), reuse_port=False)
        self.listener.setblocking(False)
        self.address = self.listener.getsockname()[:2]
        self.label = f"socket://{self.address[0]}:{self.address[1]}"
        self.client: socket.socket | None = None
        self.on_change: Callable[[], None] | None = None

    def fileno(self) -> int:
        return self.listener.fileno()

    def on_readable(self) -> None:
        try:
            conn, _ = self.listener.accept()
        except BlockingIOError:
            return
        if self.client is not None:
            self.client.close()
        conn.setblocking(False)
        self.client = conn
        if self.on_change is not None:
            self.on_change()

    def client_readable(self) -> None:
        if self.client is None:
            return
        try:
            data = self.client.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._client_gone()
            return
        self._deliver(data)

    def _write_fd(self) -> int | None:
        return None if self.client is None else self.client.fileno()

    def _client_gone(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None
            if self.on_change is not None:
                self.on_change()

    def close(self) -> None:
        self._client_gone()
        self.listener.close()


class Server:
    """Runs a world in real time and serves its endpoints until :meth:`stop`.

    Args:
        world: a world whose clock is a plain :class:`~firmware_sim.clock.Scheduler`.
        speed: simulated seconds per real second.
    """

    def __init__(self, world: World, *, speed: float = 1.0) -> None:
        self.world = world
        self.speed = speed
        self.endpoints: list[Endpoint] = []
        self._selector = selectors.DefaultSelector()
        self._stop = False
        self._t0 = time.monotonic() - world.clock.now / speed
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)

    # -- endpoints -----------------------------------------------------------------------------
    def add_endpoint(self, endpoint: Endpoint) -> Endpoint:
        """Serve ``endpoint`` (its ``on_readable`` runs when its fd is readable)."""
        self.endpoints.append(endpoint)
        self._selector.register(endpoint.fileno(), selectors.EVENT_READ, endpoint.on_readable)
        return endpoint

    def add_pty(self, issi: int) -> PtyEndpoint:
        """Serve radio ``issi`` on a new pty."""
        ep = PtyEndpoint(self.world, issi)
        self.add_endpoint(ep)
        return ep

    def add_tcp(self, issi: int, host: str, port: int) -> TcpEndpoint:
        """Serve radio ``issi`` on a TCP listener."""
        ep = TcpEndpoint(self.world, issi, host, port)
        self.add_endpoint(ep)

        def client_changed() -> None:
            for key in list(self._selector.get_map().values()):
                if key.data == ep.client_readable:
                    self._selector.unregister(key.fileobj)
            if ep.client is not None:
                self._selector.register(ep.client, selectors.EVENT_READ, ep.client_readable)

        ep.on_change = client_changed
        return ep

    # -- running -------------------------------------------------------------------------------
    def sim_now(self) -> float:
        return (time.monotonic() - self._t0) * self.speed

    def stop(self) -> None:
        """Ask :meth:`run` to return (safe from a signal handler or another thread)."""
        self._stop = True
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"\0")

    def step(self, max_wait: float = 0.2) -> None:
        """One round: run what is due, move output, wait for input up to ``max_wait`` s."""
        clock = self.world.clock
        clock.run_until(self.sim_now())
        for ep in self.endpoints:
            ep.pump()
        nxt = clock.next_due()
        wait = max_wait if nxt is None else min(max_wait, max(0.0, (nxt - self.sim_now())
                                                              / self.speed))
        for key, _ in self._selector.select(timeout=wait):
            if key.data is None:
                with contextlib.suppress(BlockingIOError):
                    os.read(self._wake_r, 64)
                continue
            clock.run_until(self.sim_now())
            key.data()
        for ep in self.endpoints:
            ep.pump()

    def run(self) -> None:
        """Serve until :meth:`stop`."""
        while not self._stop:
            self.step()

    def close(self) -> None:
        for ep in self.endpoints:
            ep.close()
        self._selector.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)
