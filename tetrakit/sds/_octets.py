"""Helpers for octet strings whose last octet may be partly used.

Fields inside octets are read with :class:`tetrakit._bits.BitReader`
(:func:`reader_at`) and written with ``BitWriter``; these helpers cut the
octet-aligned payload that follows them.

Everything in SDS-TL, text and location SDUs is octet aligned except the end:
the PEI length is in bits, so the user data may stop inside an octet.  Such
data is held as left-aligned octets with the unused low bits zero, plus the bit
count (``None`` when the data ends on an octet boundary, so that equal data
compares equal however it was built).
"""

from __future__ import annotations

from tetrakit._bits import BitReader
from tetrakit.errors import DecodeError, EncodeError

__all__ = ["check_tail", "need", "reader_at", "tail_bits", "take_tail"]


def reader_at(data: bytes, start: int, bits: int, field: str) -> BitReader:
    """A :class:`BitReader` over the PDU's first ``bits`` bits, at octet ``start``.

    Sub-octet fields are read with it; octet-aligned payload after them is cut
    with :func:`take_tail` at ``reader.position >> 3``.  Positions in its
    errors count from the start of the PDU.

    Raises:
        DecodeError: naming ``field`` when the PDU ends before octet ``start``.
    """
    reader = BitReader(data, bits)
    reader.skip(start * 8, field)
    return reader


def take_tail(data: bytes, start: int, end_bits: int) -> tuple[bytes, int | None]:
    """The octets from octet ``start`` to bit ``end_bits``, unused bits zeroed.

    Returns ``(octets, bits)`` with ``bits`` ``None`` when they end on an octet.
    """
    n = end_bits - start * 8
    if not n & 7:
        return data[start : end_bits >> 3], None
    nbytes = (n + 7) >> 3
    chunk = bytearray(data[start : start + nbytes])
    chunk[-1] &= (0xFF << (8 - (n & 7))) & 0xFF
    return bytes(chunk), n


def tail_bits(data: bytes, bits: int | None) -> int:
    """The bit length of tail data."""
    return len(data) * 8 if bits is None else bits


def check_tail(data: bytes, bits: int | None, field: str) -> None:
    """Check that ``bits`` describes ``data`` (for encoders).

    Raises:
        EncodeError: when ``bits`` is not inside the last octet or the unused
            bits are not zero.
    """
    if bits is None:
        return
    if not 8 * (len(data) - 1) < bits < 8 * len(data):
        raise EncodeError(
            f"bit length {bits} must end inside the last of {len(data)} octets "
            "(use None for whole octets)",
            field=field, value=bits,
        )
    if data[-1] & (0xFF >> (bits & 7)):
        raise EncodeError("bits past the bit length must be zero", field=field, value=data)


def need(bits: int, offset: int, width: int, field: str) -> None:
    """Raise a :class:`DecodeError` when ``width`` bits at ``offset`` pass ``bits``."""
    if offset + width > bits:
        raise DecodeError(
            f"needs {width} bits but only {max(bits - offset, 0)} remain",
            field=field, bit_offset=offset,
        )
