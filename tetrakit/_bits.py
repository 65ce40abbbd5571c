"""Bit reader and writer over Python ints, shared by the SDS and LIP codecs.

TETRA PDUs (EN 300 392-2 cl. 29, TS 100 392-18-1) are bit-packed, most
significant bit first, and their lengths need not be whole octets.  Holding the
whole PDU in one Python int and slicing it with shifts and masks is several
times faster than construct or bitstring on fields of a few bits (measured in
the design notes) and keeps the codecs free of dependencies.

Pure: no I/O.  Errors are :class:`tetrakit.errors.DecodeError` /
:class:`tetrakit.errors.EncodeError` carrying the field and bit offset.
"""

from __future__ import annotations

from tetrakit.errors import DecodeError, EncodeError

__all__ = [
    "BitReader",
    "BitWriter",
    "bytes_from_hex",
    "check_bit_length",
    "check_octets",
    "hex_from_bytes",
]


def check_octets(data: object, what: str = "data") -> bytes:
    """``data`` as ``bytes`` when it is bytes-like (bytes, bytearray, memoryview).

    Decoders call this on their input so that a wrong Python type fails with
    a clear TypeError instead of turning into octets by accident (``bytes(3)``
    is three zero octets; a ``str`` would be indexed as characters).

    Raises:
        TypeError: naming the type; for a ``str`` pointing to the hex readers.
    """
    if type(data) is bytes:
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    if isinstance(data, str):
        raise TypeError(f"{what} must be bytes, not str (hex text: use bytes.fromhex() or "
                        "tetrakit.decode())")
    raise TypeError(f"{what} must be bytes, not {type(data).__name__}")


def check_bit_length(bits: object, what: str = "bits") -> None:
    """TypeError unless ``bits`` is ``None`` or an int (``bool`` and ``float`` refused)."""
    if bits is not None and (isinstance(bits, bool) or not isinstance(bits, int)):
        raise TypeError(f"{what} must be an int or None, not {type(bits).__name__}")


