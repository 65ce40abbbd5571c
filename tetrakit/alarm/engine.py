"""The alarm engine: a sans-I/O state machine with an injected clock.

Inputs are method calls (:meth:`AlarmEngine.trigger`, :meth:`~AlarmEngine.cancel`,
the send results :meth:`~AlarmEngine.send_accepted` / :meth:`~AlarmEngine.send_sent`
/ :meth:`~AlarmEngine.send_failed`, :meth:`~AlarmEngine.delivery_report`,
:meth:`~AlarmEngine.status_received`, :meth:`~AlarmEngine.text_received` and
:meth:`~AlarmEngine.tick`), each given the current time ``now`` (seconds since
the epoch; the engine never reads a clock).  Outputs are lists of action
dataclasses:

* :class:`Record` - a fact for the journal.  Every fact of a batch must be
  committed before any :class:`SendSds` of the same batch is written (the
  controller does that), so an alarm is on disk before its first SDS.
* :class:`SendSds` - one SDS to send, with a unique :class:`SendKey`
  ``(alarm id, recipient, step)``: the dispatcher never writes the same key
  twice, so no recipient gets the same step twice.
* :class:`AlarmChanged` - a hook for subscribers (LEDs, HTTP, metrics).

The engine does not log (``logging`` imports ``threading``); the controller
logs the facts it journals.

Design: event sourcing.  Decisions (the input methods) produce facts; all
state changes go through :meth:`AlarmEngine.apply` of a fact.  Restoring after
a restart is applying the journaled facts again (:meth:`AlarmEngine.restore`);
timers are derived from fact times, so an alarm resumes where it stopped.

Lifecycle per alarm (DESIGN.md "Alarm controller"): raised -> journaled ->
dispatched; per recipient: queued -> accepted by the radio -> sent ->
received -> consumed -> accepted / rejected / standby by the person, or
failed (and "unconfirmed": accepted by a radio before a restart, until a
report or an answer settles it); the alarm ends resolved (required accepts
reached), cancelled (false alarm: everyone who got the call-out gets a
cancel) or expired.

Call-outs to individuals request SDS-TL "received" and "consumed" reports
(EN 300 392-2 §29.4.2.2, delivery report request 11); call-outs to groups
request none (reports are not given for group addressing) and are sent
``1 + group_repeats`` times, ``group_repeat_spacing`` apart.  Individuals who
have not answered get the call-out again every ``repeat_interval``.
"""

from __future__ import annotations

import enum
import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tetrakit.alarm.config import AlarmConfig, AlarmType, Location, Priority, Targets
from tetrakit.alarm.message import CANCEL_PREFIX, callout_text, location_parts, to_latin1

__all__ = [
    "Action",
    "Alarm",
    "AlarmChanged",
    "AlarmEngine",
    "AlarmState",
    "Delivery",
    "Fact",
    "Led",
    "Recipient",
    "Record",
    "SendKey",
    "SendSds",
    "SendState",
    "TriggerResult",
    "UnknownAlarmError",
]

#: a fact's data; plain JSON values only, so that facts are journaled as JSON
JsonDict = dict[str, Any]


class UnknownAlarmError(KeyError):
    """No alarm with this id (or it cannot be acted on)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown alarm"


class AlarmState(enum.StrEnum):
    """The state of a whole alarm."""

    ACTIVE = "active"  # journaled and dispatched, waiting for accepts
    RESOLVED = "resolved"  # required accepts reached
    CANCELLED = "cancelled"  # false alarm, cancel sent
    EXPIRED = "expired"  # expire_after passed without resolution

    @property
    def open(self) -> bool:
        return self is AlarmState.ACTIVE


class Delivery(enum.StrEnum):
    """How far the call-out got to one recipient (furthest step wins, failed aside)."""

    QUEUED = "queued"
    RADIO_ACCEPTED = "radio_accepted"  # +CMGS: <inst> OK
    # accepted by a radio before a restart; whether it was then sent is not known
    UNCONFIRMED = "unconfirmed"
    SENT = "sent"  # +CMGS: <inst>,4,<ref>
    RECEIVED = "received"  # SDS-TL report 0x00
    CONSUMED = "consumed"  # SDS-TL report 0x02: "read"
    FAILED = "failed"  # +CMGS status 5 or a failed delivery report

    @property
    def rank(self) -> int:
        return _DELIVERY_RANK[self]


_DELIVERY_RANK = {
    Delivery.FAILED: -1,
    Delivery.QUEUED: 0,
    Delivery.RADIO_ACCEPTED: 1,
    Delivery.UNCONFIRMED: 1,
    Delivery.SENT: 2,
    Delivery.RECEIVED: 3,
    Delivery.CONSUMED: 4,
}


class SendState(enum.StrEnum):
    """The state of one SDS."""

    CREATED = "created"  # journaled, queued or being written
    RADIO_ACCEPTED = "radio_accepted"
    # accepted by a radio before a restart: its sent/failed result died with the old
    # process; a delivery report or an answer from the recipient settles it
    UNCONFIRMED = "unconfirmed"
    SENT = "sent"
    FAILED = "failed"


class Led(enum.StrEnum):
    """What a button's LED shows (hw/buttonbox/PROTOCOL.md: sent SLOW, accepted ON, fault FAST)."""

    OFF = "OFF"
    SLOW = "SLOW"
    ON = "ON"
    FAST = "FAST"


