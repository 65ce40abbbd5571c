"""What travels over the simulated air interface, and who can receive it.

An :class:`AirSds` is one SDS as the SwMI carries it (EN 300 392-2 cl. 14:
U-SDS-DATA / U-STATUS up, D-SDS-DATA / D-STATUS down): source and destination
SSI, the PEI AI service that says which kind it is (9-11 SDS types 1-3, 12
type 4 with protocol identifier, 13 pre-coded status) and the user data with
its exact bit length.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from tetrakit.pei.enums import AiService

__all__ = ["AiService", "AirSds", "Reachability", "SentCallback", "Subscriber"]


@dataclass(frozen=True, slots=True)
class AirSds:
    """One SDS in the network.

    Attributes:
        source: calling party SSI.
        dest: called party SSI (an ISSI or a GSSI).
        ai_service: 9-13 (see :class:`AiService`).
        payload: user data octets (type 4: starting with the protocol identifier).
        bits: exact length of the user data in bits.
        sds_id: world-wide serial number, for the world log.
        called_type: the called party identity type the sender used
            (EN 300 392-5 §6.17.11, set with ``AT+CTSDS``): 0 SSI, 1 TSI,
            2 SNA, 3 PABX, 4 PSTN, 5 extended TSI.
    """

    source: int
    dest: int
    ai_service: int
    payload: bytes
    bits: int
    sds_id: int = 0
    called_type: int = 0

    @property
    def protocol_id(self) -> int | None:
        """The protocol identifier of type-4 data, else ``None``."""
        if self.ai_service == AiService.SDS_TYPE_4 and self.payload:
            return self.payload[0]
        return None

    @property
    def status_value(self) -> int | None:
        """The 16-bit pre-coded status of an AI-service-13 SDS, else ``None``."""
        if self.ai_service == AiService.STATUS and len(self.payload) >= 2:
            return int.from_bytes(self.payload[:2], "big")
        return None

    @property
    def hex(self) -> str:
        """Payload as uppercase hex, ``ceil(bits / 4)`` digits."""
        return self.payload.hex().upper()[: (self.bits + 3) // 4]


class Reachability(Enum):
    """What the SwMI knows about a subscriber when an SDS is due to it."""

    OK = "ok"
    NOT_REGISTERED = "not_registered"   # switched off, rebooting: ITSI detached
    UNREACHABLE = "unreachable"         # registered but out of coverage


#: called with True when the MT has sent the SDS over the air, False when it failed
SentCallback = Callable[[bool], None]


class Subscriber(Protocol):
    """Anything with an ISSI the network can deliver SDS to."""

    @property
    def issi(self) -> int: ...

    def reachability(self) -> Reachability: ...

    def deliver(self, sds: AirSds) -> None: ...
