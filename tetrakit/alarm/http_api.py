"""The controller's HTTP API: asyncio streams + h11, no web framework.

Endpoints (JSON unless noted; every error is ``{"error": "..."}``):

=======  ===========================  ===================================================
POST     /api/alarms                  trigger (bearer token): ``{"button": "B3-312"}`` or
                                      ``{"alarm_type": "HJERTESTANS", "location": {...}}``
                                      (location an object or a text) -> 202
                                      ``{"id": ..., "status": "accepted and journaled",
                                      "duplicate": false}``; a repeated press within
                                      the duplicate window answers ``"duplicate": true``
                                      with the id of the alarm already running
POST     /api/alarms/{id}/cancel      cancel a (false) alarm (bearer token) -> 200; the
                                      body is empty or ``{"reason": "..."}``
GET      /api/alarms                  open and recent alarms
GET      /api/alarms/{id}             one alarm: per recipient timeline and positions
GET      /healthz                     the process is alive (200)
GET      /readyz                      200 when a radio is registered and the journal is
                                      writable, else 503 with the reasons
GET      /metrics                     Prometheus text exposition
=======  ===========================  ===================================================

The 202 follows OpenIPA's distinction (alarm-domain.md §3.2): 202 = accepted
and queued (here: committed to the journal), not yet delivered; it is sent
only after the journal commit, so a 202 never stands for a lost alarm.  A
trigger that cannot be journaled gets 503 with the journal's error, never a
silent drop.

Security (alarm-domain.md §7 rank 20): the server listens on 127.0.0.1 by
default; anything that changes state needs ``Authorization: Bearer <token>``
(compared in constant time); without a configured token state-changing
requests are refused.  Bodies are limited in size, requests in header size
and in time.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import h11

from tetrakit.alarm.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from tetrakit.errors import TetrakitError

__all__ = [
    "AlarmBackend",
    "BadRequest",
    "HttpApi",
    "TriggerRequest",
    "Triggered",
    "parse_cancel",
    "parse_listen",
    "parse_trigger",
]

log = logging.getLogger(__name__)

MAX_BODY = 64 * 1024
MAX_HEADERS = 16 * 1024
#: seconds a client may take to send one request
REQUEST_TIMEOUT = 10.0

_ALARM_ID = r"[A-Za-z0-9_.-]{1,64}"
_ROUTE_ALARM = re.compile(rf"^/api/alarms/({_ALARM_ID})$")
_ROUTE_CANCEL = re.compile(rf"^/api/alarms/({_ALARM_ID})/cancel$")
_LOCATION_TEXT_KEYS = ("building", "floor", "unit", "room", "text")
_LOCATION_NUMBER_KEYS = ("latitude", "longitude", "altitude")


class BadRequest(ValueError):
    """A request body or parameter is malformed (HTTP 400)."""


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    """A validated ``POST /api/alarms`` body."""

    button: str | None = None
    alarm_type: str | None = None
    location: dict[str, Any] | str | None = None


@dataclass(frozen=True, slots=True)
class Triggered:
    """What a trigger did: the journaled alarm, or the running one it repeats."""

    alarm_id: str
    duplicate: bool = False


class AlarmBackend(Protocol):
    """What the API needs from the controller.

    Errors: ``LookupError`` -> 404 (unknown alarm id), ``ValueError`` -> 400
    (unknown button or alarm type), any other ``TetrakitError``/``OSError``
    -> 503 (the journal cannot take the alarm; the message says why).
    """

    async def trigger(self, request: TriggerRequest, *, source: str) -> Triggered:
        """Raise an alarm; return its id once it is committed to the journal."""
        ...

    async def cancel(
        self, alarm_id: str, *, source: str, reason: str | None = None
    ) -> dict[str, Any]:
        """Cancel an alarm (with the caller's reason, journaled); return its new summary."""
        ...

    def list_alarms(self) -> list[dict[str, Any]]:
        ...

    def alarm_detail(self, alarm_id: str) -> dict[str, Any]:
        """One alarm with per recipient timeline and positions; LookupError if unknown."""
        ...

    def readiness(self) -> tuple[bool, list[str]]:
        """(ready, reasons it is not)."""
        ...


def parse_listen(value: str) -> tuple[str, int]:
    """``"127.0.0.1:8080"`` / ``"[::1]:8080"`` -> (host, port); ValueError when malformed."""
    host, sep, port_s = value.rpartition(":")
    if not sep or not host or not port_s.isdigit():
        raise ValueError(f"http.listen must be HOST:PORT, got {value!r}")
    port = int(port_s)
    if not 0 <= port <= 65535:
        raise ValueError(f"http.listen port must be 0-65535, got {port}")
    return host.strip("[]"), port


def parse_cancel(body: bytes) -> str | None:
    """Validate a cancel body: empty, or a JSON object with an optional text ``reason``.

    Returns the reason (None when not given).

    Raises:
        BadRequest: the body is not JSON, not an object, or has unknown or bad keys.
    """
    if not body.strip():
        return None
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadRequest(f"body is not UTF-8 (byte {exc.start})") from None
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise BadRequest(f"body must be a JSON object, got {type(value).__name__}")
    unknown = sorted(set(value) - {"reason"})
    if unknown:
        raise BadRequest(f"unknown key(s) in cancel body: {', '.join(unknown)} (only 'reason')")
    reason = value.get("reason")
    if reason is None:
        return None
    if not isinstance(reason, str):
        raise BadRequest(f"'reason' must be a text, got {type(reason).__name__}")
    if len(reason) > 200:
        raise BadRequest(f"'reason' is too long ({len(reason)} characters, at most 200)")
    return reason.strip() or None


def parse_trigger(body: bytes) -> TriggerRequest:
    """Validate a trigger body; BadRequest naming what is wrong."""
    if not body:
        raise BadRequest("empty body: expected a JSON object")
    try:
        # decode first: json.loads(bytes) would guess UTF-16/32 from the first bytes
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise BadRequest("body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise BadRequest(f"body is not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")\
            from None
    if not isinstance(data, dict):
        raise BadRequest(f"body must be a JSON object, got {type(data).__name__}")
    unknown = sorted(set(data) - {"button", "alarm_type", "location"})
    if unknown:
        raise BadRequest(f"unknown field {unknown[0]!r} (allowed: button, alarm_type, location)")
    button = data.get("button")
    alarm_type = data.get("alarm_type")
    if (button is None) == (alarm_type is None):
        raise BadRequest('give exactly one of "button" or "alarm_type"')
    if button is not None:
        if not isinstance(button, str) or not button.strip():
            raise BadRequest('"button" must be a non-empty string')
        if "location" in data:
            raise BadRequest('"location" comes from the button\'s configuration; leave it out')
        return TriggerRequest(button=button.strip())
    if not isinstance(alarm_type, str) or not alarm_type.strip():
        raise BadRequest('"alarm_type" must be a non-empty string')
    if "location" not in data:
        # alarm-domain.md §7 rank 1: the location must never be missing
        raise BadRequest('"location" is required with "alarm_type" (an object or a text)')
    return TriggerRequest(alarm_type=alarm_type.strip(), location=_location(data["location"]))


def _location(value: object) -> dict[str, Any] | str:
    if isinstance(value, str):
        if not value.strip():
            raise BadRequest('"location" text must not be empty')
        return value.strip()
    if not isinstance(value, dict):
        raise BadRequest(f'"location" must be an object or a text, got {type(value).__name__}')
    if not value:
        raise BadRequest('"location" must not be empty')
    allowed = _LOCATION_TEXT_KEYS + _LOCATION_NUMBER_KEYS
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in allowed:
            raise BadRequest(f"unknown field 'location.{key}' (allowed: {', '.join(allowed)})")
        if key in _LOCATION_TEXT_KEYS:
            if isinstance(item, bool) or not isinstance(item, str | int):
                raise BadRequest(f"'location.{key}' must be a text")
            out[key] = str(item)
        else:
            if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(
                item
            ):
                raise BadRequest(f"'location.{key}' must be a number")
            out[key] = float(item)
    if "latitude" in out and not -90 <= out["latitude"] <= 90:
        raise BadRequest("'location.latitude' must be between -90 and 90")
    if "longitude" in out and not -180 <= out["longitude"] <= 180:
        raise BadRequest("'location.longitude' must be between -180 and 180")
    if ("latitude" in out) != ("longitude" in out):
        raise BadRequest("'location' needs both latitude and longitude, or neither")
    return out


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: tuple[tuple[str, str], ...] = ()


def _json(status: int, data: object, headers: tuple[tuple[str, str], ...] = ()) -> _Response:
    body = json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")
    return _Response(status, body, "application/json; charset=utf-8", headers)


def _error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> _Response:
    return _json(status, {"error": message}, headers)


class HttpApi:
    """The HTTP server.

    Args:
        backend: the controller behind the API.
        render_metrics: returns the Prometheus text.
        token: the bearer token; None refuses every state-changing request.
        host, port: where to listen (port 0 picks a free port; see :attr:`port`).
        max_body: the largest accepted request body in bytes.
    """

    def __init__(
        self,
        backend: AlarmBackend,
        *,
        render_metrics: Callable[[], bytes],
        token: str | None,
        host: str = "127.0.0.1",
        port: int = 8080,
        max_body: int = MAX_BODY,
        request_timeout: float = REQUEST_TIMEOUT,
    ) -> None:
        self.backend = backend
        self._render_metrics = render_metrics
        self.token = token
        self.host = host
        self.port = port
        self.max_body = max_body
        self.request_timeout = request_timeout
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        """Start listening; :attr:`port` holds the bound port afterwards."""
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        sock = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])
        log.info("HTTP API on http://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._connections):
            task.cancel()
        await self._server.wait_closed()
        self._server = None

    # -- connection handling ------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._connections.add(task)
        peer = writer.get_extra_info("peername")
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEADERS)
        try:
            while True:
                try:
                    async with asyncio.timeout(self.request_timeout):
                        request, body, early = await self._read_request(conn, reader)
                except TimeoutError:
                    if conn.their_state is h11.IDLE:
                        break  # an idle keep-alive connection: just close it
                    request, body, early = None, b"", _error(408, "request took too long")
                if request is None and early is None:
                    break  # the client closed the connection
                if early is not None:
                    response = early
                else:
                    assert request is not None
                    response = await self._dispatch(request, body, peer)
                if not await self._send(conn, writer, response):
                    break
                if conn.our_state is h11.MUST_CLOSE or conn.their_state is not h11.DONE:
                    break
                try:
                    conn.start_next_cycle()
                except h11.LocalProtocolError:
                    break
        except (ConnectionError, h11.LocalProtocolError) as exc:
            log.debug("HTTP connection from %s ended: %s", peer, exc)
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()
            if task is not None:
                self._connections.discard(task)

    async def _read_request(
        self, conn: h11.Connection, reader: asyncio.StreamReader
    ) -> tuple[h11.Request | None, bytes, _Response | None]:
        request: h11.Request | None = None
        body = bytearray()
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                status = exc.error_status_hint
                return None, b"", _error(status, f"malformed HTTP request: {exc}")
            if event is h11.NEED_DATA:
                data = await reader.read(65536)
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                request = event
                length = _content_length(event)
                if length is not None and length > self.max_body:
                    return None, b"", _error(
                        413, f"body too large: {length} bytes, limit {self.max_body}"
                    )
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > self.max_body:
                    return None, b"", _error(413, f"body too large: limit {self.max_body} bytes")
            elif isinstance(event, h11.EndOfMessage):
                return request, bytes(body), None
            elif isinstance(event, h11.ConnectionClosed):
                return None, b"", None
            else:  # PAUSED cannot happen before we answer
                return None, b"", None

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, response: _Response
    ) -> bool:
        headers = [
            ("Content-Type", response.content_type),
            ("Content-Length", str(len(response.body))),
            ("Cache-Control", "no-store"),
            *response.headers,
        ]
        if conn.their_state is not h11.DONE:
            # we answer before reading the whole request (errors): close after
            headers.append(("Connection", "close"))
        try:
            data = conn.send(h11.Response(status_code=response.status, headers=headers))
            data += conn.send(h11.Data(data=response.body)) or b""
            data += conn.send(h11.EndOfMessage()) or b""
        except h11.LocalProtocolError as exc:
            log.debug("cannot answer: %s", exc)
            return False
        writer.write(data or b"")
        await writer.drain()
        return True

    # -- routing --------------------------------------------------------------------

    async def _dispatch(self, request: h11.Request, body: bytes, peer: object) -> _Response:
        method = request.method.decode("ascii", "replace")
        target = request.target.decode("ascii", "replace")
        path = target.split("?", 1)[0]
        try:
            return await self._route(method, path, request, body, peer)
        except Exception:  # one bad request must not take the API down
            log.exception("HTTP %s %s failed", method, path)
            return _error(500, "internal error; see the controller's log")

    async def _route(
        self, method: str, path: str, request: h11.Request, body: bytes, peer: object
    ) -> _Response:
        if path == "/healthz":
            return _only(method, "GET") or _json(200, {"status": "alive"})
        if path == "/readyz":
            if bad := _only(method, "GET"):
                return bad
            ready, reasons = self.backend.readiness()
            if ready:
                return _json(200, {"ready": True})
            return _json(503, {"ready": False, "error": "; ".join(reasons), "reasons": reasons})
        if path == "/metrics":
            if bad := _only(method, "GET"):
                return bad
            return _Response(200, self._render_metrics(), METRICS_CONTENT_TYPE)
        if path == "/api/alarms":
            if method == "GET":
                return _json(200, {"alarms": self.backend.list_alarms()})
            if method == "POST":
                return self._unauthorized(request) or await self._trigger(request, body, peer)
            return _not_allowed("GET, POST")
        if m := _ROUTE_CANCEL.match(path):
            if bad := _only(method, "POST"):
                return bad
            return self._unauthorized(request) or await self._cancel(
                m.group(1), request, body, peer
            )
        if m := _ROUTE_ALARM.match(path):
            if bad := _only(method, "GET"):
                return bad
            try:
                return _json(200, self.backend.alarm_detail(m.group(1)))
            except LookupError:
                return _error(404, f"no alarm {m.group(1)!r}")
        return _error(404, f"no such endpoint: {path}")

    def _unauthorized(self, request: h11.Request) -> _Response | None:
        challenge = (("WWW-Authenticate", 'Bearer realm="tetrakit-alarm"'),)
        if self.token is None:
            return _error(
                403, "state-changing requests are disabled: no http.token is configured"
            )
        value = _header(request, b"authorization")
        if value is None:
            return _error(401, "missing Authorization: Bearer token", challenge)
        scheme, _, given = value.partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return _error(401, "Authorization must be 'Bearer <token>'", challenge)
        if not hmac.compare_digest(given.strip().encode(), self.token.encode()):
            bad = (("WWW-Authenticate", 'Bearer realm="tetrakit-alarm", error="invalid_token"'),)
            return _error(401, "invalid bearer token", bad)
        return None

    async def _trigger(self, request: h11.Request, body: bytes, peer: object) -> _Response:
        ctype = (_header(request, b"content-type") or "").split(";")[0].strip().lower()
        if ctype != "application/json":
            return _error(415, f"Content-Type must be application/json, got {ctype or 'none'!r}")
        try:
            trigger = parse_trigger(body)
        except BadRequest as exc:
            return _error(400, str(exc))
        try:
            done = await self.backend.trigger(trigger, source=_source(peer))
        except LookupError as exc:
            return _error(400, _message(exc))
        except ValueError as exc:
            # ConfigError is a ValueError too: a reference to something undefined
            return _error(400, _message(exc))
        except (TetrakitError, OSError) as exc:
            log.error("HTTP trigger refused: %s", exc)
            return _error(503, f"alarm NOT accepted: {exc}")
        if done.duplicate:
            # the press is not lost: it belongs to the alarm already running (journaled
            # as a repeated press); say so, so a caller does not count two alarms
            return _json(202, {"id": done.alarm_id, "status": "duplicate of a running alarm",
                               "duplicate": True})
        return _json(202, {"id": done.alarm_id, "status": "accepted and journaled",
                           "duplicate": False})

    async def _cancel(
        self, alarm_id: str, request: h11.Request, body: bytes, peer: object
    ) -> _Response:
        ctype = (_header(request, b"content-type") or "").split(";")[0].strip().lower()
        if body.strip() and ctype != "application/json":
            return _error(415, f"a cancel body must be application/json (or no body), "
                               f"got Content-Type {ctype or 'none'!r}")
        try:
            reason = parse_cancel(body)
        except BadRequest as exc:
            return _error(400, str(exc))
        try:
            summary = await self.backend.cancel(alarm_id, source=_source(peer), reason=reason)
        except LookupError:
            return _error(404, f"no alarm {alarm_id!r}")
        except ValueError as exc:
            return _error(409, _message(exc))
        except (TetrakitError, OSError) as exc:
            return _error(503, f"cancel NOT accepted: {exc}")
        return _json(200, {"id": alarm_id, "status": "cancelled", "alarm": summary})


def _only(method: str, allowed: str) -> _Response | None:
    return None if method == allowed else _not_allowed(allowed)


def _not_allowed(allowed: str) -> _Response:
    return _error(405, f"method not allowed; use {allowed}", (("Allow", allowed),))


def _header(request: h11.Request, name: bytes) -> str | None:
    for key, value in request.headers:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _content_length(request: h11.Request) -> int | None:
    raw = _header(request, b"content-length")
    return int(raw) if raw is not None and raw.isdigit() else None


def _source(peer: object) -> str:
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"http:{peer[0]}:{peer[1]}"
    return "http"


def _message(exc: BaseException) -> str:
    # KeyError's str() adds quotes around the message
    if isinstance(exc, KeyError) and exc.args:
        return str(exc.args[0])
    return str(exc)

