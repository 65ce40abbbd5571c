"""What a radio session reports: link state and health, SDS handles, incoming SDS.

Events are frozen dataclasses.  :class:`SdsHandle` is the one mutable object:
it is the caller's view of one outgoing SDS and changes state as the radio
reports progress (the session is its only writer).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tetrakit import sds
from tetrakit.errors import DecodeError, TetrakitError
from tetrakit.identities import Tsi
from tetrakit.pei.enums import AiService
from tetrakit.pei.events import EngineEvent, SdsIncoming

__all__ = [
    "TERMINAL_STATES",
    "LinkHealth",
    "LinkState",
    "LinkStateChanged",
    "RadioEvent",
    "SdsHandle",
    "SdsReceived",
    "SdsState",
    "SdsStateChanged",
    "Unsolicited",
    "decode_incoming",
]


class LinkState(Enum):
    """Where the link to the radio stands."""

    DISCONNECTED = "disconnected"
    """No port open; the session waits for its reconnect time."""
    INITIALISING = "initialising"
    """Port open; the init profile and the registrations are being sent."""
    READY = "ready"
    """Initialised and answering; SDS are sent."""
    SILENT = "silent"
    """The radio stopped answering; probing.  When it answers it is re-initialised
    (it may have restarted and lost its registrations)."""
    CLOSED = "closed"
    """Closed by the program."""


@dataclass(frozen=True, slots=True)
class LinkHealth:
    """A snapshot of the link, for status pages, metrics and supervision.

    Times are on the session's clock (monotonic seconds).
    """

    state: LinkState
    vendor: str
    last_answer: float | None
    """When the radio last sent a final result (OK/ERROR) to any command."""
    registered: tuple[str, ...]
    """``AT+CTSP`` registrations the radio accepted in the current init."""
    failed_registrations: tuple[str, ...]
    rssi_dbm: int | None
    reg_stat: int | None
    """``+CREG`` registration status (1 home, 5 visited = registered)."""
    ai_mode: int | None
    own_identity: Tsi | None
    reinit_count: int
    """Initialisations after the first (reboots, reconnects, mode changes)."""
    connect_count: int
    queued_sds: int
    last_error: str | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "state": self.state.value,
            "vendor": self.vendor,
            "last_answer": self.last_answer,
            "registered": list(self.registered),
            "failed_registrations": list(self.failed_registrations),
            "rssi_dbm": self.rssi_dbm,
            "reg_stat": self.reg_stat,
            "ai_mode": self.ai_mode,
            "own_identity": None if self.own_identity is None else str(self.own_identity),
            "reinit_count": self.reinit_count,
            "connect_count": self.connect_count,
            "queued_sds": self.queued_sds,
            "last_error": self.last_error,
        }


class SdsState(Enum):
    """Progress of one outgoing SDS (EN 300 392-5 §6.13.2, EN 300 392-2 cl. 29.4)."""

    QUEUED = "queued"
    """Waiting for the link (kept across reconnects)."""
    WRITING = "writing"
    """``AT+CTSDS``/``AT+CMGS`` in flight."""
    ACCEPTED = "accepted"
    """The radio accepted it (``+CMGS: <instance>`` + ``OK``); not yet sent over the air."""
    SENT = "sent"
    """The radio sent it over the air (``+CMGS: <instance>,4``); not proof of delivery."""
    DELIVERED = "delivered"
    """The recipient's SDS-TL report (or short report) says it was received or consumed."""
    FAILED = "failed"
    """Not sent: a CME error, ``+CMGS: <instance>,5``, a negative report, a timeout, or the
    link failed while the radio had it; ``error`` says which."""
    UNCONFIRMED = "unconfirmed"
    """Accepted by the radio, but the radio never said whether it went out (no
    ``+CMGS: <instance>,<status>`` in time, or the radio restarted meanwhile)."""


TERMINAL_STATES = frozenset({SdsState.DELIVERED, SdsState.FAILED, SdsState.UNCONFIRMED})

_handle_ids = itertools.count(1)


