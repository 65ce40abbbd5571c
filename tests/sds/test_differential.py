"""Differential tests: each PDU declared a second time with construct / bitstring.

The declarations below are written from the tables in the reference notes
(EN 300 392-2 Tables 29.11, 29.12, 29.14, 29.18, 29.29, 14.72), independently
of tetrakit's codec, and both decoders are run on the same random input: they
must agree on every field, and fail on the same inputs.
"""

from __future__ import annotations

from typing import Any

import construct as c
from bitstring import Bits
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import sds
from tetrakit.errors import DecodeError

U = c.BitsInteger

STORAGE = c.Struct(
    "validity" / U(5),
    "ftype" / U(3),
    "address" / c.Switch(c.this.ftype, {
        0: c.Struct("ssi" / U(8)),
        1: c.Struct("ssi" / U(24)),
        2: c.Struct("ssi" / U(24), "ext" / U(24)),
        3: c.Struct(
            "count" / U(8),
            "digits" / c.Array(c.this.count, U(4)),
            c.If(c.this.count % 2 == 1, c.Padding(4)),
        ),
    }, default=c.Pass),
)

TEXT_SDU = c.Struct(
    "ts_flag" / c.Flag,
    "scheme" / U(7),
    "timestamp" / c.If(c.this.ts_flag, U(24)),
    "octets" / c.GreedyRange(U(8)),
)

TRANSFER = c.BitStruct(
    "pi" / U(8),
    "mtype" / c.Const(0, U(4)),
    "drr" / U(2),
    "svc" / c.Flag,
    "storage" / c.Flag,
    "mr" / U(8),
    "sf" / c.If(c.this.storage, STORAGE),
    "text" / c.If(lambda ctx: not ctx.sf or ctx.sf.ftype not in (4, 5, 6), TEXT_SDU),
)

REPORT = c.BitStruct(
    "pi" / U(8),
    "mtype" / c.Const(1, U(4)),
    "ack" / c.Flag,
    "reserved" / U(2),
    "storage" / c.Flag,
    "status" / U(8),
    "mr" / U(8),
    "sf" / c.If(c.this.storage, STORAGE),
)

ACK = c.BitStruct(
    "pi" / U(8),
    "mtype" / c.Const(2, U(4)),
    "reserved" / U(4),
    "status" / U(8),
    "mr" / U(8),
)


def _ours(data: bytes) -> Any:
    try:
        return sds.decode(data)
    except DecodeError:
        return None


def _theirs(fmt: c.Construct, data: bytes) -> Any:
    try:
        return fmt.parse(data)
    except c.ConstructError:
        return None


def _address(sf: Any) -> dict[str, Any]:
    addr = sf.address
    if sf.ftype in (0, 1):
        return {"ssi": addr.ssi}
    if sf.ftype == 2:
        return {"ssi": addr.ssi, "extension": addr.ext}
    if sf.ftype == 3:
        return {"digits": "".join("0123456789ABCDEF"[d] for d in addr.digits)}
    return {}


def _check_storage(ours: sds.StorageForward | None, sf: Any) -> None:
    if sf is None:
        assert ours is None
        return
    assert ours is not None
    assert ours.validity_period == sf.validity
    fa = ours.forward_address
    assert fa.address_type == sf.ftype
    got = {k: v for k, v in (("ssi", fa.ssi), ("extension", fa.extension),
                             ("digits", fa.digits)) if v is not None}
    assert got == _address(sf)


@st.composite
def tl_input(draw: st.DrawFn, mtype: int, pis: list[int]) -> bytes:
    pi = draw(st.sampled_from(pis))
    flags = draw(st.integers(0, 15))
    if draw(st.booleans()):
        # make storage fields likely well formed
        flags |= 1
        body = bytes((draw(st.integers(0, 255)), draw(st.integers(0, 255)),
                      draw(st.integers(0, 255)) & 0xF8 | draw(st.sampled_from([0, 1, 2, 3, 7, 5])),
                      draw(st.integers(0, 12))))
        body += draw(st.binary(max_size=20))
    else:
        body = draw(st.binary(max_size=24))
    return bytes((pi, (mtype << 4) | flags)) + body


@settings(max_examples=800, deadline=None)
@given(tl_input(0, [0x82, 0x89]))
def test_transfer_matches_construct(data: bytes) -> None:
    ours, theirs = _ours(data), _theirs(TRANSFER, data)
    assert (ours is None) == (theirs is None), (ours, theirs)
    if ours is None:
        return
    assert ours.protocol_id == theirs.pi
    assert ours.delivery_report_request == theirs.drr
    assert ours.service_selection == theirs.svc
    assert ours.message_reference == theirs.mr
    _check_storage(ours.storage, theirs.sf)
    if theirs.text is None:
        assert isinstance(ours.user_data, sds.RawUserData)
        return
    content = ours.user_data
    assert isinstance(content, sds.TextContent)
    assert content.coding_scheme == theirs.text.scheme
    assert content.timestamp == theirs.text.timestamp
    assert content.data == bytes(theirs.text.octets)


