"""The control channel: a unix-domain socket (mode 0600) speaking JSON lines.

Only processes on the same machine that may open the socket file (its owner)
can reach it.  Each request is one JSON object on one line; each answer is
one JSON object on one line:

=================================================  ==========================================
request                                            answer
=================================================  ==========================================
``{"op": "trigger", "button": "B3-312"}``          ``{"ok": true, "alarm_id": "A17",
                                                   "duplicate": false, "state": "journaled"}``
``{"op": "trigger", "type": "TEST",``              the same
``"location": "Drift"}``
``{"op": "cancel", "alarm_id": "A17"}``            ``{"ok": true, "alarm_id": "A17",
                                                   "state": "cancelled"}``
``{"op": "list"}``                                 ``{"ok": true, "alarms": [...]}``
``{"op": "detail", "alarm_id": "A17"}``            ``{"ok": true, "alarm": {...}}``
``{"op": "health"}``                               ``{"ok": true, "health": {...}}``
=================================================  ==========================================

Errors are ``{"ok": false, "error": "<one clear line>"}``.  A trigger is
answered only after the alarm is committed to the journal.  It names either a
button (which carries its own type and location) or a type with a location,
never both.  ``detail`` and ``health`` show what the HTTP API shows when the
daemon runs its operations part: responder positions, links, active faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tetrakit.alarm.controller import AlarmRefusedError, Controller
from tetrakit.alarm.engine import UnknownAlarmError
from tetrakit.errors import TetrakitError

__all__ = ["ControlError", "ControlServer", "request"]

log = logging.getLogger(__name__)

_MAX_LINE = 64 * 1024


class ControlError(TetrakitError):
    """The control channel failed, or the controller refused the request."""


class ControlServer:
    """Serves the JSON-lines protocol for a :class:`Controller` on a unix socket."""

    def __init__(self, controller: Controller, path: str | Path) -> None:
        self.controller = controller
        self.path = Path(path)
        self._server: asyncio.AbstractServer | None = None
        #: one alarm's detail; the daemon points it at the operations' detail (with
        #: responder positions and per-recipient timelines), the same the HTTP API shows
        self.detail: Callable[[str], dict[str, Any]] = controller.alarm_detail
        #: the health snapshot; the daemon adds links and active faults to it
        self.health: Callable[[], dict[str, Any]] = controller.health

    async def start(self) -> None:
        """Bind the socket with mode 0600 (a stale socket file is replaced).

        Raises:
            ControlError: another controller is listening there, or binding failed.
        """
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists() or self.path.is_symlink():
            if not stat.S_ISSOCK(self.path.lstat().st_mode):
                raise ControlError(f"control socket {self.path}: exists and is not a socket")
            if _is_listening(self.path):
                raise ControlError(
                    f"control socket {self.path}: another controller is already running"
                )
            self.path.unlink()
        # the umask makes the socket 0600 from the moment it exists (no chmod race)
        old = os.umask(0o177)
        try:
            self._server = await asyncio.start_unix_server(
                self._client, path=str(self.path), limit=_MAX_LINE
            )
        except OSError as exc:
            raise ControlError(f"control socket {self.path}: cannot listen: {exc}") from exc
        finally:
            os.umask(old)
        os.chmod(self.path, 0o600)
        log.info("control socket %s ready", self.path)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    line = await reader.readline()
                except (ValueError, asyncio.LimitOverrunError):
                    await self._send(writer, {"ok": False, "error": "request line too long"})
                    break
                if not line:
                    break
                reply = await self.handle_line(line)
                await self._send(writer, reply)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, reply: dict[str, Any]) -> None:
        writer.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        await writer.drain()

    async def handle_line(self, line: bytes) -> dict[str, Any]:
        """Answer one request line (public for tests)."""
        try:
            req = json.loads(line)
        except ValueError as exc:
            return {"ok": False, "error": f"request is not JSON: {exc}"}
        if not isinstance(req, dict):
            return {"ok": False, "error": "request must be a JSON object"}
        try:
            return {"ok": True, **await self._dispatch(req)}
        except (AlarmRefusedError, ControlError) as exc:
            return {"ok": False, "error": str(exc)}
        except UnknownAlarmError as exc:
            return {"ok": False, "error": str(exc)}
        except TetrakitError as exc:
            return {"ok": False, "error": str(exc)}

    async def _dispatch(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.get("op")
        c = self.controller
        if op == "trigger":
            button = _opt_str(req, "button")
            alarm_type = _opt_str(req, "type")
            location = _opt_str(req, "location")
            if (button is None) == (alarm_type is None):
                raise ControlError(
                    "trigger needs exactly one of 'button' or 'type' (with 'location')"
                )
            if button is not None and location is not None:
                # a button has its own location; overriding it would make a real
                # press of that button a duplicate of this alarm
                raise ControlError("trigger by 'button' takes no 'location'")
            reply = await c.trigger(button=button, alarm_type=alarm_type, location=location,
                                    source=_opt_str(req, "source") or "control")
            return reply.to_dict()
        if op == "cancel":
            alarm_id = _opt_str(req, "alarm_id")
            if not alarm_id:
                raise ControlError("cancel needs 'alarm_id'")
            return await c.cancel(alarm_id, source=_opt_str(req, "source") or "control")
        if op == "list":
            return {"alarms": c.list_alarms()}
        if op == "detail":
            alarm_id = _opt_str(req, "alarm_id")
            if not alarm_id:
                raise ControlError("detail needs 'alarm_id'")
            return {"alarm": self.detail(alarm_id)}
        if op == "health":
            return {"health": self.health()}
        raise ControlError(f"unknown op {op!r} (trigger, cancel, list, detail, health)")


def _opt_str(req: dict[str, Any], key: str) -> str | None:
    v = req.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ControlError(f"{key!r} must be a string")
    return v


def _is_listening(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        try:
            s.connect(str(path))
        except OSError:
            return False
        return True


def request(path: str | Path, req: dict[str, Any], *, timeout: float = 10.0) -> dict[str, Any]:
    """Send one request to a running controller and return its answer (blocking; for the CLI).

    Raises:
        ControlError: no controller is listening, the channel broke, or the
            controller answered with an error.
    """
    p = Path(path)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(p))
        except (FileNotFoundError, ConnectionRefusedError):
            raise ControlError(
                f"no alarm controller is running on {p} (start it with 'tetrakit alarm run')"
            ) from None
        except OSError as exc:
            raise ControlError(f"control socket {p}: {exc.strerror or exc}") from None
        try:
            s.sendall(json.dumps(req).encode() + b"\n")
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        except OSError as exc:
            raise ControlError(f"control socket {p}: {exc.strerror or exc}") from None
    if not buf:
        raise ControlError(f"control socket {p}: the controller closed the connection")
    try:
        reply = json.loads(buf)
    except ValueError as exc:
        raise ControlError(f"control socket {p}: bad answer: {exc}") from None
    if not isinstance(reply, dict):
        raise ControlError(f"control socket {p}: bad answer {reply!r}")
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "request refused")))
    return reply
