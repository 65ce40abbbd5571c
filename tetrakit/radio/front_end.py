"""What the two radio front ends share, on top of :class:`RadioSession`.

:class:`~tetrakit.radio.client.RadioClient` (blocking) and
:class:`~tetrakit.radio.aio.AsyncRadio` (asyncio) differ only in how they run
the session's loop.  Both own a session, pass it the time from their clock
and open the port with the same settings; the calls that just forward to the
session live here.  After queueing an SDS the session has bytes to write, and
each front end gets them moving its own way (:meth:`RadioFrontEnd._queued`):
the asyncio one wakes its supervisor task, the blocking one writes at once.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from pathlib import Path

from tetrakit.errors import PeiTimeoutError
from tetrakit.identities import Tsi
from tetrakit.radio.events import LinkHealth, LinkState, SdsHandle, SdsState
from tetrakit.radio.profiles import VendorProfile
from tetrakit.radio.session import RadioSession, SessionConfig
from tetrakit.transport.port import DEFAULT_BAUDRATE
from tetrakit.transport.trace import TraceWriter

__all__ = ["RadioFrontEnd", "wanted_states"]


class RadioFrontEnd(ABC):
    """A :class:`RadioSession` with its clock, trace and port settings.

    Args:
        url: device path or pyserial URL of the radio's PEI.
        baudrate / rtscts: serial settings (pei.md §2).
        vendor: init profile name or a :class:`VendorProfile`.
        trace: a :class:`TraceWriter` or a file path to record the traffic to.
        config: session timing.
        clock: monotonic clock in seconds (tests may pass their own).
        message_reference_start: first SDS-TL message reference (default: clock based).
    """

    def __init__(
        self,
        url: str,
        *,
        baudrate: int = DEFAULT_BAUDRATE,
        rtscts: bool = False,
        vendor: str | VendorProfile = "generic",
        trace: TraceWriter | str | Path | None = None,
        config: SessionConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        message_reference_start: int | None = None,
    ) -> None:
        self.url = url
        self._baudrate = baudrate
        self._rtscts = rtscts
        self._clock = clock
        if isinstance(trace, str | Path):
            self._trace: TraceWriter | None = TraceWriter(trace)
            self._owns_trace = True
        else:
            self._trace = trace
            self._owns_trace = False
        self.session = RadioSession(
            vendor, config=config, now=clock(), message_reference_start=message_reference_start
        )
        self._init_loop()

    @abstractmethod
    def _init_loop(self) -> None:
        """Set up the front end's own loop state (the end of ``__init__``)."""

    @abstractmethod
    def _queued(self) -> None:
        """The session has something new to write: get it moving."""

    # ------------------------------------------------------------------ health

    @property
    def state(self) -> LinkState:
        return self.session.state

    def health(self) -> LinkHealth:
        """Link health: state, last answer, registrations, RSSI, re-init count ..."""
        return self.session.health()

    # ------------------------------------------------------------------ sending

    def send_sds(
        self,
        to: Tsi | int | str,
        data: bytes,
        bits: int,
        *,
        group: bool = False,
        priority: int = 0,
        ai_service: int = 12,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue SDS user data (see :meth:`RadioSession.send_sds`); returns at once.

        The handle's state follows the radio's reports.
        """
        handle = self.session.send_sds(
            to, data, bits, now=self._clock(), group=group, priority=priority,
            ai_service=ai_service, timeout=timeout,
        )
        self._queued()
        return handle

    def send_text(
        self,
        to: Tsi | int | str,
        text: str,
        *,
        group: bool = False,
        report: bool = True,
        priority: int = 0,
        message_reference: int | None = None,
        timeout: float | None = None,
    ) -> SdsHandle:
        """Queue an SDS-TL text (see :meth:`RadioSession.send_text`); returns at once.

        A delivery report is requested by default.
        """
        handle = self.session.send_text(
            to, text, now=self._clock(), group=group, report=report, priority=priority,
            message_reference=message_reference, timeout=timeout,
        )
        self._queued()
        return handle

    def send_status(
        self, to: Tsi | int | str, value: int, *, group: bool = False, priority: int = 0
    ) -> SdsHandle:
        """Queue a 16-bit pre-coded status (see :meth:`RadioSession.send_status`)."""
        handle = self.session.send_status(
            to, value, now=self._clock(), group=group, priority=priority
        )
        self._queued()
        return handle

    # ------------------------------------------------------------------ helpers

    def _not_ready(self, who: str, timeout: float) -> PeiTimeoutError:
        """The error for a link that did not become READY: names its state and last error."""
        health = self.session.health()
        why = f": {health.last_error}" if health.last_error else ""
        return PeiTimeoutError(
            f"{who}: radio not ready within {timeout:g} s (link {health.state.value}{why})"
        )

    def _close_trace(self) -> None:
        if self._trace is not None and self._owns_trace:
            self._trace.close()


def wanted_states(states: SdsState | Iterable[SdsState]) -> set[SdsState]:
    """The states a wait for ``states`` ends in: SENT also ends at DELIVERED, which implies it."""
    wanted = {states} if isinstance(states, SdsState) else set(states)
    if SdsState.SENT in wanted:
        wanted.add(SdsState.DELIVERED)
    return wanted
