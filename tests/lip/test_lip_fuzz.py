"""Fuzz: any bytes and any bit length decode or raise DecodeError, nothing else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import lip
from tetrakit.errors import DecodeError


@given(st.binary(max_size=40), st.none() | st.integers(-16, 400))
@settings(max_examples=1500)
def test_decode_raises_only_decode_error(data: bytes, bits: int | None) -> None:
    try:
        pdu = lip.decode(data, bits)
    except DecodeError as exc:
        assert exc.field
        return
    # whatever decodes also re-encodes to the same bits and serialises
    encoded, n = lip.encode(pdu)
    if bits is not None:
        assert n == bits
        assert lip.decode(encoded, n) == pdu
    lip.to_dict(pdu)
    lip.to_geojson(pdu)


@given(st.binary(max_size=40), st.none() | st.integers(-16, 400))
@settings(max_examples=800)
def test_from_sds_raises_only_decode_error(data: bytes, bits: int | None) -> None:
    try:
        lip.from_sds(data, bits)
    except DecodeError as exc:
        assert exc.field


@given(st.integers(0, 15).flatmap(lambda ext: st.binary(min_size=1, max_size=24).map(
    lambda tail: bytes([0x40 | (ext << 2) | (tail[0] & 3)]) + tail[1:])),
    st.integers(0, 200))
@settings(max_examples=800)
def test_every_extension_with_random_bodies(data: bytes, bits: int) -> None:
    bits = min(bits, 8 * len(data))
    try:
        pdu = lip.decode(data, bits)
    except DecodeError:
        return
    assert lip.decode(*lip.encode(pdu)) == pdu
