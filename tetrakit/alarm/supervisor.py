"""The asyncio task that supervises the radio links.

It drives one :class:`~tetrakit.alarm.supervision.RadioSupervision` per radio
(the policy, sans-I/O) with real polls: each radio gets its own loop so that
one hung radio never delays the polls of the others.  Events (faulty,
recovered, re-init) go to a callback; the supervisor re-initialises a radio
itself when the policy asks for it.

The supervisor also keeps a heartbeat per radio loop.  The systemd watchdog
(:mod:`tetrakit.alarm.sdnotify`) pings only while :meth:`Supervisor.healthy`
is true, so a supervision task that died or hangs stops the pings and
systemd restarts the daemon (alarm-domain.md §5: ping only when the main loop
*and* the radio-link supervisor are healthy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from tetrakit.alarm.supervision import (
    DEFAULT_INTERVAL,
    DEFAULT_MISSES,
    LinkState,
    PollOutcome,
    RadioSupervision,
    ReinitRequested,
    SupervisionEvent,
)
from tetrakit.errors import TetrakitError

__all__ = ["PolledRadio", "Supervisor"]

log = logging.getLogger(__name__)


class PolledRadio(Protocol):
    """What supervision needs from a radio session."""

    async def supervision_poll(self) -> PollOutcome:
        """Send ``AT``, ``AT+CREG?`` and ``AT+CSQ?`` and report what came back.

        Raise :class:`~tetrakit.errors.TetrakitError` (e.g. a transport or
        timeout error) when the radio cannot be reached.
        """
        ...

    async def reinit(self) -> None:
        """Re-run the radio's init profile (service-profile registrations)."""
        ...


class Supervisor:
    """Polls every radio on its own schedule and reports link changes.

    Args:
        radios: radio id -> session, in preference order.
        interval: seconds between polls of one radio.
        misses: bad polls in a row before a radio is faulty.
        on_event: called (on the loop) with every supervision event.
        on_poll: called with the radio id after every finished poll.
        clock: the monotonic clock (the loop's by default).
    """

    def __init__(
        self,
        radios: Mapping[str, PolledRadio],
        *,
        interval: float = DEFAULT_INTERVAL,
        misses: int = DEFAULT_MISSES,
        on_event: Callable[[SupervisionEvent], None] | None = None,
        on_poll: Callable[[str], None] | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._radios = dict(radios)
        self._clock = clock
        self.interval = interval
        self.misses = misses
        self._on_event = on_event
        self._on_poll = on_poll
        self.links: dict[str, RadioSupervision] = {}
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._heartbeat: dict[str, float] = {}
        self._stopping = False

    def _now(self) -> float:
        if self._clock is not None:
            return self._clock()
        return asyncio.get_running_loop().time()

    # -- lifecycle --------------------------------------------------------------

    def start(self) -> None:
        """Start one polling task per radio (call from the running loop)."""
        now = self._now()
        for radio_id, radio in self._radios.items():
            self.links[radio_id] = RadioSupervision(
                radio_id, now=now, interval=self.interval, misses=self.misses
            )
            self._heartbeat[radio_id] = now
            self._tasks[radio_id] = asyncio.create_task(
                self._run(radio_id, radio), name=f"supervise-{radio_id}"
            )

    async def stop(self) -> None:
        """Cancel the polling tasks and wait for them."""
        self._stopping = True
        for task in self._tasks.values():
            task.cancel()
        for task in self._tasks.values():
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def reconfigure(self, *, interval: float, misses: int) -> None:
        """Apply new supervision settings (SIGHUP reload) from the next poll on."""
        self.interval = interval
        self.misses = misses
        for link in self.links.values():
            link.interval = float(interval)
            link.misses = misses

    # -- views ------------------------------------------------------------------

    def state(self, radio_id: str) -> LinkState:
        """The link state of one radio (UNKNOWN before its first poll)."""
        link = self.links.get(radio_id)
        return LinkState.UNKNOWN if link is None else link.state

    def usable(self, radio_id: str) -> bool:
        """Whether supervision lets alarms go through this radio."""
        link = self.links.get(radio_id)
        return True if link is None else link.usable

    def healthy(self) -> tuple[bool, str]:
        """Whether supervision itself works (for the watchdog), with a reason.

        Unhealthy when a polling task ended (a bug, or it was cancelled) or
        has not finished a poll cycle for three intervals: a poll is bounded
        by one interval and a re-init by another, so three means it hangs.
        """
        if not self._tasks:
            return False, "supervision not started"
        now = self._now()
        for radio_id, task in self._tasks.items():
            if task.done():
                return False, f"supervision of radio {radio_id} stopped"
            age = now - self._heartbeat[radio_id]
            if age > 3 * self.interval:
                return False, f"supervision of radio {radio_id} stalled for {age:.0f} s"
        return True, "ok"

    def snapshot(self) -> list[dict[str, object]]:
        """Every link's state, JSON-ready, in preference order."""
        now = self._now()
        return [self.links[r].snapshot(now) for r in self._radios if r in self.links]

    def report_transport_failure(self, radio_id: str, reason: str) -> None:
        """Let the session report a certain failure (port gone) at once."""
        link = self.links.get(radio_id)
        if link is None:
            return
        for event in link.mark_faulty(self._now(), reason):
            self._emit(event)

    # -- the polling loop -------------------------------------------------------

    async def _run(self, radio_id: str, radio: PolledRadio) -> None:
        link = self.links[radio_id]
        while not self._stopping:
            now = self._now()
            if link.due(now):
                link.poll_started(now)
                outcome = await self._poll(radio, link.poll_timeout)
                events = link.poll_finished(self._now(), outcome)
                for event in events:
                    if isinstance(event, ReinitRequested):
                        await self._reinit(radio_id, radio, event.reason)
                    self._emit(event)
                if self._on_poll is not None:
                    self._on_poll(radio_id)
            self._heartbeat[radio_id] = self._now()
            await asyncio.sleep(max(0.0, link.next_poll_at - self._now()))

    async def _poll(self, radio: PolledRadio, timeout: float) -> PollOutcome:
        try:
            async with asyncio.timeout(timeout):
                return await radio.supervision_poll()
        except TimeoutError:
            return PollOutcome(answered=False, detail=f"no answer within {timeout:g} s")
        except TetrakitError as exc:
            return PollOutcome(answered=False, detail=str(exc))

    async def _reinit(self, radio_id: str, radio: PolledRadio, reason: str) -> None:
        log.warning("re-initialising radio %s: %s", radio_id, reason)
        try:
            async with asyncio.timeout(self.interval):
                await radio.reinit()
        except TimeoutError:
            log.error("re-initialising radio %s timed out after %g s", radio_id, self.interval)
        except TetrakitError as exc:
            log.error("re-initialising radio %s failed: %s", radio_id, exc)

    def _emit(self, event: SupervisionEvent) -> None:
        if self._on_event is None:
            return
        try:
            self._on_event(event)
        except Exception:  # a broken listener must not stop supervision
            log.exception("supervision event handler failed for %r", event)
