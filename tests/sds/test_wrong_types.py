"""Wrong Python types fail with a TypeError naming the type, never as data.

``bytes(123)`` is 123 zero octets and a ``str`` indexes as characters, so
without the checks such calls decoded nonsense or failed deep inside.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import tetrakit
from tetrakit import lip, sds
from tetrakit.errors import EncodeError

SHORT_LIP = bytes.fromhex("0A112853A9FF4D4FFFE810")


@pytest.mark.parametrize(("decoder", "value", "named"), [
    (tetrakit.decode, 123, "int"),
    (tetrakit.decode, [0x82, 0x00], "list"),
    (tetrakit.decode, None, "NoneType"),
    (sds.decode, 123, "int"),
    (sds.decode, "8200", "str"),
    (sds.decode, 1.5, "float"),
    (lip.decode, 123, "int"),
    (lip.decode, [1, 2], "list"),
    (lip.decode, "112853A9FF4D4FFFE810", "str"),
    (lip.from_sds, "0A112853A9FF4D4FFFE810", "str"),
    (lip.from_sds, 10, "int"),
    (sds.decode_status, 1.5, "float"),
    (sds.decode_status, True, "bool"),
    (sds.decode_status, "8001", "str"),
    (sds.decode_status, None, "NoneType"),
    (tetrakit.decode_status, 1.5, "float"),
    (tetrakit.decode_status, False, "bool"),
])
def test_wrong_data_type_is_a_type_error(
    decoder: Callable[[Any], Any], value: object, named: str,
) -> None:
    with pytest.raises(TypeError, match=rf"\b{named}\b"):
        decoder(value)


@pytest.mark.parametrize("decoder", [tetrakit.decode, sds.decode, lip.from_sds])
@pytest.mark.parametrize(("bits", "named"), [(84.0, "float"), (True, "bool"), ("84", "str")])
def test_wrong_bit_length_type_is_a_type_error(
    decoder: Callable[[Any, Any], Any], bits: object, named: str,
) -> None:
    with pytest.raises(TypeError, match=rf"bits must be an int or None, not {named}"):
        decoder(SHORT_LIP, bits)


def test_str_hint_points_to_the_hex_readers() -> None:
    with pytest.raises(TypeError, match=r"bytes\.fromhex\(\) or tetrakit\.decode\(\)"):
        lip.from_sds("0A112853A9FF4D4FFFE810")
    with pytest.raises(TypeError, match=r"tetrakit\.decode_status\(\)"):
        sds.decode_status("8001")


def test_bytes_like_and_hex_still_accepted() -> None:
    want = tetrakit.decode(SHORT_LIP, 84)
    assert tetrakit.decode("0A112853A9FF4D4FFFE810", 84) == want
    assert sds.decode(bytearray(SHORT_LIP), 84) == want
    assert sds.decode(memoryview(SHORT_LIP), 84) == want
    assert lip.from_sds(bytearray(SHORT_LIP), 84) == want
    assert lip.decode(memoryview(SHORT_LIP[1:]), 76) == want
    assert sds.decode_status(bytearray(b"\x80\x01")) == sds.decode_status(0x8001)
    assert tetrakit.decode_status("8001") == sds.decode_status(memoryview(b"\x80\x01"))


def test_simple_text_checks_length_up_front() -> None:
    # PI + coding octet + 253 Latin-1 octets = 2040 bits, the most that fits 2047
    data, bits = sds.encode(sds.simple_text("x" * 253))
    assert bits == 2040 and data[:2] == b"\x02\x01"
    with pytest.raises(EncodeError, match=r"400 characters do not fit one simple text SDS"):
        sds.simple_text("x" * 400)
    with pytest.raises(EncodeError, match=r"254 characters"):
        sds.simple_text("x" * 254)
    with pytest.raises(EncodeError, match=r"text"):
        sds.simple_text("\u20ac" * 127)  # UCS-2: 254 octets


def test_longer_than_one_sds_is_a_decode_error() -> None:
    """Found by the atheris harness: 2088 bits decoded, then could not be re-encoded."""
    from tetrakit.errors import DecodeError
    from tetrakit.sds import decode

    data = bytes([0x82, 0x04, 0x01, 0x01]) + b"A" * 257  # 2088 bits
    with pytest.raises(DecodeError) as info:
        decode(data)
    assert info.value.field == "length"
    with pytest.raises(DecodeError):
        decode(data, len(data) * 8)
    # exactly at the limit still decodes
    assert decode(data[:255], 2040).user_data.text == "A" * 251
