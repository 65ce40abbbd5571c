"""ETSI EN 300 392-5 PEI (AT commands and SDS over a serial line), sans-I/O.

Layer rules (DESIGN.md rule 1, checked by ``tests/unit/test_layering.py``):

* nothing in this package imports ``serial``, ``asyncio``, ``socket``,
  ``threading`` or ``time``; bytes and the current time are passed in, bytes
  and events come out (the h11 model);
* :class:`PeiReceiver` turns bytes into line events; :class:`PeiEngine` keeps
  one command in flight and routes every line by its state, never by timing;
* only :class:`tetrakit.errors.PeiProtocolError` escapes for bad bytes from a
  radio; bad arguments to the builders in :mod:`tetrakit.pei.commands` raise
  ``ValueError``.

Modules: :mod:`~tetrakit.pei.enums` (§6.17 value tables),
:mod:`~tetrakit.pei.commands` (typed command builders),
:mod:`~tetrakit.pei.results` (typed result parsers),
:mod:`~tetrakit.pei.events`, :mod:`~tetrakit.pei.receiver`,
:mod:`~tetrakit.pei.engine`.
"""

from __future__ import annotations

from tetrakit.pei import commands
from tetrakit.pei.commands import Command
from tetrakit.pei.engine import EngineState, PeiEngine
from tetrakit.pei.enums import (
    AccessPriority,
    AiMode,
    AiService,
    CalledPartyIdentityType,
    CallingPartyIdentityType,
    CmeError,
    DisconnectCause,
    GroupType,
    NumType,
    RegStat,
    SdsStatus,
    ServiceLayer1,
    ServiceProfile,
    TxGrant,
)
from tetrakit.pei.events import (
    CallControl,
    CommandCompleted,
    CommandFailed,
    CommandTimedOut,
    Echo,
    EndOfStream,
    EngineEvent,
    FinalKind,
    FinalResult,
    Garbage,
    ModeChanged,
    Prompt,
    ReceiverEvent,
    RegistrationChanged,
    ResultLine,
    SdsAccepted,
    SdsIncoming,
    SdsSendStatus,
    StrayFinalResult,
    UnknownUnsolicited,
    UnsolicitedResult,
)
from tetrakit.pei.receiver import PeiReceiver

__all__ = [
    "AccessPriority",
    "AiMode",
    "AiService",
    "CallControl",
    "CalledPartyIdentityType",
    "CallingPartyIdentityType",
    "CmeError",
    "Command",
    "CommandCompleted",
    "CommandFailed",
    "CommandTimedOut",
    "DisconnectCause",
    "Echo",
    "EndOfStream",
    "EngineEvent",
    "EngineState",
    "FinalKind",
    "FinalResult",
    "Garbage",
    "GroupType",
    "ModeChanged",
    "NumType",
    "PeiEngine",
    "PeiReceiver",
    "Prompt",
    "ReceiverEvent",
    "RegStat",
    "RegistrationChanged",
    "ResultLine",
    "SdsAccepted",
    "SdsIncoming",
    "SdsSendStatus",
    "SdsStatus",
    "ServiceLayer1",
    "ServiceProfile",
    "StrayFinalResult",
    "TxGrant",
    "UnknownUnsolicited",
    "UnsolicitedResult",
    "commands",
]
