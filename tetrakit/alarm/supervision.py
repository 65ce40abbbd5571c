"""Radio link supervision policy (sans-I/O; the clock is passed in).

Nurse-call practice (DIN VDE 0834: every device and transmission medium is
continuously supervised) and the field's top complaint about alarm software,
silent death (alarm-domain.md §6, BOSWatch #32/#400/#386), ask for a heartbeat
on every link.  The policy follows the numbers of alarm-domain.md §8: poll each
radio every ``interval`` seconds (default 10 s) with a keep-alive ``AT``, a
registration query ``AT+CREG?`` and a signal query ``AT+CSQ?`` (EN 300 392-5
§6.17.46 / pei.md §1.7), and declare it faulty after ``misses`` consecutive bad
polls (default 3, so a fault is known within 30 s).

A poll is *bad* when the radio does not answer, or answers but is not
registered to the network (``+CREG`` stat other than 1 "home" or 5 "roaming"):
a radio in that state cannot send an SDS, so it is as useless to the alarm
chain as a silent one.  One good poll (answered and registered) makes the link
healthy again.

A radio that answers again after a silence may have rebooted and lost its
``AT+CTSP`` service-profile registrations (pei.md §1.5: "re-register after
every radio reboot"), so the policy asks for a re-initialisation then, and
whenever the poll itself saw a sign of a reboot (the session reports lost
registrations or a changed power-up counter).

This module does no I/O: :class:`RadioSupervision` takes poll outcomes and the
current time and returns events; :mod:`tetrakit.alarm.supervisor` drives it
with real radios on the event loop.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

__all__ = [
    "LinkState",
    "PollOutcome",
    "RadioFaulty",
    "RadioRecovered",
    "RadioSupervision",
    "ReinitRequested",
    "SupervisionEvent",
    "registered_stat",
]

DEFAULT_INTERVAL = 10.0
DEFAULT_MISSES = 3


class LinkState(enum.StrEnum):
    """Health of one radio link as seen by supervision."""

    UNKNOWN = "unknown"  # not polled yet
    HEALTHY = "healthy"  # last poll answered and registered
    DEGRADED = "degraded"  # one or more bad polls, fewer than ``misses``
    FAULTY = "faulty"  # ``misses`` bad polls in a row


def registered_stat(stat: int | None) -> bool:
    """True when a ``+CREG`` registration status means "registered".

    EN 300 392-5 §6.17.46 (pei.md §1.7, :class:`tetrakit.pei.enums.RegStat`):
    1 = registered, home network; 5 = registered, visited network.  Every
    other value (0 searching, 2 not registered, 3 system reject, 4 unknown)
    means no SDS can go out.
    """
    return stat in (1, 5)


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one supervision poll found.

    Attributes:
        answered: the radio answered the keep-alive (``AT`` -> ``OK``).
        registered: the registration state from ``AT+CREG?``; ``None`` when
            the radio answered ``AT`` but not the query.
        rssi_dbm: the signal from ``AT+CSQ?`` in dBm, ``None`` when unknown
            (``+CSQ: 99`` or no answer).
        rebooted: the session saw a sign that the radio restarted (its
            registrations are gone); re-initialisation is needed.
        detail: a short human-readable reason for a bad poll.
    """

    answered: bool
    registered: bool | None = None
    rssi_dbm: float | None = None
    rebooted: bool = False
    detail: str = ""

    @property
    def good(self) -> bool:
        """A poll that leaves the radio usable for alarms."""
        return self.answered and self.registered is True


@dataclass(frozen=True, slots=True)
class RadioFaulty:
    """The radio link became faulty: alarms must not rely on it."""

    radio_id: str
    reason: str
    at: float


@dataclass(frozen=True, slots=True)
class RadioRecovered:
    """A faulty radio link works again."""

    radio_id: str
    down_for: float
    at: float


@dataclass(frozen=True, slots=True)
class ReinitRequested:
    """The radio should be re-initialised (registrations possibly lost)."""

    radio_id: str
    reason: str
    at: float


SupervisionEvent = RadioFaulty | RadioRecovered | ReinitRequested


