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
* Congestion.  If an SDS would wait longer than ``max_queue_delay`` for its
  air slot, the SwMI refuses it (network overload): the MT reports
  ``+CMGS: <inst>,5,<ref>``, and an SDS-TL transfer asking for a report also
  gets an SDS-REPORT 0x40 "network overload".  If it would wait longer than
  ``store_delay`` (but not ``max_queue_delay``), the SwMI takes it into its
  store: the MT reports ``+CMGS: <inst>,4,<ref>`` at once, a transfer asking
  for a report gets 0x20 "congestion, message stored by SwMI", and the
  message is delivered when its slot comes (the retry).
* Called party identity type (``AT+CTSDS``, EN 300 392-5 §6.17.11): the SwMI
  routes by SSI, so SSI (0) and TSI (1) addressing are carried, whether the
  SSI is an ISSI or a GSSI (the SwMI knows which SSIs are groups); the world
  log records which one the sender used.  SNA (2), PABX (3) and PSTN (4)
  numbers and extended TSI (5) are not supported by this network: refused
  like an overload (``+CMGS: <inst>,5,<ref>``), with an SDS-REPORT 0x45
  "unknown destination" (SNA, extended TSI: nothing defined under that
  number here) or 0x57 "cannot route to external network" (PABX, PSTN: no
  gateway) when asked.  Which code a real SwMI sends is [unverified].
* Refused at submission (overload, addressing) means ``+CMGS`` status 5;
  not deliverable after acceptance (not registered, unreachable, unknown)
  means status 4 and, when asked for, the SDS-REPORT: "sent" is not "delivered".
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
from firmware_sim.calls import CallParty, GroupCall
from firmware_sim.clock import Scheduler
from firmware_sim.worldlog import WorldLog
from tetrakit.sds import DeliveryStatus as _Status

__all__ = ["ADDRESSING", "SUPPORTED_ADDRESSING", "DeliveryStatus", "Network", "NetworkConfig"]


class DeliveryStatus:
    """The SDS-TL delivery status codes the simulated SwMI and members use (Table 29.16)."""

    RECEIVED = int(_Status.RECEIPT_ACKNOWLEDGED_BY_DESTINATION)  # 0x00
    CONSUMED = int(_Status.CONSUMED_BY_DESTINATION)  # 0x02
    GROUP_ACK_PREVENTED = int(_Status.SENT_TO_GROUP_ACKNOWLEDGEMENTS_PREVENTED)  # 0x05
    CONGESTION_STORED = int(_Status.CONGESTION_MESSAGE_STORED)  # 0x20
    NETWORK_OVERLOAD = int(_Status.NETWORK_OVERLOAD)  # 0x40
    UNKNOWN_DESTINATION = int(_Status.UNKNOWN_DESTINATION)  # 0x45
    NOT_REGISTERED = int(_Status.DESTINATION_NOT_REGISTERED)  # 0x4B
    CANNOT_ROUTE_EXTERNAL = int(_Status.CANNOT_ROUTE_TO_EXTERNAL_NETWORK)  # 0x57
    NOT_REACHABLE = int(_Status.DESTINATION_NOT_REACHABLE_DELIVERY_FAILED)  # 0x5A


#: called party identity type (EN 300 392-5 §6.17.11) -> name in the world log
ADDRESSING = {0: "ssi", 1: "tsi", 2: "sna", 3: "pabx", 4: "pstn", 5: "extended_tsi"}

#: the called party identity types this network routes
SUPPORTED_ADDRESSING = frozenset({0, 1})

