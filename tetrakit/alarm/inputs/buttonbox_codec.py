"""Frames of the alarm button box protocol <-> dataclasses (hw/buttonbox/PROTOCOL.md).

A frame is one line: ``!`` + fields separated by ``,`` + ``*`` + four uppercase
hex digits + LF.  The check value is CRC-16/CCITT-FALSE over the bytes between
``!`` and ``*`` (PROTOCOL.md §2).  :func:`decode` raises only
:class:`~tetrakit.errors.DecodeError`, naming the field that was wrong;
:class:`LineSplitter` cuts a byte stream into lines and counts what it had to
throw away, so that a noisy line is visible in the metrics.

The panel's own implementation of the same grammar is
``hw/buttonbox/firmware/protocol.py`` (MicroPython, no crcmod); the tests check
that both agree.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

import crcmod

from tetrakit.errors import DecodeError

__all__ = [
    "MAX_BUTTON",
    "MAX_FRAME",
    "SEQ_MOD",
    "Ack",
    "Clear",
    "DropReason",
    "Fault",
    "FaultKind",
    "Heartbeat",
    "Hello",
    "HostMessage",
    "Led",
    "LedMode",
    "LineSplitter",
    "Message",
    "PanelMessage",
    "Ping",
    "Press",
    "Release",
    "Status",
    "crc16",
    "decode",
    "drop_reason",
    "encode",
    "seq_newer",
]

SEQ_MOD = 65536  # §3: sequence numbers are 0-65535 and wrap
MAX_FRAME = 64  # §2: the longest frame, "!" and LF included
MAX_BUTTON = 255  # §3: buttons are numbered 1-255
MAX_UPTIME = 2**32 - 1

#: CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, not reflected, no final XOR)
crc16: Callable[[bytes], int] = crcmod.mkCrcFun(0x11021, initCrc=0xFFFF, rev=False, xorOut=0)


class LedMode(enum.StrEnum):
    """LED modes of ``LED`` (§4.2): SLOW blinks at 1 Hz, FAST at 4 Hz."""

    OFF = "OFF"
    ON = "ON"
    SLOW = "SLOW"
    FAST = "FAST"


class FaultKind(enum.StrEnum):
    """Supervised-input faults of ``FAULT`` (§4.1, WIRING.md)."""

    OPEN = "OPEN"
    SHORT = "SHORT"
    TAMPER = "TAMPER"


class Status(enum.IntFlag):
    """The status bits of ``HB`` (§6).  Bits not named here are reserved and ignored."""

    INPUT_FAULT = 0x0001
    PENDING = 0x0002
    HOST_SILENT = 0x0004
    RX_ERRORS = 0x0008
    WATCHDOG_RESET = 0x0010


@dataclass(frozen=True, slots=True)
class Hello:
    """``HELLO,<seq>,<firmware version>,<number of buttons>``: the panel (re)started (§4.1)."""

    seq: int
    version: str
    buttons: int


@dataclass(frozen=True, slots=True)
class Press:
    """``PRESS,<seq>,<button>``: repeated every 500 ms until acknowledged (§4.1, §5)."""

    seq: int
    button: int


@dataclass(frozen=True, slots=True)
class Release:
    """``RELEASE,<seq>,<button>``: sent once (§4.1)."""

    seq: int
    button: int


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """``HB,<seq>,<uptime s>,<status bits hex>``: every second and on PING (§4.1, §6)."""

    seq: int
    uptime: int
    status: int

    @property
    def flags(self) -> Status:
        """The known status bits."""
        return Status(self.status & int(sum(Status)))


@dataclass(frozen=True, slots=True)
class Fault:
    """``FAULT,<seq>,<button>,<OPEN|SHORT|TAMPER>``: repeated until acknowledged (§4.1)."""

    seq: int
    button: int
    kind: FaultKind


@dataclass(frozen=True, slots=True)
class Clear:
    """``CLEAR,<seq>,<button>``: the input's fault cleared; repeated until acknowledged."""

    seq: int
    button: int


@dataclass(frozen=True, slots=True)
class Ack:
    """``ACK,<seq>``: host to panel; ``seq`` is the PANEL's number being acknowledged (§4.2)."""

    seq: int


@dataclass(frozen=True, slots=True)
class Led:
    """``LED,<seq>,<button>,<OFF|ON|SLOW|FAST>``: host to panel (§4.2)."""

    seq: int
    button: int
    mode: LedMode


