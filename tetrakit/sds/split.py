"""Splitting long texts and payloads into SDS parts (EN 300 392-2 cl. 29.5.9, 29.5.14).

:func:`split_text` turns a text into SDS-TL messages: one plain text message
(PI 0x82) when it fits, else parts with a user data header (PI 0x8A), each
with its own SDS-TL message reference and a concatenation element whose
reference is the first part's message reference (as ftl/tetra-pei does;
layout [unverified], see :mod:`tetrakit.sds.udh`).  :func:`split_payload` does
the same for any type-4 payload with concatenated SDS parts (PI 0x8C; layout
[unverified], see :mod:`tetrakit.sds.concat`).

Message references come either from a start value (``start``, ``start + 1``,
... modulo 256) or from a :class:`~tetrakit.sds.refs.MessageReferenceAllocator`
for the destination, which then holds them outstanding until released.
``max_bits`` bounds every part, PI included: 2047 by the air interface, often
less on real networks.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from tetrakit.errors import EncodeError
from tetrakit.sds._octets import take_tail
from tetrakit.sds.codec import decode
from tetrakit.sds.concat import ConcatenatedPart
from tetrakit.sds.protocol_id import ProtocolId
from tetrakit.sds.refs import MessageReferenceAllocator
from tetrakit.sds.text import CodingScheme, TextContent
from tetrakit.sds.timestamp import SdsTimestamp
from tetrakit.sds.tl import DeliveryReportRequest, SdsTransfer
from tetrakit.sds.types import MAX_TYPE4_BITS
from tetrakit.sds.udh import ConcatenationIe, UdhText, UserDataHeader

__all__ = ["MAX_PARTS", "split_payload", "split_text"]

#: The total number of parts is one octet.
MAX_PARTS = 255

# PI (8) + SDS-TRANSFER header: message type and flags (8), message reference (8)
_TL_BITS = 24
# coding octet (8) + UDH length (8) + IEI 0x00 element: IEI, length, reference,
# total, sequence (5 x 8)
_UDH_TEXT_OVERHEAD = 8 + 8 + 40
# concatenation control (8) + total (8) + sequence (8); the payload PI of part 1
# is counted as payload (it is the payload's first octet)
_CONCAT_OVERHEAD = 24


def _check_max_bits(max_bits: int) -> None:
    if not 0 < max_bits <= MAX_TYPE4_BITS:
        raise EncodeError(f"must be 1-{MAX_TYPE4_BITS}", field="max_bits", value=max_bits)


def _check_header(report: int, timestamp: int | SdsTimestamp | None) -> int | None:
    if not 0 <= report <= 3:
        raise EncodeError("must be 0-3", field="delivery_report_request", value=report, width=2)
    raw = timestamp.raw if isinstance(timestamp, SdsTimestamp) else timestamp
    if raw is not None and not 0 <= raw <= 0xFFFFFF:
        raise EncodeError("must be 0-0xFFFFFF", field="timestamp", value=raw, width=24)
    return raw


def _reference_source(
    message_reference_start: int | None,
    allocator: MessageReferenceAllocator | None,
    destination: Hashable,
) -> Callable[[int], list[int]]:
    """A function ``count -> references`` from exactly one of the two sources."""
    if (message_reference_start is None) == (allocator is None):
        raise TypeError("give exactly one of message_reference_start and allocator")
    if allocator is not None and destination is None:
        raise TypeError("an allocator needs the destination the references are for")
    if allocator is not None:
        def allocate(count: int) -> list[int]:
            refs: list[int] = []
            try:
                for _ in range(count):
                    refs.append(allocator.allocate(destination))
            except BaseException:
                # all or nothing: a half-sent set would only confuse the peer
                for ref in refs:
                    allocator.release(destination, ref)
                raise
            return refs
        return allocate
    start = message_reference_start
    assert start is not None  # for mypy: checked above
    if not 0 <= start <= 0xFF:
        raise EncodeError("must be 0-255", field="message_reference_start", value=start,
                          width=8)
    return lambda count: [(start + i) & 0xFF for i in range(count)]


def split_text(
    text: str,
    *,
    message_reference_start: int | None = None,
    allocator: MessageReferenceAllocator | None = None,
    destination: Hashable = None,
    max_bits: int = MAX_TYPE4_BITS,
    report: DeliveryReportRequest | int = DeliveryReportRequest.RECEIVED_AND_CONSUMED,
    service_selection: bool = False,
    timestamp: int | SdsTimestamp | None = None,
) -> list[SdsTransfer]:
    """The SDS-TL messages that carry ``text``, in sending order.

    A text that fits one SDS of ``max_bits`` gives a single text message
    (PI 0x82, as :func:`tetrakit.sds.text_message`); a longer one gives 2-255
    parts with PI 0x8A (cl. 29.5.9), each with its own message reference and
    a concatenation element (reference = the first part's message reference,
    total, sequence 1..n).  The text is coded Latin-1, or UCS-2 when a
    character is outside Latin-1; UCS-2 parts are cut between characters.
    Every part carries ``report``, ``service_selection`` and ``timestamp``.

    Args:
        message_reference_start: the first part's message reference; the
            others follow modulo 256.
        allocator, destination: take the references from ``allocator`` for
            ``destination`` instead (all or none are allocated).

    Raises:
        TypeError: unless exactly one of ``message_reference_start`` and
            ``allocator`` is given (the latter with ``destination``).
        EncodeError: for a value that does not fit, a character outside
            UCS-2, or a text that needs more than 255 parts.
        MessageReferencesExhaustedError: when the allocator runs out.
    """
    _check_max_bits(max_bits)
    raw_ts = _check_header(report, timestamp)
    references = _reference_source(message_reference_start, allocator, destination)
    content = TextContent.from_text(text, timestamp=raw_ts)
    drr = DeliveryReportRequest(report)
    ts_bits = 0 if raw_ts is None else 24
    coded = content.data
    if _TL_BITS + 8 + ts_bits + 8 * len(coded) <= max_bits:
        (ref,) = references(1)
        return [SdsTransfer(ProtocolId.TEXT_MESSAGING, ref, content, drr, service_selection)]
    unit = 2 if content.coding_scheme == CodingScheme.UCS2 else 1
    per_part = (max_bits - _TL_BITS - _UDH_TEXT_OVERHEAD - ts_bits) // 8 // unit * unit
    if per_part < unit:
        raise EncodeError(f"{max_bits} bits leave no room for text after the part headers",
                          field="max_bits", value=max_bits)
    count = -(-len(coded) // per_part)
    if count > MAX_PARTS:
        raise EncodeError(f"{len(text)} characters need {count} parts of at most "
                          f"{per_part // unit} characters; at most {MAX_PARTS} parts exist",
                          field="text", value=len(text))
    refs = references(count)
    scheme = content.coding_scheme
    return [
        SdsTransfer(
            ProtocolId.MESSAGE_WITH_USER_DATA_HEADER, ref,
            UdhText(UserDataHeader((ConcatenationIe(refs[0], count, number),)),
                    TextContent(scheme, coded[i * per_part : (i + 1) * per_part], raw_ts)),
            drr, service_selection,
        )
        for i, (number, ref) in enumerate(zip(range(1, count + 1), refs, strict=True))
    ]


def split_payload(
    data: bytes,
    bits: int | None = None,
    *,
    message_reference_start: int | None = None,
    allocator: MessageReferenceAllocator | None = None,
    destination: Hashable = None,
    max_bits: int = MAX_TYPE4_BITS,
    report: DeliveryReportRequest | int = DeliveryReportRequest.RECEIVED_AND_CONSUMED,
    service_selection: bool = False,
    reference: int | None = None,
) -> list[Any]:
    """The SDS messages that carry type-4 user data ``data`` (PI first), in sending order.

    User data of at most ``max_bits`` is returned as its one decoded PDU, to
    be sent as it is (and without a message reference taken).  Longer user
    data gives 2-255 concatenated SDS parts (PI 0x8C, cl. 29.5.14; layout
    [unverified]) with their own message references; the payload's PI
    travels in part 1.  The concatenation reference is ``reference`` (0-4095)
    or the first part's message reference, in the 4-bit form when it is below
    16, else with the extension octet.

    Args:
        bits: the bit length of ``data`` (``len(data) * 8`` when ``None``).
        message_reference_start, allocator, destination: as for :func:`split_text`.

    Raises:
        TypeError: unless exactly one of ``message_reference_start`` and
            ``allocator`` is given.
        EncodeError: for a value that does not fit or user data that needs
            more than 255 parts.
        DecodeError: when user data that fits one SDS does not decode.
        MessageReferencesExhaustedError: when the allocator runs out.
    """
    _check_max_bits(max_bits)
    _check_header(report, None)
    total_bits = len(data) * 8 if bits is None else bits
    if not 8 <= total_bits <= len(data) * 8:
        raise EncodeError(f"{total_bits} bits do not fit the {len(data)} octets given, "
                          "or hold no protocol identifier", field="bits", value=bits)
    references = _reference_source(message_reference_start, allocator, destination)
    if total_bits <= max_bits:
        return [decode(data, total_bits)]
    if reference is not None and not 0 <= reference <= 0xFFF:
        raise EncodeError("must be 0-4095", field="reference", value=reference)
    # room assuming the extension octet; a short reference wastes at most 8 bits
    per_part = (max_bits - _TL_BITS - _CONCAT_OVERHEAD - 8) // 8
    if per_part < 2:  # part 1 must hold the payload PI and something more
        raise EncodeError(f"{max_bits} bits leave no room for payload after the part headers",
                          field="max_bits", value=max_bits)
    count = -(-total_bits // (per_part * 8))
    if count > MAX_PARTS:
        raise EncodeError(f"{total_bits} bits need {count} parts; at most {MAX_PARTS} exist",
                          field="bits", value=total_bits)
    refs = references(count)
    ref = refs[0] if reference is None else reference
    drr = DeliveryReportRequest(report)
    parts = []
    for i, mr in enumerate(refs):
        end = min((i + 1) * per_part * 8, total_bits)
        chunk, chunk_bits = take_tail(data, i * per_part, end)
        if i == 0:
            # never the last part (there are at least two), so whole octets
            part = ConcatenatedPart(ref, count, 1, chunk[1:], None, chunk[0], ref > 0xF)
        else:
            part = ConcatenatedPart(ref, count, i + 1, chunk, chunk_bits, None, ref > 0xF)
        parts.append(SdsTransfer(ProtocolId.CONCATENATED_SDS_MESSAGE_TL, mr, part, drr,
                                 service_selection))
    return parts
