"""The 24-bit text message timestamp (EN 300 392-2 cl. 29.5.4.4).

A text SDU whose timestamp-used flag is set carries 24 bits after the coding
octet.  Their layout, as one public implementation reads it (ftl/tetra-pei,
written from EN 300 392-2 V3.9.2; a single source, so [unverified]):

======================  ====  ==============================================
timeframe type           2    ftl: 1 = UTC; 0, 2 and 3 = local time
reserved                 2
month                    4    1-12
day                      5    1-31
hour                     5    0-23
minute                   6    0-59
======================  ====  ==============================================

There is no year.  The real example 0x045A8F from ftl's comments reads as
local time, 11 April, 10:15.  Values outside the calendar ranges (month 0 or
13, hour 24 ...) are kept as they came, so that every timestamp re-encodes to
the same bits; :attr:`SdsTimestamp.plausible` tells whether it is a real date.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from tetrakit.errors import EncodeError

__all__ = ["SdsTimestamp", "TimeframeType"]


class TimeframeType(IntEnum):
    """Timeframe type of the timestamp; 2 and 3 are kept as ints [unverified]."""

    LOCAL = 0
    UTC = 1


_TIMEFRAMES = {m.value: m for m in TimeframeType}

# (name, width) from the most significant bit down; the widths add up to 24
_FIELDS = (("timeframe_type", 2), ("reserved", 2), ("month", 4), ("day", 5), ("hour", 5),
           ("minute", 6))


@dataclass(frozen=True, slots=True)
class SdsTimestamp:
    """A decoded text timestamp (cl. 29.5.4.4; layout per one public source, see the module).

    Build one from the wire value with :meth:`from_raw`; :attr:`raw` gives the
    24-bit value back, bit for bit (the reserved bits included).
    """

    timeframe_type: TimeframeType | int
    month: int
    day: int
    hour: int
    minute: int
    reserved: int = 0

    def __post_init__(self) -> None:
        for name, width in _FIELDS:
            value = getattr(self, name)
            if not 0 <= value < (1 << width):
                raise EncodeError(f"must be 0-{(1 << width) - 1}", field=f"timestamp.{name}",
                                  value=value, width=width)

    @classmethod
    def from_raw(cls, raw: int) -> SdsTimestamp:
        """Split a 24-bit timestamp into its fields.

        Raises:
            EncodeError: when ``raw`` is not 0-0xFFFFFF.
        """
        if not 0 <= raw <= 0xFFFFFF:
            raise EncodeError("must be 0-0xFFFFFF", field="timestamp", value=raw, width=24)
        timeframe = raw >> 22
        return cls(_TIMEFRAMES.get(timeframe, timeframe), (raw >> 16) & 0xF, (raw >> 11) & 0x1F,
                   (raw >> 6) & 0x1F, raw & 0x3F, (raw >> 20) & 0x3)

    @property
    def raw(self) -> int:
        """The 24-bit wire value."""
        return ((self.timeframe_type << 22) | (self.reserved << 20) | (self.month << 16)
                | (self.day << 11) | (self.hour << 6) | self.minute)

    @property
    def is_utc(self) -> bool:
        """True for timeframe type 1 (UTC); ftl takes every other value as local time."""
        return self.timeframe_type == TimeframeType.UTC

    @property
    def plausible(self) -> bool:
        """True when month, day, hour and minute are a real calendar time (no year known)."""
        return 1 <= self.month <= 12 and 1 <= self.day <= 31 and self.hour <= 23 \
            and self.minute <= 59

    def isoformat(self) -> str:
        """ISO 8601 without a year (``--MM-DDThh:mm``), ``Z`` appended for UTC.

        Implausible field values are printed as they are, two digits each.
        """
        return (f"--{self.month:02d}-{self.day:02d}T{self.hour:02d}:{self.minute:02d}"
                + ("Z" if self.is_utc else ""))
