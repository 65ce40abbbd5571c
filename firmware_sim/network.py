"""The simulated SwMI: subscribers, groups, SDS delivery, reports, latency and rate limit.

Delivery semantics (EN 300 392-2 cl. 14 and 29; delivery status codes from
Table 29.16 as listed in ``reference/sds-lip.md`` §2.4):

* An SDS leaves the sending MT at its *air slot*: at once, or later when the
  network-wide rate limit is reached (see :meth:`Network.air_slot`).  The MT
  then reports ``+CMGS: <inst>,4,<ref>`` ("sent"), which says nothing about
  delivery (svxlink PR #576: status 4 for a switched-off destination).
* ``latency`` (+ up to ``jitter``) seconds later it is delivered to an
  individual subscriber, or to every registered member of a group.
* When an individual destination cannot get it, and the SDS is an SDS-TL
  SDS-TRANSFER asking for a delivery report, the SwMI answers the sender with
  an SDS-REPORT: 0x4B "destination not registered on system" (switched off,
  rebooting), 0x5A "destination not reachable, message delivery failed" (out
  of coverage), 0x45 "unknown destination".
* If an SDS would wait longer than ``max_queue_delay`` for its air slot, the
  network refuses it (congestion): the MT reports ``+CMGS: <inst>,5,<ref>``.
* "Received"/"consumed" reports come from the destination's SDS-TL layer
  (:mod:`firmware_sim.members`), not from the SwMI.  For a *group* SDS-TL
  transfer that asks for reports, each member reports on its own when
  ``group_reports`` is true; otherwise the SwMI answers once with 0x05 "SDS
  sent to group, acknowledgements prevented".  Which of the two a real SwMI
  does depends on its configuration [unverified], so both are offered.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from firmware_sim import codec
from firmware_sim.air import AirSds, Reachability, SentCallback, Subscriber
from firmware_sim.clock import Scheduler
from firmware_sim.worldlog import WorldLog

__all__ = ["DeliveryStatus", "Network", "NetworkConfig"]


class DeliveryStatus:
    """The SDS-TL delivery status codes the simulated SwMI and members use (Table 29.16)."""

    RECEIVED = 0x00
    CONSUMED = 0x02
    GROUP_ACK_PREVENTED = 0x05
    NETWORK_OVERLOAD = 0x40
    UNKNOWN_DESTINATION = 0x45
    NOT_REGISTERED = 0x4B
    NOT_REACHABLE = 0x5A


@dataclass(frozen=True, slots=True)
class NetworkConfig:
    """Parameters of the simulated SwMI.

    Attributes:
        mcc / mnc: network code (used in ``+CNUMF`` and ``+CREG``).
        location_area: the LA reported in ``+CREG``.
        latency: seconds from the air slot to delivery.
        jitter: up to this many seconds are added to each delivery (seeded).
        rate_limit: SDS per second the whole network carries; ``None`` = unlimited.
        max_queue_delay: an SDS that would wait longer than this for its air
            slot is refused (congestion); ``None`` = never refused.
        group_reports: group members send their own SDS-TL reports.
    """

    mcc: int = 901
    mnc: int = 16383
    location_area: int = 1
    latency: float = 0.3
    jitter: float = 0.0
    rate_limit: float | None = None
    max_queue_delay: float | None = None
    group_reports: bool = True

    def __post_init__(self) -> None:
        if self.latency < 0 or self.jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if self.rate_limit is not None and not self.rate_limit > 0:
            raise ValueError(f"rate_limit must be positive, got {self.rate_limit}")
        if self.max_queue_delay is not None and self.max_queue_delay < 0:
            raise ValueError("max_queue_delay must not be negative")

    @property
    def mni(self) -> str:
        """Mobile network identity as ``+CREG`` prints it: MCC 3 digits + MNC 5 digits."""
        return f"{self.mcc:03d}{self.mnc:05d}"


class Network:
    """The SwMI of one simulated world."""

    def __init__(
        self,
        config: NetworkConfig,
        scheduler: Scheduler,
        log: WorldLog,
        rng: random.Random,
    ) -> None:
        self.config = config
        self.scheduler = scheduler
        self.log = log
        self._rng = rng
        self._subscribers: dict[int, Subscriber] = {}
        self._groups: dict[int, list[int]] = {}
        self._group_names: dict[int, str] = {}
        self._ids = itertools.count(1)
        self._next_free = -math.inf
        self.sds_count = 0

    # -- subscribers and groups ------------------------------------------------------------
    def attach(self, subscriber: Subscriber) -> None:
        """Make ``subscriber`` known to the SwMI (its ISSI must be unique)."""
        if subscriber.issi in self._subscribers or subscriber.issi in self._groups:
            raise ValueError(f"SSI {subscriber.issi} is used twice")
        self._subscribers[subscriber.issi] = subscriber

    def add_group(self, gssi: int, name: str = "") -> None:
        """Define group ``gssi``."""
        if gssi in self._subscribers:
            raise ValueError(f"SSI {gssi} is both a subscriber and a group")
        self._groups.setdefault(gssi, [])
        if name:
            self._group_names[gssi] = name

    def join(self, gssi: int, issi: int) -> None:
        """Attach ``issi`` to group ``gssi`` (created if needed)."""
        self.add_group(gssi)
        if issi not in self._groups[gssi]:
            self._groups[gssi].append(issi)

    def leave(self, gssi: int, issi: int) -> None:
        """Detach ``issi`` from ``gssi``."""
        if issi in self._groups.get(gssi, []):
            self._groups[gssi].remove(issi)

    def group_members(self, gssi: int) -> list[int]:
        """ISSIs attached to ``gssi`` in attach order."""
        return list(self._groups.get(gssi, []))

    def is_group(self, ssi: int) -> bool:
        return ssi in self._groups

    def subscriber(self, issi: int) -> Subscriber | None:
        return self._subscribers.get(issi)

    # -- rate limit ---------------------------------------------------------------------------
    @property
    def rate_limit(self) -> float | None:
        """SDS per second the network carries (``None`` = unlimited)."""
        return self.config.rate_limit

    def min_duration(self, count: int) -> float:
        """The least time from the first to the last air slot of ``count`` SDS.

        With a rate limit of *r* SDS/s, air slots are at least ``1/r`` apart,
        so ``count`` SDS submitted at once leave over ``(count - 1) / r``
        seconds; without a limit the answer is 0.
        """
        if count <= 1 or self.config.rate_limit is None:
            return 0.0
        return (count - 1) / self.config.rate_limit

    def air_slot(self) -> float:
        """When an SDS submitted now would leave (now, or later under the rate limit)."""
        return max(self.scheduler.now, self._next_free)

    # -- sending --------------------------------------------------------------------------------
    def submit(self, sds: AirSds, on_sent: SentCallback | None = None) -> AirSds:
        """Accept an SDS from a subscriber's MT; return it with its world id.

        ``on_sent(True)`` is called at its air slot, ``on_sent(False)`` if the
        network refuses it (congestion) or the sender is out of service by then.
        """
        sds = replace(sds, sds_id=next(self._ids))
        self.sds_count += 1
        now = self.scheduler.now
        self.log.record(now, "sds_submitted", **_sds_fields(sds), **codec.describe(sds))
        slot = self.air_slot()
        limit = self.config.max_queue_delay
        if self.config.rate_limit is not None and limit is not None and slot - now > limit:
            self.log.record(
                now, "sds_failed", id=sds.sds_id, to=sds.dest, reason="congestion",
                queue_delay=round(slot - now, 6),
            )
            if on_sent is not None:
                self.scheduler.call_later(0.0, lambda: on_sent(False))
            return sds
        if self.config.rate_limit is not None:
            self._next_free = slot + 1.0 / self.config.rate_limit
        self.scheduler.call_at(slot, lambda: self._on_air(sds, on_sent))
        return sds

    def _on_air(self, sds: AirSds, on_sent: SentCallback | None) -> None:
        sender = self._subscribers.get(sds.source)
        if sender is not None and sender.reachability() is not Reachability.OK:
            self.log.record(
                self.scheduler.now, "sds_failed", id=sds.sds_id, to=sds.dest,
                reason="sender_out_of_service",
            )
            if on_sent is not None:
                on_sent(False)
            return
        self.log.record(self.scheduler.now, "sds_sent", id=sds.sds_id, **{"from": sds.source},
                        to=sds.dest)
        if on_sent is not None:
            on_sent(True)
        self._after_latency(lambda: self._deliver(sds))

    def _after_latency(self, action: Callable[[], None]) -> None:
        delay = self.config.latency
        if self.config.jitter:
            delay += self._rng.uniform(0.0, self.config.jitter)
        self.scheduler.call_later(delay, action)

    def _deliver(self, sds: AirSds) -> None:
        now = self.scheduler.now
        info = codec.transfer_info(sds)
        wants_report = info is not None and (info.wants_received or info.wants_consumed)
        if sds.dest in self._groups:
            for issi in self._groups[sds.dest]:
                if issi == sds.source:
                    continue
                member = self._subscribers.get(issi)
                reach = member.reachability() if member is not None else Reachability.NOT_REGISTERED
                if member is not None and reach is Reachability.OK:
                    self.log.record(now, "sds_delivered", id=sds.sds_id, to=issi,
                                    group=sds.dest, **{"from": sds.source})
                    member.deliver(sds)
                else:
                    self.log.record(now, "sds_not_delivered", id=sds.sds_id, to=issi,
                                    group=sds.dest, reason=reach.value)
            if wants_report and not self.config.group_reports and info is not None:
                self._swmi_report(sds, DeliveryStatus.GROUP_ACK_PREVENTED, info)
            return
        target = self._subscribers.get(sds.dest)
        if target is None:
            self.log.record(now, "sds_failed", id=sds.sds_id, to=sds.dest,
                            reason="unknown_destination")
            if wants_report and info is not None:
                self._swmi_report(sds, DeliveryStatus.UNKNOWN_DESTINATION, info)
            return
        reach = target.reachability()
        if reach is Reachability.OK:
            self.log.record(now, "sds_delivered", id=sds.sds_id, to=sds.dest,
                            **{"from": sds.source})
            target.deliver(sds)
            return
        self.log.record(now, "sds_failed", id=sds.sds_id, to=sds.dest, reason=reach.value)
        if wants_report and info is not None:
            status = (DeliveryStatus.NOT_REGISTERED if reach is Reachability.NOT_REGISTERED
                      else DeliveryStatus.NOT_REACHABLE)
            self._swmi_report(sds, status, info)

    def _swmi_report(self, sds: AirSds, status: int, info: codec.TransferInfo) -> None:
        """Send an SDS-REPORT from the SwMI (on behalf of the destination) to the sender."""
        payload, bits = codec.build_report(info.protocol_id, status, info.message_reference)
        report = AirSds(sds.dest, sds.source, 12, payload, bits, next(self._ids))
        self.log.record(
            self.scheduler.now, "report", id=report.sds_id, **{"from": sds.dest}, to=sds.source,
            mr=info.message_reference, delivery_status=status,
            status_name=codec.delivery_status_name(status), by="swmi",
        )
        self._after_latency(lambda: self._deliver(report))


def _sds_fields(sds: AirSds) -> dict[str, object]:
    return {
        "id": sds.sds_id, "from": sds.source, "to": sds.dest, "ai": int(sds.ai_service),
        "bits": sds.bits, "hex": sds.hex,
    }
