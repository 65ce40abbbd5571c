"""The tetrakit exception tree.

Everything tetrakit raises on purpose derives from :class:`TetrakitError`, so a
program can catch the whole library with one ``except``.  The classes live in
this public module so that tracebacks show ``tetrakit.errors.X``.

Rules the rest of the package follows:

* decoders raise only :class:`DecodeError` (a ``ValueError``), carrying the
  field name and the bit offset where decoding failed;
* the PEI receiver and engine raise only :class:`PeiProtocolError` for bytes
  from the radio; anything else escaping them is a bug;
* invalid arguments to public functions raise plain ``ValueError`` /
  ``TypeError`` or :class:`EncodeError` when a value does not fit its field.
"""

from __future__ import annotations

__all__ = [
    "BusyError",
    "CmsError",
    "CommandError",
    "ConfigError",
    "DecodeError",
    "EncodeError",
    "NotRegisteredError",
    "OutOfServiceError",
    "ParameterError",
    "PeiError",
    "PeiProtocolError",
    "PeiSyntaxError",
    "PeiTimeoutError",
    "PeiUsageError",
    "SendFailedError",
    "TetrakitError",
    "TransportError",
    "UnsupportedCommandError",
    "cme_meaning",
    "command_error",
]


class TetrakitError(Exception):
    """Base class of every error tetrakit raises on purpose."""


class DecodeError(TetrakitError, ValueError):
    """Bytes from outside (a radio, a file, a user) do not form a valid PDU.

    Attributes:
        field: name of the field being decoded when the problem was found.
        bit_offset: offset in bits from the start of the PDU, or ``None``
            when the problem is not tied to a position (a bad hex string).
    """

    def __init__(self, message: str, *, field: str = "", bit_offset: int | None = None) -> None:
        self.field = field
        self.bit_offset = bit_offset
        where = []
        if field:
            where.append(f"field {field!r}")
        if bit_offset is not None:
            where.append(f"bit {bit_offset}")
        full = f"{message} ({', '.join(where)})" if where else message
        super().__init__(full)
        self.reason = message


class EncodeError(TetrakitError, ValueError):
    """A value given to an encoder does not fit its field.

    Attributes:
        field: name of the field.
        value: the offending value.
        width: the field width in bits, when the problem is a width.
    """

    def __init__(
        self, message: str, *, field: str = "", value: object = None, width: int | None = None
    ) -> None:
        self.field = field
        self.value = value
        self.width = width
        prefix = f"{field}: " if field else ""
        super().__init__(f"{prefix}{message}")


class PeiError(TetrakitError):
    """Base class of errors on the PEI (EN 300 392-5) link."""


class PeiProtocolError(PeiError):
    """The radio sent something the PEI grammar does not allow."""


class PeiUsageError(PeiError):
    """The engine was asked to do something in a state that does not allow it."""


class CommandError(PeiError):
    """A command ended with ``ERROR``, ``+CME ERROR: n`` or ``+CMS ERROR: n``.

    Attributes:
        command: the command line that failed (without line ending).
        code: the CME/CMS code, or ``None`` for a bare ``ERROR``.
        kind: ``"CME"``, ``"CMS"`` or ``"ERROR"``.
    """

    #: the CME code a subclass stands for (used by :func:`command_error`)
    cme_codes: tuple[int, ...] = ()

    def __init__(self, command: str, code: int | None = None, kind: str = "CME") -> None:
        self.command = command
        self.code = code
        self.kind = kind
        if code is None:
            text = f"{command!r} failed: ERROR"
        else:
            text = f"{command!r} failed: +{kind} ERROR: {code}"
            meaning = _CME_MEANINGS.get(code) if kind == "CME" else None
            if meaning:
                text += f" ({meaning})"
        super().__init__(text)

    @property
    def cme_code(self) -> int | None:
        """The CME code, or ``None`` for a bare ``ERROR`` or a CMS error."""
        return self.code if self.kind == "CME" else None

    @property
    def retryable(self) -> bool:
        """True for codes after which the same command may succeed later."""
        return self.kind == "CME" and self.code in (0, 2, 3, 30, 31, 42)


class SendFailedError(CommandError):
    """CME 0 or 31: the MT could not send the data over the air."""

    cme_codes = (0, 31)


class OutOfServiceError(CommandError):
    """CME 30: the MS is out of service (no network)."""

    cme_codes = (30,)