class RadioSupervision:
    """Supervision state of one radio (sans-I/O).

    Drive it like this: when :meth:`due` says so, call :meth:`poll_started`,
    run the poll, then :meth:`poll_finished` with its :class:`PollOutcome`
    (a poll that timed out is ``PollOutcome(answered=False)``).
    """

    def __init__(
        self,
        radio_id: str,
        *,
        now: float,
        interval: float = DEFAULT_INTERVAL,
        misses: int = DEFAULT_MISSES,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"supervision interval must be positive, got {interval}")
        if misses < 1:
            raise ValueError(f"supervision misses must be at least 1, got {misses}")
        self.radio_id = radio_id
        self.interval = float(interval)
        self.misses = misses
        self.state = LinkState.UNKNOWN
        self.bad_polls = 0
        self.last_poll_at: float | None = None
        self.last_good_at: float | None = None
        self.last_outcome: PollOutcome | None = None
        self.faulty_since: float | None = None
        self.fault_reason = ""
        self.polls = 0
        # the previous bad poll was a silence (not merely "not registered")
        self.last_outcome_was_silent = False
        self._next_poll_at = now  # poll at once on start-up
        self._in_flight = False

    # -- scheduling -------------------------------------------------------------

    @property
    def next_poll_at(self) -> float:
        """When the next poll is due (clock units of the caller)."""
        return self._next_poll_at

    def due(self, now: float) -> bool:
        """True when a poll should start now (and none is running)."""
        return not self._in_flight and now >= self._next_poll_at

    @property
    def poll_timeout(self) -> float:
        """How long one poll may take before it counts as missed.

        The whole poll must end before the next one is due, so a hung radio
        is counted once per interval, never twice.
        """
        return self.interval

    def poll_started(self, now: float) -> None:
        """Record that a poll was sent."""
        self._in_flight = True
        self.last_poll_at = now
        # fixed-rate schedule: the next poll is one interval after this one
        # started, so a slow answer does not stretch the fault detection time
        self._next_poll_at = now + self.interval

    # -- outcomes ---------------------------------------------------------------

    def poll_finished(self, now: float, outcome: PollOutcome) -> list[SupervisionEvent]:
        """Take the outcome of the poll started last; returns what changed."""
        self._in_flight = False
        self.polls += 1
        self.last_outcome = outcome
        events: list[SupervisionEvent] = []
        if outcome.good:
            was_bad = self.bad_polls > 0
            if outcome.rebooted:
                events.append(ReinitRequested(self.radio_id, "radio restarted", now))
            elif was_bad and self.last_outcome_was_silent and self.last_good_at is not None:
                # silent, now answering: it may have rebooted and lost its
                # service-profile registrations (pei.md §1.5); re-init is
                # harmless when it did not (CME 38 "already registered").  A
                # radio never seen working is still starting: nothing to redo.
                events.append(ReinitRequested(self.radio_id, "answering again after silence", now))
            if self.state is LinkState.FAULTY:
                since = self.faulty_since if self.faulty_since is not None else now
                events.append(RadioRecovered(self.radio_id, now - since, now))
            self.state = LinkState.HEALTHY
            self.bad_polls = 0
            self.last_good_at = now
            self.faulty_since = None
            self.fault_reason = ""
            self.last_outcome_was_silent = False
            return events

        self.bad_polls += 1
        self.last_outcome_was_silent = not outcome.answered
        reason = self._reason(outcome)
        if outcome.answered and outcome.rebooted:
            events.append(ReinitRequested(self.radio_id, "radio restarted", now))
        if self.bad_polls >= self.misses:
            if self.state is not LinkState.FAULTY:
                self.state = LinkState.FAULTY
                self.faulty_since = now
                self.fault_reason = reason
                events.append(RadioFaulty(self.radio_id, reason, now))
        else:
            self.state = LinkState.DEGRADED
        return events

    def mark_faulty(self, now: float, reason: str) -> list[SupervisionEvent]:
        """Declare the link faulty at once (e.g. the serial port vanished).

        Transport errors are certain, so there is no point waiting for more
        missed polls.
        """
        self.bad_polls = max(self.bad_polls, self.misses)
        self.last_outcome_was_silent = True
        if self.state is LinkState.FAULTY:
            return []
        self.state = LinkState.FAULTY
        self.faulty_since = now
        self.fault_reason = reason
        return [RadioFaulty(self.radio_id, reason, now)]

    def _reason(self, outcome: PollOutcome) -> str:
        if not outcome.answered:
            base = outcome.detail or "no answer"
            return f"{base} ({self.bad_polls} poll(s) in a row)"
        if outcome.registered is None:
            return outcome.detail or "no answer to AT+CREG?"
        return outcome.detail or "not registered to the network"

    # -- views ------------------------------------------------------------------

    @property
    def usable(self) -> bool:
        """Whether alarms may be sent through this radio.

        A degraded link still carries alarms: one missed poll is not enough
        evidence to move traffic away, and the dispatcher's own send errors
        fail over faster than supervision does.
        """
        return self.state is not LinkState.FAULTY

    def snapshot(self, now: float) -> dict[str, object]:
        """The link's state as JSON-ready data (for status, readiness, metrics)."""
        out = self.last_outcome
        return {
            "radio": self.radio_id,
            "state": self.state.value,
            "bad_polls": self.bad_polls,
            "registered": None if out is None else out.registered,
            "rssi_dbm": None if out is None else out.rssi_dbm,
            "last_good_age_s": None if self.last_good_at is None else now - self.last_good_at,
            "fault": self.fault_reason or None,
        }
