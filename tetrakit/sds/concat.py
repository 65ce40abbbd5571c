"""Concatenated SDS (PI 0x0C / 0x8C, cl. 29.5.14) and user data header (PI 0x8A, cl. 29.5.9).

These are decoded as raw data with a clear marker, and tetrakit neither splits
long texts nor reassembles parts.  Why: the field layout of both could not be
established from public sources.  No open decoder examined implements either
(tetra-kit has "TODO" for both, osmo-tetra-sq5bpf and tetra-bluestation only
name them), and the only example seen is one synthetic unit-test payload of a
single PEI library, which places a 3GPP-23.040-style user data header after
the text coding octet.  A layout modelled on one synthetic example would make
tetrakit emit messages that radios may render as garbage, so until EN 300 392-2
cl. 29.5.9 / 29.5.14 are at hand messages are sent as one SDS (at most 2047
bits with the PI: 251 Latin-1 characters after the SDS-TL and text headers)
and these PIs are passed through untouched.

The SDS-TL header of 0x8C and 0x8A *is* established (bit 7 of the PI), so for
those PIs :class:`tetrakit.sds.SdsTransfer` carries the header fields and a
:class:`ConcatenatedData` as its user data; PI 0x0C (no SDS-TL) decodes to a
:class:`ConcatenatedSds`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from tetrakit.errors import EncodeError
from tetrakit.sds._octets import check_tail, take_tail
from tetrakit.sds.protocol_id import ProtocolId

__all__ = [
    "LAYOUT_NOT_ESTABLISHED",
    "MAX_TEXT_LATIN1",
    "ConcatenatedData",
    "ConcatenatedSds",
    "decode_concatenated",
    "encode_concatenated",
    "encode_concatenated_sds",
]

#: Why :class:`ConcatenatedData` is raw (also put into the JSON form).
LAYOUT_NOT_ESTABLISHED = (
    "layout of concatenated SDS / user data header (EN 300 392-2 cl. 29.5.9, 29.5.14) "
    "not established from public sources; kept raw"
)

#: Latin-1 characters that fit one SDS-TL text message: 2047 bits - 8 (PI)
#: - 16 (SDS-TRANSFER header) - 8 (coding octet) = 2015 bits.
MAX_TEXT_LATIN1 = 251


@dataclass(frozen=True, slots=True)
class ConcatenatedData:
    """The undecoded payload of PI 0x0C / 0x8C / 0x8A (see the module docstring).

    ``bits`` is the bit length when the data does not end on an octet, else ``None``.
    """

    data: bytes
    bits: int | None = None

    #: marker for users and the JSON form: the layout is not known to tetrakit
    layout_established: ClassVar[bool] = False
    reason: ClassVar[str] = LAYOUT_NOT_ESTABLISHED


@dataclass(frozen=True, slots=True)
class ConcatenatedSds:
    """Concatenated SDS message without SDS-TL (PI 0x0C), kept raw."""

    payload: ConcatenatedData
    protocol_id: ProtocolId | int = ProtocolId.CONCATENATED_SDS_MESSAGE

    layout_established: ClassVar[bool] = False


def decode_concatenated(data: bytes, start: int, bits: int) -> ConcatenatedData:
    """The payload from octet ``start`` to the end, raw."""
    rest, rest_bits = take_tail(data, start, bits)
    return ConcatenatedData(rest, rest_bits)


def encode_concatenated(payload: ConcatenatedData) -> bytes:
    """The payload octets unchanged."""
    check_tail(payload.data, payload.bits, "concatenated_data")
    return payload.data


def encode_concatenated_sds(pdu: ConcatenatedSds) -> bytes:
    """The octets of a PI 0x0C message, PI included."""
    if pdu.protocol_id != ProtocolId.CONCATENATED_SDS_MESSAGE:
        raise EncodeError("ConcatenatedSds is PI 0x0C", field="protocol_id",
                          value=pdu.protocol_id)
    return bytes((pdu.protocol_id,)) + encode_concatenated(pdu.payload)
