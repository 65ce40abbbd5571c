"""Team members: handheld radios without a PEI, carried by people who answer (or not).

A :class:`TeamMember` is a subscriber of the simulated network.  When a
call-out reaches it (an SDS-TL or simple text message, or a user status that
is not itself an answer) its SDS-TL layer sends the "received" report at once
if the transfer asks for it, the person reads it after ``read_after`` seconds
("consumed" report if asked for), and answers after ``after`` seconds as the
behaviour says.  Answers use the identities of ``docs/architecture.md``:
status 0x8001 accept ("kommer"), 0x8002 reject ("kan ikke"), 0x8003 standby,
or the texts ``JA`` / ``NEI`` / ``VENT``; an answer goes to the ISSI that sent
the call-out.

Members move (:class:`RandomWalk` around a point, or :class:`Waypoints`) and
send LIP location reports (TS 100 392-18-1, PI 0x0A) periodically (reason 129
"maximum reporting interval exceeded") and when an immediate location report
request arrives (reason 32).

Everything random is drawn from the member's own seeded generator, so a run is
the same for the same scenario seed.
"""

from __future__ import annotations

import math
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from firmware_sim import codec
from firmware_sim.air import AirSds, AiService, Reachability
from firmware_sim.clock import Scheduler
from firmware_sim.network import DeliveryStatus, Network
from firmware_sim.worldlog import WorldLog

__all__ = [
    "ANSWER_STATUS",
    "ANSWER_TEXT",
    "Behaviour",
    "Fixed",
    "LipSettings",
    "Mobility",
    "RandomWalk",
    "TeamMember",
    "Waypoints",
]

#: answer -> pre-coded status value (user range 0x8000-0xFFFF)
ANSWER_STATUS = {"accept": 0x8001, "reject": 0x8002, "standby": 0x8003}
#: answer -> reply text
ANSWER_TEXT = {"accept": "JA", "reject": "NEI", "standby": "VENT"}
ANSWERS = (*ANSWER_STATUS, "none")

_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class Behaviour:
    """How the person carrying a radio answers call-outs.

    Attributes:
        answer: ``accept``, ``reject``, ``standby`` or ``none`` (reads, never answers).
        after: seconds from delivery to the answer, as a ``(low, high)`` range
            drawn uniformly per call-out (equal bounds = fixed).
        read_after: seconds from delivery to reading it (the "consumed"
            report); ``None`` = half of the answer delay.
        via: ``status`` (0x8001/2/3) or ``text`` (JA/NEI/VENT).
        text: reply text instead of the default for the answer.
    """

    answer: str = "accept"
    after: tuple[float, float] = (10.0, 10.0)
    read_after: tuple[float, float] | None = None
    via: str = "status"
    text: str | None = None

    def __post_init__(self) -> None:
        if self.answer not in ANSWERS:
            raise ValueError(f"answer must be one of {', '.join(ANSWERS)}")
        if self.via not in ("status", "text"):
            raise ValueError("via must be status or text")
        for rng in (self.after, self.read_after):
            if rng is not None and not 0 <= rng[0] <= rng[1]:
                raise ValueError(f"bad delay range {rng}")


class Mobility(ABC):
    """Where a member is at a given simulated time."""

    @abstractmethod
    def at(self, t: float) -> tuple[float, float, float | None, float | None]:
        """``(latitude, longitude, speed km/h or None, direction degrees or None)``."""


def _offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    dlat = north_m / _M_PER_DEG_LAT
    dlon = east_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 1e-6))
    return lat + dlat, lon + dlon


@dataclass(slots=True)
class Fixed(Mobility):
    """Stays at one point."""

    latitude: float
    longitude: float

    def at(self, t: float) -> tuple[float, float, float | None, float | None]:
        return self.latitude, self.longitude, 0.0, None


