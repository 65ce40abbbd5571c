"""Simulated panels in real time: a driver thread, byte endpoints, a control socket.

:class:`PanelHost` steps every attached :class:`~firmware_sim.buttonbox.panel.SimPanel`
from the real (monotonic) clock every 10 ms, moving bytes between it and its
:class:`Endpoint`: a pty (:class:`PtyEndpoint`, for ``tetrakit sim
--buttonbox``) or an in-process pipe (:class:`PipeEndpoint`, behind the
``simpanel://`` pyserial URL).

:class:`ControlServer` lets another process act on a running panel through a
unix-domain socket (mode 0600), one JSON object per line each way::

    -> {"cmd": "press", "button": 1, "hold": 0.3}
    <- {"ok": true, "status": {...}}

Commands: ``press`` (button, optional hold seconds; null keeps it down),
``release`` (button), ``cut`` / ``short`` / ``tamper`` / ``repair`` (button),
``hang`` (optional seconds), ``resume``, ``noise`` (seconds, optional rate),
``reboot``, ``status``.  Errors come back as ``{"ok": false, "error": "..."}``.
``tetrakit panel ...`` is the client.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import logging
import os
import socket
import socketserver
import tempfile
import threading
import time
import tty
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from firmware_sim.buttonbox.panel import SimPanel

__all__ = [
    "ControlServer",
    "Endpoint",
    "PanelHost",
    "PipeEndpoint",
    "PtyEndpoint",
    "control_dir",
    "control_path",
    "default_host",
    "send_command",
]

log = logging.getLogger(__name__)

TICK_S = 0.010


class Endpoint(Protocol):
    """The panel's end of a byte link, used only from the host thread."""

    def read(self) -> bytes:
        """Bytes from the host side, without blocking (b"" if none)."""
        ...

    def write(self, data: bytes) -> None:
        """Bytes to the host side (dropped when nobody listens, like a real line)."""
        ...


class PtyEndpoint:
    """The master side of a pseudo-terminal; the host opens :attr:`path`."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        tty.setraw(self._slave)  # no echo, no line discipline: the bytes as sent
        os.set_blocking(self.master, False)
        self.path = os.ttyname(self._slave)

    def read(self) -> bytes:
        try:
            return os.read(self.master, 4096)
        except BlockingIOError:
            return b""
        except OSError as exc:  # EIO: no process has the slave open right now
            if exc.errno == errno.EIO:
                return b""
            raise

    def write(self, data: bytes) -> None:
        try:
            os.write(self.master, data)
        except (BlockingIOError, OSError) as exc:
            # nobody reading and the pty buffer full: a real line would lose them too
            log.debug("pty %s: %d bytes dropped: %s", self.path, len(data), exc)

    def close(self) -> None:
        for fd in (self.master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)


class PipeEndpoint:
    """An in-process byte pipe: the panel side here, the serial side for pyserial."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._to_panel = bytearray()
        self._to_host = bytearray()
        self.closed = False

    # panel side (host thread)
    def read(self) -> bytes:
        with self._cond:
            data = bytes(self._to_panel)
            self._to_panel.clear()
            return data

    def write(self, data: bytes) -> None:
        with self._cond:
            if not self.closed:
                self._to_host += data
                self._cond.notify_all()

    # serial side (the program that opened simpanel://)
    def host_write(self, data: bytes) -> None:
        with self._cond:
            self._to_panel += data

    def host_read(self, size: int, timeout: float | None) -> bytes:
        """Up to ``size`` bytes; waits up to ``timeout`` for the first one."""
        with self._cond:
            self._cond.wait_for(lambda: self._to_host or self.closed, timeout)
            data = bytes(self._to_host[:size])
            del self._to_host[:size]
            return data

    def host_waiting(self) -> int:
        with self._cond:
            return len(self._to_host)

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


class PanelHost:
    """Drives panels from the real clock in one background thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self._panels: dict[int, tuple[SimPanel, Endpoint]] = {}
        self._keys = itertools.count(1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: called (in the host thread) after every tick that moved bytes
        self.listeners: list[Callable[[], None]] = []

    def new_panel(self, panel_id: str, buttons: int = 4, **kwargs: Any) -> SimPanel:
        """A panel whose clock is this host's clock (not yet attached)."""
        return SimPanel(panel_id, buttons, now=self.clock(), **kwargs)

    def attach(self, panel: SimPanel, endpoint: Endpoint) -> int:
        """Start driving ``panel`` over ``endpoint``; returns the key for :meth:`detach`.

        Two panels may share a name (two programs in one process opening
        ``simpanel://panel-a``, as a device can be opened twice); each has its
        own line.
        """
        with self.lock:
            key = next(self._keys)
            self._panels[key] = (panel, endpoint)
            if self._thread is None or not self._thread.is_alive():
                self._stop.clear()
                self._thread = threading.Thread(target=self._run, name="sim-panels", daemon=True)
                self._thread.start()
            return key

    def detach(self, key: int) -> None:
        """Stop driving the panel attached under ``key`` (idempotent)."""
        with self.lock:
            self._panels.pop(key, None)

    def panel(self, panel_id: str | None = None) -> SimPanel:
        """The (first) running panel with this id, or the only one.

        Raises:
            KeyError: no such panel, or several and no id given.
        """
        with self.lock:
            panels = [p for p, _ in self._panels.values()]
            if panel_id is None:
                if len(panels) != 1:
                    raise KeyError(f"{len(panels)} panels running: name one")
                return panels[0]
            for panel in panels:
                if panel.id == panel_id:
                    return panel
            raise KeyError(f"no simulated panel {panel_id!r} running")

    def panel_ids(self) -> list[str]:
        with self.lock:
            return sorted({p.id for p, _ in self._panels.values()})

    def call(self, panel_id: str | None, fn: Callable[[SimPanel, float], Any]) -> Any:
        """Run ``fn(panel, now)`` under the host's lock (from any thread)."""
        with self.lock:
            return fn(self.panel(panel_id), self.clock())

    def locked(self, panel: SimPanel, fn: Callable[[SimPanel, float], Any]) -> Any:
        """Run ``fn(panel, now)`` for a panel object under the host's lock."""
        with self.lock:
            return fn(panel, self.clock())

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def _run(self) -> None:
        while not self._stop.is_set():
            moved = False
            with self.lock:
                now = self.clock()
                for panel, endpoint in list(self._panels.values()):
                    try:
                        data = endpoint.read()
                        if data:
                            panel.receive(data, now)
                        panel.step(now)
                        out = panel.take_output()
                        if out:
                            endpoint.write(out)
                        moved = moved or bool(data or out)
                    except Exception:  # one broken panel must not stop the others
                        log.exception("simulated panel %s failed", panel.id)
            if moved:
                for listener in list(self.listeners):
                    listener()
            # pacing of a real-time simulation, not synchronisation
            self._stop.wait(TICK_S)


