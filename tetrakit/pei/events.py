"""Events of the PEI receiver and engine (EN 300 392-5), as frozen dataclasses.

Two levels:

* :class:`~tetrakit.pei.receiver.PeiReceiver` turns bytes into *line events*:
  :class:`FinalResult`, :class:`ResultLine`, :class:`SdsIncoming` (``+CTSDSR``
  header and payload joined), :class:`Echo`, :class:`Prompt`,
  :class:`Garbage` and :class:`EndOfStream`.
* :class:`~tetrakit.pei.engine.PeiEngine` consumes those and yields *engine
  events*: command outcomes (:class:`CommandCompleted`, :class:`SdsAccepted`,
  :class:`CommandFailed`, :class:`CommandTimedOut`), the over-the-air result of
  an SDS (:class:`SdsSendStatus`), typed unsolicited results
  (:class:`RegistrationChanged`, :class:`ModeChanged`, :class:`CallControl`,
  :class:`UnsolicitedResult`), :class:`UnknownUnsolicited`,
  :class:`StrayFinalResult`, and passes through :class:`SdsIncoming`,
  :class:`Garbage` and :class:`EndOfStream`.

Events that end a command carry the :class:`~tetrakit.pei.commands.Command`
and the sequence number :meth:`PeiEngine.send` returned for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from tetrakit.errors import TetrakitError
from tetrakit.identities import Tsi
from tetrakit.pei.enums import AiMode, AiService, CalledPartyIdentityType, SdsStatus
from tetrakit.pei.results import Cdtxc, Creg, Ctcc, Ctcr, Cticn, Ctxg, Result

if TYPE_CHECKING:
    from tetrakit.pei.commands import Command

__all__ = [
    "CallControl",
    "CommandCompleted",
    "CommandFailed",
    "CommandTimedOut",
    "Echo",
    "EndOfStream",
    "EngineEvent",
    "FinalKind",
    "FinalResult",
    "Garbage",
    "ModeChanged",
    "Prompt",
    "ReceiverEvent",
    "RegistrationChanged",
    "ResultLine",
    "SdsAccepted",
    "SdsIncoming",
    "SdsSendStatus",
    "StrayFinalResult",
    "UnknownUnsolicited",
    "UnsolicitedResult",
]


# --------------------------------------------------------------------------- receiver level


class FinalKind(Enum):
    """Which final result code ended a command (V.25ter / EN 300 392-5 §6.11)."""

    OK = "OK"
    ERROR = "ERROR"
    CME_ERROR = "CME"
    CMS_ERROR = "CMS"


@dataclass(frozen=True, slots=True)
class FinalResult:
    """``OK``, ``ERROR``, ``+CME ERROR: <n>`` or ``+CMS ERROR: <n>`` (§6.11).

    ``code`` is the number for the CME/CMS forms, ``None`` otherwise (also for
    a CME/CMS error whose code is not a number, kept in ``line``).
    """

    kind: FinalKind
    code: int | None
    line: str

    @property
    def ok(self) -> bool:
        """True for ``OK``."""
        return self.kind is FinalKind.OK


@dataclass(frozen=True, slots=True)
class ResultLine:
    """An information or unsolicited result line that is not a final result.

    ``prefix`` is the upper-cased ``+NAME`` before the colon, ``None`` for a
    bare text line (e.g. a ``+GMI`` answer without prefix, a continuation line);
    ``line`` is the whole line without line ending and surrounding blanks.
    """

    prefix: str | None
    line: str


@dataclass(frozen=True, slots=True)
class SdsIncoming:
    """An incoming SDS: ``+CTSDSR`` header and its hex payload (§6.13.3).

    ``bits`` is the length from the header, which wins over the payload:
    ``data`` holds the payload octets cut to ``ceil(bits / 8)`` (a Motorola
    padding nibble or octet is dropped; a Sepura odd nibble count is padded
    with a zero nibble).  ``hex`` is the payload exactly as received.
    ``truncated`` is true when the radio sent fewer nibbles than the header
    length needs; ``data`` then holds what arrived and decoders will say what
    is missing.
    """

    ai_service: AiService | int
    calling: Tsi | None
    calling_type: CalledPartyIdentityType | int | None
    called: Tsi | None
    called_type: CalledPartyIdentityType | int | None
    bits: int
    e2ee: bool | None
    data: bytes
    hex: str
    header: str

    @property
    def truncated(self) -> bool:
        """True when fewer nibbles arrived than ``bits`` needs."""
        return len(self.hex) * 4 < self.bits


@dataclass(frozen=True, slots=True)
class Echo:
    """A line the radio echoed back (``ATE1``): a command or the ``AT+CMGS`` payload."""

    line: str


@dataclass(frozen=True, slots=True)
class Prompt:
    """A ``>`` prompt (some emulated PEIs send it after ``AT+CMGS``; never waited for)."""


@dataclass(frozen=True, slots=True)
class Garbage:
    """A line with control or non-text bytes (noise at connect, a glitch on the line)."""

    data: bytes


@dataclass(frozen=True, slots=True)
class EndOfStream:
    """The byte stream ended (``receive_data(b"")``)."""


ReceiverEvent = FinalResult | ResultLine | SdsIncoming | Echo | Prompt | Garbage | EndOfStream


# --------------------------------------------------------------------------- engine level


@dataclass(frozen=True, slots=True)
class CommandCompleted:
    """A command ended with ``OK``.

    ``lines`` are its information lines as received, ``results`` the typed
    results parsed from them (a line that did not parse is an
    :class:`~tetrakit.pei.results.UnparsedLine`).
    """

    seq: int
    command: Command
    lines: tuple[str, ...]
    results: tuple[Result, ...]


@dataclass(frozen=True, slots=True)
class SdsAccepted(CommandCompleted):
    """``AT+CMGS`` ended with ``OK``: the MT accepted the SDS (§6.13.2).

    ``instance`` is the SDS instance from the set result ``+CMGS: <instance>``
    (``None`` if the radio sent ``OK`` without it); the later
    :class:`SdsSendStatus` with the same instance tells sent or failed.
    """

    instance: int | None


@dataclass(frozen=True, slots=True)
class CommandFailed:
    """A command ended with ``ERROR``/``+CME ERROR``/``+CMS ERROR``, or could not finish.

    ``error`` is the exception a blocking caller would raise: a
    :class:`~tetrakit.errors.CommandError` subclass for error results (see
    :func:`tetrakit.errors.command_error`), a
    :class:`~tetrakit.errors.PeiTimeoutError` for a timeout, a
    :class:`~tetrakit.errors.PeiError` when discarded by ``reset()`` and a
    :class:`~tetrakit.errors.TransportError` when the stream ended.
    """

    seq: int
    command: Command
    error: TetrakitError
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommandTimedOut(CommandFailed):
    """No final result came within the command's timeout (``error`` is a PeiTimeoutError)."""