#: the refusal report for each unsupported type [unverified: which code a real SwMI uses]
_ADDRESSING_REFUSAL = {
    2: DeliveryStatus.UNKNOWN_DESTINATION,
    3: DeliveryStatus.CANNOT_ROUTE_EXTERNAL,
    4: DeliveryStatus.CANNOT_ROUTE_EXTERNAL,
    5: DeliveryStatus.UNKNOWN_DESTINATION,
}


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
            slot is refused (network overload); ``None`` = never refused.
        store_delay: an SDS that would wait longer than this (but not longer
            than ``max_queue_delay``) is stored by the SwMI and forwarded at
            its slot (congestion, message stored); ``None`` = never stored.
        group_reports: group members send their own SDS-TL reports.
        call_hang_time: seconds a group call stays up after the last
            transmission before it is released (``+CTCR: <cc>,13``) [unverified].
    """

    mcc: int = 901
    mnc: int = 16383
    location_area: int = 1
    latency: float = 0.3
    jitter: float = 0.0
    rate_limit: float | None = None
    max_queue_delay: float | None = None
    group_reports: bool = True
    store_delay: float | None = None
    call_hang_time: float = 5.0

    def __post_init__(self) -> None:
        if self.latency < 0 or self.jitter < 0:
            raise ValueError("latency and jitter must not be negative")
        if self.rate_limit is not None and not self.rate_limit > 0:
            raise ValueError(f"rate_limit must be positive, got {self.rate_limit}")
        if self.max_queue_delay is not None and self.max_queue_delay < 0:
            raise ValueError("max_queue_delay must not be negative")
        if self.call_hang_time < 0:
            raise ValueError("call_hang_time must not be negative")
        if self.store_delay is not None and self.store_delay < 0:
            raise ValueError("store_delay must not be negative")

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
        self._call_ids = itertools.count(1)
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

    # -- group calls (signalling only, see firmware_sim.calls) ------------------------------
    def start_group_call(
        self, caller: int, gssi: int, *, talk: float | None = None
    ) -> GroupCall | None:
        """Set up a group call from ``caller`` to ``gssi``; ``None`` if ``gssi`` is no group.

        Every reachable member of the group that shows calls (a PEI radio)
        gets the set-up; with ``talk`` seconds the caller holds the PTT from
        the start (the others see the transmission granted to the caller,
        then ceased).  ``call_hang_time`` after the last transmission the
        SwMI releases the call with cause 13 (timer expiry).
        """
        if gssi not in self._groups:
            return None
        call = GroupCall(next(self._call_ids), caller, gssi)
        now = self.scheduler.now
        for issi in self._groups[gssi]:
            sub = self._subscribers.get(issi)
            if (issi != caller and isinstance(sub, CallParty)
                    and sub.reachability() is Reachability.OK):
                call.parties.append(sub)
        self.log.record(now, "group_call", call=call.call_id, **{"from": caller}, to=gssi,
                        parties=[getattr(p, "issi", 0) for p in call.parties])
        for party in call.parties:
            party.call_setup(call, talking=talk is not None)
        hang = self.config.call_hang_time
        if talk is not None:
            call.timers.append(self.scheduler.call_later(talk, lambda: self._tx_ceased(call)))
            hang += talk
        call.timers.append(self.scheduler.call_later(hang, lambda: self.release_call(call, 13)))
        return call

    def _tx_ceased(self, call: GroupCall) -> None:
        self.log.record(self.scheduler.now, "call_tx_ceased", call=call.call_id)
        for party in call.parties:
            party.call_tx_ceased(call)

    def release_call(self, call: GroupCall, cause: int) -> None:
        """Release ``call`` for every party (13 timer expiry, 1 user requested, ...)."""
        if call.released:
            return
        call.released = True
        for t in call.timers:
            t.cancel()
        self.log.record(self.scheduler.now, "call_released", call=call.call_id, cause=cause)
        caller = self._subscribers.get(call.caller)
        for party in [*call.parties, *([caller] if isinstance(caller, CallParty) else [])]:
            party.call_released(call, cause)

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

        ``on_sent(True)`` is called at its air slot (or at once when the SwMI
        stores it), ``on_sent(False)`` if the network refuses it (overload,
        unsupported addressing) or the sender is out of service by then.
        """
        sds = replace(sds, sds_id=next(self._ids))
        self.sds_count += 1
        now = self.scheduler.now
        self.log.record(now, "sds_submitted", **_sds_fields(sds), **codec.describe(sds))
        info = codec.transfer_info(sds)
        if sds.called_type not in SUPPORTED_ADDRESSING:
            status = _ADDRESSING_REFUSAL.get(sds.called_type, DeliveryStatus.UNKNOWN_DESTINATION)
            self._refuse(sds, on_sent, info, status, reason="addressing_not_supported",
                         addressing=_addressing(sds.called_type))
            return sds
        slot = self.air_slot()
        wait = slot - now
        limit = self.config.max_queue_delay
        if self.config.rate_limit is not None and limit is not None and wait > limit:
            self._refuse(sds, on_sent, info, DeliveryStatus.NETWORK_OVERLOAD,
                         reason="congestion", queue_delay=round(wait, 6))
            return sds
        if self.config.rate_limit is not None:
            self._next_free = slot + 1.0 / self.config.rate_limit
        store = self.config.store_delay
        if self.config.rate_limit is not None and store is not None and wait > store:
            self._store(sds, slot, on_sent, info)
            return sds
        self.scheduler.call_at(slot, lambda: self._on_air(sds, on_sent))
        return sds

    def _refuse(
        self,
        sds: AirSds,
        on_sent: SentCallback | None,
        info: codec.TransferInfo | None,
        status: int,
        **fields: object,
    ) -> None:
        """The SwMI does not take ``sds``: status 5 to the MT, the reason as a report if asked."""
        wants = info is not None and (info.wants_received or info.wants_consumed)
        extra = {"delivery_status": status} if wants else {}
        self.log.record(self.scheduler.now, "sds_failed", id=sds.sds_id, to=sds.dest,
                        **fields, **extra)
        if on_sent is not None:
            self.scheduler.call_later(0.0, lambda: on_sent(False))
        if wants and info is not None:
            self._swmi_report(sds, status, info)

    def _store(
        self,
        sds: AirSds,
        slot: float,
        on_sent: SentCallback | None,
        info: codec.TransferInfo | None,
    ) -> None:
        """Congestion with storage: the SwMI has the SDS now and forwards it at ``slot``."""
        now = self.scheduler.now
        self.log.record(now, "sds_stored", id=sds.sds_id, to=sds.dest, reason="congestion",
                        queue_delay=round(slot - now, 6))
        if on_sent is not None:
            self.scheduler.call_later(0.0, lambda: on_sent(True))
        if info is not None and (info.wants_received or info.wants_consumed):
            self._swmi_report(sds, DeliveryStatus.CONGESTION_STORED, info)

        def forward() -> None:
            # the SwMI holds it: the sender's state no longer matters
            self.log.record(self.scheduler.now, "sds_sent", id=sds.sds_id,
                            **{"from": sds.source}, to=sds.dest, stored=True)
            self._after_latency(lambda: self._deliver(sds))

        self.scheduler.call_at(slot, forward)

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


def _addressing(called_type: int) -> str:
    return ADDRESSING.get(called_type, f"type_{called_type}")


def _sds_fields(sds: AirSds) -> dict[str, object]:
    return {
        "id": sds.sds_id, "from": sds.source, "to": sds.dest, "ai": int(sds.ai_service),
        "bits": sds.bits, "hex": sds.hex, "addressing": _addressing(sds.called_type),
    }
