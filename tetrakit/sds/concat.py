"""Concatenated SDS message (PI 0x0C / 0x8C, EN 300 392-2 cl. 29.5.14).

A payload too long for one SDS (an SDS-TL message of another PI, PI first) is
cut into parts; each part travels as one SDS with PI 0x8C (SDS-TL, each part
its own SDS-TL message reference) or 0x0C (no SDS-TL).  The layout below is
taken from one public implementation, ftl/tetra-pei (written from
EN 300 392-2 V3.9.2), whose own comment on it partly contradicts its code; no
other open decoder implements it and no captured message confirms it, so
everything here is [unverified] and marked as such (:data:`LAYOUT_BASIS` in
the JSON form):

=================================  ====  =====================================
concatenation PDU type              3    0 = concatenation transfer
reference extension present         1
reference                           4    or the upper 4 bits of a 12-bit
                                         reference when the extension follows
reference extension                 8    only when present (low 8 bits)
total number of parts               8    2-255
sequence number                     8    1-based
payload protocol identifier         8    only in part 1
payload data                        ...  the rest
=================================  ====  =====================================

Parts of another concatenation PDU type decode to :class:`ConcatenatedData`,
raw, with the reason.  Splitting and reassembly are in
:mod:`tetrakit.sds.split` and :mod:`tetrakit.sds.reassembly`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, TypeAlias

from tetrakit._bits import BitWriter
from tetrakit.errors import EncodeError
from tetrakit.sds._octets import check_tail, reader_at, take_tail
from tetrakit.sds.protocol_id import ProtocolId, to_protocol_id

__all__ = [
    "LAYOUT_BASIS",
    "LAYOUT_NOT_ESTABLISHED",
    "LAYOUT_ONE_PUBLIC_IMPLEMENTATION",
    "LAYOUT_RAW",
    "MAX_TEXT_LATIN1",
    "ConcatenatedData",
    "ConcatenatedPart",
    "ConcatenatedPayload",
    "ConcatenatedSds",
    "decode_concatenated",
    "encode_concatenated",
    "encode_concatenated_sds",
]

#: ``layout`` marker of PDUs decoded field by field after one public implementation.
LAYOUT_ONE_PUBLIC_IMPLEMENTATION = "one_public_implementation"
#: ``layout`` marker of payloads kept raw.
LAYOUT_RAW = "raw"
#: Where the layouts of PI 0x0C/0x8C and 0x8A come from (also in the JSON form).
LAYOUT_BASIS = (
    "one public implementation (ftl/tetra-pei, from EN 300 392-2 V3.9.2); "
    "not confirmed by a second source [unverified]"
)

#: Why a :class:`ConcatenatedData` is raw, unless it says otherwise.
LAYOUT_NOT_ESTABLISHED = (
    "layout of this concatenated SDS (EN 300 392-2 cl. 29.5.14) not established "
    "from public sources; kept raw"
)

#: Latin-1 characters that fit one SDS-TL text message: 2047 bits - 8 (PI)
#: - 16 (SDS-TRANSFER header) - 8 (coding octet) = 2015 bits.
MAX_TEXT_LATIN1 = 251

_TRANSFER = 0  # concatenation PDU type "concatenation transfer"


@dataclass(frozen=True, slots=True)
class ConcatenatedData:
    """A concatenated-SDS payload kept raw (an unknown concatenation PDU type).

    ``bits`` is the bit length when the data does not end on an octet, else
    ``None``; ``reason`` says why it is raw (not part of equality).
    """

    data: bytes
    bits: int | None = None
    reason: str = field(default=LAYOUT_NOT_ESTABLISHED, compare=False)

    #: markers for users and the JSON form: the payload is not decoded
    layout_established: ClassVar[bool] = False
    layout: ClassVar[str] = LAYOUT_RAW


@dataclass(frozen=True, slots=True)
class ConcatenatedPart:
    """One part of a concatenated SDS message (cl. 29.5.14; layout [unverified], see module).

    ``reference`` identifies the set (4 bits, or 12 with ``extended_reference``);
    ``total`` and ``sequence`` (1-based) place the part.  Part 1 carries the
    ``payload_protocol_id`` of the concatenated payload, later parts ``None``.
    ``data`` is this part's share of the payload after that PI; ``bits`` its
    bit length when it ends inside an octet, else ``None``.

    Field widths are checked on construction (``EncodeError`` naming the
    field), so an instance always encodes; whether total and sequence make
    sense is left to the reassembler, so that any part received re-encodes.
    """

    reference: int
    total: int
    sequence: int
    data: bytes
    bits: int | None = None
    payload_protocol_id: ProtocolId | int | None = None
    extended_reference: bool = False

    layout: ClassVar[str] = LAYOUT_ONE_PUBLIC_IMPLEMENTATION

    def __post_init__(self) -> None:
        limit = 0xFFF if self.extended_reference else 0xF
        if not 0 <= self.reference <= limit:
            raise EncodeError(f"must be 0-{limit} ({'12' if limit > 15 else '4'}-bit reference)",
                              field="concatenation_reference", value=self.reference)
        for name in ("total", "sequence"):
            value = getattr(self, name)
            if not 0 <= value <= 0xFF:
                raise EncodeError("must be 0-255", field=name, value=value, width=8)
        pi = self.payload_protocol_id
        if (self.sequence == 1) != (pi is not None):
            raise EncodeError("part 1, and only part 1, carries the payload protocol "
                              "identifier", field="payload_protocol_id", value=pi)
        if pi is not None and not 0 <= pi <= 0xFF:
            raise EncodeError("must be 0-255", field="payload_protocol_id", value=pi, width=8)
        check_tail(self.data, self.bits, "concatenated_data")


ConcatenatedPayload: TypeAlias = ConcatenatedPart | ConcatenatedData


@dataclass(frozen=True, slots=True)
class ConcatenatedSds:
    """Concatenated SDS message without SDS-TL (PI 0x0C, cl. 29.5.14)."""

    payload: ConcatenatedPayload
    protocol_id: ProtocolId | int = ProtocolId.CONCATENATED_SDS_MESSAGE

    @property
    def layout_established(self) -> bool:
        """Kept for compatibility: False, the layout is at best from one source."""
        return False

    @property
    def layout(self) -> str:
        """:data:`LAYOUT_ONE_PUBLIC_IMPLEMENTATION` or :data:`LAYOUT_RAW`."""
        return self.payload.layout


def decode_concatenated(data: bytes, start: int, bits: int) -> ConcatenatedPayload:
    """Decode a concatenated-SDS payload from octet ``start`` to bit ``bits``.

    Raises:
        DecodeError: when a header field is cut short.
    """
    reader = reader_at(data, start, bits, "concatenation_control")
    reader.peek(8, "concatenation_control")  # PDU type, flag and reference share one octet
    pdu_type = reader.read(3, "concatenation_pdu_type")
    if pdu_type != _TRANSFER:
        rest, rest_bits = take_tail(data, start, bits)
        return ConcatenatedData(
            rest, rest_bits,
            f"concatenation PDU type {pdu_type} is not known (only 0, concatenation "
            "transfer); kept raw",
        )
    extended = reader.read_bool("extended_reference")
    reference = reader.read(4, "concatenation_reference")
    if extended:
        reference = (reference << 8) | reader.read(8, "concatenation_reference_extension")
    total = reader.read(8, "total_parts")
    sequence = reader.read(8, "sequence_number")
    payload_pi: ProtocolId | int | None = None
    if sequence == 1:
        payload_pi = to_protocol_id(reader.read(8, "payload_protocol_id"))
    rest, rest_bits = take_tail(data, reader.position >> 3, bits)
    return ConcatenatedPart(reference, total, sequence, rest, rest_bits, payload_pi, extended)


def encode_concatenated(payload: ConcatenatedPayload) -> bytes:
    """The octets of a concatenated-SDS payload (the last octet may be partly used)."""
    if isinstance(payload, ConcatenatedData):
        check_tail(payload.data, payload.bits, "concatenated_data")
        return payload.data
    # the fields were checked when the part was built
    writer = BitWriter()
    writer.write(_TRANSFER, 3, "concatenation_pdu_type")
    writer.write_bool(payload.extended_reference, "extended_reference")
    # a 12-bit reference with the extension flag, else 4 bits
    writer.write(payload.reference, 12 if payload.extended_reference else 4,
                 "concatenation_reference")
    writer.write(payload.total, 8, "total_parts")
    writer.write(payload.sequence, 8, "sequence_number")
    if payload.payload_protocol_id is not None:
        writer.write(payload.payload_protocol_id, 8, "payload_protocol_id")
    return writer.to_bytes() + payload.data


def encode_concatenated_sds(pdu: ConcatenatedSds) -> bytes:
    """The octets of a PI 0x0C message, PI included."""
    if pdu.protocol_id != ProtocolId.CONCATENATED_SDS_MESSAGE:
        raise EncodeError("ConcatenatedSds is PI 0x0C", field="protocol_id",
                          value=pdu.protocol_id)
    return bytes((pdu.protocol_id,)) + encode_concatenated(pdu.payload)