@dataclass(frozen=True, slots=True)
class SdsSendStatus:
    """Unsolicited ``+CMGS: <instance>,<status>[,<reference>]``: over-the-air result (§6.13.2).

    ``status`` 4 (:attr:`SdsStatus.SENT`) means sent over the air, not
    delivered; 5 (:attr:`SdsStatus.FAILED`) means the transmission failed.
    """

    instance: int
    status: SdsStatus | int
    message_reference: int | None
    line: str

    @property
    def sent(self) -> bool:
        """True for status 4 (outgoing message successfully sent)."""
        return self.status == SdsStatus.SENT

    @property
    def failed(self) -> bool:
        """True for status 5 (outgoing message transmission failed)."""
        return self.status == SdsStatus.FAILED


@dataclass(frozen=True, slots=True)
class RegistrationChanged:
    """Unsolicited ``+CREG`` (§6.17.46)."""

    registration: Creg
    line: str


@dataclass(frozen=True, slots=True)
class ModeChanged:
    """Unsolicited ``+CTOM`` (§6.17.4): the radio's AI mode changed."""

    mode: AiMode | int
    line: str


@dataclass(frozen=True, slots=True)
class CallControl:
    """Unsolicited call control result (``+CTICN``/``+CTCC``/``+CTCR``/``+CTXG``/``+CDTXC``).

    Parsed for awareness (§6.15): a call in progress delays SDS on some radios.
    """

    result: Cticn | Ctcc | Ctcr | Ctxg | Cdtxc
    line: str


@dataclass(frozen=True, slots=True)
class UnsolicitedResult:
    """Any other unsolicited typed result (``+CTGS``, ``+CTDGR``, ``+CSQ``, ...)."""

    result: Result
    line: str


@dataclass(frozen=True, slots=True)
class UnknownUnsolicited:
    """A line no command was waiting for and no parser understood; ``reason`` says why."""

    line: str
    reason: str


@dataclass(frozen=True, slots=True)
class StrayFinalResult:
    """A final result with no command in flight (e.g. the late answer after a timeout)."""

    result: FinalResult


EngineEvent = (
    CommandCompleted
    | CommandFailed
    | SdsSendStatus
    | SdsIncoming
    | RegistrationChanged
    | ModeChanged
    | CallControl
    | UnsolicitedResult
    | UnknownUnsolicited
    | StrayFinalResult
    | Garbage
    | EndOfStream
)
