"""SDS type-4 user data: dispatch by protocol identifier (EN 300 392-2 cl. 29.4, 29.5).

Type-4 user data as the PEI shows it (``+CTSDSR`` body, ``AT+CMGS`` payload)
starts with the 8-bit protocol identifier.  :func:`decode` reads the PI and
hands the rest to the codec of that protocol: SDS-TL for PIs with bit 7 set,
simple text, simple location, LIP (``tetrakit.lip``, imported lazily) and raw
data for everything else.  :func:`encode` is its inverse and returns the
length in bits that ``AT+CMGS`` needs.

The PEI length in bits wins over the number of octets: a Motorola radio pads
a nibble, a Sepura radio prints an odd number of hex digits, and anything past
the length is ignored.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from tetrakit._bits import check_bit_length, check_octets
from tetrakit.errors import DecodeError, EncodeError
from tetrakit.sds._octets import check_tail, take_tail
from tetrakit.sds.concat import (
    MAX_TEXT_LATIN1,
    ConcatenatedSds,
    decode_concatenated,
    encode_concatenated_sds,
)
from tetrakit.sds.location import (
    SimpleLocation,
    decode_location_sdu,
    encode_location_sdu,
)
from tetrakit.sds.protocol_id import ProtocolId, protocol_id_name, to_protocol_id
from tetrakit.sds.text import (
    _SCHEMES,
    CodingScheme,
    SimpleText,
    TextContent,
    decode_simple_text,
    encode_simple_text,
)
from tetrakit.sds.timestamp import SdsTimestamp
from tetrakit.sds.tl import (
    _DRR,
    DeliveryReportRequest,
    DeliveryStatus,
    SdsAck,
    SdsReport,
    SdsTlOther,
    SdsTransfer,
    decode_tl,
    encode_tl,
)
from tetrakit.sds.types import MAX_TYPE4_BITS

__all__ = [
    "RawSds",
    "SdsPdu",
    "decode",
    "encode",
    "is_lip_pdu",
    "sds_ack",
    "sds_report",
    "simple_text",
    "text_message",
]


@dataclass(frozen=True, slots=True)
class RawSds:
    """Type-4 user data of a PI tetrakit does not decode (vendor, reserved, extension).

    ``data`` is the user data after the PI; ``bits`` its bit length when it
    does not end on an octet, else ``None``; ``reason`` says why it is raw
    (not part of equality).
    """

    protocol_id: ProtocolId | int
    data: bytes
    bits: int | None = None
    reason: str = field(default="", compare=False)


SdsPdu: TypeAlias = SdsTransfer | SdsReport | SdsAck | SdsTlOther | SimpleText | SimpleLocation | (
    ConcatenatedSds | RawSds)

_TEXT = (ProtocolId.SIMPLE_TEXT_MESSAGING, ProtocolId.SIMPLE_IMMEDIATE_TEXT_MESSAGING)

# --- the hot path: SDS-TL text messages ----------------------------------------
# Every other field of every PDU is read and written with tetrakit._bits'
# BitReader/BitWriter (the general path in tl.py, text.py, udh.py, ...).  Text
# messages are what the alarm controller sends and receives most, and going
# through a BitReader costs them about a microsecond more per message, which
# puts benchmarks/codecs.py over its 1.3x target; so their common shape (no
# storage fields, no timestamp, whole octets) alone is decoded and encoded
# with octet indexing at the top of decode()/encode().  The tests check it
# against the general path.  Decoding fills the frozen
# dataclasses' slots through their descriptors instead of __init__ (see
# tetrakit.sds._build for why that is safe and what it saves).
_TEXT_TL_PIS = frozenset({ProtocolId.TEXT_MESSAGING, ProtocolId.IMMEDIATE_TEXT_MESSAGING})
# lookup tables (an index is cheaper than a dict lookup here)
_FAST_PI: tuple[ProtocolId | None, ...] = tuple(
    ProtocolId(v) if v in _TEXT_TL_PIS else None for v in range(256))
_FAST_SCHEME: tuple[CodingScheme | int, ...] = tuple(_SCHEMES.get(v, v) for v in range(128))
_MAX_TEXT_OCTETS = (MAX_TYPE4_BITS - 32) // 8  # after PI, SDS-TL header and coding octet
_new = object.__new__
_tc_scheme, _tc_data, _tc_timestamp, _tc_bits = (
    TextContent.__dict__[name].__set__ for name in ("coding_scheme", "data", "timestamp", "bits")
)
_tr_pi, _tr_mr, _tr_user_data, _tr_drr, _tr_svc, _tr_storage = (
    SdsTransfer.__dict__[name].__set__
    for name in ("protocol_id", "message_reference", "user_data", "delivery_report_request",
                 "service_selection", "storage")
)


def _lip_module() -> Any:
    """``tetrakit.lip`` if it provides a decoder, else ``None`` (it is optional here)."""
    try:
        module = importlib.import_module("tetrakit.lip")
    except ImportError:
        return None
    return module if hasattr(module, "decode") else None


def is_lip_pdu(pdu: object) -> bool:
    """True for the PDU classes of ``tetrakit.lip``."""
    return type(pdu).__module__.startswith("tetrakit.lip")


def decode(data: bytes, bits: int | None = None) -> Any:
    """Decode SDS type-4 user data, PI first, as shown by the PEI.

    Args:
        data: the octets, protocol identifier first.
        bits: the PEI ``<length>`` in bits; it wins over ``len(data)``, and
            bits past it are ignored.

    Returns:
        An :data:`SdsPdu`, or a ``tetrakit.lip`` PDU for PI 0x0A.

    Raises:
        DecodeError: when the data does not form a PDU (field and bit offset named).
    """
    if type(data) is not bytes:
        data = check_octets(data)
    if bits is not None and type(bits) is not int:
        check_bit_length(bits)
    total = len(data) << 3
    if (bits is None or bits == total) and 32 <= total <= MAX_TYPE4_BITS:
        fast_pi = _FAST_PI[data[0]]
        octet, scheme = data[1], data[3]
        if fast_pi is not None and not octet & 0xF1 and scheme < 0x80:
            # hot path: an SDS-TRANSFER text message in whole octets without
            # storage fields (type and storage bits zero) or timestamp (flag zero)
            content = _new(TextContent)
            _tc_scheme(content, _FAST_SCHEME[scheme])
            _tc_data(content, data[4:])
            _tc_timestamp(content, None)
            _tc_bits(content, None)
            pdu = _new(SdsTransfer)
            _tr_pi(pdu, fast_pi)
            _tr_mr(pdu, data[2])
            _tr_user_data(pdu, content)
            _tr_drr(pdu, _DRR[(octet >> 2) & 3])
            _tr_svc(pdu, octet & 2 == 2)
            _tr_storage(pdu, None)
            return pdu
    explicit = bits is not None
    if bits is None:
        bits = total
    elif bits < 0 or bits > total:
        raise DecodeError(f"length {bits} bits does not fit the {len(data)} octets given",
                          field="length", bit_offset=0)
    if bits > MAX_TYPE4_BITS:
        # the length indicator of U/D-SDS-DATA has 11 bits (EN 300 392-2 cl. 14):
        # anything longer is not one SDS, and could not be sent on as one
        raise DecodeError(f"{bits} bits exceed the {MAX_TYPE4_BITS} bits of one SDS type-4 "
                          "message", field="length", bit_offset=MAX_TYPE4_BITS)
    if bits < 8:
        raise DecodeError(f"type-4 user data starts with the 8-bit protocol identifier, "
                          f"got {bits} bits", field="protocol_id", bit_offset=0)
    if bits != total:
        data, _ = take_tail(data, 0, bits)
    pi = data[0]
    if pi >= 0x80 and pi != 0xFF:
        return decode_tl(to_protocol_id(pi), data, bits)
    if pi in _TEXT:
        return decode_simple_text(to_protocol_id(pi), data, bits)
    if pi == ProtocolId.LOCATION_INFORMATION_PROTOCOL:
        lip = _lip_module()
        if lip is not None:
            try:
                # without a PEI length LIP's own padding rules apply
                return lip.decode(data[1:], bits - 8 if explicit else None)
            except DecodeError as exc:
                # LIP positions count from the end of the PI; report them
                # from the start of the user data the caller gave us
                offset = None if exc.bit_offset is None else exc.bit_offset + 8
                raise DecodeError(f"LIP: {exc.reason}", field=exc.field,
                                  bit_offset=offset) from exc
        rest, rest_bits = take_tail(data, 1, bits)
        return RawSds(ProtocolId.LOCATION_INFORMATION_PROTOCOL, rest, rest_bits,
                      "LIP decoder (tetrakit.lip) not available")
    if pi == ProtocolId.SIMPLE_LOCATION_SYSTEM:
        return SimpleLocation(decode_location_sdu(data, 1, bits))
    if pi == ProtocolId.CONCATENATED_SDS_MESSAGE:
        return ConcatenatedSds(decode_concatenated(data, 1, bits))
    rest, rest_bits = take_tail(data, 1, bits)
    if pi in (0x7F, 0xFF):
        reason = "extension PI: a further PI octet follows [structure unverified]"
    else:
        reason = f"payload of PI 0x{pi:02X} ({protocol_id_name(pi)}) is not decoded by tetrakit"
    return RawSds(to_protocol_id(pi), rest, rest_bits, reason)


def _pad(tail_bits: int | None) -> int:
    return 0 if tail_bits is None else (-tail_bits) & 7


def encode(pdu: Any) -> tuple[bytes, int]:
    """Encode a type-4 PDU: the octets with the PI, and the length in bits for ``AT+CMGS``.

    LIP PDUs are handed to ``tetrakit.lip.to_sds``.

    Raises:
        EncodeError: when a field does not fit, or the PDU exceeds 2047 bits.
        TypeError: for an object that is not a type-4 PDU.
    """
    if type(pdu) is SdsTransfer:
        content = pdu.user_data
        if (type(content) is TextContent and pdu.storage is None
                and content.timestamp is None and content.bits is None):
            # hot path: a text message without storage fields or timestamp.
            # SdsTransfer and TextContent checked their fields (and that text
            # goes with PI 0x82/0x89) on construction; only the total length
            # is left to check.
            text = content.data
            n = len(text)
            if n <= _MAX_TEXT_OCTETS:
                return bytes((pdu.protocol_id,
                              (pdu.delivery_report_request << 2)
                              | (2 if pdu.service_selection else 0),
                              pdu.message_reference, content.coding_scheme)) + text, 32 + (n << 3)
        out = encode_tl(pdu)
        pad = _pad(content.bits)
    elif isinstance(pdu, SdsTransfer):
        out = encode_tl(pdu)
        pad = _pad(pdu.user_data.bits)
    elif isinstance(pdu, SdsReport | SdsAck):
        out = encode_tl(pdu)
        pad = 0 if pdu.user_data is None else _pad(pdu.user_data.bits)
    elif isinstance(pdu, SdsTlOther):
        out = encode_tl(pdu)
        body = pdu.body
        pad = (-(4 + (len(body.data) * 8 if body.bits is None else body.bits))) & 7
    elif isinstance(pdu, SimpleText):
        out = encode_simple_text(pdu)
        pad = _pad(pdu.content.bits)
    elif isinstance(pdu, SimpleLocation):
        if pdu.protocol_id != ProtocolId.SIMPLE_LOCATION_SYSTEM:
            raise EncodeError("SimpleLocation is PI 0x03", field="protocol_id",
                              value=pdu.protocol_id)
        out = bytes((pdu.protocol_id,)) + encode_location_sdu(pdu.location)
        pad = _pad(pdu.location.bits)
    elif isinstance(pdu, ConcatenatedSds):
        out = encode_concatenated_sds(pdu)
        pad = _pad(pdu.payload.bits)
    elif isinstance(pdu, RawSds):
        if not 0 <= pdu.protocol_id <= 0xFF:
            raise EncodeError("must be 0-255", field="protocol_id", value=pdu.protocol_id,
                              width=8)
        check_tail(pdu.data, pdu.bits, "data")
        out = bytes((pdu.protocol_id,)) + pdu.data
        pad = _pad(pdu.bits)
    elif is_lip_pdu(pdu):
        lip = importlib.import_module("tetrakit.lip")
        data, nbits = lip.to_sds(pdu)
        return bytes(data), int(nbits)
    else:
        raise TypeError(f"not an SDS type-4 PDU: {type(pdu).__name__}")
    bits = len(out) * 8 - pad
    if bits > MAX_TYPE4_BITS:
        raise EncodeError(f"{bits} bits exceed the {MAX_TYPE4_BITS} bits of one SDS type-4 "
                          "message", field="length", value=bits)
    return out, bits


# --- builders ---------------------------------------------------------------


def text_message(
    text: str,
    *,
    message_reference: int,
    report: DeliveryReportRequest | int = DeliveryReportRequest.RECEIVED_AND_CONSUMED,
    immediate: bool = False,
    timestamp: int | SdsTimestamp | None = None,
    service_selection: bool = False,
) -> SdsTransfer:
    """An SDS-TL text message (PI 0x82, or 0x89 for immediate display; cl. 29.5.3).

    The text is coded Latin-1 unless a character is outside Latin-1, then UCS-2.
    ``timestamp`` is an :class:`SdsTimestamp` or its raw 24-bit value.  A text
    too long for one SDS is split with :func:`tetrakit.sds.split_text`.

    Raises:
        EncodeError: when the message reference, the report request or the
            timestamp does not fit, or the text does not fit one SDS.
    """
    if not 0 <= message_reference <= 0xFF:
        raise EncodeError("must be 0-255", field="message_reference", value=message_reference,
                          width=8)
    if not 0 <= report <= 3:
        raise EncodeError("must be 0-3", field="delivery_report_request", value=report, width=2)
    if isinstance(timestamp, SdsTimestamp):
        timestamp = timestamp.raw
    if timestamp is not None and not 0 <= timestamp <= 0xFFFFFF:
        raise EncodeError("must be 0-0xFFFFFF", field="timestamp", value=timestamp, width=24)
    content = TextContent.from_text(text, timestamp=timestamp)
    header_bits = 8 + 16 + 8 + (24 if timestamp is not None else 0)
    if header_bits + 8 * len(content.data) > MAX_TYPE4_BITS:
        raise EncodeError(
            f"{len(text)} characters do not fit one SDS (at most {MAX_TEXT_LATIN1} Latin-1 "
            "characters without timestamp; split_text sends it by concatenation)",
            field="text", value=len(text),
        )
    pi = ProtocolId.IMMEDIATE_TEXT_MESSAGING if immediate else ProtocolId.TEXT_MESSAGING
    return SdsTransfer(pi, message_reference, content, DeliveryReportRequest(report),
                       service_selection)


def simple_text(text: str, *, immediate: bool = False) -> SimpleText:
    """A simple text message without SDS-TL (PI 0x02 / 0x09, cl. 29.5.2).

    Raises:
        EncodeError: when the text does not fit one SDS (checked here, as
            :func:`text_message` does, not only when it is encoded).
    """
    content = TextContent.from_text(text)
    header_bits = 8 + 8  # PI and text coding scheme octet
    if header_bits + 8 * len(content.data) > MAX_TYPE4_BITS:
        limit = (MAX_TYPE4_BITS - header_bits) // 8
        raise EncodeError(
            f"{len(text)} characters do not fit one simple text SDS (at most {limit} Latin-1 "
            "characters)", field="text", value=len(text),
        )
    pi = (ProtocolId.SIMPLE_IMMEDIATE_TEXT_MESSAGING if immediate
          else ProtocolId.SIMPLE_TEXT_MESSAGING)
    return SimpleText(pi, content)


def sds_report(
    *,
    delivery_status: DeliveryStatus | int,
    message_reference: int,
    ack_required: bool = False,
    protocol_id: ProtocolId | int = ProtocolId.TEXT_MESSAGING,
) -> SdsReport:
    """An SDS-REPORT (cl. 29.4.2.2) answering the transfer with ``message_reference``.

    Raises:
        EncodeError: when a value does not fit its field.
    """
    _check_report_fields(delivery_status, message_reference, protocol_id)
    return SdsReport(to_protocol_id(protocol_id), _status(delivery_status), message_reference,
                     ack_required)


def sds_ack(
    *,
    delivery_status: DeliveryStatus | int,
    message_reference: int,
    protocol_id: ProtocolId | int = ProtocolId.TEXT_MESSAGING,
) -> SdsAck:
    """An SDS-ACK (cl. 29.4.2.1) acknowledging a report that asked for it.

    Raises:
        EncodeError: when a value does not fit its field.
    """
    _check_report_fields(delivery_status, message_reference, protocol_id)
    return SdsAck(to_protocol_id(protocol_id), _status(delivery_status), message_reference)


def _check_report_fields(delivery_status: int, message_reference: int, protocol_id: int) -> None:
    """EncodeError unless the fields SDS-REPORT and SDS-ACK share fit (cl. 29.4.2.1, 29.4.2.2)."""
    for name, value in (("delivery_status", delivery_status),
                        ("message_reference", message_reference)):
        if not 0 <= value <= 0xFF:
            raise EncodeError("must be 0-255", field=name, value=value, width=8)
    if not 0x80 <= protocol_id <= 0xFE:
        raise EncodeError("an SDS-TL PI is 0x80-0xFE", field="protocol_id", value=protocol_id)


def _status(code: int) -> DeliveryStatus | int:
    try:
        return DeliveryStatus(code)
    except ValueError:
        return code