class BitReader:
    """Reads big-endian bit fields from a PDU of ``bits`` bits.

    Args:
        data: the PDU octets; bits past ``bits`` are padding and are ignored.
        bits: the PDU length in bits; defaults to ``8 * len(data)``.
        offset: the bit offset of ``data``'s first bit within the whole PDU,
            used only to report positions in errors.

    Raises:
        DecodeError: if ``bits`` is negative or exceeds ``8 * len(data)``.
    """

    __slots__ = ("_base", "_bits", "_pos", "_value")

    def __init__(self, data: bytes, bits: int | None = None, *, offset: int = 0) -> None:
        total = len(data) * 8
        if bits is None:
            bits = total
        if bits < 0 or bits > total:
            raise DecodeError(
                f"bit length {bits} does not fit {len(data)} octets", field="length",
                bit_offset=offset,
            )
        self._value = int.from_bytes(data, "big") >> (total - bits) if data else 0
        self._bits = bits
        self._pos = 0
        self._base = offset

    @classmethod
    def from_int(cls, value: int, bits: int, *, offset: int = 0) -> BitReader:
        """A reader over the low ``bits`` bits of ``value``."""
        reader = cls.__new__(cls)
        reader._value = value & ((1 << bits) - 1) if bits > 0 else 0
        reader._bits = bits
        reader._pos = 0
        reader._base = offset
        return reader

    @property
    def position(self) -> int:
        """Bits consumed so far (relative to this reader's start)."""
        return self._pos

    @property
    def offset(self) -> int:
        """Absolute bit offset of the next field (for error messages)."""
        return self._base + self._pos

    @property
    def remaining(self) -> int:
        """Bits left to read."""
        return self._bits - self._pos

    @property
    def length(self) -> int:
        """Total bits of this reader."""
        return self._bits

    def read(self, width: int, field: str) -> int:
        """Read an unsigned field of ``width`` bits.

        Raises:
            DecodeError: if fewer than ``width`` bits remain.
        """
        end = self._advance(width, field)
        return (self._value >> (self._bits - end)) & ((1 << width) - 1)

    def _advance(self, width: int, field: str) -> int:
        """Consume ``width`` bits; return the new position."""
        end = self._pos + width
        if end > self._bits:
            raise DecodeError(
                f"needs {width} bits but only {self._bits - self._pos} remain",
                field=field,
                bit_offset=self._base + self._pos,
            )
        self._pos = end
        return end

    def read_signed(self, width: int, field: str) -> int:
        """Read a two's complement field of ``width`` bits."""
        raw = self.read(width, field)
        if raw >> (width - 1):
            raw -= 1 << width
        return raw

    def read_bool(self, field: str) -> bool:
        """Read a one-bit flag."""
        return self.read(1, field) == 1

    def peek(self, width: int, field: str) -> int:
        """Read ``width`` bits without consuming them."""
        pos = self._pos
        try:
            return self.read(width, field)
        finally:
            self._pos = pos

    def skip(self, width: int, field: str) -> None:
        """Move past ``width`` bits (fields read elsewhere, e.g. the octets before a sub-PDU).

        Raises:
            DecodeError: if fewer than ``width`` bits remain.
        """
        self._advance(width, field)

    def read_rest(self) -> tuple[int, int]:
        """Consume everything left; return ``(value, bit count)``."""
        n = self._bits - self._pos
        value = self._value & ((1 << n) - 1) if n else 0
        self._pos = self._bits
        return value, n

    def read_bytes(self, nbytes: int, field: str) -> bytes:
        """Read ``nbytes`` whole octets (need not be octet aligned)."""
        value = self.read(nbytes * 8, field)
        return value.to_bytes(nbytes, "big")

    def read_rest_bytes(self) -> tuple[bytes, int]:
        """Consume the rest as octets, left aligned and zero padded; return (data, bits)."""
        value, n = self.read_rest()
        pad = (-n) % 8
        return (value << pad).to_bytes((n + pad) // 8, "big"), n

    def sub_reader(self, width: int, field: str) -> BitReader:
        """Consume ``width`` bits and return a reader over just them."""
        start = self.offset
        value = self.read(width, field)
        return BitReader.from_int(value, width, offset=start)


class BitWriter:
    """Accumulates big-endian bit fields into an int."""

    __slots__ = ("_bits", "_value")

    def __init__(self) -> None:
        self._value = 0
        self._bits = 0

    @property
    def length(self) -> int:
        """Bits written so far."""
        return self._bits

    def write(self, value: int, width: int, field: str) -> None:
        """Append an unsigned field.

        Raises:
            EncodeError: if ``value`` is negative or does not fit ``width`` bits.
        """
        if value < 0 or value >> width:
            raise EncodeError(
                f"{value} does not fit {width} unsigned bits", field=field, value=value,
                width=width,
            )
        self._value = (self._value << width) | value
        self._bits += width

    def write_signed(self, value: int, width: int, field: str) -> None:
        """Append a two's complement field."""
        lo, hi = -(1 << (width - 1)), (1 << (width - 1)) - 1
        if not lo <= value <= hi:
            raise EncodeError(
                f"{value} does not fit {width} signed bits", field=field, value=value, width=width
            )
        self.write(value & ((1 << width) - 1), width, field)

    def write_bool(self, flag: bool, field: str) -> None:
        """Append a one-bit flag."""
        self.write(1 if flag else 0, 1, field)

    def write_bytes(self, data: bytes, field: str) -> None:
        """Append whole octets."""
        self.write(int.from_bytes(data, "big"), len(data) * 8, field)

    def write_bits(self, value: int, width: int, field: str) -> None:
        """Append raw bits (same as :meth:`write`; names intent for opaque data)."""
        self.write(value, width, field)

    def to_int(self) -> tuple[int, int]:
        """The accumulated ``(value, bit count)``."""
        return self._value, self._bits

    def to_bytes(self) -> bytes:
        """The accumulated bits, left aligned, zero padded to whole octets."""
        pad = (-self._bits) % 8
        return (self._value << pad).to_bytes((self._bits + pad) // 8, "big")


def bytes_from_hex(text: str | bytes, *, field: str = "hex") -> tuple[bytes, int]:
    """Parse hex as printed by a radio; return ``(octets, bit count of the hex)``.

    Whitespace is ignored and an odd nibble count (Sepura) is padded with a
    zero nibble on the right, so the returned bit count is ``4 * nibbles``.

    Raises:
        DecodeError: on characters that are not hex digits.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("ascii")
        except UnicodeDecodeError as exc:
            raise DecodeError("hex text is not ASCII", field=field) from exc
    cleaned = "".join(text.split())
    nibbles = len(cleaned)
    if nibbles % 2:
        cleaned += "0"
    try:
        data = bytes.fromhex(cleaned)
    except ValueError as exc:
        raise DecodeError(f"not a hex string: {text[:40]!r}", field=field) from exc
    return data, nibbles * 4


def hex_from_bytes(data: bytes, bits: int | None = None) -> str:
    """Uppercase hex of ``data``, cut to ``ceil(bits / 4)`` nibbles when ``bits`` is given."""
    text = data.hex().upper()
    if bits is not None:
        text = text[: (bits + 3) // 4]
    return text
