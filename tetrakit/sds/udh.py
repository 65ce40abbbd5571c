"""Message with user data header (PI 0x8A, EN 300 392-2 cl. 29.5.9, 29.5.10.3).

An SDS-TRANSFER whose user data is a text with a user data header (UDH) in
front of the coded text; its main use is a long text sent in parts.  Layout
as one public implementation reads it (ftl/tetra-pei, from EN 300 392-2
V3.9.2; one source, so [unverified]):

==========================  ====  ==========================================
timestamp-used flag           1    as in any text SDU (cl. 29.5.4)
text coding scheme            7
timestamp                    24    only when the flag is set
UDH length                    8    octets of information elements following
information elements        ...    identifier (8), length (8), value
text                        ...    the rest, in the coding scheme
==========================  ====  ==========================================

Information elements tetrakit reads (:class:`ConcatenationIe`):

* IEI 0x00, concatenated text with short reference: reference (8), total
  number of parts (8), sequence number (8, 1-based);
* IEI 0x08, long reference: reference (16), total (8), sequence (8).  ftl
  reads the 16-bit reference low octet first; that byte order is
  [unverified] (the 3GPP TS 23.040 element of the same number is big-endian).

Other elements (and an IEI 0x00 / 0x08 of another length) are kept as
:class:`InformationElement` (identifier and octets).  Each part of a long
text has its own SDS-TL message reference; the UDH reference is the first
part's (ftl).  The real example from ftl's comments,
``8A00C98D045A8F050003C90201...``, is part 1 of 2 of set 0xC9, ISO 8859-15,
with a timestamp.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import ClassVar, TypeAlias

from tetrakit._bits import BitReader, BitWriter
from tetrakit.errors import DecodeError, EncodeError
from tetrakit.sds._octets import reader_at, take_tail
from tetrakit.sds.concat import LAYOUT_ONE_PUBLIC_IMPLEMENTATION
from tetrakit.sds.text import TextContent, decode_text_header, encode_text_header
from tetrakit.sds.timestamp import SdsTimestamp

__all__ = [
    "ConcatenationIe",
    "InformationElement",
    "InformationElementId",
    "UdhElement",
    "UdhText",
    "UserDataHeader",
    "decode_udh_text",
    "encode_udh_text",
]


class InformationElementId(IntEnum):
    """UDH information element identifiers tetrakit reads (after ftl/tetra-pei)."""

    CONCATENATED_SHORT_REFERENCE = 0x00
    CONCATENATED_LONG_REFERENCE = 0x08


_IEI_SHORT = InformationElementId.CONCATENATED_SHORT_REFERENCE
_IEI_LONG = InformationElementId.CONCATENATED_LONG_REFERENCE


@dataclass(frozen=True, slots=True)
class ConcatenationIe:
    """Concatenation information element: which part of which long text this is.

    ``long_reference`` selects IEI 0x08 (16-bit reference, low octet first on
    the wire [unverified]) instead of IEI 0x00 (8-bit reference).  Widths are
    checked on construction; whether total and sequence make sense is left to
    the reassembler, so that any element received re-encodes.
    """

    reference: int
    total: int
    sequence: int
    long_reference: bool = False

    def __post_init__(self) -> None:
        limit = 0xFFFF if self.long_reference else 0xFF
        if not 0 <= self.reference <= limit:
            raise EncodeError(f"must be 0-{limit}", field="udh_reference", value=self.reference)
        for name in ("total", "sequence"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise EncodeError("must be 0-255", field=name, value=value, width=8)

    @property
    def identifier(self) -> InformationElementId:
        return _IEI_LONG if self.long_reference else _IEI_SHORT

    def to_bytes(self) -> bytes:
        """Identifier, length and value octets."""
        writer = BitWriter()
        if self.long_reference:
            writer.write(_IEI_LONG, 8, "udh_ie_identifier")
            writer.write(4, 8, "udh_ie_length")
            # low octet first, as ftl/tetra-pei reads it [unverified]
            writer.write(self.reference & 0xFF, 8, "udh_reference")
            writer.write(self.reference >> 8, 8, "udh_reference")
        else:
            writer.write(_IEI_SHORT, 8, "udh_ie_identifier")
            writer.write(3, 8, "udh_ie_length")
            writer.write(self.reference, 8, "udh_reference")
        writer.write(self.total, 8, "total")
        writer.write(self.sequence, 8, "sequence")
        return writer.to_bytes()


@dataclass(frozen=True, slots=True)
class InformationElement:
    """A UDH information element tetrakit does not interpret: identifier and value octets."""

    identifier: int
    data: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.identifier <= 0xFF:
            raise EncodeError("must be 0-255", field="udh_ie_identifier", value=self.identifier,
                              width=8)
        if len(self.data) > 0xFF:
            raise EncodeError("an element holds at most 255 octets", field="udh_ie_length",
                              value=len(self.data))
        # these would decode as ConcatenationIe: keep one representation per wire form
        if (self.identifier, len(self.data)) in ((_IEI_SHORT, 3), (_IEI_LONG, 4)):
            raise EncodeError("use ConcatenationIe for this element",
                              field="udh_ie_identifier", value=self.identifier)

    def to_bytes(self) -> bytes:
        """Identifier, length and value octets."""
        writer = BitWriter()
        writer.write(self.identifier, 8, "udh_ie_identifier")
        writer.write(len(self.data), 8, "udh_ie_length")
        writer.write_bytes(self.data, "udh_ie_data")
        return writer.to_bytes()


UdhElement: TypeAlias = ConcatenationIe | InformationElement


@dataclass(frozen=True, slots=True)
class UserDataHeader:
    """The user data header: a sequence of information elements (at most 255 octets)."""

    elements: tuple[UdhElement, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.elements, tuple):
            object.__setattr__(self, "elements", tuple(self.elements))
        for element in self.elements:
            if not isinstance(element, ConcatenationIe | InformationElement):
                raise EncodeError("not a UDH information element", field="udh",
                                  value=element)
        if len(self._body()) > 0xFF:
            raise EncodeError("a user data header holds at most 255 octets", field="udh_length",
                              value=len(self._body()))

    def _body(self) -> bytes:
        return b"".join(element.to_bytes() for element in self.elements)

    @property
    def concatenation(self) -> ConcatenationIe | None:
        """The first concatenation element, or ``None``."""
        for element in self.elements:
            if isinstance(element, ConcatenationIe):
                return element
        return None

    def to_bytes(self) -> bytes:
        """UDH length octet and the elements."""
        body = self._body()
        writer = BitWriter()
        writer.write(len(body), 8, "udh_length")
        writer.write_bytes(body, "udh")
        return writer.to_bytes()


@dataclass(frozen=True, slots=True)
class UdhText:
    """User data of PI 0x8A (cl. 29.5.9): a text with a user data header.

    ``content`` holds the coding scheme, the timestamp and the coded text (not
    the header), so :attr:`text`, :attr:`TextContent.time` and
    :attr:`TextContent.best_effort` work as for plain text messages.
    """

    header: UserDataHeader
    content: TextContent

    layout: ClassVar[str] = LAYOUT_ONE_PUBLIC_IMPLEMENTATION

    def __post_init__(self) -> None:
        if not isinstance(self.header, UserDataHeader):
            raise EncodeError("needs a UserDataHeader", field="udh", value=self.header)
        if not isinstance(self.content, TextContent):
            raise EncodeError("needs a TextContent", field="text", value=self.content)

    @property
    def text(self) -> str:
        """This part's text."""
        return self.content.text

    @property
    def concatenation(self) -> ConcatenationIe | None:
        """Which part of which long text this is, or ``None`` for a text in one part."""
        return self.header.concatenation

    @property
    def time(self) -> SdsTimestamp | None:
        return self.content.time

    @property
    def bits(self) -> int | None:
        """Bit length of the coded text when it ends inside an octet (as ``content.bits``)."""
        return self.content.bits


