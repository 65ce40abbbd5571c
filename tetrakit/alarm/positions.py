"""Responder positions: ask the team's radios where they are, remember what they say.

The hospitals asked for positioning (alarm-domain.md §4, §7 rank 18).  When an
alarm is dispatched the controller sends each individual recipient a LIP
IMMEDIATE LOCATION REPORT REQUEST (TS 100 392-18-1 cl. 6.2) as a type-4 SDS with
protocol identifier 0x0A; the radios answer with location reports, and also
send periodic ones, all arriving as incoming SDS with PI 0x0A.  Every report
with a position is kept per ISSI (the last one wins), so the status can show,
for each responder, the last position, its age and its distance from the
alarm's location (haversine, :func:`tetrakit.lip.distance_m`).

:class:`PositionBook` is sans-I/O (times passed in); :class:`PositionRequester`
sends the requests through whatever async ``send`` the controller gives it and
never holds up an alarm: a request that fails is logged and dropped (positions
are a help, the call-out is what matters).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from tetrakit import lip
from tetrakit.errors import DecodeError, TetrakitError

__all__ = [
    "LIP_PROTOCOL_ID",
    "PositionBook",
    "PositionFix",
    "PositionRequester",
    "location_request_sds",
]

log = logging.getLogger(__name__)

#: SDS type-4 protocol identifier of LIP (EN 300 392-2 Table 29.21)
LIP_PROTOCOL_ID = 0x0A


def location_request_sds() -> tuple[bytes, int]:
    """The SDS user data (with PI 0x0A) and its length in bits of a LIP
    IMMEDIATE LOCATION REPORT REQUEST (TS 100 392-18-1 cl. 6.2)."""
    return lip.to_sds(lip.immediate_location_request())


@dataclass(frozen=True, slots=True)
class PositionFix:
    """The last position reported by one radio.

    Attributes:
        issi: the reporting radio.
        latitude, longitude: WGS84 degrees.
        altitude_m: metres, when the report has one.
        accuracy_m: horizontal error bound in metres, when known.
        received_at: controller time (seconds since the epoch) of arrival.
        reason: the report's reason for sending (TS 100 392-18-1 cl. 6.3.70; 32 =
            response to an immediate location request), None when not given.
    """

    issi: int
    latitude: float
    longitude: float
    altitude_m: float | None
    accuracy_m: float | None
    received_at: float
    reason: int | None = None


class PositionBook:
    """The last known position of every radio that reported one (sans-I/O)."""

    def __init__(self) -> None:
        self._fixes: dict[int, PositionFix] = {}
        self.reports = 0
        #: reports by reason for sending (None: no reason given), to tell the
        #: answers to our requests from periodic reports
        self.by_reason: dict[int | None, int] = {}
        self.ignored = 0

    def record_sds(
        self, issi: int, data: bytes, bits: int | None, now: float
    ) -> PositionFix | None:
        """Take an incoming type-4 SDS that starts with PI 0x0A (``bits`` with the PI).

        Returns the fix, or None when the PDU carries no position (a request,
        an acknowledgement, or a report without a fix).  Undecodable data is
        logged and ignored: a broken report must not disturb the controller.
        """
        try:
            pdu = lip.from_sds(data, bits)
        except DecodeError as exc:
            self.ignored += 1
            log.warning("undecodable LIP report from %d: %s", issi, exc)
            return None
        position = getattr(pdu, "position", None)
        if position is None:
            self.ignored += 1
            return None
        reason = getattr(pdu, "reason_for_sending", None)
        return self.record(issi, position, now, reason=None if reason is None else int(reason))

    def record(
        self, issi: int, position: lip.Position, now: float, *, reason: int | None = None
    ) -> PositionFix:
        """Store a position reported by ``issi`` at ``now`` (with its reason for sending)."""
        fix = PositionFix(
            issi,
            position.latitude,
            position.longitude,
            position.altitude_m,
            position.accuracy_m,
            now,
            reason,
        )
        self._fixes[issi] = fix
        self.reports += 1
        self.by_reason[reason] = self.by_reason.get(reason, 0) + 1
        return fix

    def last(self, issi: int) -> PositionFix | None:
        return self._fixes.get(issi)

    def responders(
        self,
        issis: Iterable[int],
        *,
        now: float,
        alarm_latitude: float | None = None,
        alarm_longitude: float | None = None,
    ) -> list[dict[str, object]]:
        """The status view: per ISSI its last position, age and distance.

        Radios without a report are listed with ``position: null`` so the
        status shows who has not reported.  The distance is null when the
        alarm has no coordinates.
        """
        out: list[dict[str, object]] = []
        for issi in issis:
            fix = self._fixes.get(issi)
            if fix is None:
                out.append({"issi": issi, "position": None, "age_s": None, "distance_m": None})
                continue
            distance = None
            if alarm_latitude is not None and alarm_longitude is not None:
                distance = round(
                    lip.distance_m(alarm_latitude, alarm_longitude, fix.latitude, fix.longitude),
                    1,
                )
            out.append(
                {
                    "issi": issi,
                    "position": {
                        "latitude": fix.latitude,
                        "longitude": fix.longitude,
                        "altitude_m": fix.altitude_m,
                        "accuracy_m": fix.accuracy_m,
                    },
                    "age_s": round(max(0.0, now - fix.received_at), 1),
                    "distance_m": distance,
                    "reason": fix.reason,
                }
            )
        return out


#: sends one type-4 SDS (data with PI, bits) to an individual ISSI
SendSds = Callable[[int, bytes, int], Awaitable[None]]


class PositionRequester:
    """Sends LIP immediate location report requests, one at a time, after the call-outs.

    Requests wait in a queue (an ISSI at most once) and go out one by one;
    before each one the ``gate`` is awaited, so the controller can hold them
    back while call-outs are waiting for a radio (positions are a help, the
    call-out is what matters; in an alarm storm they would double the load).

    Args:
        send: sends one type-4 SDS (data with PI, bits) to an ISSI.
        gate: awaited before each request (e.g. "the dispatcher's queue is empty").
    """

    def __init__(self, send: SendSds, *, gate: Callable[[], Awaitable[None]] | None = None
                 ) -> None:
        self._send = send
        self._gate = gate
        self._data, self._bits = location_request_sds()
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._queued: set[int] = set()
        self._worker: asyncio.Task[None] | None = None
        self.requested = 0
        self.failed = 0

    def request(self, issis: Iterable[int]) -> None:
        """Ask each radio for its position (in the background, after the call-outs)."""
        for issi in issis:
            if issi not in self._queued:
                self._queued.add(issi)
                self._queue.put_nowait(issi)
        if self._worker is None and self._queued:
            self._worker = asyncio.get_running_loop().create_task(
                self._run(), name="lip-requests"
            )

    async def idle(self) -> None:
        """Wait until every request queued so far was sent or given up."""
        await self._queue.join()

    async def stop(self) -> None:
        """Stop sending (queued requests are dropped)."""
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None

    async def _run(self) -> None:
        while True:
            issi = await self._queue.get()
            try:
                if self._gate is not None:
                    await self._gate()
                await self._one(issi)
            finally:
                self._queued.discard(issi)
                self._queue.task_done()

    async def _one(self, issi: int) -> None:
        try:
            await self._send(issi, self._data, self._bits)
            self.requested += 1
        except TetrakitError as exc:
            self.failed += 1
            log.warning("location request to %d failed: %s", issi, exc)
