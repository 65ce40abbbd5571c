"""``tetrakit.decode``: decode SDS type-4 user data as the PEI shows it.

Accepts octets or the hex text a radio prints (whitespace ignored, an odd
number of hex digits allowed, as Sepura radios send them) and dispatches by
protocol identifier through :func:`tetrakit.sds.decode` (LIP, PI 0x0A, goes
on to ``tetrakit.lip``).  ``bits`` is the PEI ``<length>`` and wins over the
number of digits.
"""

from __future__ import annotations

from typing import Any

from tetrakit._bits import bytes_from_hex, check_bit_length, check_octets
from tetrakit.errors import DecodeError
from tetrakit.sds import StatusPdu
from tetrakit.sds import decode as _decode_sds
from tetrakit.sds import decode_status as _decode_status_value

__all__ = ["decode", "decode_status"]


def _octets(data: bytes | bytearray | memoryview | str) -> tuple[bytes, int]:
    if isinstance(data, str):
        return bytes_from_hex(data)
    octets = check_octets(data)
    return octets, len(octets) * 8


def decode(data: bytes | bytearray | memoryview | str, bits: int | None = None) -> Any:
    """Decode SDS type-4 user data (PI first) given as octets or hex text.

    Args:
        data: octets, or hex digits (an odd count is read as that many nibbles).
        bits: the PEI length in bits; defaults to all the bits given.

    Returns:
        The PDU: a ``tetrakit.sds`` class, or a ``tetrakit.lip`` one for PI 0x0A.

    Raises:
        DecodeError: for bad hex or data that does not form a PDU.
        TypeError: when ``data`` is neither bytes-like nor str, or ``bits`` not an int.
    """
    octets, given = _octets(data)
    check_bit_length(bits)
    if bits is None and given & 7:
        # an odd number of hex digits is itself the length (Sepura)
        bits = given
    return _decode_sds(octets, bits)


def decode_status(data: int | bytes | str) -> StatusPdu:
    """Decode a 16-bit pre-coded status given as an int, two octets or 4 hex digits.

    Raises:
        DecodeError: when it is not a 16-bit value.
        TypeError: for another type (``bool`` and ``float`` included).
    """
    if isinstance(data, str):
        octets, bits = bytes_from_hex(data, field="status_value")
        if bits != 16:
            raise DecodeError(f"a status is 4 hex digits, got {bits // 4}: {data.strip()!r}",
                              field="status_value")
        return _decode_status_value(octets)
    return _decode_status_value(data)
