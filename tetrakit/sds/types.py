"""SDS types: user defined data 1-3 and the type-4 length limit (EN 300 392-2 cl. 14.8.52).

The short data type identifier (SDTI) of D/U-SDS-DATA selects a fixed 16, 32
or 64 bit field (types 1-3, no protocol identifier) or type 4: an 11-bit
length and up to 2047 bits that start with the protocol identifier.  Over the
PEI the type is the AI service: 9, 10, 11 for types 1-3, 12 for type 4 and 13
for a pre-coded status (EN 300 392-5).  Type-4 user data is decoded by
:func:`tetrakit.sds.decode`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from tetrakit.errors import DecodeError, EncodeError

__all__ = [
    "AI_SERVICE_BY_TYPE",
    "MAX_TYPE4_BITS",
    "SdsType",
    "UserDefinedData",
    "decode_user_defined",
]

#: The 11-bit length indicator bounds type-4 user data, PI included.
MAX_TYPE4_BITS = 2047


class SdsType(IntEnum):
    """Short data type identifier + 1 (SDS type 1-4)."""

    TYPE1 = 1
    TYPE2 = 2
    TYPE3 = 3
    TYPE4 = 4

    @property
    def width(self) -> int | None:
        """Fixed width of the user defined data in bits; ``None`` for type 4."""
        return _WIDTHS.get(self)


_WIDTHS = {SdsType.TYPE1: 16, SdsType.TYPE2: 32, SdsType.TYPE3: 64}

#: PEI AI service number of each SDS type (EN 300 392-5 ``AT+CTSDS``).
AI_SERVICE_BY_TYPE: dict[SdsType, int] = {
    SdsType.TYPE1: 9,
    SdsType.TYPE2: 10,
    SdsType.TYPE3: 11,
    SdsType.TYPE4: 12,
}


@dataclass(frozen=True, slots=True)
class UserDefinedData:
    """User defined data-1/2/3 (cl. 14.8.52): a fixed 16/32/64 bit value, no PI."""

    sds_type: SdsType
    value: int

    def __post_init__(self) -> None:
        width = SdsType(self.sds_type).width
        if width is None:
            raise EncodeError("types 1-3 only; type 4 is tetrakit.sds.encode", field="sds_type",
                              value=self.sds_type)
        if not 0 <= self.value < (1 << width):
            raise EncodeError(f"does not fit {width} bits", field="user_defined_data",
                              value=self.value, width=width)

    @property
    def bits(self) -> int:
        """The field width in bits."""
        return _WIDTHS[SdsType(self.sds_type)]

    def to_bytes(self) -> bytes:
        """The value as big-endian octets (what ``AT+CMGS`` carries for AI service 9-11)."""
        return self.value.to_bytes(self.bits // 8, "big")


def decode_user_defined(data: bytes, sds_type: SdsType | int) -> UserDefinedData:
    """Decode user defined data-1/2/3 from its octets.

    Raises:
        DecodeError: if ``sds_type`` is not 1-3 or the length does not match it.
    """
    if sds_type not in (1, 2, 3):
        raise DecodeError(f"SDS type {sds_type} has no fixed width", field="sds_type")
    kind = SdsType(sds_type)
    width = _WIDTHS[kind]
    if len(data) * 8 != width:
        raise DecodeError(
            f"SDS type {int(kind)} is {width} bits, got {len(data) * 8}",
            field="user_defined_data", bit_offset=0,
        )
    return UserDefinedData(kind, int.from_bytes(data, "big"))