@settings(max_examples=500, deadline=None)
@given(tl_input(1, [0x82, 0x83, 0xC3]))
def test_report_matches_construct(data: bytes) -> None:
    ours, theirs = _ours(data), _theirs(REPORT, data)
    assert (ours is None) == (theirs is None), (ours, theirs)
    if ours is None:
        return
    assert isinstance(ours, sds.SdsReport)
    assert (ours.protocol_id, ours.ack_required, ours.reserved) == (
        theirs.pi, theirs.ack, theirs.reserved)
    assert (ours.delivery_status, ours.message_reference) == (theirs.status, theirs.mr)
    _check_storage(ours.storage, theirs.sf)


@settings(max_examples=500, deadline=None)
@given(tl_input(2, [0x82, 0x8A]))
def test_ack_matches_construct(data: bytes) -> None:
    ours, theirs = _ours(data), _theirs(ACK, data)
    assert (ours is None) == (theirs is None)
    if ours is None:
        return
    assert (ours.protocol_id, ours.reserved, ours.delivery_status, ours.message_reference) == (
        theirs.pi, theirs.reserved, theirs.status, theirs.mr)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from([0x02, 0x09]), st.binary(max_size=20), st.data())
def test_simple_text_matches_bitstring(pi: int, body: bytes, draw: st.DataObject) -> None:
    data = bytes((pi,)) + body
    nbits = draw.draw(st.integers(8, 8 * len(data)))
    ours = _ours_bits(data, nbits)
    reader = Bits.from_bytes(data, length=nbits)
    if nbits < 16:
        assert ours is None
        return
    assert isinstance(ours, sds.SimpleText)
    assert ours.protocol_id == reader[0:8].uint
    # bit 8 is a fill bit; the coding scheme is the next 7 bits
    assert ours.content.coding_scheme == reader[9:16].uint
    whole = (nbits - 16) // 8
    assert ours.content.data[:whole] == reader[16 : 16 + 8 * whole].bytes
    if ours.content.coding_scheme == 1:
        assert ours.text == reader[16 : 16 + 8 * whole].bytes.decode("latin-1")


def _ours_bits(data: bytes, bits: int) -> Any:
    try:
        return sds.decode(data, bits)
    except DecodeError:
        return None


@settings(max_examples=500, deadline=None)
@given(st.integers(0, 0xFFFF))
def test_status_matches_bitstring(value: int) -> None:
    bits = Bits(uint=value, length=16)
    ours = sds.decode_status(value)
    prefix, report_type, mr = bits[0:6].uint, bits[6:8].uint, bits[8:16].uint
    # Table 29.18: a short report is the six bits 011111, then type and MR
    is_report = prefix == 0b011111
    assert ours.is_short_report == is_report
    if is_report:
        assert ours.short_report_type == report_type
        assert ours.message_reference == mr
    assert ours.is_emergency == (bits.uint == 0)
    assert (ours.kind is sds.StatusKind.USER) == bits[0]


# --- PI 0x8A message with user data header (layout per ftl/tetra-pei) ---------------

UDH_IE = c.Struct(
    "iei" / U(8),
    "length" / U(8),
    "value" / c.Array(c.this.length, U(8)),
)

UDH_TEXT = c.Struct(
    "ts_flag" / c.Flag,
    "scheme" / U(7),
    "timestamp" / c.If(c.this.ts_flag, U(24)),
    "udh_length" / U(8),
    # the elements must fill the header exactly
    "udh" / c.FixedSized(c.this.udh_length * 8,
                         c.Struct("ies" / c.GreedyRange(UDH_IE), c.Terminated)),
    "octets" / c.GreedyRange(U(8)),
)

UDH_TRANSFER = c.BitStruct(
    "pi" / c.Const(0x8A, U(8)),
    "mtype" / c.Const(0, U(4)),
    "drr" / U(2),
    "svc" / c.Flag,
    "storage" / c.Flag,
    "mr" / U(8),
    "sf" / c.If(c.this.storage, STORAGE),
    "text" / c.If(lambda ctx: not ctx.sf or ctx.sf.ftype not in (4, 5, 6), UDH_TEXT),
)


