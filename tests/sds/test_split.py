"""Splitting long texts / payloads into parts and reassembling them (cl. 29.5.9, 29.5.14)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError

LONG = ("Hjertestans, bygg B, 3. etasje, rom 312. Hjertestansteamet møter i akuttmottaket. "
        * 8)


def _wire(parts: list[sds.SdsTransfer]) -> list[sds.SdsTransfer]:
    """Each part through encode and decode, as a receiver sees it."""
    return [sds.decode(*sds.encode(part)) for part in parts]


def test_text_that_fits_is_one_plain_text_message() -> None:
    (pdu,) = sds.split_text("Kom straks", message_reference_start=9)
    assert pdu == sds.text_message("Kom straks", message_reference=9)
    assert pdu.protocol_id is sds.ProtocolId.TEXT_MESSAGING


def test_long_latin1_text_is_split_into_udh_parts() -> None:
    parts = sds.split_text(LONG, message_reference_start=0xFE)
    assert len(parts) == 3
    assert [p.message_reference for p in parts] == [0xFE, 0xFF, 0x00]
    for number, part in enumerate(parts, start=1):
        assert part.protocol_id is sds.ProtocolId.MESSAGE_WITH_USER_DATA_HEADER
        assert part.delivery_report_request is sds.DeliveryReportRequest.RECEIVED_AND_CONSUMED
        assert part.user_data.concatenation == sds.ConcatenationIe(0xFE, 3, number)
        assert part.user_data.content.coding_scheme is sds.CodingScheme.ISO_8859_1
        data, bits = sds.encode(part)
        assert bits <= sds.MAX_TYPE4_BITS
        # PI, SDS-TL header, coding octet, UDH 00 03 FE 03 nn
        assert data[:3] == bytes([0x8A, 0x0C, part.message_reference])
        assert data[3:10] == bytes([0x01, 0x05, 0x00, 0x03, 0xFE, 0x03, number])
    # all but the last part are full: 2047 bits - 80 header bits -> 245 octets
    assert [len(p.user_data.content.data) for p in parts] == [245, 245, len(LONG) - 490]
    assert "".join(p.text for p in parts) == LONG


def test_boundary_between_one_and_two_messages() -> None:
    # 400 bits: 32 header bits leave 46 Latin-1 characters in one message
    assert len(sds.split_text("x" * 46, message_reference_start=0, max_bits=400)) == 1
    parts = sds.split_text("x" * 47, message_reference_start=0, max_bits=400)
    assert len(parts) == 2
    # with the UDH 80 header bits leave 40 characters per part
    assert [len(p.text or "") for p in parts] == [40, 7]


def test_ucs2_parts_are_cut_between_characters() -> None:
    text = "Ω" * 30 + "x"
    parts = sds.split_text(text, message_reference_start=1, max_bits=250)
    # (250 - 80) // 8 = 21 octets -> 20 octets = 10 characters per part
    assert len(parts) == 4
    for part in parts:
        assert part.user_data.content.coding_scheme is sds.CodingScheme.UCS2
        assert len(part.user_data.content.data) % 2 == 0
        assert sds.encode(part)[1] <= 250
    assert "".join(p.text for p in parts) == text


def test_timestamp_goes_into_every_part() -> None:
    ts = sds.SdsTimestamp(sds.TimeframeType.UTC, 11, 26, 12, 0)
    parts = sds.split_text("y" * 100, message_reference_start=3, max_bits=500, timestamp=ts)
    assert len(parts) == 3
    assert all(p.user_data.time == ts for p in parts)
    # 500 - 80 - 24 bits -> 49 characters per part
    assert [len(p.text or "") for p in parts] == [49, 49, 2]
    assert all(sds.encode(p)[1] <= 500 for p in parts)


def test_references_from_an_allocator() -> None:
    allocator = sds.MessageReferenceAllocator(start=10)
    parts = sds.split_text(LONG, allocator=allocator, destination=2001)
    assert [p.message_reference for p in parts] == [10, 11, 12]
    assert allocator.outstanding(2001) == frozenset({10, 11, 12})
    assert all(p.user_data.concatenation.reference == 10 for p in parts)


def test_allocator_is_all_or_nothing() -> None:
    allocator = sds.MessageReferenceAllocator()
    for _ in range(254):
        allocator.allocate(2001)
    with pytest.raises(sds.MessageReferencesExhaustedError):
        sds.split_text(LONG, allocator=allocator, destination=2001)
    assert len(allocator.outstanding(2001)) == 254


@pytest.mark.parametrize("kwargs", [{}, {"message_reference_start": 1,
                                         "allocator": sds.MessageReferenceAllocator()},
                                    {"allocator": sds.MessageReferenceAllocator()}])
def test_exactly_one_reference_source(kwargs: dict[str, object]) -> None:
    with pytest.raises(TypeError):
        sds.split_text("x", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"max_bits": 2048}, "max_bits"),
    ({"max_bits": 80}, "max_bits"),
    ({"message_reference_start": 256}, "message_reference_start"),
    ({"report": 4}, "delivery_report_request"),
    ({"timestamp": 1 << 24}, "timestamp"),
])
def test_bad_arguments_name_the_field(kwargs: dict[str, int], field: str) -> None:
    args: dict[str, int] = {"message_reference_start": 0, **kwargs}
    with pytest.raises(EncodeError) as info:
        sds.split_text("z" * 300, **args)  # type: ignore[arg-type]
    assert info.value.field == field


def test_more_than_255_parts_is_an_error() -> None:
    with pytest.raises(EncodeError) as info:
        sds.split_text("x" * 256, message_reference_start=0, max_bits=88)
    assert info.value.field == "text"
    assert len(sds.split_text("x" * 255, message_reference_start=0, max_bits=88)) == 255


# --- reassembly ----------------------------------------------------------------------


def test_parts_in_any_order_with_duplicates() -> None:
    parts = _wire(sds.split_text(LONG + " Ω", message_reference_start=7, max_bits=600))
    assert len(parts) > 3
    order = parts + parts[1:3]
    random.Random(4).shuffle(order)
    reassembler = sds.Reassembler(timeout=30)
    results = [reassembler.feed(1001, part, now=float(i)) for i, part in enumerate(order)]
    assert [r for r in results if r is not None] == [LONG + " Ω"]
    # completion is on the last missing part, not a duplicate
    assert results.count(None) == len(order) - 1
    assert reassembler.pending == 0


def test_plain_and_single_part_texts_are_complete_at_once() -> None:
    reassembler = sds.Reassembler()
    assert reassembler.feed(5, sds.text_message("OK", message_reference=1), 0.0) == "OK"
    assert reassembler.feed(5, sds.simple_text("JA"), 0.0) == "JA"
    udh = sds.decode(bytes.fromhex("8A0001" "01" "00") + b"NEI")
    assert reassembler.feed(5, udh, 0.0) == "NEI"
    single = sds.decode(bytes.fromhex("8A0001" "01" "05000309" "0101") + b"VENT")
    assert reassembler.feed(5, single, 0.0) == "VENT"
    assert reassembler.pending == 0


def test_senders_and_references_are_kept_apart() -> None:
    a = _wire(sds.split_text("a" * 60, message_reference_start=1, max_bits=400))
    b = _wire(sds.split_text("b" * 60, message_reference_start=1, max_bits=400))
    c = _wire(sds.split_text("c" * 60, message_reference_start=2, max_bits=400))
    reassembler = sds.Reassembler()
    assert reassembler.feed(2001, a[0], 0) is None
    assert reassembler.feed(2002, b[0], 0) is None
    assert reassembler.feed(2001, c[0], 0) is None
    assert reassembler.feed(2002, b[1], 1) == "b" * 60
    assert reassembler.feed(2001, c[1], 1) == "c" * 60
    assert reassembler.feed(2001, a[1], 1) == "a" * 60


def test_expire_reports_incomplete_sets_oldest_first() -> None:
    first = _wire(sds.split_text("f" * 200, message_reference_start=20, max_bits=400))
    second = _wire(sds.split_text("s" * 100, message_reference_start=40, max_bits=400))
    reassembler = sds.Reassembler(timeout=60)
    reassembler.feed(1001, first[2], 100.0)
    reassembler.feed(1001, first[0], 110.0)
    reassembler.feed(2001, second[1], 120.0)
    assert reassembler.expire(159.9) == []
    (gone,) = reassembler.expire(160.0)
    assert gone == sds.IncompleteMessage(1001, 20, 5, (1, 3), 100.0, "text")
    assert gone.missing == (2, 4, 5)
    assert reassembler.pending == 1
    (gone,) = reassembler.expire(1000.0)
    assert (gone.sender, gone.reference, gone.received, gone.missing) == (2001, 40, (2,), (1, 3))
    assert reassembler.pending == 0
    # a part of an expired set starts a new set
    assert reassembler.feed(1001, first[1], 1001.0) is None
    assert reassembler.pending == 1


def test_late_duplicate_after_completion_is_ignored() -> None:
    parts = _wire(sds.split_text("d" * 60, message_reference_start=1, max_bits=400))
    reassembler = sds.Reassembler(timeout=10)
    assert reassembler.feed(1, parts[0], 0) is None
    assert reassembler.feed(1, parts[1], 1) == "d" * 60
    assert reassembler.feed(1, parts[0], 5) is None
    assert reassembler.pending == 0
    assert reassembler.expire(100) == []
    # after the timeout the same reference is a new message
    assert reassembler.feed(1, parts[0], 100) is None
    assert reassembler.pending == 1


@pytest.mark.parametrize(("udh", "field"), [("050003090300", "sequence_number"),
                                            ("050003090203", "sequence_number"),
                                            ("050003090001", "total_parts")])
def test_impossible_sequence_is_a_decode_error(udh: str, field: str) -> None:
    pdu = sds.decode(bytes.fromhex("8A0001" "01" + udh) + b"x")
    with pytest.raises(DecodeError) as info:
        sds.Reassembler().feed(1, pdu, 0)
    assert info.value.field == field


def test_feed_rejects_pdus_without_text() -> None:
    reassembler = sds.Reassembler()
    with pytest.raises(TypeError):
        reassembler.feed(1, sds.sds_report(delivery_status=0, message_reference=1), 0)
    with pytest.raises(TypeError):
        reassembler.feed_payload(1, sds.text_message("x", message_reference=1), 0)
    with pytest.raises(ValueError):
        sds.Reassembler(timeout=0)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)),
               max_size=600),
       st.integers(100, 2047), st.integers(0, 255), st.randoms(use_true_random=False))
def test_split_then_reassemble_gives_the_text(text: str, max_bits: int, start: int,
                                              rnd: random.Random) -> None:
    try:
        parts = sds.split_text(text, message_reference_start=start, max_bits=max_bits)
    except EncodeError as exc:
        assert exc.field == "text"  # more than 255 parts
        return
    for part in parts:
        assert sds.encode(part)[1] <= max_bits
    received = _wire(parts)
    rnd.shuffle(received)
    reassembler = sds.Reassembler()
    results = [reassembler.feed("peer", part, 0.0) for part in received]
    assert results[-1] == text
    assert results[:-1] == [None] * (len(results) - 1)


# --- concatenated SDS payloads (PI 0x8C) ---------------------------------------------


def test_payload_that_fits_is_returned_as_its_pdu() -> None:
    pdu = sds.text_message("kort", message_reference=3)
    assert sds.split_payload(*sds.encode(pdu), message_reference_start=9) == [pdu]


def test_long_payload_is_split_into_concatenated_parts_and_back() -> None:
    original = sds.text_message(LONG[:240], message_reference=0x33)
    data, bits = sds.encode(original)
    parts = sds.split_payload(data, bits, message_reference_start=0x20, max_bits=600)
    assert len(parts) == 4
    assert [p.message_reference for p in parts] == [0x20, 0x21, 0x22, 0x23]
    first = parts[0].user_data
    assert first.reference == 0x20 and first.extended_reference  # 0x20 > 15: 12-bit form
    assert first.payload_protocol_id == 0x82
    assert all(p.user_data.payload_protocol_id is None for p in parts[1:])
    assert all(sds.encode(p)[1] <= 600 for p in parts)
    reassembler = sds.Reassembler()
    received = _wire(parts)
    results = [reassembler.feed_payload(1001, p, 0.0) for p in reversed(received)]
    assert results[:-1] == [None] * 3
    done = results[-1]
    assert isinstance(done, sds.ReassembledPayload)
    assert done.user_data() == (data, bits)
    assert done.decode() == original


def test_payload_with_odd_bit_length_and_short_reference() -> None:
    data, bits = bytes([0x40]) + bytes(range(1, 100)) + b"\xf0", 8 * 101 - 4
    parts = sds.split_payload(data, bits, message_reference_start=1, max_bits=300, reference=5)
    assert all(not p.user_data.extended_reference and p.user_data.reference == 5
               for p in parts)
    assert parts[-1].user_data.bits is not None
    reassembler = sds.Reassembler()
    results = [reassembler.feed_payload(7, p, 0.0) for p in _wire(parts)]
    assert results[-1] is not None
    assert results[-1].user_data() == (data, bits)
    assert results[-1].decode() == sds.RawSds(0x40, data[1:], bits - 8)


def test_concatenated_sds_without_tl_reassembles_and_expires() -> None:
    one = sds.ConcatenatedSds(sds.ConcatenatedPart(4, 2, 1, b"ab", payload_protocol_id=0x40))
    two = sds.ConcatenatedSds(sds.ConcatenatedPart(4, 2, 2, b"cd"))
    reassembler = sds.Reassembler(timeout=5)
    assert reassembler.feed_payload(9, two, 0.0) is None
    assert reassembler.feed_payload(9, one, 1.0) == sds.ReassembledPayload(0x40, b"abcd")
    assert reassembler.feed_payload(9, two, 50.0) is None
    (gone,) = reassembler.expire(55.0)
    assert (gone.kind, gone.reference, gone.missing) == ("payload", 4, (1,))


def test_split_payload_arguments() -> None:
    with pytest.raises(EncodeError) as info:
        sds.split_payload(b"\x40" * 300, message_reference_start=0, reference=4096)
    assert info.value.field == "reference"
    with pytest.raises(EncodeError) as info:
        sds.split_payload(b"\x40", 9, message_reference_start=0)
    assert info.value.field == "bits"
    with pytest.raises(EncodeError) as info:
        sds.split_payload(b"\x40" * 300, message_reference_start=0, max_bits=63)
    assert info.value.field == "max_bits"


def test_raw_parts_cannot_be_reassembled() -> None:
    reassembler = sds.Reassembler()
    raw = sds.decode(bytes.fromhex("0CE10203"))
    assert isinstance(raw.payload, sds.ConcatenatedData)
    with pytest.raises(DecodeError) as info:
        reassembler.feed_payload(1, raw, 0)
    assert info.value.field == "concatenation_control"
    with pytest.raises(DecodeError) as info:
        reassembler.feed(1, sds.SdsTransfer(0x8A, 1, sds.ConcatenatedData(b"\x01")), 0)
    assert info.value.field == "udh"


def test_new_message_reusing_a_reference_soon_after_is_not_lost() -> None:
    old = _wire(sds.split_text("o" * 60, message_reference_start=1, max_bits=400))
    new = _wire(sds.split_text("n" * 60, message_reference_start=1, max_bits=400))
    reassembler = sds.Reassembler(timeout=60)
    assert reassembler.feed(1, old[0], 0) is None
    assert reassembler.feed(1, old[1], 1) == "o" * 60
    assert reassembler.feed(1, old[1], 2) is None  # duplicate
    assert reassembler.feed(1, new[1], 3) is None  # differs: a new message
    assert reassembler.feed(1, new[0], 4) == "n" * 60