class UnsupportedCommandError(CommandError):
    """CME 4: the MT does not support the command."""

    cme_codes = (4,)


class PeiSyntaxError(CommandError):
    """CME 35: syntax error (often garbage in the radio's input at connect)."""

    cme_codes = (35,)


class ParameterError(CommandError):
    """CME 33/34: a parameter of the wrong type or out of range."""

    cme_codes = (33, 34)


class BusyError(CommandError):
    """CME 42: the MT is busy with signalling activity; retry later."""

    cme_codes = (42,)


class NotRegisteredError(CommandError):
    """CME 3: command supported but not in the current state (e.g. not registered)."""

    cme_codes = (3,)


class CmsError(CommandError):
    """``+CMS ERROR: n`` (message service error)."""


_CME_MEANINGS: dict[int, str] = {
    0: "MT unable to send data over the air",
    1: "MT cannot establish reliable communication with the TE",
    2: "PEI link of the MT is being used already",
    3: "command supported but not in current state",
    4: "MT does not support the command",
    5: "SIM PIN required before any command",
    10: "no SIM",
    11: "SIM PIN1 required",
    12: "MMI unblocking of SIM PIN1 required",
    13: "SIM access failed",
    14: "SIM not ready",
    15: "SIM not recognised",
    16: "wrong SIM PIN",
    17: "SIM PIN2 required",
    18: "MMI unblocking of SIM PIN2 required",
    20: "MT message stack full",
    21: "requested message index does not exist",
    22: "requested message index does not correspond to any message",
    23: "MT failed to store or access its message stack",
    24: "text string for a status value too long",
    25: "text string for a status value contains invalid characters",
    26: "dial string longer than 25 digits",
    27: "dial string contains invalid characters",
    30: "MS out of service",
    31: "no layer 2 acknowledgement from the SwMI",
    32: "user data decoding failed",
    33: "parameter of wrong type",
    34: "parameter out of range",
    35: "syntax error",
    36: "user data received without AT+CMGS",
    37: "AT+CMGS received but timeout waiting for user data",
    38: "TE already registered the protocol identifier",
    39: "SDS-TL registration table full",
    40: "service supported but not in DMO",
    41: "MT in transmit-inhibit mode",
    42: "MT busy with signalling activity",
    43: "service supported but not in V+D",
    44: "MT supports handling of unknown parameters",
}

_BY_CODE: dict[int, type[CommandError]] = {
    code: cls
    for cls in (
        SendFailedError,
        OutOfServiceError,
        UnsupportedCommandError,
        PeiSyntaxError,
        ParameterError,
        BusyError,
        NotRegisteredError,
    )
    for code in cls.cme_codes
}


def command_error(command: str, code: int | None, kind: str = "CME") -> CommandError:
    """Build the most specific :class:`CommandError` for a failed command.

    Args:
        command: the command line that failed.
        code: the numeric code, ``None`` for a bare ``ERROR``.
        kind: ``"CME"``, ``"CMS"`` or ``"ERROR"``.
    """
    if kind == "CMS":
        return CmsError(command, code, "CMS")
    if kind == "CME" and code is not None:
        return _BY_CODE.get(code, CommandError)(command, code, "CME")
    return CommandError(command, None, "ERROR")


def cme_meaning(code: int) -> str:
    """The meaning of a ``+CME ERROR`` code (EN 300 392-5 §6.17.x), or ``"reserved"``."""
    return _CME_MEANINGS.get(code, "reserved")


class TransportError(TetrakitError, OSError):
    """The byte link to the radio failed (port missing, closed, I/O error)."""


class PeiTimeoutError(TransportError, TimeoutError):
    """The radio did not answer within the allowed time."""


class ConfigError(TetrakitError, ValueError):
    """A configuration or scenario file is invalid.

    Attributes:
        file: the file name (or ``"<string>"``).
        line: 1-based line number of the offending node, when known.
        key_path: dotted path to the offending key, e.g. ``buttons[3].alarm``.
    """

    def __init__(
        self, message: str, *, file: str = "", line: int | None = None, key_path: str = ""
    ) -> None:
        self.file = file
        self.line = line
        self.key_path = key_path
        self.reason = message
        where = file or "<config>"
        if line is not None:
            where += f":{line}"
        if key_path:
            where += f": {key_path}"
        super().__init__(f"{where}: {message}")
