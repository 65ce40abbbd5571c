"""Radio sessions on top of the PEI engine and a transport (DESIGN.md "Radio sessions").

- :class:`RadioSession`: the sans-I/O state machine (init profile, ``AT+CTSP``
  registrations, keep-alive, restart detection, reconnect backoff, SDS
  handles); the clock is passed in.
- :class:`RadioClient`: blocking front end for scripts and the CLI.
- :class:`AsyncRadio`: asyncio front end for the alarm daemon, with link
  health and an event stream.
- :mod:`~tetrakit.radio.profiles`: the vendor init profiles.

The session, its outbox, the profiles and the events do no I/O (DESIGN.md
rule 1; ``tests/radio/test_radio_layering.py`` checks it).  The two front
ends are imported on first use, so that importing the core does not pull in
``asyncio``, ``threading`` or ``serial``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tetrakit.radio.events import (
    TERMINAL_STATES,
    LinkHealth,
    LinkState,
    LinkStateChanged,
    RadioEvent,
    SdsHandle,
    SdsReceived,
    SdsState,
    SdsStateChanged,
    Unsolicited,
    decode_incoming,
)
from tetrakit.radio.profiles import PROFILES, InitStep, Registration, StepKind, VendorProfile
from tetrakit.radio.session import CommandRequest, RadioSession, SessionConfig

if TYPE_CHECKING:
    from tetrakit.radio.aio import AsyncRadio
    from tetrakit.radio.client import RadioClient

_FRONT_ENDS = {"AsyncRadio": "tetrakit.radio.aio", "RadioClient": "tetrakit.radio.client"}


def __getattr__(name: str) -> Any:
    module = _FRONT_ENDS.get(name)
    if module is None:
        raise AttributeError(f"module 'tetrakit.radio' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

__all__ = [
    "PROFILES",
    "TERMINAL_STATES",
    "AsyncRadio",
    "CommandRequest",
    "InitStep",
    "LinkHealth",
    "LinkState",
    "LinkStateChanged",
    "RadioClient",
    "RadioEvent",
    "RadioSession",
    "Registration",
    "SdsHandle",
    "SdsReceived",
    "SdsState",
    "SdsStateChanged",
    "SessionConfig",
    "StepKind",
    "Unsolicited",
    "VendorProfile",
    "decode_incoming",
]