@dataclass(frozen=True, slots=True)
class Ping:
    """``PING,<seq>``: host to panel, answered by an ``HB`` (§4.2)."""

    seq: int


PanelMessage = Hello | Press | Release | Heartbeat | Fault | Clear
HostMessage = Ack | Led | Ping
Message = PanelMessage | HostMessage


def seq_newer(a: int, b: int) -> bool:
    """True when sequence number ``a`` is later than ``b`` in modulo-65536 order (§3)."""
    diff = (a - b) % SEQ_MOD
    return 0 < diff < SEQ_MOD // 2


def _fields(msg: Message) -> list[str]:
    match msg:
        case Hello(seq, version, buttons):
            return ["HELLO", str(seq), version, str(buttons)]
        case Press(seq, button):
            return ["PRESS", str(seq), str(button)]
        case Release(seq, button):
            return ["RELEASE", str(seq), str(button)]
        case Heartbeat(seq, uptime, status):
            return ["HB", str(seq), str(uptime), f"{status:04X}"]
        case Fault(seq, button, kind):
            return ["FAULT", str(seq), str(button), kind.value]
        case Clear(seq, button):
            return ["CLEAR", str(seq), str(button)]
        case Ack(seq):
            return ["ACK", str(seq)]
        case Led(seq, button, mode):
            return ["LED", str(seq), str(button), mode.value]
        case Ping(seq):
            return ["PING", str(seq)]
    raise TypeError(f"not a button box message: {msg!r}")


def _check_range(msg: Message) -> None:
    if not 0 <= msg.seq < SEQ_MOD:
        raise ValueError(f"seq {msg.seq} is outside 0-65535")
    button = getattr(msg, "button", None)
    if button is not None and not 1 <= button <= MAX_BUTTON:
        raise ValueError(f"button {button} is outside 1-{MAX_BUTTON}")
    if isinstance(msg, Hello) and not (1 <= msg.buttons <= MAX_BUTTON and _is_version(msg.version)):
        raise ValueError(f"bad HELLO: {msg!r}")
    if isinstance(msg, Heartbeat) and not (
        0 <= msg.uptime <= MAX_UPTIME and 0 <= msg.status <= 0xFFFF
    ):
        raise ValueError(f"bad HB: {msg!r}")


def encode(msg: Message) -> bytes:
    """The frame for ``msg``, LF included (§2)."""
    _check_range(msg)
    payload = ",".join(_fields(msg)).encode("ascii")
    return b"!" + payload + b"*" + f"{crc16(payload):04X}".encode("ascii") + b"\n"


# ---------------------------------------------------------------------------- decoding

_HEX_UPPER = frozenset("0123456789ABCDEF")
_VERSION_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._+-")
_ARITY = {
    "HELLO": 4,
    "PRESS": 3,
    "RELEASE": 3,
    "HB": 4,
    "FAULT": 4,
    "CLEAR": 3,
    "ACK": 2,
    "LED": 4,
    "PING": 2,
}


def _is_version(text: str) -> bool:
    return 1 <= len(text) <= 16 and set(text) <= _VERSION_CHARS


def _decimal(text: str, field: str, low: int, high: int) -> int:
    # §3: canonical decimal, "0" or without a leading zero
    if not (text.isascii() and text.isdigit()) or (len(text) > 1 and text[0] == "0"):
        raise DecodeError(f"{text!r} is not a decimal number", field=field)
    value = int(text)
    if not low <= value <= high:
        raise DecodeError(f"{value} is outside {low}-{high}", field=field)
    return value


