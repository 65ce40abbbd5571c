"""Fault alarms: a failing radio, input or journal is made loud, on every channel.

alarm-domain.md §6-§7 (rank 3): failures of the transmitter path must raise a
fault alarm through a *second* channel and be visible, never silent.  A fault
goes

* to the log (always, at ERROR; the clearance at WARNING),
* to the webhook (``fault_alarm.webhook``), which works when no radio does,
* as a short SDS text to ``fault_alarm.targets`` through a radio that is
  healthy at that moment — never through the one that failed.

When no radio is usable the SDS notices wait and go out as soon as one is
(the log and the webhook already told the world).  A notice whose send
failed at a radio (:class:`NoticeNotSent`) is tried again, through another
radio when there is one, every ``retry_interval`` seconds; after
``max_attempts`` failed sends or ``give_up_after`` seconds it is given up
with an ERROR in the log (bounded: a notice must not circle forever).  A fault is reported once
when it starts and once when it clears ("a clear notice when it recovers");
repeats of a still-active fault are ignored.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import enum
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from tetrakit.alarm.webhook import Webhook
from tetrakit.errors import TetrakitError

__all__ = [
    "Fault",
    "FaultKind",
    "FaultNotice",
    "FaultReporter",
    "FaultTarget",
    "NoRadioAvailable",
    "NoticeNotSent",
    "fault_text",
]

log = logging.getLogger(__name__)

#: the TETRA call-out display limit (DESIGN.md, alarm-domain.md §8)
MAX_TEXT = 94


class FaultKind(enum.StrEnum):
    """What failed."""

    RADIO = "radio"
    INPUT = "input"
    JOURNAL = "journal"
    TEST_ALARM = "test_alarm"


class NoRadioAvailable(TetrakitError):
    """No healthy radio can carry a fault notice right now."""


class NoticeNotSent(TetrakitError):
    """A radio took a fault notice but did not send it (``radio``: which one)."""

    def __init__(self, message: str, *, radio: str | None = None) -> None:
        super().__init__(message)
        self.radio = radio


@dataclass(frozen=True, slots=True)
class FaultTarget:
    """One recipient of fault notices (an ISSI, or a GSSI when ``group``)."""

    issi: int
    group: bool = False


@dataclass(frozen=True, slots=True)
class Fault:
    """An active fault."""

    kind: FaultKind
    component: str
    detail: str
    since: _dt.datetime


@dataclass(frozen=True, slots=True)
class FaultNotice:
    """A fault that started (``raised``) or cleared; what every channel gets."""

    kind: FaultKind
    component: str
    raised: bool
    detail: str
    at: _dt.datetime
    site: str = ""
    #: radio ids that must not carry this notice (the failed radio itself)
    avoid: frozenset[str] = field(default_factory=frozenset)

    def to_json(self) -> dict[str, object]:
        """The webhook payload."""
        return {
            "event": "fault" if self.raised else "recovered",
            "kind": self.kind.value,
            "component": self.component,
            "detail": self.detail,
            "site": self.site,
            "time": self.at.isoformat(),
        }


def fault_text(notice: FaultNotice) -> str:
    """The SDS text of a notice: at most 94 characters, Latin-1 only.

    ``FAULT radio primary: no answer (3 poll(s) in a row)`` /
    ``RECOVERED radio primary``.  The detail is cut, never the head, so the
    reader always sees what failed.
    """
    head = f"{'FAULT' if notice.raised else 'RECOVERED'} {notice.kind.value} {notice.component}"
    text = f"{head}: {notice.detail}" if notice.detail else head
    text = text.encode("latin-1", "replace").decode("latin-1")
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 3] + "..."  # "…" is not in Latin-1
    return text


#: sends one text to one target through a healthy radio not in ``avoid``;
#: raises NoRadioAvailable when there is none
SendText = Callable[[FaultTarget, str, frozenset[str]], Awaitable[None]]


class FaultReporter:
    """Tracks active faults and tells the log, the webhook and the radios.

    Args:
        targets: recipients of the SDS notices (empty: no SDS).
        send_text: how a notice reaches a target through a healthy radio.
        webhook: the optional webhook.
        site: the site name, sent with every notice.
        clock: wall clock for the timestamps (UTC ``datetime.now`` by default).
        retry_interval: seconds between tries of a notice whose send failed.
        max_attempts: failed sends after which a notice is given up.
        give_up_after: seconds after the notice after which it is given up.

    :attr:`listeners` are called with every notice (metrics, status page).
    """

    def __init__(
        self,
        *,
        targets: Sequence[FaultTarget] = (),
        send_text: SendText | None = None,
        webhook: Webhook | None = None,
        site: str = "",
        clock: Callable[[], _dt.datetime] | None = None,
        retry_interval: float = 30.0,
        max_attempts: int = 5,
        give_up_after: float = 900.0,
    ) -> None:
        self.targets = tuple(targets)
        self.retry_interval = retry_interval
        self.max_attempts = max_attempts
        self.give_up_after = give_up_after
        #: failed sends so far and the radios they failed on, per waiting notice
        self._failures: dict[tuple[FaultNotice, FaultTarget], tuple[int, frozenset[str]]] = {}
        self._retry: asyncio.TimerHandle | None = None
        self._send_text = send_text
        self.webhook = webhook
        self.site = site
        self._clock = clock or (lambda: _dt.datetime.now(_dt.UTC))
        self.active: dict[tuple[FaultKind, str], Fault] = {}
        self.history: list[FaultNotice] = []
        self.listeners: list[Callable[[FaultNotice], None]] = []
        #: (notice, target) pairs waiting for a usable radio
        self.pending: list[tuple[FaultNotice, FaultTarget]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._flush_lock = asyncio.Lock()

    def reconfigure(
        self, *, targets: Sequence[FaultTarget], webhook: Webhook | None, site: str
    ) -> None:
        """Apply a reloaded configuration (active faults are kept)."""
        self.targets = tuple(targets)
        self.webhook = webhook
        self.site = site

    # -- the two entry points ---------------------------------------------------

    def raise_fault(
        self, kind: FaultKind, component: str, detail: str, *, avoid: Sequence[str] = ()
    ) -> FaultNotice | None:
        """Report that ``component`` failed; None when it was already known."""
        key = (kind, component)
        if key in self.active:
            return None
        now = self._clock()
        self.active[key] = Fault(kind, component, detail, now)
        notice = FaultNotice(kind, component, True, detail, now, self.site, frozenset(avoid))
        log.error("FAULT %s %s: %s", kind.value, component, detail)
        self._publish(notice)
        return notice

    def clear_fault(self, kind: FaultKind, component: str, detail: str = "") -> FaultNotice | None:
        """Report that ``component`` works again; None when it was not faulty."""
        fault = self.active.pop((kind, component), None)
        if fault is None:
            return None
        now = self._clock()
        down = (now - fault.since).total_seconds()
        text = detail or f"back after {down:.0f} s"
        notice = FaultNotice(kind, component, False, text, now, self.site)
        log.warning("RECOVERED %s %s: %s", kind.value, component, text)
        self._publish(notice)
        return notice

    def radio_available(self) -> None:
        """A radio became usable: send the notices that were waiting for one."""
        if self.pending:
            self._spawn(self._flush())

    async def idle(self) -> None:
        """Wait until every notice started so far was handed to its channels.

        A retry that is only scheduled (after a failed send) is not waited for.
        """
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def close(self) -> None:
        """Drop a scheduled retry (at shutdown; the log has every notice)."""
        if self._retry is not None:
            self._retry.cancel()
            self._retry = None

    # -- channels ---------------------------------------------------------------

    def _publish(self, notice: FaultNotice) -> None:
        self.history.append(notice)
        del self.history[:-200]  # bounded: the log keeps the full story
        for listener in list(self.listeners):
            try:
                listener(notice)
            except Exception:  # a broken listener must not hide a fault
                log.exception("fault listener failed")
        if self.webhook is not None:
            self.webhook.post(notice.to_json())
        if self._send_text is not None and self.targets:
            self.pending.extend((notice, target) for target in self.targets)
            self._spawn(self._flush())

    def _spawn(self, coro: Awaitable[None]) -> None:
        async def runner() -> None:
            await coro

        task = asyncio.get_running_loop().create_task(runner(), name="fault-notice")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _flush(self) -> None:
        assert self._send_text is not None
        async with self._flush_lock:  # one flush at a time keeps the order
            waiting, self.pending = self.pending, []
            retry: list[tuple[FaultNotice, FaultTarget]] = []
            for index, entry in enumerate(waiting):
                notice, target = entry
                text = fault_text(notice)
                tries, failed_on = self._failures.get(entry, (0, frozenset()))
                try:
                    try:
                        await self._send_text(target, text, notice.avoid | failed_on)
                    except NoRadioAvailable:
                        if not failed_on:
                            raise
                        # no other radio: the one that failed once may work now
                        await self._send_text(target, text, notice.avoid)
                except NoRadioAvailable:
                    log.warning("no healthy radio for fault notice %r; it waits", text)
                    self.pending = waiting[index:] + retry + self.pending
                    return
                except TetrakitError as exc:
                    tries += 1
                    radio = getattr(exc, "radio", None)
                    failed_on = failed_on | {radio} if radio else failed_on
                    age = (self._clock() - notice.at).total_seconds()
                    if tries >= self.max_attempts or age >= self.give_up_after:
                        self._failures.pop(entry, None)
                        log.error("fault notice %r to %s given up after %d failed send(s) "
                                  "in %.0f s: %s", text, target.issi, tries, age, exc)
                        continue
                    log.warning("fault notice %r to %s failed (try %d of %d), again in "
                                "%g s: %s", text, target.issi, tries, self.max_attempts,
                                self.retry_interval, exc)
                    self._failures[entry] = (tries, failed_on)
                    retry.append(entry)
                else:
                    self._failures.pop(entry, None)
            if retry:
                self.pending = retry + self.pending
                self._schedule_retry()

    def _schedule_retry(self) -> None:
        if self._retry is not None:
            return

        def fire() -> None:
            self._retry = None
            if self.pending:
                self._spawn(self._flush())

        self._retry = asyncio.get_running_loop().call_later(self.retry_interval, fire)
