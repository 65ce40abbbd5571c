"""The asyncio controller: engine + journal + dispatcher + inputs, on one event loop.

Every input (a trigger from the CLI, the HTTP API or a button box; a send
result or an incoming SDS from the dispatcher; a timer) goes the same way:

1. the engine is called with ``now`` and returns actions;
2. the facts of the batch are appended to the journal in one committed
   transaction;
3. only then are the batch's SDS handed to the dispatcher, and subscribers
   told about changes.

So an alarm is on disk before its first SDS is written.  Batches produced
in the same turn of the event loop share one transaction (group commit): a
storm of triggers arriving together, or a burst of send results and reports,
costs one fsync, not one each.  Each trigger's reply still comes only after
the transaction holding *its* facts has committed, and a batch's SDS are
handed to the dispatcher only after that commit.  If the journal
cannot commit a trigger, the alarm is dropped from the engine and the trigger
is refused with the :class:`~tetrakit.alarm.journal.JournalError` (the caller
sees it; nothing is silently lost).  If it cannot commit a later batch
(results, answers, repeats), the controller keeps working from memory, since
stopping the call-outs would be worse, and reports the failure to the
``on_journal_error`` hook (the operations code raises a fault alarm there).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tetrakit.alarm.config import AlarmConfig, Location
from tetrakit.alarm.dispatcher import Dispatcher, IncomingSds, RadioPool
from tetrakit.alarm.engine import (
    Action,
    AlarmChanged,
    AlarmEngine,
    Fact,
    Record,
    SendKey,
    SendSds,
    UnknownAlarmError,
)
from tetrakit.alarm.journal import Journal, JournalError
from tetrakit.errors import TetrakitError

__all__ = ["AlarmRefusedError", "Controller", "TriggerReply"]

log = logging.getLogger(__name__)


class AlarmRefusedError(TetrakitError):
    """A trigger or cancel was refused (unknown button, alarm, or a journal failure)."""


@dataclass(frozen=True, slots=True)
class TriggerReply:
    """The answer to a trigger: the alarm is journaled (committed) under this id."""

    alarm_id: str
    duplicate: bool
    state: str = "journaled"

    def to_dict(self) -> dict[str, Any]:
        return {"alarm_id": self.alarm_id, "duplicate": self.duplicate, "state": self.state}


class Controller:
    """Glues the sans-I/O engine to the journal, the dispatcher and the event loop.

    Args:
        config: the validated configuration.
        journal: the open journal (its facts are restored by :meth:`start`).
        pool: the radios the dispatcher sends through.
        clock: wall-clock seconds (``time.time``); injectable for tests.
    """

    def __init__(
        self,
        config: AlarmConfig,
        journal: Journal,
        pool: RadioPool,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.journal = journal
        self.clock = clock
        self.engine = AlarmEngine(config, first_number=journal.next_alarm_number())
        self.dispatcher = Dispatcher(pool, self)
        self.dispatcher.still_wanted = self._still_wanted
        self._subscribers: list[Callable[[AlarmChanged], None]] = []
        self._fact_subscribers: list[Callable[[Fact], None]] = []
        #: called with the error when a batch after a trigger could not be journaled
        self.on_journal_error: Callable[[JournalError], None] | None = None
        self.journal_ok = True
        self._wakeup = asyncio.Event()
        #: batches waiting for the next group commit, with the future of a waiting caller
        self._batches: list[tuple[list[Action], asyncio.Future[None] | None, bool]] = []
        self._flush_scheduled = False
        self._tasks: list[asyncio.Task[None]] = []
        self.started_at: float | None = None

    # ------------------------------------------------------------------ life cycle

    async def start(self) -> None:
        """Restore open alarms from the journal, re-send what was in flight, start timers."""
        facts = self.journal.restore_facts()
        self.engine.restore(facts)
        open_ids = [a.id for a in self.engine.open_alarms()]
        if open_ids:
            log.warning("resuming %d open alarm(s) from the journal: %s", len(open_ids),
                        ", ".join(open_ids))
        self._apply(self.engine.resume(self.clock()), strict=False)
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self.dispatcher.run(), name="alarm-dispatcher"),
            loop.create_task(self._timer(), name="alarm-timer"),
        ]
        self.started_at = self.clock()

    async def stop(self) -> None:
        """Stop the timer and the dispatcher (the journal stays open for the caller)."""
        self._flush()  # what was decided is journaled before the caller closes the journal
        for t in self._tasks:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        self._tasks = []

    def reconfigure(self, config: AlarmConfig) -> None:
        """Use a new (validated) configuration for what happens from now on.

        Open alarms keep their recipients; new alarms, repeats and escalations
        follow the new rules.  Used by the SIGHUP reload.
        """
        self.config = config
        self.engine.config = config
        self._wakeup.set()

    # ------------------------------------------------------------------ inputs

    async def trigger(
        self,
        *,
        button: str | None = None,
        alarm_type: str | None = None,
        location: str | Location | None = None,
        source: str = "",
    ) -> TriggerReply:
        """Raise an alarm; returns once it is committed to the journal.

        Raises:
            AlarmRefusedError: unknown button or type, a location the Latin-1
                call-out cannot carry, or the journal failed.
        """
        try:
            result = self.engine.trigger(
                self.clock(), button=button, alarm_type=alarm_type, location=location,
                source=source,
            )
        except ValueError as exc:
            raise AlarmRefusedError(str(exc)) from None
        try:
            await self._commit(result.actions, strict=True)
        except JournalError as exc:
            if not result.duplicate:
                self.engine.forget(result.alarm_id)
            raise AlarmRefusedError(f"alarm refused, not journaled: {exc}") from exc
        return TriggerReply(result.alarm_id, result.duplicate)

    async def cancel(self, alarm_id: str, *, source: str = "") -> dict[str, Any]:
        """Cancel an alarm (false alarm); everyone who got the call-out gets a cancel.

        Active and resolved alarms can be cancelled: the team of a resolved
        alarm is already running and gets ``AVLYST ...`` too.

        Raises:
            AlarmRefusedError: unknown alarm, already cancelled or expired.
        """
        try:
            actions = self.engine.cancel(self.clock(), alarm_id, source=source)
        except (UnknownAlarmError, ValueError) as exc:
            raise AlarmRefusedError(str(exc)) from None
        await self._commit(actions, strict=False)
        return {"alarm_id": alarm_id, "state": self.engine.alarm(alarm_id).state.value}

    def incoming(self, msg: IncomingSds) -> None:
        """An SDS received by one of the radios (called by the radio adapters)."""
        self.dispatcher.incoming(msg)

    # -- DispatchEvents (called by the dispatcher)

    def send_accepted(self, key: SendKey, radio: str) -> None:
        self._apply(self.engine.send_accepted(self.clock(), key, radio=radio), strict=False)

    def send_sent(self, key: SendKey, radio: str) -> None:
        self._apply(self.engine.send_sent(self.clock(), key, radio=radio), strict=False)

    def send_failed(self, key: SendKey, radio: str | None, reason: str) -> None:
        self._apply(self.engine.send_failed(self.clock(), key, reason, radio=radio or ""),
                    strict=False)

    def delivery_report(self, radio: str, sender: int, message_reference: int,
                        status: int) -> None:
        self._apply(self.engine.delivery_report(self.clock(), sender=sender,
                                                message_reference=message_reference,
                                                status=status), strict=False)

    def status_received(self, radio: str, sender: int, value: int) -> None:
        self._apply(self.engine.status_received(self.clock(), sender=sender, value=value),
                    strict=False)

    def text_received(self, radio: str, sender: int, text: str) -> None:
        self._apply(self.engine.text_received(self.clock(), sender=sender, text=text),
                    strict=False)

    # ------------------------------------------------------------------ views

    def list_alarms(self) -> list[dict[str, Any]]:
        """Open and recent alarms, newest first, without timelines."""
        alarms = sorted(self.engine.alarms.values(), key=lambda a: a.number, reverse=True)
        out = []
        for a in alarms:
            d = a.summary()
            d["recipients"] = [r.to_dict() for r in a.recipients.values()]
            out.append(d)
        return out

    def alarm_detail(self, alarm_id: str) -> dict[str, Any]:
        """One alarm with per-recipient state and its timeline.

        Alarms no longer held in memory (closed ones beyond the few restored
        after a restart, or trimmed) are rebuilt from their journaled facts.

        Raises:
            UnknownAlarmError: neither in memory nor in the journal.
        """
        alarm = self.engine.alarms.get(alarm_id)
        if alarm is not None:
            return alarm.to_dict()
        facts = self.journal.events(alarm_id)
        if not any(f.kind == "raised" for f in facts):
            raise UnknownAlarmError(f"no alarm {alarm_id!r}")
        # a scratch engine replays the facts; the live one is not touched
        scratch = AlarmEngine(self.config)
        scratch.restore(facts)
        return scratch.alarm(alarm_id).to_dict()

    def health(self) -> dict[str, Any]:
        """A snapshot for status views and readiness checks."""
        pool = self.dispatcher.pool
        healthy = {r.id for r in pool.healthy_radios()}
        radios = getattr(pool, "radios", [])
        return {
            "journal": "ok" if self.journal_ok else "failing",
            "journal_path": str(self.journal.path),
            "radios": [{"id": r.id, "healthy": r.id in healthy} for r in radios],
            "healthy_radios": sorted(healthy),
            "queued_sds": self.dispatcher.queued,
            "sent_sds": self.dispatcher.sent_count,
            "failed_sds": self.dispatcher.failed_count,
            "open_alarms": len(self.engine.open_alarms()),
            "started_at": self.started_at,
        }

    def subscribe(self, callback: Callable[[AlarmChanged], None]) -> Callable[[], None]:
        """Call ``callback`` for every alarm change (LEDs, HTTP, metrics); returns unsubscribe."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def subscribe_facts(self, callback: Callable[[Fact], None]) -> Callable[[], None]:
        """Call ``callback`` with every journaled fact (metrics, audit export)."""
        self._fact_subscribers.append(callback)
        return lambda: self._fact_subscribers.remove(callback)

    # ------------------------------------------------------------------ internals

    def _still_wanted(self, send: SendSds) -> bool:
        """A call-out of an alarm that ended while it was queued is not written."""
        alarm = self.engine.alarms.get(send.key.alarm_id)
        return send.key.step == "x" or alarm is None or alarm.state.open

    def _apply(self, actions: list[Action], *, strict: bool) -> None:
        """Queue a batch for the next group commit; its effects follow the commit.

        Without a running event loop (synchronous use) the batch is committed at once.
        """
        self._batches.append((actions, None, strict))
        self._schedule_flush()

    async def _commit(self, actions: list[Action], *, strict: bool) -> None:
        """Queue a batch and return once it is committed (or failed to).

        Raises:
            JournalError: the commit failed and ``strict`` is set.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._batches.append((actions, future, strict))
        self._schedule_flush()
        await future

    def _schedule_flush(self) -> None:
        if self._flush_scheduled:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._flush()
            return
        self._flush_scheduled = True
        # one hop: everything decided in this turn of the loop joins the same transaction
        loop.call_soon(self._flush)

    def flush(self) -> None:
        """Commit the batches queued in this turn of the event loop now (the group commit
        would do it at the next turn); for shutdown, and for callers of the synchronous
        inputs (:meth:`incoming`, the send results) that look at the journal at once."""
        self._flush()

    def _flush(self) -> None:
        """Commit every queued batch in one transaction, then carry out their actions."""
        self._flush_scheduled = False
        batches, self._batches = self._batches, []
        if not batches:
            return
        facts = [a.fact for actions, _, _ in batches for a in actions if isinstance(a, Record)]
        error: JournalError | None = None
        try:
            self.journal.append(facts)
            if facts:  # only a real commit proves the journal works again
                self.journal_ok = True
        except JournalError as exc:
            error = exc
            self.journal_ok = False
            if self.on_journal_error is not None:
                self._call(self.on_journal_error, exc)
        for actions, future, strict in batches:
            if error is not None and strict:
                # refused: the caller forgets the alarm; none of its SDS is written
                if future is not None and not future.done():
                    future.set_exception(error)
                continue
            if error is not None:
                log.error("%s; carrying on from memory", error)
            self._carry_out(actions)
            if future is not None and not future.done():
                future.set_result(None)
        self._wakeup.set()

    def _carry_out(self, actions: list[Action]) -> None:
        """The effects of a committed (or, non-strict, failed) batch, in order."""
        for a in actions:
            if isinstance(a, SendSds):
                self.dispatcher.submit(a)
        for a in actions:
            if isinstance(a, Record):
                _log_fact(a.fact)
                for fcb in list(self._fact_subscribers):
                    self._call(fcb, a.fact)
        for a in actions:
            if isinstance(a, AlarmChanged):
                for cb in list(self._subscribers):
                    self._call(cb, a)

    @staticmethod
    def _call(cb: Callable[[Any], None], arg: object) -> None:
        try:
            cb(arg)
        except Exception:  # a broken subscriber must not stop the call-outs
            log.exception("subscriber %r failed", cb)

    async def _timer(self) -> None:
        """Tick the engine when its next deadline comes (or when woken by a change)."""
        while True:
            deadline = self.engine.next_deadline()
            timeout = None if deadline is None else max(0.0, deadline - self.clock())
            self._wakeup.clear()
            if timeout is None or timeout > 0:
                # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancel
                # that arrives as the event is set, and stop() would hang
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(timeout):
                        await self._wakeup.wait()
            now = self.clock()
            if deadline is not None and now >= deadline:
                self._apply(self.engine.tick(now), strict=False)


def _log_fact(f: Fact) -> None:
    """Log the facts an operator wants to see in journald (the rest is in the journal)."""
    d = f.data
    if f.kind == "raised":
        log.warning("alarm %s raised by %s: %s", f.alarm_id, d.get("source") or "?", d.get("text"))
    elif f.kind in ("resolved", "expired"):
        log.log(logging.INFO if f.kind == "resolved" else logging.WARNING,
                "alarm %s %s with %s accept(s)", f.alarm_id, f.kind, d.get("accepts"))
    elif f.kind == "cancelled":
        log.warning("alarm %s cancelled by %s", f.alarm_id, d.get("source") or "?")
    elif f.kind == "escalated":
        log.warning("alarm %s escalated to level %d: %s", f.alarm_id, int(d["level"]) + 1,
                    d.get("reason"))
    elif f.kind == "answer":
        log.info("alarm %s: %s from %s (%s)", f.alarm_id, d.get("answer"), d.get("issi"),
                 d.get("name") or "-")
    elif f.kind == "ignored":
        log.info("ignored %s: %s", {k: v for k, v in d.items() if k != "reason"},
                 d.get("reason"))
    elif f.kind == "send_state" and d.get("state") == "failed":
        log.warning("alarm %s: send %s failed: %s", f.alarm_id, d.get("key"), d.get("reason"))
    elif f.kind == "resend":
        log.warning("alarm %s: re-sending %s (in flight at restart)", f.alarm_id, d.get("key"))