def decode(line: bytes) -> Message:
    """Decode one frame (with or without its LF; a CR before the LF is tolerated).

    Raises:
        DecodeError: bad framing (field ``frame``), bad check value (``check``),
            unknown message type (``type``), wrong number of fields (``fields``)
            or a bad field value (named after the field).
    """
    if line.endswith(b"\n"):
        line = line[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    if len(line) + 1 > MAX_FRAME:
        raise DecodeError(f"frame longer than {MAX_FRAME} bytes", field="frame")
    if not line.startswith(b"!"):
        raise DecodeError("frame does not start with '!'", field="frame")
    star = line.find(b"*")
    if star < 0 or len(line) - star != 5:
        raise DecodeError("frame does not end with '*' and four hex digits", field="frame")
    payload, check = line[1:star], line[star + 1 :]
    bad = next((b for b in payload if not 0x20 <= b <= 0x7E or b in b"!*"), None)
    if bad is not None:
        raise DecodeError(f"byte 0x{bad:02X} not allowed between '!' and '*'", field="frame")
    check_text = check.decode("latin-1")
    if not set(check_text) <= _HEX_UPPER:
        raise DecodeError(f"{check_text!r} is not four uppercase hex digits", field="check")
    expected = crc16(payload)
    if int(check_text, 16) != expected:
        raise DecodeError(
            f"check value {check_text} does not match the frame (computed {expected:04X})",
            field="check",
        )
    fields = payload.decode("ascii").split(",")
    kind = fields[0]
    arity = _ARITY.get(kind)
    if arity is None:
        raise DecodeError(f"unknown message type {kind!r}", field="type")
    if len(fields) != arity:
        raise DecodeError(f"{kind} has {len(fields)} fields, expected {arity}", field="fields")
    seq = _decimal(fields[1], "seq", 0, SEQ_MOD - 1)
    match kind:
        case "HELLO":
            if not _is_version(fields[2]):
                raise DecodeError(
                    f"{fields[2]!r} is not a firmware version (1-16 of A-Z a-z 0-9 . _ + -)",
                    field="version",
                )
            return Hello(seq, fields[2], _decimal(fields[3], "buttons", 1, MAX_BUTTON))
        case "PRESS":
            return Press(seq, _decimal(fields[2], "button", 1, MAX_BUTTON))
        case "RELEASE":
            return Release(seq, _decimal(fields[2], "button", 1, MAX_BUTTON))
        case "HB":
            status = fields[3]
            if not 1 <= len(status) <= 4 or not set(status) <= _HEX_UPPER:
                raise DecodeError(f"{status!r} is not 1-4 uppercase hex digits", field="status")
            return Heartbeat(seq, _decimal(fields[2], "uptime", 0, MAX_UPTIME), int(status, 16))
        case "FAULT":
            button = _decimal(fields[2], "button", 1, MAX_BUTTON)
            try:
                fault = FaultKind(fields[3])
            except ValueError:
                raise DecodeError(
                    f"{fields[3]!r} is not OPEN, SHORT or TAMPER", field="kind"
                ) from None
            return Fault(seq, button, fault)
        case "CLEAR":
            return Clear(seq, _decimal(fields[2], "button", 1, MAX_BUTTON))
        case "ACK":
            return Ack(seq)
        case "LED":
            button = _decimal(fields[2], "button", 1, MAX_BUTTON)
            try:
                mode = LedMode(fields[3])
            except ValueError:
                raise DecodeError(
                    f"{fields[3]!r} is not OFF, ON, SLOW or FAST", field="mode"
                ) from None
            return Led(seq, button, mode)
        case _:  # "PING"; _ARITY lists no other type
            return Ping(seq)


class DropReason(enum.StrEnum):
    """Why a line was thrown away (the label of the dropped-frames counter)."""

    CHECK = "check"  # bad check value: line noise
    SYNTAX = "syntax"  # framing, field count or field values
    OVERSIZE = "oversize"  # no LF within MAX_FRAME bytes
    UNEXPECTED = "unexpected"  # a valid frame of the other direction


def drop_reason(error: DecodeError) -> DropReason:
    """Classify a :class:`DecodeError` from :func:`decode` for the counters."""
    if error.field == "check":
        return DropReason.CHECK
    if error.field == "frame" and "longer than" in error.reason:
        return DropReason.OVERSIZE
    return DropReason.SYNTAX


class LineSplitter:
    """Cuts a byte stream into lines (without LF); over-long lines are skipped.

    :meth:`feed` returns the complete lines; empty lines (and a lone CR) are
    ignored.  A line longer than :data:`MAX_FRAME` is thrown away up to its LF
    and counted in :attr:`oversize`, so that a stream of garbage without any LF
    cannot grow the buffer.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._skipping = False
        self.oversize = 0

    def feed(self, data: bytes) -> list[bytes]:
        """Add bytes; return the lines they completed."""
        lines: list[bytes] = []
        start = 0
        while True:
            nl = data.find(b"\n", start)
            chunk = data[start:] if nl < 0 else data[start:nl]
            if not self._skipping:
                self._buf += chunk
                if len(self._buf) > MAX_FRAME:
                    self._buf.clear()
                    self._skipping = True
                    self.oversize += 1
            if nl < 0:
                return lines
            line = bytes(self._buf)
            if not self._skipping and line not in (b"", b"\r"):
                lines.append(line)
            self._buf.clear()
            self._skipping = False
            start = nl + 1