@dataclass(frozen=True, slots=True)
class SendKey:
    """Identity of one SDS: the dispatcher sends a key at most once per run."""

    alarm_id: str
    recipient: int
    step: str

    def __str__(self) -> str:
        return f"{self.alarm_id}/{self.recipient}/{self.step}"

    @classmethod
    def parse(cls, text: str) -> SendKey:
        alarm_id, recipient, step = text.split("/")
        return cls(alarm_id, int(recipient), step)


@dataclass(frozen=True, slots=True)
class Fact:
    """One journaled fact: what happened to which alarm, and when."""

    at: float
    alarm_id: str
    kind: str
    data: JsonDict = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Record:
    """Journal this fact (before any SendSds of the same batch is written)."""

    fact: Fact


@dataclass(frozen=True, slots=True)
class SendSds:
    """Send one SDS-TL text (PI 0x82) to an individual or a group.

    ``report`` asks for "received" and "consumed" reports (individuals only);
    ``priority.access_priority`` goes into ``AT+CTSDS``; ``priority.rank``
    orders the dispatcher's queue.
    """

    key: SendKey
    destination: int
    group: bool
    text: str
    message_reference: int
    report: bool
    priority: Priority
    created_at: float


@dataclass(frozen=True, slots=True)
class AlarmChanged:
    """An alarm changed state or a recipient progressed (for LEDs, HTTP, metrics)."""

    alarm_id: str
    state: AlarmState
    button: str | None
    led: Led
    kind: str


Action = Record | SendSds | AlarmChanged


@dataclass(frozen=True, slots=True)
class TriggerResult:
    """The outcome of a trigger: the alarm id and the actions to carry out."""

    alarm_id: str
    duplicate: bool
    actions: list[Action]


@dataclass(slots=True)
class Recipient:
    """One destination of an alarm: a radio (individual) or a talkgroup."""

    issi: int
    group: bool
    level: int
    team: str | None = None
    name: str = ""
    role: str = ""
    delivery: Delivery = Delivery.QUEUED
    answer: str | None = None
    answered_at: float | None = None
    calls: int = 0
    first_call_at: float | None = None
    last_call_at: float | None = None
    last_key: SendKey | None = None
    cancel_sent: bool = False

    def to_dict(self) -> JsonDict:
        return {
            "issi": self.issi,
            "group": self.group,
            "level": self.level,
            "team": self.team,
            "name": self.name,
            "role": self.role,
            "delivery": self.delivery.value,
            "answer": self.answer,
            "answered_at": self.answered_at,
            "calls": self.calls,
            "last_call_at": self.last_call_at,
        }


@dataclass(slots=True)
class _Send:
    key: SendKey
    group: bool
    text: str
    mr: int
    report: bool
    created_at: float
    state: SendState = SendState.CREATED
    resent: bool = False


@dataclass(slots=True)
class Alarm:
    """The state of one alarm, rebuilt from its facts."""

    id: str
    number: int
    type_code: str
    label: str
    priority: Priority
    button: str | None
    location: JsonDict
    location_text: str
    text: str
    test: bool
    source: str
    created_at: float
    required_accepts: int
    state: AlarmState = AlarmState.ACTIVE
    ended_at: float | None = None
    recipients: dict[tuple[int, bool], Recipient] = field(default_factory=dict)
    sends: dict[SendKey, _Send] = field(default_factory=dict)
    levels_fired: set[int] = field(default_factory=set)
    duplicates: int = 0
    timeline: list[Fact] = field(default_factory=list)

    @property
    def accepts(self) -> int:
        return sum(1 for r in self.recipients.values() if r.answer == "accept")

    @property
    def individuals(self) -> list[Recipient]:
        return [r for r in self.recipients.values() if not r.group]

    @property
    def led(self) -> Led:
        """The button's LED (issue 8 / hw/buttonbox/PROTOCOL.md §4.2).

        ON once resolved; FAST while every call-out to a person has failed;
        SLOW ("call-out sent") only once a radio has reported at least one
        call-out of this alarm sent over the air; OFF before that and after
        a cancel or expiry.
        """
        if self.state is AlarmState.RESOLVED:
            return Led.ON
        if self.state is not AlarmState.ACTIVE:
            return Led.OFF
        people = self.individuals
        if people and all(r.delivery is Delivery.FAILED for r in people):
            return Led.FAST
        if any(s.state is SendState.SENT and s.key.step != "x" for s in self.sends.values()):
            return Led.SLOW
        return Led.OFF

    def summary(self) -> JsonDict:
        """The alarm without its timeline (for lists)."""
        return {
            "id": self.id,
            "type": self.type_code,
            "label": self.label,
            "priority": self.priority.value,
            "button": self.button,
            "location": self.location_text,
            "text": self.text,
            "test": self.test,
            "source": self.source,
            "state": self.state.value,
            "created_at": self.created_at,
            "ended_at": self.ended_at,
            "required_accepts": self.required_accepts,
            "accepts": self.accepts,
            "duplicates": self.duplicates,
        }

    def to_dict(self) -> JsonDict:
        """The alarm with per-recipient state and its timeline (for detail views)."""
        d = self.summary()
        d["location_detail"] = self.location
        d["recipients"] = [r.to_dict() for r in self.recipients.values()]
        d["timeline"] = [
            {"at": f.at, "kind": f.kind, **{k: v for k, v in f.data.items() if k != "text"}}
            for f in self.timeline
        ]
        return d


