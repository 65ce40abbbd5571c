"""Property tests: round trips of every PDU class, and fuzzing of the decoders."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tetrakit
from tetrakit import sds
from tetrakit.errors import DecodeError
from tetrakit.sds.protocol_id import to_protocol_id
from tetrakit.sds.tl import decode_tl, encode_tl

from .strategies import PDU_STRATEGIES, transfers


@pytest.mark.parametrize("name", sorted(PDU_STRATEGIES))
def test_round_trip_every_pdu_class(name: str) -> None:
    @settings(max_examples=150, deadline=None)
    @given(PDU_STRATEGIES[name])
    def check(pdu: Any) -> None:
        data, bits = sds.encode(pdu)
        assert len(data) == (bits + 7) // 8
        back = sds.decode(data, bits)
        assert type(back) is type(pdu)
        assert back == pdu
        # the JSON form is serialisable for every PDU
        json.dumps(sds.to_dict(back))
        # hex text with the exact nibble count decodes the same
        if bits % 4 == 0:
            assert tetrakit.decode(data.hex()[: bits // 4], bits) == pdu

    check()


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 0xFFFF))
def test_status_round_trip(value: int) -> None:
    status = sds.decode_status(value)
    assert sds.decode_status(status.to_bytes()) == status
    report = status.short_report
    if report is not None:
        assert sds.short_report_status(report.report_type, report.message_reference) == status


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([1, 2, 3]), st.data())
def test_user_defined_round_trip(kind: int, data: st.DataObject) -> None:
    width = {1: 16, 2: 32, 3: 64}[kind]
    value = data.draw(st.integers(0, (1 << width) - 1))
    pdu = sds.UserDefinedData(sds.SdsType(kind), value)
    assert sds.decode_user_defined(pdu.to_bytes(), kind) == pdu


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_text_message_round_trip(text: str) -> None:
    if any(ord(c) > 0xFFFF for c in text):
        return
    pdu = sds.text_message(text, message_reference=1)
    back = sds.decode(*sds.encode(pdu))
    assert back.text == text
    expected = 1 if all(ord(c) < 256 for c in text) else 26
    assert back.user_data.coding_scheme == expected


@st.composite
def wire(draw: st.DrawFn) -> tuple[bytes, int | None]:
    """Random octets, biased to the interesting PIs, with a random bit length."""
    pi = draw(st.sampled_from([0x02, 0x03, 0x09, 0x0A, 0x0C, 0x82, 0x83, 0x89, 0x8A, 0x8C,
                               0xC3, 0x7F, 0xFF]) | st.integers(0, 255))
    body = draw(st.binary(max_size=60))
    data = bytes((pi,)) + body if draw(st.booleans()) else body
    bits = draw(st.none() | st.integers(0, 8 * len(data)) | st.integers(-3, 8 * len(data) + 9))
    return data, bits


@settings(max_examples=800, deadline=None)
@given(wire())
def test_fuzz_decode_raises_only_decode_error(sample: tuple[bytes, int | None]) -> None:
    data, bits = sample
    try:
        pdu = sds.decode(data, bits)
    except DecodeError:
        return
    json.dumps(sds.to_dict(pdu))
    if data[:1] != b"\x0a":
        # re-encoding a decoded PDU is stable (LIP has its own properties)
        again = sds.decode(*sds.encode(pdu))
        assert again == pdu


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=40), st.none() | st.integers(-2, 200))
def test_fuzz_hex_text_raises_only_decode_error(text: str, bits: int | None) -> None:
    with contextlib.suppress(DecodeError):
        tetrakit.decode(text, bits)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(1 << 20), 1 << 20) | st.binary(max_size=4))
def test_fuzz_status_raises_only_decode_error(value: int | bytes) -> None:
    with contextlib.suppress(DecodeError):
        sds.decode_status(value)


@settings(max_examples=200, deadline=None)
@given(transfers())
def test_hot_path_agrees_with_general_codec(pdu: sds.SdsTransfer) -> None:
    data, bits = sds.encode(pdu)
    assert data == encode_tl(pdu)
    assert sds.decode(data, bits) == decode_tl(to_protocol_id(data[0]), data, bits) == pdu


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([0x82, 0x89]), st.integers(0, 255), st.integers(0, 3), st.booleans(),
       st.integers(0, 127), st.binary(max_size=60))
def test_hot_path_decode_matches_general_on_text_shape(
    pi: int, mr: int, drr: int, svc: bool, scheme: int, text: bytes
) -> None:
    data = bytes((pi, (drr << 2) | (2 if svc else 0), mr, scheme)) + text
    fast = sds.decode(data)
    assert fast == decode_tl(to_protocol_id(pi), data, 8 * len(data))
    assert type(fast.protocol_id) is sds.ProtocolId
    assert type(fast.delivery_report_request) is sds.DeliveryReportRequest
    assert sds.encode(fast) == (data, 8 * len(data))


@st.composite
def concatenation_wire(draw: st.DrawFn) -> tuple[bytes, int | None]:
    """Random octets after the PIs of 0x8A / 0x8C / 0x0C, header-shaped half of the time."""
    pi = draw(st.sampled_from([0x8A, 0x8C, 0x0C]))
    head = bytes((pi,)) + (bytes((draw(st.integers(0, 15)) & ~1, draw(st.integers(0, 255))))
                           if pi & 0x80 else b"")
    if draw(st.booleans()):
        if pi == 0x8A:
            body = bytes((draw(st.integers(0, 255)), draw(st.integers(0, 12)),
                          draw(st.sampled_from([0, 8, 0x24])), draw(st.integers(0, 6))))
        else:
            body = bytes((draw(st.integers(0, 0x3F)), draw(st.integers(0, 255)),
                          draw(st.integers(0, 4))))
        body += draw(st.binary(max_size=20))
    else:
        body = draw(st.binary(max_size=30))
    data = head + body
    bits = draw(st.none() | st.integers(0, 8 * len(data) + 4))
    return data, bits


@settings(max_examples=800, deadline=None)
@given(concatenation_wire())
def test_fuzz_udh_and_concatenation_raise_only_decode_error(
    sample: tuple[bytes, int | None],
) -> None:
    data, bits = sample
    try:
        pdu = sds.decode(data, bits)
    except DecodeError:
        return
    json.dumps(sds.to_dict(pdu))
    assert sds.decode(*sds.encode(pdu)) == pdu


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), concatenation_wire(), st.floats(0, 200)),
                max_size=25))
def test_fuzz_reassembler_raises_only_decode_error(
    feeds: list[tuple[int, tuple[bytes, int | None], float]],
) -> None:
    reassembler = sds.Reassembler(timeout=50)
    now = 0.0
    for sender, (data, bits), step in feeds:
        now += step
        try:
            pdu = sds.decode(data, bits)
        except DecodeError:
            continue
        with contextlib.suppress(DecodeError):
            if isinstance(pdu, sds.ConcatenatedSds) or isinstance(
                    getattr(pdu, "user_data", None), sds.ConcatenatedPart | sds.ConcatenatedData):
                payload = reassembler.feed_payload(sender, pdu, now)
                assert payload is None or isinstance(payload, sds.ReassembledPayload)
            elif isinstance(getattr(pdu, "user_data", None), sds.UdhText):
                text = reassembler.feed(sender, pdu, now)
                assert text is None or isinstance(text, str)
        for gone in reassembler.expire(now):
            assert gone.missing and set(gone.received).isdisjoint(gone.missing)
