"""Text messaging SDUs (EN 300 392-2 cl. 29.5.2 - 29.5.4, Table 29.29).

A text SDU is one octet ``timestamp-used flag (1) | text coding scheme (7)``,
then a 24-bit timestamp when the flag is set, then the coded text.  It follows
the PI directly for simple text (0x02) and simple immediate text (0x09), where
the flag position is a fill bit (cl. 29.5.2.3), and follows the SDS-TL
SDS-TRANSFER header for text messaging (0x82) and immediate text (0x89).

Coding schemes (Table 29.29): 1 = ISO/IEC 8859-1 (Latin-1, one octet per
character, so æ ø å are 0xE6 0xF8 0xE5) and 26 = UCS-2 (16-bit big-endian
units) are established by several sources.  Schemes 2-25 and 27 are numbered
as one public implementation lists them (ftl/tetra-pei, written from
EN 300 392-2 V3.9.2): 2-10 ISO 8859-2 ... -10, 11-13 ISO 8859-13 ... -15,
14-25 the PC code pages 437, 737, 850, 852, 855, 857, 860, 861, 863, 865, 866,
869, and 27 VISCII.  Those with a Python codec (all but VISCII) are decoded
and encoded with that codec (an octet a code page leaves undefined is shown
as U+FFFD); VISCII has no codec in the standard library, so its
octets are kept and the text is shown best effort (ASCII as is, other octets
replaced).  Scheme 0 is a 7-bit alphabet whose packing the public decoders
disagree on; it is decoded best effort and flagged, and never written.
Encoding picks scheme 1, or 26 when a character is outside Latin-1, unless a
scheme is asked for.

The 24-bit timestamp is kept as its raw value in :class:`TextContent` (so
that every PDU re-encodes to the same bits); :attr:`TextContent.time` splits
it into its fields (:mod:`tetrakit.sds.timestamp`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from tetrakit._bits import BitReader, BitWriter
from tetrakit.errors import EncodeError
from tetrakit.sds._build import slot_builder
from tetrakit.sds._octets import check_tail, reader_at, take_tail
from tetrakit.sds.protocol_id import ProtocolId
from tetrakit.sds.timestamp import SdsTimestamp

__all__ = [
    "CODECS",
    "CodingScheme",
    "SimpleText",
    "TextContent",
    "coding_scheme_name",
    "decode_simple_text",
    "decode_text_sdu",
    "encode_simple_text",
    "encode_text_sdu",
    "is_best_effort",
]


class CodingScheme(IntEnum):
    """Text coding schemes (Table 29.29); 28-127 are reserved and stay ints.

    2-25 and 27 are numbered after one public source (see the module docstring).
    """

    GSM_7BIT = 0
    ISO_8859_1 = 1
    ISO_8859_2 = 2
    ISO_8859_3 = 3
    ISO_8859_4 = 4
    ISO_8859_5 = 5
    ISO_8859_6 = 6
    ISO_8859_7 = 7
    ISO_8859_8 = 8
    ISO_8859_9 = 9
    ISO_8859_10 = 10
    ISO_8859_13 = 11
    ISO_8859_14 = 12
    ISO_8859_15 = 13
    CP437 = 14
    CP737 = 15
    CP850 = 16
    CP852 = 17
    CP855 = 18
    CP857 = 19
    CP860 = 20
    CP861 = 21
    CP863 = 22
    CP865 = 23
    CP866 = 24
    CP869 = 25
    UCS2 = 26
    VISCII = 27


_SCHEMES = {m.value: m for m in CodingScheme}

#: Python codec of each scheme that has one (Table 29.29 as ftl/tetra-pei
#: lists it; one source).  0 (packing disputed) and 27 (VISCII, no stdlib
#: codec) are missing on purpose.
CODECS: dict[int, str] = {
    1: "latin-1", 2: "iso8859_2", 3: "iso8859_3", 4: "iso8859_4", 5: "iso8859_5",
    6: "iso8859_6", 7: "iso8859_7", 8: "iso8859_8", 9: "iso8859_9", 10: "iso8859_10",
    11: "iso8859_13", 12: "iso8859_14", 13: "iso8859_15", 14: "cp437", 15: "cp737",
    16: "cp850", 17: "cp852", 18: "cp855", 19: "cp857", 20: "cp860", 21: "cp861",
    22: "cp863", 23: "cp865", 24: "cp866", 25: "cp869", 26: "utf-16-be",
}

_NAMES: dict[int, str] = {
    0: "7-bit alphabet (best effort)",
    1: "ISO 8859-1 (Latin-1)",
    26: "UCS-2",
    27: "VISCII (best effort)",
    **{value: (f"ISO 8859-{codec[8:]}" if codec.startswith("iso") else f"code page {codec[2:]}")
       for value, codec in CODECS.items() if 2 <= value <= 25},
}

# GSM 03.38 default alphabet (basic table), used for the best-effort reading
# of scheme 0; the escape table is not applied.
_GSM7 = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

_TEXT_PIS = frozenset(
    {ProtocolId.SIMPLE_TEXT_MESSAGING, ProtocolId.SIMPLE_IMMEDIATE_TEXT_MESSAGING}
)


def coding_scheme_name(scheme: int) -> str:
    """A readable name of a text coding scheme."""
    return _NAMES.get(scheme, f"reserved ({scheme})")


def is_best_effort(scheme: int) -> bool:
    """True when text in ``scheme`` cannot be decoded with certainty (0, 27, reserved)."""
    return scheme not in CODECS


def _decode_7bit(data: bytes, bits: int) -> str:
    # MSB-first septets as tetra-kit reads them; osmo-tetra-sq5bpf uses
    # GSM-SMS (LSB-first) packing instead.  No captured vector decides it.
    reader = BitReader(data, bits)
    return "".join(_GSM7[reader.read(7, "text")] for _ in range(bits // 7))


@dataclass(frozen=True, slots=True)
class TextContent:
    """A text SDU (cl. 29.5.3 / 29.5.4): coding scheme, optional timestamp, coded text.

    ``data`` holds the coded text octets as they travel, so that every PDU
    re-encodes to the same bits; :attr:`text` decodes them.  ``bits`` is the
    text's bit length when it does not end on an octet boundary, else ``None``.
    Build from a string with :meth:`from_text`.

    Fields are checked on construction (``EncodeError`` naming the field), so
    an instance always encodes; decoders build instances without the check,
    from values that fit by construction.
    """

    coding_scheme: CodingScheme | int
    data: bytes
    timestamp: int | None = None
    bits: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.coding_scheme <= 0x7F:
            raise EncodeError("must be 0-127", field="coding_scheme", value=self.coding_scheme,
                              width=7)
        ts = self.timestamp
        if ts is not None and not 0 <= ts <= 0xFFFFFF:
            raise EncodeError("must be 0-0xFFFFFF", field="timestamp", value=ts, width=24)
        check_tail(self.data, self.bits, "text")

    @classmethod
    def from_text(
        cls, text: str, coding_scheme: CodingScheme | int | None = None,
        timestamp: int | SdsTimestamp | None = None,
    ) -> TextContent:
        """Code ``text`` in Latin-1, or in UCS-2 when a character is outside Latin-1.

        ``coding_scheme`` forces a scheme that has a codec (1-26);
        ``timestamp`` is the raw 24-bit value or an :class:`SdsTimestamp`.

        Raises:
            EncodeError: for scheme 0, 27 or a reserved one, or a character the
                chosen scheme cannot carry.
        """
        raw_ts = timestamp.raw if isinstance(timestamp, SdsTimestamp) else timestamp
        if coding_scheme is None:
            try:
                return cls(CodingScheme.ISO_8859_1, text.encode("latin-1"), raw_ts)
            except UnicodeEncodeError:
                coding_scheme = CodingScheme.UCS2
        codec = CODECS.get(int(coding_scheme))
        if codec is None:
            raise EncodeError("only schemes with a codec (1-26) are written; 0 and 27 are "
                              "decoded best effort only", field="coding_scheme",
                              value=coding_scheme)
        try:
            data = text.encode(codec)
        except UnicodeEncodeError as exc:
            raise EncodeError(f"character {text[exc.start]!r} at {exc.start} does not fit "
                              f"{coding_scheme_name(int(coding_scheme))}",
                              field="text", value=text) from exc
        if coding_scheme == CodingScheme.UCS2 and len(data) != 2 * len(text):
            bad = next(c for c in text if ord(c) > 0xFFFF)
            raise EncodeError(f"character {bad!r} is outside UCS-2 (16 bits)",
                              field="text", value=text)
        return cls(_SCHEMES[int(coding_scheme)], data, raw_ts)

    @property
    def text(self) -> str:
        """The decoded text (best effort for schemes 0, 27 and the reserved ones)."""
        scheme = self.coding_scheme
        if scheme is CodingScheme.ISO_8859_1 or scheme == 1:  # identity first: fast
            if self.bits is None:
                return self.data.decode("latin-1")
            return self.data[: self.bits >> 3].decode("latin-1")
        whole = len(self.data) if self.bits is None else self.bits >> 3
        if scheme == 26:
            # a lone surrogate cannot be represented; show U+FFFD for it
            return self.data[: whole & ~1].decode("utf-16-be", errors="replace")
        if scheme == 0:
            return _decode_7bit(self.data, len(self.data) * 8 if self.bits is None else self.bits)
        codec = CODECS.get(int(scheme))
        if codec is None:
            # VISCII keeps ASCII in 0x20-0x7E (its other octets are Vietnamese
            # letters no stdlib codec knows); reserved schemes are read as
            # Latin-1, as the 8-bit schemes were before Table 29.29 was known.
            codec = "ascii" if scheme == CodingScheme.VISCII else "latin-1"
        return self.data[:whole].decode(codec, errors="replace")

    @property
    def best_effort(self) -> bool:
        """True when :attr:`text` is a guess (see the module docstring)."""
        return self.coding_scheme not in CODECS

    @property
    def time(self) -> SdsTimestamp | None:
        """The timestamp split into its fields (cl. 29.5.4.4), or ``None`` without one."""
        return None if self.timestamp is None else SdsTimestamp.from_raw(self.timestamp)


_build_text = slot_builder(TextContent)


def encode_text_sdu(content: TextContent, *, timestamp_allowed: bool = True) -> bytes:
    """The text SDU octets (coding octet, timestamp, text).

    Raises:
        EncodeError: for a timestamp where none is allowed.
    """
    # the fields were checked when the TextContent was built
    ts = content.timestamp
    if ts is not None and not timestamp_allowed:
        raise EncodeError("simple text (PI 0x02/0x09) carries no timestamp",
                          field="timestamp", value=ts)
    return encode_text_header(content) + content.data


def encode_text_header(content: TextContent) -> bytes:
    """Timestamp-used flag (1), text coding scheme (7) and the timestamp (24) if any."""
    writer = BitWriter()
    ts = content.timestamp
    writer.write_bool(ts is not None, "timestamp_used")
    writer.write(int(content.coding_scheme), 7, "text_coding_scheme")
    if ts is not None:
        writer.write(ts, 24, "timestamp")
    return writer.to_bytes()


def decode_text_header(reader: BitReader, *, timestamp_flag: bool = True,
                       ) -> tuple[CodingScheme | int, int | None]:
    """Read the text coding octet and the timestamp it announces (cl. 29.5.4).

    ``timestamp_flag`` False: the flag position is a fill bit (simple text).

    Raises:
        DecodeError: when the coding octet or the timestamp is cut short.
    """
    reader.peek(8, "text_coding_scheme")  # flag and scheme share one octet
    used = reader.read_bool("timestamp_used")
    code = reader.read(7, "text_coding_scheme")
    timestamp = reader.read(24, "timestamp") if used and timestamp_flag else None
    return _SCHEMES.get(code, code), timestamp


def decode_text_sdu(data: bytes, start: int, bits: int, *, timestamp_flag: bool) -> TextContent:
    """Decode a text SDU that starts at octet ``start`` of a PDU of ``bits`` bits.

    ``timestamp_flag`` is False for simple text, where the flag position is a
    fill bit that is ignored.

    Raises:
        DecodeError: when the coding octet or the timestamp is cut short.
    """
    reader = reader_at(data, start, bits, "text_coding_scheme")
    scheme, timestamp = decode_text_header(reader, timestamp_flag=timestamp_flag)
    start = reader.position >> 3
    if not bits & 7:  # whole octets: the common case, no tail to mask
        return _build_text(scheme, data[start:], timestamp, None)
    text, text_bits = take_tail(data, start, bits)
    return _build_text(scheme, text, timestamp, text_bits)


@dataclass(frozen=True, slots=True)
class SimpleText:
    """Simple text message (cl. 29.5.2): PI 0x02, or 0x09 for immediate display; no SDS-TL."""

    protocol_id: ProtocolId | int
    content: TextContent

    @property
    def text(self) -> str:
        return self.content.text


def decode_simple_text(protocol_id: ProtocolId | int, data: bytes, bits: int) -> SimpleText:
    """Decode simple text; ``data`` starts with the PI."""
    return SimpleText(protocol_id, decode_text_sdu(data, 1, bits, timestamp_flag=False))


def encode_simple_text(pdu: SimpleText) -> bytes:
    """The octets of simple text, PI included."""
    if pdu.protocol_id not in _TEXT_PIS:
        raise EncodeError("simple text uses PI 0x02 or 0x09", field="protocol_id",
                          value=pdu.protocol_id)
    return bytes((pdu.protocol_id,)) + encode_text_sdu(pdu.content, timestamp_allowed=False)