def _location_dict(loc: Location) -> JsonDict:
    return {
        "building": loc.building,
        "floor": loc.floor,
        "unit": loc.unit,
        "room": loc.room,
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "altitude": loc.altitude,
        "text": loc.text,
    }


def _as_location(location: str | Location) -> Location:
    """A location given as a text, or as structured fields (HTTP API, other inputs)."""
    return location if isinstance(location, Location) else Location(text=location)


def _check_latin1(loc: Location) -> None:
    """Refuse a location the call-out cannot show.

    The call-out is sent in Latin-1 (text coding scheme 1, EN 300 392-2
    §29.5.4); a character outside it would reach the team as ``?``, a
    location they cannot read.  Buttons are checked with the configuration;
    this checks a location given with the trigger (CLI, HTTP, control socket).
    """
    for name in ("text", "building", "floor", "unit", "room"):
        value = getattr(loc, name)
        bad = sorted({ch for ch in value if ord(ch) > 0xFF})
        if bad:
            shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in bad)
            where = "location" if name == "text" else f"location {name}"
            raise ValueError(
                f"{where} {value!r} has character(s) the call-out cannot carry "
                f"(Latin-1 only): {shown}"
            )


def _location_from(d: JsonDict) -> Location:
    return Location(
        building=d.get("building") or "",
        floor=d.get("floor") or "",
        unit=d.get("unit") or "",
        room=d.get("room") or "",
        latitude=d.get("latitude"),
        longitude=d.get("longitude"),
        altitude=d.get("altitude"),
        text=d.get("text") or "",
    )


#: the one state a send may be in to move to RADIO_ACCEPTED / UNCONFIRMED
_BEFORE = {
    SendState.RADIO_ACCEPTED: SendState.CREATED,
    SendState.UNCONFIRMED: SendState.RADIO_ACCEPTED,
}

#: delivery status codes (EN 300 392-2 Table 29.16) that mean "consumed"
_CONSUMED_CODES = (0x02, 0x03)
_ALARM_ID_IN_TEXT = re.compile(r"#?\b(A\d+)\b", re.IGNORECASE)


