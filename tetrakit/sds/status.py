"""Pre-coded status values and the SDS-SHORT-REPORT (EN 300 392-2 cl. 14.8.34 / 29.4.2.5).

A status is a bare 16-bit value sent with U/D-STATUS (PEI AI service 13); it
carries no protocol identifier.  Table 14.72 splits the value space:

* ``0x0000`` emergency,
* ``0x0001``-``0x7BFF`` reserved,
* ``0x7C00``-``0x7FFF`` SDS-TL SDS-SHORT-REPORT (Table 29.18): bits 15..10 are
  ``011111``, bits 9..8 the short report type, bits 7..0 the message reference
  of the SDS-TRANSFER being answered,
* ``0x8000``-``0xFFFF`` network / user specific statuses.

The short-report range starts at 0x7C00 = 31744 (the six bits ``011111``);
one open decoder starts it at 31743, which misreads 0x7BFF.  A Go PEI library
treats first octets 0x7A/0x7B as short reports too (its test value
``7ACA``); that contradicts the ``011111`` prefix, so such values decode as
reserved here and keep their raw value [unverified which is right].
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from tetrakit._bits import BitReader, BitWriter
from tetrakit.errors import DecodeError, EncodeError

__all__ = [
    "SHORT_REPORT_FIRST",
    "SHORT_REPORT_LAST",
    "USER_STATUS_FIRST",
    "ShortReport",
    "ShortReportType",
    "StatusKind",
    "StatusPdu",
    "decode_status",
    "short_report_status",
]

EMERGENCY = 0x0000
SHORT_REPORT_FIRST = 0x7C00
SHORT_REPORT_LAST = 0x7FFF
USER_STATUS_FIRST = 0x8000
_SHORT_REPORT_PREFIX = 0b011111  # bits 15..10 of a short report (Table 29.18)


class StatusKind(Enum):
    """Which range of Table 14.72 a pre-coded status falls in."""

    EMERGENCY = "emergency"
    RESERVED = "reserved"
    SHORT_REPORT = "short_report"
    USER = "user"


class ShortReportType(IntEnum):
    """Short report type (Table 29.23)."""

    PROTOCOL_OR_ENCODING_NOT_SUPPORTED = 0
    DESTINATION_MEMORY_FULL = 1
    MESSAGE_RECEIVED = 2
    MESSAGE_CONSUMED = 3


_SHORT_TYPES = tuple(ShortReportType)


@dataclass(frozen=True, slots=True)
class ShortReport:
    """SDS-SHORT-REPORT (cl. 29.4.2.5, Table 29.18): a 16-bit answer to an SDS-TRANSFER."""

    report_type: ShortReportType
    message_reference: int

    def __post_init__(self) -> None:
        if not 0 <= self.message_reference <= 0xFF:
            raise EncodeError(
                "must be 0-255", field="message_reference", value=self.message_reference,
                width=8,
            )
        if not 0 <= int(self.report_type) <= 3:
            raise EncodeError(
                "must be 0-3", field="short_report_type", value=self.report_type, width=2
            )

    @property
    def value(self) -> int:
        """The 16-bit pre-coded status carrying this report (Table 29.18)."""
        writer = BitWriter()
        writer.write(_SHORT_REPORT_PREFIX, 6, "short_report_prefix")
        writer.write(int(self.report_type), 2, "short_report_type")
        writer.write(self.message_reference, 8, "message_reference")
        return writer.to_int()[0]


@dataclass(frozen=True, slots=True)
class StatusPdu:
    """A 16-bit pre-coded status (cl. 14.8.34, Table 14.72), classified by range."""

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value <= 0xFFFF:
            raise EncodeError("must be 0-0xFFFF", field="status_value", value=self.value, width=16)

    @property
    def kind(self) -> StatusKind:
        """The range of Table 14.72 the value falls in."""
        v = self.value
        if v == EMERGENCY:
            return StatusKind.EMERGENCY
        if v >= USER_STATUS_FIRST:
            return StatusKind.USER
        if v >= SHORT_REPORT_FIRST:
            return StatusKind.SHORT_REPORT
        return StatusKind.RESERVED

    @property
    def is_emergency(self) -> bool:
        return self.value == EMERGENCY

    @property
    def is_short_report(self) -> bool:
        return SHORT_REPORT_FIRST <= self.value <= SHORT_REPORT_LAST

    @property
    def short_report(self) -> ShortReport | None:
        """The SDS-SHORT-REPORT carried, or ``None`` for other ranges."""
        if not self.is_short_report:
            return None
        reader = BitReader.from_int(self.value, 16)
        reader.skip(6, "short_report_prefix")  # 011111, checked by the range
        report_type = _SHORT_TYPES[reader.read(2, "short_report_type")]
        return ShortReport(report_type, reader.read(8, "message_reference"))

    @property
    def short_report_type(self) -> ShortReportType | None:
        report = self.short_report
        return None if report is None else report.report_type

    @property
    def message_reference(self) -> int | None:
        """The SDS-TL message reference of a short report, else ``None``."""
        return self.value & 0xFF if self.is_short_report else None

    def to_bytes(self) -> bytes:
        """The two octets as written after ``AT+CMGS`` with ``AT+CTSDS=13,...``."""
        writer = BitWriter()
        writer.write(self.value, 16, "status_value")
        return writer.to_bytes()


def decode_status(value: int | bytes) -> StatusPdu:
    """Decode a pre-coded status given as an int or as its two octets (Table 14.72).

    Raises:
        DecodeError: when the value does not fit 16 bits or is not two octets.
        TypeError: for anything but an int or bytes-like (``bool``, ``float``, ``str``).
    """
    if isinstance(value, bool) or not isinstance(value, int | bytes | bytearray | memoryview):
        # bool is an int to Python, but True is no status value
        hint = " (hex text: use tetrakit.decode_status())" if isinstance(value, str) else ""
        raise TypeError(f"a status is an int or 2 octets, not {type(value).__name__}{hint}")
    if isinstance(value, bytes | bytearray | memoryview):
        value = bytes(value)
        if len(value) != 2:
            raise DecodeError(
                f"a status is 2 octets, got {len(value)}", field="status_value", bit_offset=0
            )
        value = BitReader(value).read(16, "status_value")
    if not 0 <= value <= 0xFFFF:
        raise DecodeError(f"{value} does not fit 16 bits", field="status_value", bit_offset=0)
    return StatusPdu(value)


def short_report_status(report_type: ShortReportType | int, message_reference: int) -> StatusPdu:
    """The pre-coded status that carries an SDS-SHORT-REPORT (Table 29.18)."""
    return StatusPdu(ShortReport(ShortReportType(report_type), message_reference).value)
