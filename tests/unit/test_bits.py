from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tetrakit._bits import BitReader, BitWriter, bytes_from_hex, hex_from_bytes
from tetrakit.errors import DecodeError, EncodeError


def test_read_fields_msb_first() -> None:
    r = BitReader(bytes([0b1010_1100, 0xFF]), 12)
    assert r.read(1, "a") == 1
    assert r.read(3, "b") == 0b010
    assert r.read_signed(4, "c") == -4  # 0b1100
    assert r.remaining == 4
    assert r.read(4, "d") == 0xF
    assert r.remaining == 0


def test_short_read_names_field_and_offset() -> None:
    r = BitReader(b"\x0a", 8)
    r.read(6, "first")
    with pytest.raises(DecodeError) as info:
        r.read(3, "latitude")
    assert info.value.field == "latitude"
    assert info.value.bit_offset == 6
    assert "latitude" in str(info.value)


def test_bit_length_longer_than_data_is_decode_error() -> None:
    with pytest.raises(DecodeError):
        BitReader(b"\x00", 9)


def test_writer_rejects_overflow() -> None:
    w = BitWriter()
    with pytest.raises(EncodeError) as info:
        w.write(8, 3, "speed")
    assert info.value.field == "speed"
    with pytest.raises(EncodeError):
        w.write_signed(-5, 3, "x")


def test_hex_odd_nibbles_and_whitespace() -> None:
    data, bits = bytes_from_hex("0A 1b3")
    assert data == b"\x0a\x1b\x30"
    assert bits == 20
    assert hex_from_bytes(data, 20) == "0A1B3"
    with pytest.raises(DecodeError):
        bytes_from_hex("0G")


@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(0, 2**40 - 1), st.booleans()), max_size=20)
)
def test_round_trip(fields: list[tuple[int, int, bool]]) -> None:
    w = BitWriter()
    expected = []
    for width, raw, signed in fields:
        value = raw & ((1 << width) - 1)
        if signed:
            value -= 1 << (width - 1)
            w.write_signed(value, width, "f")
        else:
            w.write(value, width, "f")
        expected.append(value)
    data = w.to_bytes()
    r = BitReader(data, w.length)
    got = [
        r.read_signed(width, "f") if signed else r.read(width, "f") for width, _, signed in fields
    ]
    assert got == expected
    assert r.remaining == 0


def test_skip_moves_past_bits_and_names_the_field_when_short() -> None:
    reader = BitReader(b"\xa5\x0f")
    reader.skip(4, "prefix")
    assert reader.read(8, "middle") == 0x50
    with pytest.raises(DecodeError) as info:
        reader.skip(5, "tail")
    assert (info.value.field, info.value.bit_offset) == ("tail", 12)
    assert reader.read(4, "tail") == 0xF
