"""The dispatcher: sends the engine's SDS through the radios, in priority order.

The engine decides *what* to send (:class:`~tetrakit.alarm.engine.SendSds`,
each with a unique send key); the dispatcher decides *when and through which
radio*:

* a priority queue: high before medium before low, first come first served
  within a priority;
* a send key is written at most once per run (the engine never repeats a key
  either; a repeat is a new step with a new key);
* radio selection sits behind :class:`RadioPool`: :meth:`RadioPool.select`
  returns the radio to use now (the first healthy one, in configuration
  order); supervision and failover replace or extend the pool without
  touching the queue;
* the result of each send (accepted by the radio, sent over the air,
  failed) is fed back through :class:`DispatchEvents`, and so are incoming
  SDS: status values, texts, SDS-TL reports and short reports, decoded
  with :mod:`tetrakit.sds`.

Pipelining: at most ``window`` (default 2) SDS are handed to the radios and
not yet accepted.  While the radio writes one ``AT+CMGS``, the next already
waits in its session, which starts it the moment the radio answers ``OK``,
with no hop through the dispatcher in between; so the radio is never idle
while call-outs are queued.  The cost is that a higher-priority SDS arriving
meanwhile may go out after at most ``window - 1`` SDS already handed over.

Transient refusals (a busy radio, a link that drops while writing) are retried
up to ``attempts`` times, ``retry_delay`` doubling each time, on whichever
radio is healthy then (alarm-domain.md §8: 3 retries, 2/4/8 s); after that the
send is reported failed and the engine's repeat rule takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from tetrakit import sds
from tetrakit.alarm.engine import SendKey, SendSds
from tetrakit.errors import DecodeError, EncodeError, TetrakitError

__all__ = [
    "DispatchEvents",
    "Dispatcher",
    "IncomingSds",
    "RadioLink",
    "RadioPool",
    "SendHandle",
    "StaticRadioPool",
    "encode_callout",
]

log = logging.getLogger(__name__)

#: AI service of an SDS type-4 / SDS-TL payload and of a status (EN 300 392-5 §6.17.3)
AI_SDS_TYPE4 = 12
AI_STATUS = 13

#: short report type (Table 29.23) -> delivery status (Table 29.16) for the engine
_SHORT_TO_STATUS = {
    sds.ShortReportType.MESSAGE_RECEIVED: 0x00,
    sds.ShortReportType.MESSAGE_CONSUMED: 0x02,
    sds.ShortReportType.DESTINATION_MEMORY_FULL: 0x52,
    sds.ShortReportType.PROTOCOL_OR_ENCODING_NOT_SUPPORTED: 0x50,
}


@dataclass(frozen=True, slots=True)
class IncomingSds:
    """An SDS received by one of our radios (``+CTSDSR``), payload PI first.

    For a status (AI service 13) ``data`` is the two octets of the value.
    """

    radio: str
    sender: int
    ai_service: int
    data: bytes
    bits: int


class SendHandle(Protocol):
    """One SDS handed to a radio: accepted by the radio, then sent or failed."""

    async def wait_accepted(self) -> None:
        """Return when the radio accepted it (``+CMGS: <inst>``/``OK``); raise TetrakitError."""

    async def wait_result(self) -> bool:
        """True when sent over the air (``+CMGS`` status 4), False when it failed."""


class RadioLink(Protocol):
    """What the dispatcher needs of one radio session."""

    @property
    def id(self) -> str: ...

    def is_healthy(self) -> bool: ...

    async def send_sds(
        self, destination: int, data: bytes, bits: int, *, group: bool, access_priority: int
    ) -> SendHandle:
        """Start sending type-4 user data; raise TetrakitError if the radio refuses."""


class RadioPool(Protocol):
    """Radio selection: the hook for supervision and failover."""

    def healthy_radios(self) -> list[RadioLink]: ...

    def select(self) -> RadioLink | None: ...

    async def wait_changed(self, timeout: float) -> None:
        """Return when radio health may have changed (or after ``timeout`` seconds)."""

    def report_failure(self, radio_id: str, reason: str) -> None:
        """A send was refused at this radio (failover: prefer the others now)."""


class StaticRadioPool:
    """Radios in preference order; the first healthy one is used."""

    def __init__(self, radios: Sequence[RadioLink]) -> None:
        self.radios = list(radios)
        self._changed = asyncio.Event()

    def healthy_radios(self) -> list[RadioLink]:
        return [r for r in self.radios if r.is_healthy()]

    def select(self) -> RadioLink | None:
        healthy = self.healthy_radios()
        return healthy[0] if healthy else None

    def notify_changed(self) -> None:
        """Call when a radio's health changed (wakes a dispatcher waiting for a radio)."""
        self._changed.set()

    async def wait_changed(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._changed.wait()
        self._changed.clear()

    def report_failure(self, radio_id: str, reason: str) -> None:
        """A static pool keeps its order (see SupervisedRadioPool for failover)."""


class DispatchEvents(Protocol):
    """Where the dispatcher reports (the controller feeds these into the engine)."""

    def send_accepted(self, key: SendKey, radio: str) -> None: ...

    def send_sent(self, key: SendKey, radio: str) -> None: ...

    def send_failed(self, key: SendKey, radio: str | None, reason: str) -> None: ...

    def delivery_report(self, radio: str, sender: int, message_reference: int,
                        status: int) -> None: ...

    def status_received(self, radio: str, sender: int, value: int) -> None: ...

    def text_received(self, radio: str, sender: int, text: str) -> None: ...


def encode_callout(send: SendSds) -> tuple[bytes, int]:
    """The SDS-TL text (PI 0x82, cl. 29.5.3) for a send: octets with the PI, and bits.

    Individuals are asked for "received and consumed" reports; groups for none.
    """
    report = (
        sds.DeliveryReportRequest.RECEIVED_AND_CONSUMED
        if send.report
        else sds.DeliveryReportRequest.NONE
    )
    # a group call-out sets service selection 1 = "group or individual" (cl. 29.4.2.4)
    pdu = sds.text_message(send.text, message_reference=send.message_reference, report=report,
                           service_selection=send.group)
    return sds.encode(pdu)


class Dispatcher:
    """Priority-ordered sending through a :class:`RadioPool`.

    Args:
        pool: the radios.
        events: where results and incoming SDS go.
        attempts: tries per send before it is reported failed.
        retry_delay: seconds before the first retry (doubled each time).
        no_radio_wait: how long to wait for a healthy radio before re-checking.
        window: at most this many SDS handed to radios and not yet accepted (1 =
            strictly one at a time).
    """

    def __init__(
        self,
        pool: RadioPool,
        events: DispatchEvents,
        *,
        attempts: int = 4,
        retry_delay: float = 2.0,
        no_radio_wait: float = 1.0,
        window: int = 2,
    ) -> None:
        if window < 1:
            raise ValueError(f"window must be at least 1, got {window}")
        self.window = window
        self._accepting: set[asyncio.Task[None]] = set()
        self.pool = pool
        self.events = events
        self.attempts = attempts
        self.retry_delay = retry_delay
        self.no_radio_wait = no_radio_wait
        self._heap: list[tuple[int, int, SendSds, int]] = []
        self._seq = itertools.count()
        self._seen: set[SendKey] = set()
        self._wake = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent_count = 0
        self.failed_count = 0
        #: called with each send just before it is written (benchmarks, tracing)
        self.on_write: Callable[[SendSds, str], None] | None = None
        #: asked just before a send is written; False drops it (e.g. its alarm was
        #: cancelled while it waited in the queue: the cancel message follows anyway)
        self.still_wanted: Callable[[SendSds], bool] = lambda send: True
        #: called with every incoming SDS before it is decoded (positions, tracing)
        self.incoming_listeners: list[Callable[[IncomingSds], None]] = []

    # ------------------------------------------------------------------ queue

    def submit(self, send: SendSds) -> bool:
        """Queue a send; False (and nothing queued) if its key was already submitted."""
        if send.key in self._seen:
            log.debug("send %s already submitted; not sent twice", send.key)
            return False
        self._seen.add(send.key)
        self._push(send, 0)
        return True

    def _push(self, send: SendSds, attempt: int) -> None:
        heapq.heappush(self._heap, (send.priority.rank, next(self._seq), send, attempt))
        self._wake.set()

    @property
    def queued(self) -> int:
        return len(self._heap)

    def healthy_radios(self) -> list[RadioLink]:
        """The radios that can send now (for health views and failover)."""
        return self.pool.healthy_radios()

    # ------------------------------------------------------------------ sending

    async def run(self) -> None:
        """Send queued SDS forever, highest priority first, ``window`` at a time."""
        try:
            while True:
                if not self._heap:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                if len(self._accepting) >= self.window:
                    await asyncio.wait(self._accepting, return_when=asyncio.FIRST_COMPLETED)
                    continue
                radio = self.pool.select()
                if radio is None:
                    await self.pool.wait_changed(self.no_radio_wait)
                    continue
                _, _, send, attempt = heapq.heappop(self._heap)
                try:
                    if not self.still_wanted(send):
                        self.events.send_failed(send.key, None, "not written: its alarm ended")
                        continue
                    await self._send_one(radio, send, attempt)
                except Exception as exc:  # the queue must keep moving whatever one send does
                    log.exception("send %s: unexpected error", send.key)
                    self.failed_count += 1
                    self.events.send_failed(send.key, radio.id, f"internal error: {exc!r}")
        finally:
            for t in [*self._accepting, *self._tasks]:
                t.cancel()

    async def _send_one(self, radio: RadioLink, send: SendSds, attempt: int) -> None:
        try:
            data, bits = encode_callout(send)
        except EncodeError as exc:
            self.failed_count += 1
            self.events.send_failed(send.key, None, f"cannot encode: {exc}")
            return
        try:
            if self.on_write is not None:
                self.on_write(send, radio.id)
            handle = await radio.send_sds(
                send.destination,
                data,
                bits,
                group=send.group,
                access_priority=send.priority.access_priority,
            )
        except (TetrakitError, OSError) as exc:
            self.pool.report_failure(radio.id, str(exc))
            self._retry_or_fail(send, attempt, radio.id, str(exc))
            return
        except ValueError as exc:  # the radio layer refused the destination or the length
            self.failed_count += 1
            self.events.send_failed(send.key, radio.id, f"refused: {exc}")
            return
        # the radio has it queued or is writing it: wait for its acceptance aside, so
        # that the next SDS can be handed over behind it at once
        task = asyncio.get_running_loop().create_task(
            self._await_accepted(radio, send, attempt, handle))
        self._accepting.add(task)
        task.add_done_callback(self._accepting.discard)

    async def _await_accepted(self, radio: RadioLink, send: SendSds, attempt: int,
                              handle: SendHandle) -> None:
        try:
            try:
                await handle.wait_accepted()
            except (TetrakitError, OSError) as exc:
                self.pool.report_failure(radio.id, str(exc))
                self._retry_or_fail(send, attempt, radio.id, str(exc))
                return
            self.events.send_accepted(send.key, radio.id)
        except Exception as exc:  # the queue must keep moving whatever one send does
            log.exception("send %s: unexpected error", send.key)
            self.failed_count += 1
            self.events.send_failed(send.key, radio.id, f"internal error: {exc!r}")
            return
        task = asyncio.get_running_loop().create_task(self._await_result(radio, send, handle))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _retry_or_fail(self, send: SendSds, attempt: int, radio: str, reason: str) -> None:
        if attempt + 1 < self.attempts:
            # failover: another radio takes it at once; the same radio after a pause
            other = self.pool.select()
            delay = 0.0 if other is not None and other.id != radio else (
                self.retry_delay * (2**attempt)
            )
            log.warning("send %s via %s refused (%s); retry in %.0f s", send.key, radio, reason,
                        delay)
            loop = asyncio.get_running_loop()
            loop.call_later(delay, self._push, send, attempt + 1)
        else:
            log.error("send %s failed after %d attempts: %s", send.key, self.attempts, reason)
            self.failed_count += 1
            self.events.send_failed(send.key, radio, reason)

    async def _await_result(self, radio: RadioLink, send: SendSds, handle: SendHandle) -> None:
        try:
            ok = await handle.wait_result()
        except (TetrakitError, OSError) as exc:
            ok = False
            reason = str(exc)
        else:
            reason = "the radio reported the transmission failed (+CMGS status 5)"
        if ok:
            self.sent_count += 1
            self.events.send_sent(send.key, radio.id)
        else:
            self.failed_count += 1
            self.events.send_failed(send.key, radio.id, reason)

    # ------------------------------------------------------------------ receiving

    def incoming(self, msg: IncomingSds) -> None:
        """Decode an incoming SDS and report what it means."""
        for listener in list(self.incoming_listeners):
            try:
                listener(msg)
            except Exception:  # a broken listener must not stop the answers
                log.exception("incoming SDS listener failed")
        ev = self.events
        try:
            if msg.ai_service == AI_STATUS:
                status = sds.decode_status(msg.data)
                short = status.short_report
                if short is not None:
                    ev.delivery_report(msg.radio, msg.sender, short.message_reference,
                                       _SHORT_TO_STATUS[short.report_type])
                else:
                    ev.status_received(msg.radio, msg.sender, status.value)
                return
            if msg.ai_service != AI_SDS_TYPE4:
                log.info("SDS with AI service %d from %d ignored", msg.ai_service, msg.sender)
                return
            pdu = sds.decode(msg.data, msg.bits)
        except DecodeError as exc:
            log.warning("undecodable SDS from %d via %s ignored: %s (%s)", msg.sender, msg.radio,
                        exc, msg.data.hex().upper())
            return
        if isinstance(pdu, sds.SdsReport):
            ev.delivery_report(msg.radio, msg.sender, pdu.message_reference,
                               int(pdu.delivery_status))
        elif isinstance(pdu, sds.SdsTransfer) and isinstance(pdu.user_data, sds.TextContent):
            ev.text_received(msg.radio, msg.sender, pdu.user_data.text)
        elif isinstance(pdu, sds.SimpleText):
            ev.text_received(msg.radio, msg.sender, pdu.text)
        else:
            log.debug("SDS %s from %d not for the alarm engine", type(pdu).__name__, msg.sender)