@st.composite
def udh_input(draw: st.DrawFn) -> bytes:
    """0x8A transfers whose header is mostly, but not always, well formed."""
    flags = draw(st.integers(0, 15)) & ~1 if draw(st.integers(0, 4)) else draw(st.integers(0, 15))
    head = bytes((0x8A, flags, draw(st.integers(0, 255))))
    if flags & 1:
        head += bytes((draw(st.integers(0, 255)) & 0xF8 | draw(st.sampled_from([0, 1, 7, 5])),
                       draw(st.integers(0, 255))))
        if head[-2] & 7 == 1:
            head += draw(st.binary(min_size=2, max_size=2))
    coding = draw(st.integers(0, 255))
    ts = draw(st.binary(min_size=3, max_size=3)) if coding & 0x80 else b""
    elements = b""
    for _ in range(draw(st.integers(0, 3))):
        iei = draw(st.sampled_from([0x00, 0x08, 0x24, 0x70]))
        value = draw(st.binary(min_size=3, max_size=4) | st.binary(max_size=5))
        elements += bytes((iei, len(value))) + value
    length = len(elements) + draw(st.sampled_from([0, 0, 0, 0, -1, 1, -2]))
    tail = draw(st.binary(max_size=12))
    return head + bytes((coding,)) + ts + bytes((max(length, 0) & 0xFF,)) + elements + tail


@settings(max_examples=600, deadline=None)
@given(udh_input())
def test_udh_transfer_matches_construct(data: bytes) -> None:
    ours, theirs = _ours(data), _theirs(UDH_TRANSFER, data)
    assert (ours is None) == (theirs is None), (data.hex(), ours, theirs)
    if ours is None:
        return
    assert (ours.delivery_report_request, ours.service_selection, ours.message_reference) == (
        theirs.drr, theirs.svc, theirs.mr)
    _check_storage(ours.storage, theirs.sf)
    if theirs.text is None:
        assert isinstance(ours.user_data, sds.RawUserData)
        return
    udh = ours.user_data
    assert isinstance(udh, sds.UdhText)
    text = theirs.text
    assert (udh.content.coding_scheme, udh.content.timestamp) == (text.scheme, text.timestamp)
    assert udh.content.data == bytes(text.octets)
    assert len(udh.header.elements) == len(text.udh.ies)
    for element, ie in zip(udh.header.elements, text.udh.ies, strict=True):
        value = bytes(ie.value)
        assert element.identifier == ie.iei
        if isinstance(element, sds.ConcatenationIe):
            assert (ie.iei, ie.length) in ((0x00, 3), (0x08, 4))
            ref = value[0] if ie.iei == 0 else int.from_bytes(value[:2], "little")
            assert (element.reference, element.total, element.sequence) == (
                ref, value[-2], value[-1])
        else:
            assert element.data == value
    assert sds.encode(ours) == (data, 8 * len(data))


# --- PI 0x0C concatenated SDS part (layout per ftl/tetra-pei) --------------------------

CONCAT_PART = c.BitStruct(
    "pi" / c.Const(0x0C, U(8)),
    "pdu_type" / c.Const(0, U(3)),
    "ext" / c.Flag,
    "ref_high" / U(4),
    "ref_low" / c.If(c.this.ext, U(8)),
    "total" / U(8),
    "sequence" / U(8),
    "payload_pi" / c.If(c.this.sequence == 1, U(8)),
    "octets" / c.GreedyRange(U(8)),
)


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 0x3F), st.sampled_from([0, 1, 2, 255]) | st.integers(0, 255),
       st.binary(max_size=10))
def test_concatenated_part_matches_construct(control: int, sequence: int, rest: bytes) -> None:
    data = bytes((0x0C, control, 0xAB, sequence)) + rest
    data = data[: 2 + len(rest)] if control & 1 else data  # sometimes cut short
    ours, theirs = _ours(data), _theirs(CONCAT_PART, data)
    if control >> 5:
        # an unknown concatenation PDU type: kept raw, whatever follows
        assert ours == sds.ConcatenatedSds(sds.ConcatenatedData(data[1:]))
        assert theirs is None
        return
    assert (ours is None) == (theirs is None), (data.hex(), ours, theirs)
    if ours is None:
        return
    part = ours.payload
    assert isinstance(part, sds.ConcatenatedPart)
    ref = theirs.ref_high if not theirs.ext else (theirs.ref_high << 8) | theirs.ref_low
    assert (part.reference, part.extended_reference) == (ref, theirs.ext)
    assert (part.total, part.sequence, part.payload_protocol_id) == (
        theirs.total, theirs.sequence, theirs.payload_pi)
    assert part.data == bytes(theirs.octets)
