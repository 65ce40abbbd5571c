"""Group calls in the simulated SwMI, far enough for the PEI call-control results.

A call-out daemon does not make calls, but a radio on its PEI prints the
call-control unsolicited results of the calls on its groups between SDS
(EN 300 392-5 §6.15; shapes from ``tests/vectors/pei_transcripts.md`` §4):
``+CTICN`` (incoming call), ``+CTXG`` (transmission granted, here to the
talking party), ``+CDTXC`` (down transmission ceased), ``+CTCR`` (released,
cause 13 "timer expiry" when the hang time runs out) and, for a call the
radio sets up itself with ``ATD``, ``+CTCC`` (connected).  No speech is
carried; the call is only signalling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from firmware_sim.clock import Timer

__all__ = ["CallParty", "GroupCall"]


@dataclass(slots=True, eq=False)
class GroupCall:
    """One group call in the network.

    Attributes:
        call_id: world-wide serial number (the world log's ``call``).
        caller: the calling ISSI.
        gssi: the called group.
        parties: who got the call set-up (attached and reachable at set-up).
        timers: the pending transmission-ceased / release timers.
        released: set once released.
    """

    call_id: int
    caller: int
    gssi: int
    parties: list[CallParty] = field(default_factory=list)
    timers: list[Timer] = field(default_factory=list)
    released: bool = False


@runtime_checkable
class CallParty(Protocol):
    """A subscriber that shows calls (a radio with a PEI); handhelds are not modelled."""

    def call_setup(self, call: GroupCall, *, talking: bool) -> None: ...

    def call_tx_ceased(self, call: GroupCall) -> None: ...

    def call_released(self, call: GroupCall, cause: int) -> None: ...