@dataclass(slots=True)
class RandomWalk(Mobility):
    """A seeded random walk inside a circle (a person moving about a building).

    Every ``step`` seconds the heading turns by a random angle and the person
    moves ``speed * step`` metres; at the edge of the circle they turn back
    towards the centre.
    """

    latitude: float
    longitude: float
    radius_m: float = 60.0
    speed_mps: float = 1.2
    step: float = 5.0
    rng: random.Random = field(default_factory=random.Random)
    _x: float = 0.0
    _y: float = 0.0
    _heading: float = 0.0
    _steps: int = 0

    def __post_init__(self) -> None:
        # start somewhere inside the circle, not all at the centre
        r = self.radius_m * math.sqrt(self.rng.random()) * 0.8
        a = self.rng.uniform(0.0, 2 * math.pi)
        self._x, self._y = r * math.sin(a), r * math.cos(a)
        self._heading = self.rng.uniform(0.0, 360.0)

    def _advance(self, steps: int) -> None:
        d = self.speed_mps * self.step
        for _ in range(steps):
            self._heading = (self._heading + self.rng.gauss(0.0, 40.0)) % 360.0
            h = math.radians(self._heading)
            nx, ny = self._x + d * math.sin(h), self._y + d * math.cos(h)
            if math.hypot(nx, ny) > self.radius_m:
                self._heading = (math.degrees(math.atan2(-self._x, -self._y))
                                 + self.rng.uniform(-30.0, 30.0)) % 360.0
                h = math.radians(self._heading)
                nx, ny = self._x + d * math.sin(h), self._y + d * math.cos(h)
            self._x, self._y = nx, ny
        self._steps += steps

    def at(self, t: float) -> tuple[float, float, float | None, float | None]:
        due = int(max(t, 0.0) // self.step)
        if due > self._steps:
            self._advance(due - self._steps)
        lat, lon = _offset(self.latitude, self.longitude, self._x, self._y)
        return lat, lon, self.speed_mps * 3.6, self._heading


@dataclass(slots=True)
class Waypoints(Mobility):
    """Walks a closed loop through ``points`` at ``speed_mps``."""

    points: list[tuple[float, float]]
    speed_mps: float = 1.2

    def __post_init__(self) -> None:
        if not self.points:
            raise ValueError("at least one waypoint is needed")

    def at(self, t: float) -> tuple[float, float, float | None, float | None]:
        pts = self.points
        if len(pts) == 1 or self.speed_mps <= 0:
            return pts[0][0], pts[0][1], 0.0, None
        legs = []
        for (la1, lo1), (la2, lo2) in zip(pts, pts[1:] + pts[:1], strict=True):
            north = (la2 - la1) * _M_PER_DEG_LAT
            east = (lo2 - lo1) * _M_PER_DEG_LAT * math.cos(math.radians(la1))
            legs.append((la1, lo1, la2, lo2, math.hypot(north, east), east, north))
        total = sum(leg[4] for leg in legs)
        if total == 0:
            return pts[0][0], pts[0][1], 0.0, None
        pos = (self.speed_mps * max(t, 0.0)) % total
        for la1, lo1, la2, lo2, length, east, north in legs:
            if pos <= length and length > 0:
                f = pos / length
                heading = math.degrees(math.atan2(east, north)) % 360.0
                return la1 + f * (la2 - la1), lo1 + f * (lo2 - lo1), self.speed_mps * 3.6, heading
            pos -= length
        return pts[0][0], pts[0][1], 0.0, None


@dataclass(frozen=True, slots=True)
class LipSettings:
    """LIP reporting of a member.

    Attributes:
        destination: ISSI that receives the reports.
        interval: seconds between periodic reports; ``None`` = only on request.
        long: send long location reports instead of short ones.
    """

    destination: int
    interval: float | None = 60.0
    long: bool = False


class TeamMember:
    """A handheld radio and the person carrying it.

    Args:
        issi: the radio's ISSI.
        network: the SwMI it is attached to.
        behaviour: how call-outs are answered.
        mobility: where it is over time.
        lip: LIP reporting, or ``None`` for none.
        rng: the member's seeded random source.
        powered: switched on at start.
        name: for the log.
    """

    def __init__(
        self,
        issi: int,
        network: Network,
        behaviour: Behaviour,
        *,
        mobility: Mobility | None = None,
        lip: LipSettings | None = None,
        rng: random.Random | None = None,
        powered: bool = True,
        name: str = "",
    ) -> None:
        self._issi = issi
        self.name = name
        self.network = network
        self.scheduler: Scheduler = network.scheduler
        self.log: WorldLog = network.log
        self.behaviour = behaviour
        self.mobility = mobility
        self.lip = lip
        self.rng = rng if rng is not None else random.Random(issi)
        self.powered = powered
        self.in_coverage = True
        self._mr = self.rng.randrange(256)
        self.callouts = 0

    @property
    def issi(self) -> int:
        return self._issi

    def reachability(self) -> Reachability:
        if not self.powered:
            return Reachability.NOT_REGISTERED
        if not self.in_coverage:
            return Reachability.UNREACHABLE
        return Reachability.OK

    # -- power and coverage --------------------------------------------------------------------
    def set_power(self, on: bool) -> None:
        if on != self.powered:
            self.powered = on
            self.log.record(self.scheduler.now, "power", member=self._issi, on=on)

    def set_coverage(self, in_coverage: bool) -> None:
        if in_coverage != self.in_coverage:
            self.in_coverage = in_coverage
            self.log.record(self.scheduler.now, "coverage", member=self._issi,
                            in_coverage=in_coverage)

    # -- LIP -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Start periodic LIP reporting (first report at a seeded offset within one interval)."""
        if self.lip is not None and self.lip.interval:
            first = self.rng.uniform(0.0, self.lip.interval)
            self.scheduler.call_later(first, self._periodic_lip)

    def _periodic_lip(self) -> None:
        assert self.lip is not None and self.lip.interval
        if self.reachability() is Reachability.OK:
            self.send_location(self.lip.destination, reason=129)
        self.scheduler.call_later(self.lip.interval, self._periodic_lip)

    def position(self) -> tuple[float, float, float | None, float | None] | None:
        """Current ``(lat, lon, speed km/h, direction)``, or ``None`` without mobility."""
        return None if self.mobility is None else self.mobility.at(self.scheduler.now)

    def send_location(self, dest: int, *, reason: int) -> None:
        """Send one LIP location report to ``dest``."""
        pos = self.position()
        if pos is None:
            return
        lat, lon, speed, direction = pos
        long = self.lip.long if self.lip is not None else False
        payload, bits = codec.lip_report(lat, lon, speed_kmh=speed, direction_deg=direction,
                                         reason=reason, long=long)
        sds = self.network.submit(AirSds(self._issi, dest, AiService.SDS_TYPE_4, payload, bits))
        self.log.record(self.scheduler.now, "lip_report", id=sds.sds_id,
                        **{"from": self._issi}, to=dest, lat=round(lat, 6), lon=round(lon, 6),
                        reason=reason)

    # -- receiving -------------------------------------------------------------------------------
    def deliver(self, sds: AirSds) -> None:
        """An SDS reached this radio."""
        pdu = codec.decode(sds)
        if pdu is not None and sds.ai_service == AiService.SDS_TYPE_4 and \
                codec.is_location_request(pdu):
            dest = self.lip.destination if self.lip is not None else sds.source
            self.scheduler.call_later(0.5, lambda: self.send_location(dest, reason=32))
            return
        info = codec.transfer_info(sds)
        group = self.network.is_group(sds.dest)
        if info is not None:
            if info.wants_received and (not group or self.network.config.group_reports):
                self._report(sds, info, DeliveryStatus.RECEIVED)
            if info.text is None:
                return  # an SDS-TL transfer that is not a text: nothing for a person
            self._callout(sds, info, info.text)
            return
        kind = codec.describe(sds)
        if kind.get("kind") == "text":
            self._callout(sds, None, str(kind.get("text", "")))
        elif sds.ai_service == AiService.STATUS:
            value = sds.status_value
            if value is not None and value >= 0x8000 and value not in ANSWER_STATUS.values():
                self._callout(sds, None, f"status 0x{value:04X}")

    def _callout(self, sds: AirSds, info: codec.TransferInfo | None, text: str) -> None:
        self.callouts += 1
        b = self.behaviour
        answer_at = self.rng.uniform(*b.after)
        read_at = self.rng.uniform(*b.read_after) if b.read_after is not None else answer_at / 2
        read_at = min(read_at, answer_at)
        self.log.record(self.scheduler.now, "callout_received", member=self._issi,
                        id=sds.sds_id, **{"from": sds.source}, to=sds.dest, text=text)
        self.scheduler.call_later(read_at, lambda: self._read(sds, info))
        if b.answer != "none":
            self.scheduler.call_later(answer_at, lambda: self._answer(sds))

    def _read(self, sds: AirSds, info: codec.TransferInfo | None) -> None:
        if not self.powered:
            return
        self.log.record(self.scheduler.now, "read", member=self._issi, id=sds.sds_id)
        group = self.network.is_group(sds.dest)
        if info is not None and info.wants_consumed and (
                not group or self.network.config.group_reports):
            self._report(sds, info, DeliveryStatus.CONSUMED)

    def _report(self, sds: AirSds, info: codec.TransferInfo, status: int) -> None:
        payload, bits = codec.build_report(info.protocol_id, status, info.message_reference)
        report = self.network.submit(
            AirSds(self._issi, sds.source, AiService.SDS_TYPE_4, payload, bits))
        self.log.record(self.scheduler.now, "report", id=report.sds_id,
                        **{"from": self._issi}, to=sds.source, mr=info.message_reference,
                        delivery_status=status, status_name=codec.delivery_status_name(status),
                        by="member")

    def _answer(self, sds: AirSds) -> None:
        if not self.powered:
            return
        b = self.behaviour
        if b.via == "status":
            value = ANSWER_STATUS[b.answer]
            payload, bits = codec.status_payload(value)
            out = AirSds(self._issi, sds.source, AiService.STATUS, payload, bits)
            shown: object = f"0x{value:04X}"
        else:
            text = b.text if b.text is not None else ANSWER_TEXT[b.answer]
            self._mr = (self._mr + 1) % 256
            payload, bits = codec.text_payload(text, self._mr)
            out = AirSds(self._issi, sds.source, AiService.SDS_TYPE_4, payload, bits)
            shown = text
        answer = self.network.submit(out)
        self.log.record(self.scheduler.now, "answer", id=answer.sds_id, **{"from": self._issi},
                        to=sds.source, answer=b.answer, via=b.via, value=shown,
                        callout=sds.sds_id)