def _decode_elements(reader: BitReader, end: int) -> tuple[UdhElement, ...]:
    """Read information elements up to bit ``end`` (the end of the user data header)."""
    elements: list[UdhElement] = []
    while reader.position < end:
        pos = reader.position
        if pos + 16 > end:
            raise DecodeError(f"information element header needs 2 octets, {(end - pos) // 8} "
                              "left in the user data header", field="udh_ie_length",
                              bit_offset=pos)
        iei = reader.read(8, "udh_ie_identifier")
        length = reader.read(8, "udh_ie_length")
        if reader.position + length * 8 > end:
            raise DecodeError(f"information element 0x{iei:02X} of {length} octets overruns the "
                              f"user data header ({(end - reader.position) // 8} octets left)",
                              field="udh_ie_length", bit_offset=pos + 8)
        if iei == _IEI_SHORT and length == 3:
            elements.append(ConcatenationIe(reader.read(8, "udh_reference"),
                                            reader.read(8, "total_parts"),
                                            reader.read(8, "sequence_number")))
        elif iei == _IEI_LONG and length == 4:
            # low octet first, as ftl/tetra-pei reads it [unverified]
            low = reader.read(8, "udh_reference")
            reference = low | (reader.read(8, "udh_reference") << 8)
            elements.append(ConcatenationIe(reference, reader.read(8, "total_parts"),
                                            reader.read(8, "sequence_number"), True))
        else:
            elements.append(InformationElement(iei, reader.read_bytes(length, "udh_ie_data")))
    return tuple(elements)


def decode_udh_text(data: bytes, start: int, bits: int) -> UdhText:
    """Decode PI 0x8A user data that starts at octet ``start`` of ``bits`` bits.

    Raises:
        DecodeError: when the text header, the UDH or an element is cut short
            or overruns (field and bit offset named).
    """
    reader = reader_at(data, start, bits, "text_coding_scheme")
    scheme, timestamp = decode_text_header(reader)
    length = reader.read(8, "udh_length")
    reader.peek(length * 8, "udh")  # the whole header must be there
    elements = _decode_elements(reader, reader.position + length * 8)
    text, text_bits = take_tail(data, reader.position >> 3, bits)
    return UdhText(UserDataHeader(elements), TextContent(scheme, text, timestamp, text_bits))


def encode_udh_text(user_data: UdhText) -> bytes:
    """The octets of PI 0x8A user data (text header, UDH, text)."""
    content = user_data.content
    return encode_text_header(content) + user_data.header.to_bytes() + content.data