_default_host: PanelHost | None = None
_default_lock = threading.Lock()


def default_host() -> PanelHost:
    """The process-wide host used by ``simpanel://`` ports and ``tetrakit sim``."""
    global _default_host
    with _default_lock:
        if _default_host is None:
            _default_host = PanelHost()
        return _default_host


# ------------------------------------------------------------------ control socket


def control_dir() -> Path:
    """Where control sockets live: $TETRAKIT_RUNTIME_DIR, $XDG_RUNTIME_DIR or the temp dir."""
    for var in ("TETRAKIT_RUNTIME_DIR", "XDG_RUNTIME_DIR"):
        value = os.environ.get(var)
        if value:
            return Path(value)
    return Path(tempfile.gettempdir())


def control_path(panel_id: str) -> Path:
    """The default control socket of a simulated panel."""
    return control_dir() / f"tetrakit-panel-{panel_id}.sock"


def _int(req: dict[str, Any], key: str) -> int:
    value = req.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{key!r} must be an integer")
    return value


def _num(req: dict[str, Any], key: str, default: float | None) -> float | None:
    value = req.get(key, default)
    if value is not None and (not isinstance(value, int | float) or isinstance(value, bool)):
        raise ValueError(f"{key!r} must be a number of seconds")
    return None if value is None else float(value)


def _execute(panel: SimPanel, now: float, req: dict[str, Any]) -> None:
    cmd = req.get("cmd")
    if cmd == "press":
        panel.press(_int(req, "button"), now, hold=_num(req, "hold", 0.3))
    elif cmd == "release":
        panel.release(_int(req, "button"), now)
    elif cmd in ("cut", "short", "tamper", "repair"):
        state = {"cut": "OPEN", "short": "SHORT", "tamper": "TAMPER", "repair": "NORMAL"}[cmd]
        panel.set_loop(_int(req, "button"), state, now)
    elif cmd == "hang":
        panel.hang(now, _num(req, "seconds", None))
    elif cmd == "resume":
        panel.resume(now)
    elif cmd == "noise":
        seconds = _num(req, "seconds", 5.0)
        rate = _num(req, "rate", 0.5)
        panel.noise(now, seconds or 0.0, 0.5 if rate is None else rate)
    elif cmd == "reboot":
        panel.reboot(now)
    elif cmd != "status":
        raise ValueError(f"unknown command {cmd!r}")


class ControlServer:
    """The control socket of one simulated panel (a thread; mode 0600)."""

    def __init__(self, host: PanelHost, panel: SimPanel, path: Path | None = None) -> None:
        self.host = host
        self.panel = panel
        panel_id = panel.id
        self.path = path or control_path(panel_id)
        if self.path.exists():
            if _alive(self.path):
                raise OSError(f"{self.path}: another simulated panel {panel_id!r} is running")
            self.path.unlink()  # left over by a process that died
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                for raw in self.rfile:
                    reply = outer.handle_line(raw)
                    self.wfile.write(json.dumps(reply).encode() + b"\n")
                    self.wfile.flush()

        old_umask = os.umask(0o177)  # the socket is created 0600
        try:
            self._server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        finally:
            os.umask(old_umask)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"panel-control-{panel_id}", daemon=True
        )
        self._thread.start()

    def handle_line(self, raw: bytes) -> dict[str, Any]:
        try:
            req = json.loads(raw)
            if not isinstance(req, dict):
                raise ValueError("a request is a JSON object")

            def run(panel: SimPanel, now: float) -> dict[str, Any]:
                _execute(panel, now, req)
                return panel.status()

            status = self.host.locked(self.panel, run)
        except (ValueError, KeyError) as exc:
            # str() of a KeyError is the repr of its argument: use the message itself
            return {"ok": False, "error": str(exc.args[0]) if exc.args else repr(exc)}
        return {"ok": True, "status": status}

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def _alive(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
    return True


def send_command(path: Path, request: dict[str, Any], timeout: float = 5.0) -> dict[str, Any]:
    """Send one request to a panel's control socket and return the reply."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall(json.dumps(request).encode() + b"\n")
        with s.makefile("rb") as f:
            line = f.readline()
    if not line:
        raise OSError(f"{path}: the simulated panel closed the connection")
    reply: dict[str, Any] = json.loads(line)
    return reply
