"""The outgoing SDS of one radio session and what the radio says about them (sans-I/O).

:class:`Outbox` keeps every :class:`~tetrakit.radio.events.SdsHandle` from
QUEUED to a final state and decides each transition from what the engine
reports (EN 300 392-5 §6.13.2; EN 300 392-2 cl. 29.4):

* QUEUED -> WRITING when the session starts ``AT+CTSDS``/``AT+CMGS``;
  back to QUEUED when the link fails before ``AT+CMGS`` was written;
* WRITING -> ACCEPTED on ``+CMGS: <instance>`` + ``OK``; FAILED on an error
  answer, or when no answer came (the radio may or may not have it);
* ACCEPTED -> SENT / FAILED on the unsolicited ``+CMGS: <instance>,4|5``,
  matched by instance (by message reference when the radio gave no instance);
  UNCONFIRMED when it never comes or the radio restarted meanwhile;
* SENT (or ACCEPTED) -> DELIVERED / FAILED on the recipient's SDS-REPORT or
  SDS-SHORT-REPORT, matched by message reference and sender.

Nothing here re-sends anything.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable

from tetrakit import sds
from tetrakit.errors import CommandError, PeiError, PeiTimeoutError, TetrakitError, TransportError
from tetrakit.identities import Tsi
from tetrakit.pei.events import CommandCompleted, CommandFailed, SdsAccepted, SdsSendStatus
from tetrakit.radio.events import RadioEvent, SdsHandle, SdsState, SdsStateChanged

__all__ = ["Outbox"]

log = logging.getLogger(__name__)


class Outbox:
    """Outgoing SDS: the queue, the one being written, the accepted ones, report matching.

    Args:
        emit: called with every :class:`SdsStateChanged`.
        sent_timeout: seconds an accepted SDS may wait for its over-the-air result.
        report_timeout: seconds a sent SDS waits for its delivery report.
        message_reference_start: first SDS-TL message reference per destination.
    """

    def __init__(
        self,
        emit: Callable[[RadioEvent], None],
        *,
        sent_timeout: float,
        report_timeout: float,
        message_reference_start: int,
    ) -> None:
        self._emit = emit
        self._sent_timeout = sent_timeout
        self._report_timeout = report_timeout
        self._refs = sds.MessageReferenceAllocator(message_reference_start)
        self._queue: deque[SdsHandle] = deque()
        self.active: SdsHandle | None = None
        self._accepted: list[SdsHandle] = []
        self._awaiting_report: list[SdsHandle] = []
        self._report_until: dict[int, float] = {}

    # ------------------------------------------------------------------ inspection

    def __len__(self) -> int:
        """SDS not yet accepted by the radio (queued or being written)."""
        return len(self._queue) + (1 if self.active is not None else 0)

    @property
    def has_queued(self) -> bool:
        return bool(self._queue)

    def deadlines(self) -> list[float]:
        """Times at which something here expires."""
        times = [h.expires_at for h in self._queue if h.expires_at is not None]
        times += [h.times[SdsState.ACCEPTED] + self._sent_timeout for h in self._accepted]
        times += self._report_until.values()
        return times

    # ------------------------------------------------------------------ message references

    def allocate_reference(self, to: Tsi, reference: int | None) -> int:
        """A message reference towards ``to`` (``reference`` itself when given).

        Raises:
            ValueError: ``reference`` is out of range or still outstanding.
            MessageReferencesExhaustedError: all 256 are outstanding.
        """
        if reference is None:
            return self._refs.allocate(to.ssi)
        self._refs.reserve(to.ssi, reference)
        return reference

    def release_reference(self, to: Tsi, reference: int) -> None:
        self._refs.release(to.ssi, reference)

    # ------------------------------------------------------------------ the queue

    def add(self, handle: SdsHandle) -> None:
        self._queue.append(handle)

    def take(self, now: float) -> SdsHandle | None:
        """The next SDS to write (now WRITING), or ``None``."""
        if self.active is not None or not self._queue:
            return None
        handle = self._queue.popleft()
        self.active = handle
        self._set(handle, SdsState.WRITING, now)
        return handle

    def requeue_active(self, now: float) -> None:
        """``AT+CMGS`` was not written (the link failed first): the SDS waits again, first."""
        handle, self.active = self.active, None
        if handle is None:
            return
        self._set(handle, SdsState.QUEUED, now)
        self._queue.appendleft(handle)

    def written(self, handle: SdsHandle, event: CommandCompleted | CommandFailed,
                now: float) -> None:
        """The outcome of ``AT+CTSDS`` (when it failed) or of ``AT+CMGS``."""
        self.active = None
        if isinstance(event, SdsAccepted | CommandCompleted):
            handle.instance = event.instance if isinstance(event, SdsAccepted) else None
            self._accepted.append(handle)
            self._set(handle, SdsState.ACCEPTED, now)
        elif isinstance(event.error, CommandError):
            self._fail(handle, now, event.error)
        else:
            # written, but the answer never came (timeout, link lost, radio restarted):
            # the radio may or may not have it
            kind = type(event.error)
            error = (kind if kind in (PeiTimeoutError, TransportError) else PeiError)(
                f"no answer from the radio to {event.command.line!r} for the SDS to "
                f"{handle.to}; it may or may not have been sent ({event.error})"
            )
            self._fail(handle, now, error)

    # ------------------------------------------------------------------ radio reports

    def send_status(self, event: SdsSendStatus, now: float) -> bool:
        """Apply ``+CMGS: <instance>,<status>[,<ref>]``; False if it matches no SDS."""
        ref = event.message_reference
        # the instance alone is not enough: radios reuse instance numbers (often 0), and
        # a late result for an SDS already reported delivered must not match a newer one
        handle = next(
            (h for h in self._accepted
             if h.instance == event.instance
             and (ref is None or h.message_reference is None or h.message_reference == ref)),
            None,
        )
        if handle is None and event.message_reference is not None:
            handle = next(
                (h for h in self._accepted
                 if h.instance is None and h.message_reference == event.message_reference),
                None,
            )
        if handle is None:
            log.info("over-the-air result for no known SDS: %s", event.line)
            return False
        if event.sent:
            self._accepted.remove(handle)
            self._set(handle, SdsState.SENT, now)
            if handle.report_requested and handle.message_reference is not None:
                self._awaiting_report.append(handle)
                self._report_until[handle.id] = now + self._report_timeout
            else:
                self._release(handle)
        elif event.failed:
            self._accepted.remove(handle)
            self._fail(handle, now, PeiError(
                f"the radio reports that sending the SDS to {handle.to} failed ({event.line})"
            ))
        else:
            log.info("unexpected SDS status for #%d: %s", handle.id, event.line)
        return True

    def report(self, calling: Tsi | None, reference: int, status: int,
               klass: sds.DeliveryClass, now: float) -> None:
        """Apply a delivery report (SDS-REPORT status or short report type) from ``calling``."""
        candidates = [
            h for h in self._accepted + self._awaiting_report
            if h.report_requested and h.message_reference == reference
            and (h.group or calling is None or h.to.same_party(calling))
        ]
        if not candidates:
            return
        handle = min(candidates, key=lambda h: h.id)
        if calling is not None:
            handle.reports[calling.ssi] = status
        if handle.delivery_status is None:
            handle.delivery_status = status
        if klass is sds.DeliveryClass.SUCCESS:
            self._forget(handle)
            self._set(handle, SdsState.DELIVERED, now)
        elif klass is sds.DeliveryClass.FAILED:
            self._forget(handle)
            handle.delivery_status = status
            self._set(handle, SdsState.FAILED, now, PeiError(
                f"the recipient's report for the SDS to {handle.to} says delivery failed "
                f"({sds.delivery_status_name(status)})"
            ))
        # temporary errors and flow control: the SwMI keeps trying; wait for more

    # ------------------------------------------------------------------ time and faults

    def expire(self, now: float, link: str) -> None:
        """Fail queued SDS past their timeout; unconfirm accepted ones without a result."""
        for handle in [h for h in self._queue if h.expires_at is not None and now >= h.expires_at]:
            self._queue.remove(handle)
            self._fail(handle, now, PeiTimeoutError(
                f"SDS to {handle.to} not sent within its timeout (link {link})"
            ))
        for handle in [h for h in self._accepted
                       if now >= h.times[SdsState.ACCEPTED] + self._sent_timeout]:
            self._accepted.remove(handle)
            self._release(handle)
            self._set(handle, SdsState.UNCONFIRMED, now, PeiTimeoutError(
                f"the radio accepted the SDS to {handle.to} but did not report within "
                f"{self._sent_timeout:g} s whether it was sent"
            ))
        for handle in [h for h in self._awaiting_report
                       if now >= self._report_until.get(h.id, math.inf)]:
            # it stays SENT: no report is no proof of anything
            self._forget(handle)

    def withdraw(self, handle: SdsHandle, now: float, why: str) -> bool:
        """Take back an SDS the radio has not seen yet (still QUEUED): it FAILS with ``why``.

        Returns False when it is being written or further on: then only the
        radio can say what became of it.  Used for failover to another radio.
        """
        if handle not in self._queue:
            return False
        self._queue.remove(handle)
        self._fail(handle, now, PeiError(f"SDS to {handle.to} withdrawn: {why}"))
        return True

    def unconfirm_accepted(self, now: float, why: str) -> None:
        """The radio restarted or the link broke: accepted SDS will never get a result."""
        for handle in self._accepted:
            self._release(handle)
            self._set(handle, SdsState.UNCONFIRMED, now, PeiError(f"SDS to {handle.to}: {why}"))
        self._accepted.clear()

    def close(self, now: float) -> None:
        """The session ends: what was not accepted fails, what was accepted is unconfirmed."""
        closed = PeiError("radio session closed before the SDS was sent")
        for handle in list(self._queue):
            self._fail(handle, now, closed)
        self._queue.clear()
        if self.active is not None:
            self._fail(self.active, now, closed)
            self.active = None
        self.unconfirm_accepted(
            now, "radio session closed before the radio reported the over-the-air result"
        )
        for handle in list(self._awaiting_report):
            self._forget(handle)

    # ------------------------------------------------------------------ internals

    def _set(self, handle: SdsHandle, state: SdsState, now: float,
             error: TetrakitError | None = None) -> None:
        previous = handle.state
        if previous is state:
            return
        handle.state = state
        handle.times[state] = now
        if error is not None:
            handle.error = error
        self._emit(SdsStateChanged(handle, state, previous))

    def _release(self, handle: SdsHandle) -> None:
        if handle.message_reference is not None:
            self._refs.release(handle.to.ssi, handle.message_reference)

    def _forget(self, handle: SdsHandle) -> None:
        if handle in self._accepted:
            self._accepted.remove(handle)
        if handle in self._awaiting_report:
            self._awaiting_report.remove(handle)
        self._report_until.pop(handle.id, None)
        self._release(handle)

    def _fail(self, handle: SdsHandle, now: float, error: TetrakitError) -> None:
        self._forget(handle)
        self._set(handle, SdsState.FAILED, now, error)