class AlarmEngine:
    """The alarm state machine.  See the module docstring for the contract.

    Args:
        config: the validated configuration.
        first_number: the number of the next alarm id (``A<number>``); the
            controller takes it from the journal so ids stay unique across
            restarts.
        keep_closed: how many ended alarms to keep in memory for status views.
    """

    def __init__(self, config: AlarmConfig, *, first_number: int = 1, keep_closed: int = 200):
        # deadlines are kept per alarm and only recomputed for alarms whose facts
        # changed (or all of them after a reload), so a tick and next_deadline()
        # cost O(changed alarms + log n), not a scan of every alarm and recipient
        self._due: dict[str, float] = {}  # open alarm id -> its next deadline
        self._dirty: set[str] = set()  # alarms whose deadline must be recomputed
        self._deadline_heap: list[tuple[float, int, str]] = []  # (deadline, number, id)
        self._advance_all = False  # the next tick looks at every open alarm
        self.alarms: dict[str, Alarm] = {}
        self.config = config
        self._next_number = first_number
        self._keep_closed = keep_closed
        self._mr_next = 0
        self._by_mr: dict[tuple[int, int], SendKey] = {}
        self._last_press: dict[str, tuple[float, str]] = {}

    @property
    def config(self) -> AlarmConfig:
        """The configuration in use; setting it (a reload) re-plans every open alarm."""
        return self._config

    @config.setter
    def config(self, config: AlarmConfig) -> None:
        self._config = config
        self._dirty.update(self.alarms)
        self._advance_all = True  # new rules (e.g. escalations) apply at the next tick

    # ------------------------------------------------------------------ queries

    def alarm(self, alarm_id: str) -> Alarm:
        """The alarm with this id (:class:`UnknownAlarmError` if not known)."""
        try:
            return self.alarms[alarm_id]
        except KeyError:
            raise UnknownAlarmError(f"no alarm {alarm_id!r}") from None

    def open_alarms(self) -> list[Alarm]:
        return [a for a in self.alarms.values() if a.state.open]

    def pending_sends(self) -> list[SendSds]:
        """Sends journaled but not yet accepted by a radio (in flight at a crash)."""
        out = []
        for alarm in self.alarms.values():
            for s in alarm.sends.values():
                if s.state is SendState.CREATED:
                    out.append(self._send_action(alarm, s))
        return out

    def next_deadline(self) -> float | None:
        """When :meth:`tick` next has work to do, or ``None`` when nothing is scheduled."""
        self._refresh_deadlines()
        heap = self._deadline_heap
        while heap:
            when, _, alarm_id = heap[0]
            if self._due.get(alarm_id) == when:
                return when
            heapq.heappop(heap)  # stale: the alarm was re-planned or has ended
        return None

    def _refresh_deadlines(self) -> None:
        """Recompute the next deadline of every alarm whose facts changed since last time."""
        for alarm_id in self._dirty:
            alarm = self.alarms.get(alarm_id)
            due: float | None = None
            if alarm is not None and alarm.state.open:
                times = self._deadlines(alarm)
                due = min(times) if times else None
            if due is None:
                self._due.pop(alarm_id, None)
            elif self._due.get(alarm_id) != due:
                self._due[alarm_id] = due
                assert alarm is not None
                heapq.heappush(self._deadline_heap, (due, alarm.number, alarm_id))
        self._dirty.clear()

    # ------------------------------------------------------------------ inputs

    def trigger(
        self,
        now: float,
        *,
        button: str | None = None,
        alarm_type: str | None = None,
        location: str | Location | None = None,
        source: str = "",
    ) -> TriggerResult:
        """Raise an alarm by button, or by alarm type and a location text.

        A press of the same button (or the same type and location) within
        ``duplicate_window`` seconds of the last one, while its alarm has not
        been cancelled, is the same alarm: it is journaled as a duplicate press
        and nothing is sent again.

        Raises:
            ValueError: unknown button or alarm type, neither given, or a location
                with characters the Latin-1 call-out cannot carry.
        """
        if location is not None:
            _check_latin1(_as_location(location))
        loc: Location
        if button is not None:
            try:
                b = self.config.button(button)
            except KeyError:
                known = ", ".join(sorted(x.id for x in self.config.buttons))
                raise ValueError(f"unknown button {button!r} (buttons: {known})") from None
            code = alarm_type or b.alarm
            loc = b.location if location is None else _as_location(location)
            dup_key = f"button:{button}"
        elif alarm_type is not None:
            code = alarm_type
            loc = _as_location(location or "")
            dup_key = f"type:{alarm_type}:{' '.join(location_parts(loc))}"
        else:
            raise ValueError("give a button, or an alarm type and a location")
        try:
            at = self.config.alarm_type(code)
        except KeyError:
            known = ", ".join(a.code for a in self.config.alarm_types)
            raise ValueError(f"unknown alarm type {code!r} (alarm types: {known})") from None

        last = self._last_press.get(dup_key)
        if last is not None and now - last[0] < self.config.duplicate_window:
            prev = self.alarms.get(last[1])
            if prev is not None and prev.state is not AlarmState.CANCELLED:
                self._last_press[dup_key] = (now, prev.id)
                fact = Fact(now, prev.id, "duplicate_press", {"button": button, "source": source})
                actions = [*self._commit(fact), self._changed(prev, fact)]
                return TriggerResult(prev.id, True, actions)

        number = self._next_number
        alarm_id = f"A{number}"
        prefix = self.config.test_alarms.prefix if at.test else ""
        text = callout_text(at.label, loc, alarm_id, prefix=prefix)
        loc_text = " ".join(location_parts(loc))
        raised = Fact(
            now,
            alarm_id,
            "raised",
            {
                "number": number,
                "type": at.code,
                "label": at.label,
                "priority": at.priority.value,
                "button": button,
                "location": _location_dict(loc),
                "location_text": loc_text,
                "text": text,
                "test": at.test,
                "source": source,
                "required_accepts": 1 if at.test else at.required_accepts,
            },
        )
        actions = self._commit(raised)
        self._last_press[dup_key] = (now, alarm_id)
        alarm = self.alarms[alarm_id]
        targets = self.config.test_alarms.target if at.test else at.targets
        actions += self._add_targets(now, alarm, targets, level=0)
        actions += self._dispatch_due(now, alarm)
        actions.append(self._changed(alarm, raised))
        return TriggerResult(alarm_id, False, actions)

    def cancel(self, now: float, alarm_id: str, *, source: str = "") -> list[Action]:
        """Cancel an alarm as a false alarm: everyone who got the call-out gets a cancel.

        An active alarm and a resolved one may be cancelled: a resolved alarm's
        team is already on its way, and must be told it was a false alarm
        (alarm-domain.md §1.1: 7.5 % of arrest calls are unintentional).

        Raises:
            UnknownAlarmError: no such alarm.
            ValueError: the alarm is already cancelled or expired.
        """
        alarm = self.alarm(alarm_id)
        if alarm.state in (AlarmState.CANCELLED, AlarmState.EXPIRED):
            raise ValueError(f"alarm {alarm_id} is already {alarm.state.value}")
        fact = Fact(now, alarm_id, "cancelled", {"source": source})
        actions = self._commit(fact)
        cancel_text = callout_text(
            alarm.label, _location_from(alarm.location), alarm.id, prefix=CANCEL_PREFIX
        )
        for r in list(alarm.recipients.values()):
            if r.calls > 0 and not r.cancel_sent:
                actions += self._new_send(now, alarm, r, "x", cancel_text)
        actions.append(self._changed(alarm, fact))
        return actions

    def send_accepted(self, now: float, key: SendKey, *, radio: str = "") -> list[Action]:
        """The radio accepted the SDS (``+CMGS: <inst>`` then ``OK``)."""
        return self._send_state(now, key, SendState.RADIO_ACCEPTED, "", radio)

    def send_sent(self, now: float, key: SendKey, *, radio: str = "") -> list[Action]:
        """The radio sent the SDS over the air (``+CMGS: <inst>,4,<ref>``)."""
        return self._send_state(now, key, SendState.SENT, "", radio)

    def send_failed(
        self, now: float, key: SendKey, reason: str = "", *, radio: str = ""
    ) -> list[Action]:
        """The SDS failed (``+CMGS`` status 5, a command error, no radio)."""
        return self._send_state(now, key, SendState.FAILED, reason, radio)

    def forget(self, alarm_id: str) -> None:
        """Drop an alarm whose facts could not be journaled (the trigger is refused)."""
        alarm = self.alarms.pop(alarm_id, None)
        if alarm is None:
            return
        self._due.pop(alarm_id, None)
        self._dirty.discard(alarm_id)
        for k, s in alarm.sends.items():
            if self._by_mr.get((k.recipient, s.mr)) == k:
                del self._by_mr[(k.recipient, s.mr)]
        for press, (_, aid) in list(self._last_press.items()):
            if aid == alarm_id:
                del self._last_press[press]

    def delivery_report(
        self, now: float, *, sender: int, message_reference: int, status: int
    ) -> list[Action]:
        """An SDS-TL report (or short report) from ``sender`` for our message reference.

        ``status`` is the delivery status of EN 300 392-2 Table 29.16, classified
        by range: 0x00-0x1F success (0x02/0x03 consumed, else received),
        0x20-0x3F stored by the SwMI (logged only), 0x40-0x5F failed.
        """
        key = self._by_mr.get((sender, message_reference))
        alarm = self.alarms.get(key.alarm_id) if key else None
        if key is None or alarm is None:
            fact = Fact(
                now,
                "",
                "ignored",
                {"issi": sender, "reason": "report for an unknown message reference",
                 "message_reference": message_reference, "status": status},
            )
            return self._commit(fact)
        if status < 0x20:
            outcome = "consumed" if status in _CONSUMED_CODES else "received"
        elif status < 0x40:
            outcome = "stored"
        elif status < 0x60:
            outcome = "failed"
        else:
            outcome = "other"
        fact = Fact(
            now,
            alarm.id,
            "delivery",
            {"issi": sender, "key": str(key), "status": status, "outcome": outcome},
        )
        actions = [*self._commit(fact), self._changed(alarm, fact)]
        s = alarm.sends.get(key)
        if s is not None and s.state is SendState.UNCONFIRMED:
            # a report proves what the lost +CMGS result would have told
            if outcome in ("received", "consumed"):
                actions += self._send_state(now, key, SendState.SENT,
                                            "confirmed by a delivery report")
            elif outcome == "failed":
                actions += self._send_state(now, key, SendState.FAILED,
                                            f"delivery report 0x{status:02X}")
        actions += self._advance(now, alarm)
        return actions

    def status_received(self, now: float, *, sender: int, value: int) -> list[Action]:
        """A status SDS (AI service 13) from a radio: maybe an answer to an alarm."""
        return self._answer(now, sender, "status", f"0x{value:04X}", value=value)

    def text_received(self, now: float, *, sender: int, text: str) -> list[Action]:
        """A text SDS from a radio: maybe an answer (``JA``, ``NEI #A17`` ...)."""
        return self._answer(now, sender, "text", text, text=text)

    def tick(self, now: float) -> list[Action]:
        """Do what is due at ``now``: repeats, group repeats, escalations, expiry.

        Only alarms with a deadline at or before ``now`` are looked at (all
        open ones after a restore or a reload), in the order they were raised.
        """
        self._refresh_deadlines()
        heap = self._deadline_heap
        due: set[str] = set()
        while heap and heap[0][0] <= now:
            when, _, alarm_id = heapq.heappop(heap)
            if self._due.get(alarm_id) == when:
                due.add(alarm_id)
                del self._due[alarm_id]
                self._dirty.add(alarm_id)  # re-planned after this tick, acted on or not
        if self._advance_all:
            self._advance_all = False
            due.update(a.id for a in self.open_alarms())
            self._dirty.update(due)
        alarms = sorted((self.alarms[i] for i in due if i in self.alarms),
                        key=lambda a: a.number)
        actions: list[Action] = []
        for alarm in alarms:
            actions += self._advance(now, alarm)
        return actions

    def resume(self, now: float) -> list[Action]:
        """After :meth:`restore`: re-send, once, what was in flight at the crash.

        Sends journaled but never accepted by a radio may or may not have been
        written before the process died; they are sent again (at-least-once:
        a duplicate call-out is better than a lost one).  A send already
        re-sent once after an earlier restart is reported failed instead, so a
        crash loop cannot flood a radio.  Sends a radio had accepted, whose
        sent/failed result was lost with the old process, become
        ``unconfirmed`` (never re-sent: the radio has them); a delivery report
        or an answer from the recipient settles them later.  Then overdue
        timers fire via :meth:`tick`.
        """
        actions: list[Action] = []
        for alarm in list(self.alarms.values()):
            for s in list(alarm.sends.values()):
                if s.state is SendState.RADIO_ACCEPTED:
                    actions += self._send_state(
                        now, s.key, SendState.UNCONFIRMED,
                        "accepted by a radio before the restart; its sent/failed result was lost",
                    )
                    continue
                if s.state is not SendState.CREATED:
                    continue
                if not alarm.state.open and s.key.step != "x":
                    actions += self._send_state(now, s.key, SendState.FAILED, "alarm ended")
                elif s.resent:
                    actions += self._send_state(
                        now, s.key, SendState.FAILED, "in flight at two restarts"
                    )
                else:
                    fact = Fact(now, alarm.id, "resend", {"key": str(s.key)})
                    actions += self._commit(fact)
                    actions.append(self._send_action(alarm, s))
        actions += self.tick(now)
        return actions

    def restore(self, facts: Iterable[Fact]) -> None:
        """Rebuild state from journaled facts (in journal order); sends nothing."""
        self._advance_all = True  # the first tick looks at every restored alarm
        for fact in facts:
            self.apply(fact)
            if fact.kind == "raised":
                self._next_number = max(self._next_number, int(fact.data["number"]) + 1)
                button = fact.data.get("button")
                if button:
                    self._last_press[f"button:{button}"] = (fact.at, fact.alarm_id)

    # ------------------------------------------------------------------ facts -> state

    def apply(self, fact: Fact) -> None:
        """Apply one fact to the state.  The only place where state changes."""
        d = fact.data
        if fact.kind == "raised":
            self._next_number = max(self._next_number, int(d["number"]) + 1)
            self.alarms[fact.alarm_id] = Alarm(
                id=fact.alarm_id,
                number=int(d["number"]),
                type_code=d["type"],
                label=d["label"],
                priority=Priority(d["priority"]),
                button=d.get("button"),
                location=dict(d["location"]),
                location_text=d.get("location_text", ""),
                text=d["text"],
                test=bool(d.get("test")),
                source=d.get("source", ""),
                created_at=fact.at,
                required_accepts=int(d["required_accepts"]),
            )
            self._trim()
        alarm = self.alarms.get(fact.alarm_id)
        if alarm is None:
            return  # a global fact (ignored answer) or an alarm trimmed from memory
        alarm.timeline.append(fact)
        self._dirty.add(alarm.id)
        kind = fact.kind
        if kind == "recipient":
            rkey = (int(d["issi"]), bool(d["group"]))
            if rkey not in alarm.recipients:
                alarm.recipients[rkey] = Recipient(
                    issi=rkey[0],
                    group=rkey[1],
                    level=int(d["level"]),
                    team=d.get("team"),
                    name=d.get("name", ""),
                    role=d.get("role", ""),
                )
        elif kind == "send":
            key = SendKey.parse(d["key"])
            r = alarm.recipients[(key.recipient, bool(d["group"]))]
            s = _Send(key, bool(d["group"]), d["text"], int(d["mr"]), bool(d["report"]), fact.at)
            alarm.sends[key] = s
            self._by_mr[(key.recipient, s.mr)] = key
            self._mr_next = (s.mr + 1) % 256
            if key.step == "x":
                r.cancel_sent = True
            else:
                r.calls += 1
                r.last_call_at = fact.at
                r.last_key = key
                if r.first_call_at is None:
                    r.first_call_at = fact.at
                if r.delivery is Delivery.FAILED:
                    r.delivery = Delivery.QUEUED
        elif kind == "send_state":
            key = SendKey.parse(d["key"])
            s2 = alarm.sends.get(key)
            if s2 is not None:
                s2.state = SendState(d["state"])
                r = alarm.recipients[(key.recipient, s2.group)]
                if key.step != "x" and key == r.last_key:
                    new = {
                        SendState.RADIO_ACCEPTED: Delivery.RADIO_ACCEPTED,
                        SendState.UNCONFIRMED: Delivery.UNCONFIRMED,
                        SendState.SENT: Delivery.SENT,
                        SendState.FAILED: Delivery.FAILED,
                    }[s2.state]
                    self._progress(r, new)
        elif kind == "resend":
            key = SendKey.parse(d["key"])
            if key in alarm.sends:
                alarm.sends[key].resent = True
        elif kind == "delivery":
            key = SendKey.parse(d["key"])
            s3 = alarm.sends.get(key)
            if s3 is not None and key.step != "x":
                r = alarm.recipients[(key.recipient, s3.group)]
                outcome = d["outcome"]
                if outcome in ("received", "consumed"):
                    self._progress(r, Delivery(outcome))
                elif outcome == "failed" and key == r.last_key:
                    self._progress(r, Delivery.FAILED)
        elif kind == "answer":
            rkey = (int(d["issi"]), False)
            if rkey not in alarm.recipients:
                alarm.recipients[rkey] = Recipient(
                    issi=rkey[0], group=False, level=int(d.get("level", 0)),
                    team=d.get("team"), name=d.get("name", ""), role=d.get("role", ""),
                )
            r = alarm.recipients[rkey]
            r.answer = d["answer"]
            r.answered_at = fact.at
        elif kind == "escalated":
            alarm.levels_fired.add(int(d["level"]))
        elif kind == "duplicate_press":
            alarm.duplicates += 1
        elif kind in ("resolved", "cancelled", "expired"):
            alarm.state = AlarmState(kind)
            alarm.ended_at = fact.at

    @staticmethod
    def _progress(r: Recipient, new: Delivery) -> None:
        if new is Delivery.UNCONFIRMED:
            if r.delivery is Delivery.RADIO_ACCEPTED:
                r.delivery = new
        elif new is Delivery.FAILED:
            if r.delivery.rank < Delivery.RECEIVED.rank:
                r.delivery = Delivery.FAILED
        elif new.rank > r.delivery.rank:
            r.delivery = new

    # ------------------------------------------------------------------ internals

    def _commit(self, fact: Fact) -> list[Action]:
        self.apply(fact)
        return [Record(fact)]

    def _changed(self, alarm: Alarm, fact: Fact) -> AlarmChanged:
        return AlarmChanged(alarm.id, alarm.state, alarm.button, alarm.led, fact.kind)

    def _trim(self) -> None:
        closed = [a for a in self.alarms.values() if not a.state.open]
        excess = len(closed) - self._keep_closed
        for a in sorted(closed, key=lambda x: x.created_at)[: max(0, excess)]:
            del self.alarms[a.id]
            self._due.pop(a.id, None)
            self._dirty.discard(a.id)
            for k in a.sends:
                if self._by_mr.get((k.recipient, a.sends[k].mr)) == k:
                    del self._by_mr[(k.recipient, a.sends[k].mr)]

    def _add_targets(self, now: float, alarm: Alarm, targets: Targets, level: int) -> list[Action]:
        actions: list[Action] = []

        def add(issi: int, group: bool, team: str | None = None, name: str = "",
                role: str = "") -> None:
            if (issi, group) in alarm.recipients:
                return
            fact = Fact(now, alarm.id, "recipient", {
                "issi": issi, "group": group, "level": level, "team": team,
                "name": name, "role": role,
            })
            actions.extend(self._commit(fact))

        for tid in targets.teams:
            team = self.config.team(tid)
            for m in team.members:
                add(m.issi, False, team.id, m.name, m.role)
            for g in team.groups:
                add(g, True, team.id, team.name)
        for g in targets.groups:
            add(g, True)
        for issi in targets.issis:
            add(issi, False)
        return actions

    def _alarm_type(self, alarm: Alarm) -> AlarmType | None:
        try:
            return self.config.alarm_type(alarm.type_code)
        except KeyError:
            return None  # the type was removed by a reload; the alarm keeps running

    def _new_send(
        self, now: float, alarm: Alarm, r: Recipient, step: str, text: str
    ) -> list[Action]:
        key = SendKey(alarm.id, r.issi, step)
        if key in alarm.sends:
            return []  # a key is sent once, ever
        mr = self._allocate_mr(r.issi)
        fact = Fact(now, alarm.id, "send", {
            "key": str(key), "group": r.group, "text": text, "mr": mr, "report": not r.group,
        })
        actions = self._commit(fact)
        actions.append(self._send_action(alarm, alarm.sends[key]))
        return actions

    def _allocate_mr(self, issi: int) -> int:
        """Next SDS-TL message reference (8 bits; SDS-TRANSFER, EN 300 392-2 cl. 29.4, Table 29.14).

        One counter for all destinations, so that a group call-out and a
        member's own call-out sent together carry different references; a
        reference still in use by an open alarm for the same destination is
        skipped, so a report always finds its send.
        """
        start = self._mr_next
        for i in range(256):
            mr = (start + i) % 256
            key = self._by_mr.get((issi, mr))
            busy = False
            if key is not None:
                a = self.alarms.get(key.alarm_id)
                busy = a is not None and a.state.open
            if not busy:
                return mr
        return start

    def _send_action(self, alarm: Alarm, s: _Send) -> SendSds:
        return SendSds(
            key=s.key,
            destination=s.key.recipient,
            group=s.group,
            text=s.text,
            message_reference=s.mr,
            report=s.report,
            priority=alarm.priority,
            created_at=s.created_at,
        )

    def _send_state(
        self, now: float, key: SendKey, state: SendState, reason: str, radio: str = ""
    ) -> list[Action]:
        alarm = self.alarms.get(key.alarm_id)
        s = alarm.sends.get(key) if alarm else None
        if alarm is None or s is None:
            # e.g. a result for a send of an alarm trimmed from memory: keep it in the audit trail
            return self._commit(Fact(now, key.alarm_id, "ignored", {
                "key": str(key), "state": state.value, "reason": "result for an unknown send",
            }))
        if s.state is state or (
            state in (SendState.RADIO_ACCEPTED, SendState.UNCONFIRMED)
            and s.state is not _BEFORE[state]
        ):
            return []  # a late or repeated result does not turn a send back
        data: JsonDict = {"key": str(key), "state": state.value}
        if reason:
            data["reason"] = reason
        if radio:
            data["radio"] = radio
        fact = Fact(now, alarm.id, "send_state", data)
        actions = self._commit(fact)
        actions.append(self._changed(alarm, fact))
        if alarm.state.open:
            actions += self._advance(now, alarm)
        return actions

    def _answer(
        self, now: float, sender: int, via: str, shown: str, *, value: int | None = None,
        text: str | None = None,
    ) -> list[Action]:
        # open alarms, and resolved ones: a late accept still tells who is coming
        candidates = [
            a for a in self.alarms.values()
            if a.state in (AlarmState.ACTIVE, AlarmState.RESOLVED) and self._eligible(a, sender)
        ]
        answer: str | None = None
        alarm: Alarm | None = None
        if text is not None:
            m = _ALARM_ID_IN_TEXT.search(text)
            named = m.group(1).upper() if m else None
            if named is not None:
                candidates = [a for a in candidates if a.id == named]
        if candidates:
            # the sender's most recent open alarm it has not answered yet, else its most recent
            candidates.sort(key=lambda a: (a.state.open, a.created_at))
            unanswered = [a for a in candidates if self._answer_of(a, sender) is None]
            alarm = (unanswered or candidates)[-1]
            at = self._alarm_type(alarm)
            answers = self.config.answers_for(at) if at else self.config.answers
            if value is not None:
                answer = answers.classify_status(value)
            elif text is not None:
                answer = answers.classify_text(text)
        if alarm is None or answer is None:
            reason = (
                "not a recipient of any current alarm" if alarm is None else "not an answer"
            )
            fact = Fact(now, alarm.id if alarm else "", "ignored",
                        {"issi": sender, "via": via, "value": to_latin1(shown)[:100],
                         "reason": reason})
            return self._commit(fact)
        if self._answer_of(alarm, sender) == answer:
            # the same answer again (a member answers each copy of a call-out it gets):
            # kept in the audit trail, changes nothing
            return self._commit(Fact(now, alarm.id, "answer_repeated", {
                "issi": sender, "answer": answer, "via": via, "value": to_latin1(shown)[:100],
            }))
        team, name, role, level = self._who(alarm, sender)
        fact = Fact(now, alarm.id, "answer", {
            "issi": sender, "answer": answer, "via": via, "value": to_latin1(shown)[:100],
            "team": team, "name": name, "role": role, "level": level,
        })
        actions = self._commit(fact)
        actions.append(self._changed(alarm, fact))
        for s in list(alarm.sends.values()):
            if s.state is SendState.UNCONFIRMED and s.key.recipient == sender and not s.group:
                # the person answered: the call-out reached them
                actions += self._send_state(now, s.key, SendState.SENT,
                                            "confirmed by an answer from the recipient")
        actions += self._advance(now, alarm)
        return actions

    def _answer_of(self, alarm: Alarm, issi: int) -> str | None:
        r = alarm.recipients.get((issi, False))
        return r.answer if r else None

    def _eligible(self, alarm: Alarm, issi: int) -> bool:
        """May ``issi`` answer this alarm: a recipient, or a member of a team of a called group."""
        if (issi, False) in alarm.recipients:
            return True
        groups = {r.issi for r in alarm.recipients.values() if r.group}
        return any(
            t.member(issi) is not None and groups.intersection(t.groups) for t in self.config.teams
        )

    def _who(self, alarm: Alarm, issi: int) -> tuple[str | None, str, str, int]:
        r = alarm.recipients.get((issi, False))
        if r is not None:
            return r.team, r.name, r.role, r.level
        groups = {g.issi: g.level for g in alarm.recipients.values() if g.group}
        for t in self.config.teams:
            m = t.member(issi)
            hit = [groups[g] for g in t.groups if g in groups]
            if m is not None and hit:
                return t.id, m.name, m.role, min(hit)
        return None, "", "", 0

    def _all_rejected(self, alarm: Alarm) -> bool:
        people = alarm.individuals
        return bool(people) and all(r.answer == "reject" for r in people)

    def _deadlines(self, alarm: Alarm) -> list[float]:
        at = self._alarm_type(alarm)
        if at is None:
            return []
        out = [alarm.created_at + at.expire_after]
        for i, lvl in enumerate(at.escalation if not alarm.test else ()):
            if i not in alarm.levels_fired and lvl.after is not None:
                out.append(alarm.created_at + lvl.after)
        for r in alarm.recipients.values():
            due = self._call_due(alarm, at, r)
            if due is not None:
                out.append(due)
        return out

    def _call_due(self, alarm: Alarm, at: AlarmType, r: Recipient) -> float | None:
        """When recipient ``r`` is next due a call-out, or ``None``."""
        if r.calls == 0:
            return alarm.created_at
        if r.group:
            if r.calls > at.group_repeats or r.first_call_at is None:
                return None
            return r.first_call_at + r.calls * at.group_repeat_spacing
        if r.answer is not None or r.last_call_at is None:
            return None
        last = alarm.sends.get(r.last_key) if r.last_key else None
        if last is not None and last.state is SendState.CREATED:
            return None  # still queued: do not stack repeats behind a busy or dead radio
        return r.last_call_at + at.repeat_interval

    def _dispatch_due(self, now: float, alarm: Alarm) -> list[Action]:
        at = self._alarm_type(alarm)
        if at is None:
            return []
        actions: list[Action] = []
        for r in list(alarm.recipients.values()):
            due = self._call_due(alarm, at, r)
            if due is not None and due <= now:
                step = f"g{r.calls + 1}" if r.group else f"c{r.calls + 1}"
                actions += self._new_send(now, alarm, r, step, alarm.text)
        return actions

    def _advance(self, now: float, alarm: Alarm) -> list[Action]:
        """Resolution, escalation, repeats and expiry for one open alarm."""
        if not alarm.state.open:
            return []
        actions: list[Action] = []
        if self._resolved(alarm):
            fact = Fact(now, alarm.id, "resolved", {"accepts": alarm.accepts})
            actions += self._commit(fact)
            actions.append(self._changed(alarm, fact))
            return actions
        at = self._alarm_type(alarm)
        if at is not None and now >= alarm.created_at + at.expire_after:
            fact = Fact(now, alarm.id, "expired", {"accepts": alarm.accepts})
            actions += self._commit(fact)
            actions.append(self._changed(alarm, fact))
            return actions
        if at is not None and not alarm.test:
            for i, lvl in enumerate(at.escalation):
                if i in alarm.levels_fired:
                    continue
                timed = lvl.after is not None and now >= alarm.created_at + lvl.after
                rejected = lvl.when_all_rejected and self._all_rejected(alarm)
                if timed or rejected:
                    reason = (
                        f"fewer than {alarm.required_accepts} accepts after {lvl.after:g} s"
                        if timed and lvl.after is not None
                        else "all recipients rejected"
                    )
                    fact = Fact(now, alarm.id, "escalated", {"level": i, "reason": reason})
                    actions += self._commit(fact)
                    actions += self._add_targets(now, alarm, lvl.targets, level=i + 1)
                    actions.append(self._changed(alarm, fact))
        actions += self._dispatch_due(now, alarm)
        return actions

    def _resolved(self, alarm: Alarm) -> bool:
        if alarm.test:
            # a test alarm proves the chain: done when every test radio got it (or answered)
            people = alarm.individuals
            return bool(people) and all(
                r.answer == "accept" or r.delivery.rank >= Delivery.RECEIVED.rank for r in people
            )
        return alarm.accepts >= alarm.required_accepts