class SdsHandle:
    """One outgoing SDS as the caller sees it.

    Attributes:
        id: unique number in this process.
        to: the called party.
        group: sent to a group (reports may come from several members).
        ai_service: 12 (type 4 / SDS-TL) or 13 (status).
        data / bits: the user data as passed to ``AT+CMGS``.
        message_reference: the SDS-TL message reference, for report matching.
        report_requested: a delivery report was asked for.
        state: the current :class:`SdsState`.
        instance: the radio's SDS instance from ``+CMGS: <instance>``.
        error: why it failed (FAILED/UNCONFIRMED), else ``None``.
        delivery_status: the delivery status of the first report, if any.
        reports: ``{reporting ISSI: delivery status}`` of every report received.
        times: ``{state: clock time}`` when each state was reached.
    """

    __slots__ = (
        "ai_service",
        "bits",
        "data",
        "delivery_status",
        "error",
        "expires_at",
        "group",
        "id",
        "instance",
        "message_reference",
        "priority",
        "report_requested",
        "reports",
        "state",
        "times",
        "to",
    )

    def __init__(
        self,
        *,
        to: Tsi,
        data: bytes,
        bits: int,
        ai_service: int,
        group: bool,
        priority: int,
        message_reference: int | None,
        report_requested: bool,
        expires_at: float | None,
        now: float,
    ) -> None:
        self.id = next(_handle_ids)
        self.to = to
        self.data = data
        self.bits = bits
        self.ai_service = ai_service
        self.group = group
        self.priority = priority
        self.message_reference = message_reference
        self.report_requested = report_requested
        self.expires_at = expires_at
        self.state = SdsState.QUEUED
        self.instance: int | None = None
        self.error: TetrakitError | None = None
        self.delivery_status: int | None = None
        self.reports: dict[int, int] = {}
        self.times: dict[SdsState, float] = {SdsState.QUEUED: now}

    @property
    def done(self) -> bool:
        """True once the radio is finished with it: sent, delivered, failed or unconfirmed.

        A SENT handle that asked for a report may still become DELIVERED (or
        FAILED on a negative report); :attr:`final` says whether anything can
        still change.
        """
        return self.state is SdsState.SENT or self.state in TERMINAL_STATES

    @property
    def final(self) -> bool:
        """True in a state that never changes again (delivered, failed, unconfirmed)."""
        return self.state in TERMINAL_STATES

    @property
    def sent(self) -> bool:
        """True once the radio reported it sent (SENT or DELIVERED)."""
        return self.state in (SdsState.SENT, SdsState.DELIVERED)

    def __repr__(self) -> str:
        ref = "" if self.message_reference is None else f" ref={self.message_reference}"
        return f"<SdsHandle #{self.id} to={self.to} {self.state.value}{ref}>"


@dataclass(frozen=True, slots=True)
class LinkStateChanged:
    """The link moved from ``previous`` to ``state``; ``reason`` says why."""

    state: LinkState
    previous: LinkState
    reason: str


@dataclass(frozen=True, slots=True)
class SdsStateChanged:
    """An outgoing SDS reached a new state (``handle.state``)."""

    handle: SdsHandle
    state: SdsState
    previous: SdsState


@dataclass(frozen=True, slots=True)
class SdsReceived:
    """An incoming SDS, decoded with :mod:`tetrakit.sds` where possible.

    ``pdu`` is the decoded PDU (``tetrakit.sds.decode`` for AI service 12,
    ``tetrakit.sds.decode_status`` for 13), ``None`` when it did not decode;
    ``decode_error`` then says why.  ``time`` is on the session's clock.
    """

    sds: SdsIncoming
    pdu: Any
    decode_error: DecodeError | None
    time: float


@dataclass(frozen=True, slots=True)
class Unsolicited:
    """Any other engine event (call control, ``+CREG``, unknown lines, garbage)."""

    event: EngineEvent


RadioEvent = LinkStateChanged | SdsStateChanged | SdsReceived | Unsolicited



def decode_incoming(event: SdsIncoming) -> tuple[Any, DecodeError | None]:
    """Decode an incoming SDS with :mod:`tetrakit.sds`.

    Returns:
        ``(pdu, None)``: a status (AI service 13) or type-4 PDU (12);
        ``(None, error)`` when the user data does not decode;
        ``(None, None)`` for SDS types 1-3, which carry no protocol identifier.
    """
    try:
        if int(event.ai_service) == AiService.STATUS:
            return sds.decode_status(event.data[:2] if len(event.data) >= 2 else event.data), None
        if int(event.ai_service) == AiService.SDS_TYPE_4:
            return sds.decode(event.data, event.bits), None
    except DecodeError as exc:
        return None, exc
    return None, None
