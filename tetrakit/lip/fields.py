"""LIP field codecs: raw code <-> value in units (ETSI TS 100 392-18-1, cl. 6.3).

Each function maps one information element's wire code to a value in degrees,
km/h, metres or seconds, and where an encoder needs it, back.  PDUs keep the
raw codes (lossless round trips); these functions give the units.

Pure: no I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tetrakit.errors import EncodeError

__all__ = [
    "HORIZONTAL_VELOCITY_LOWER_BOUND_CODE",
    "LATITUDE_BITS",
    "LONGITUDE_BITS",
    "RawBits",
    "altitude_accuracy_m",
    "altitude_code",
    "altitude_m",
    "direction_code",
    "direction_deg",
    "direction_extended_code",
    "direction_extended_deg",
    "horizontal_uncertainty_code",
    "horizontal_uncertainty_m",
    "horizontal_velocity_code",
    "horizontal_velocity_is_lower_bound",
    "horizontal_velocity_kmh",
    "latitude_deg",
    "latitude_raw",
    "longitude_deg",
    "longitude_raw",
    "position_error_m",
    "time_elapsed_s",
]

LONGITUDE_BITS = 25
LATITUDE_BITS = 24
_LON_SCALE = 360.0 / (1 << LONGITUDE_BITS)
_LAT_SCALE = 180.0 / (1 << LATITUDE_BITS)
_LON_MIN, _LON_MAX = -(1 << 24), (1 << 24) - 1
_LAT_MIN, _LAT_MAX = -(1 << 23), (1 << 23) - 1


@dataclass(frozen=True, slots=True)
class RawBits:
    """Bits kept undecoded: ``bits`` bits, most significant first, in ``value``.

    Used for parts of a PDU whose layout is not established (trailing optional
    elements, bodies of PDUs whose layout is unknown, data after a reserved
    code whose length the spec leaves open).
    """

    value: int
    bits: int

    def __post_init__(self) -> None:
        if self.bits < 0 or self.value < 0 or self.value >> self.bits:
            raise ValueError(f"{self.value} does not fit {self.bits} bits")

    @property
    def hex(self) -> str:
        """Upper-case hex, left aligned and zero padded to whole nibbles."""
        if self.bits == 0:
            return ""
        pad = (-self.bits) % 4
        return format(self.value << pad, "X").zfill((self.bits + pad) // 4)


# --- longitude / latitude (cl. 6.3: 25/24-bit two's complement) -------------


def longitude_deg(raw: int) -> float:
    """Degrees east of a signed 25-bit longitude: ``raw * 360 / 2**25``.

    Raw -2**24 is -180.0; +180 cannot be represented (it is -180).
    """
    return raw * _LON_SCALE


def latitude_deg(raw: int) -> float:
    """Degrees north of a signed 24-bit latitude: ``raw * 180 / 2**24``.

    Raw -2**23 is -90.0; the largest value is 90 - 1.07e-5.
    """
    return raw * _LAT_SCALE


def longitude_raw(degrees: float) -> int:
    """Signed 25-bit longitude code nearest to ``degrees`` (any value; wrapped to -180..180).

    180 and -180 are the same meridian and both encode as -2**24.

    Raises:
        EncodeError: if ``degrees`` is not finite.
    """
    if not math.isfinite(degrees):
        raise EncodeError("must be a finite number", field="longitude", value=degrees)
    raw = round(degrees / _LON_SCALE)
    # wrap into [-2**24, 2**24): the code space is exactly one turn
    return (raw + (1 << 24)) % (1 << 25) - (1 << 24)


def latitude_raw(degrees: float) -> int:
    """Signed 24-bit latitude code nearest to ``degrees`` (-90..90).

    +90 is not representable and encodes as the largest code (90 - 1.07e-5).

    Raises:
        EncodeError: outside -90..90.
    """
    if not -90.0 <= degrees <= 90.0:
        raise EncodeError("must be within -90..90 degrees", field="latitude", value=degrees)
    return min(round(degrees / _LAT_SCALE), _LAT_MAX)


# --- horizontal velocity (cl. 6.3.17, Table 6.51) ----------------------------

_V_C, _V_X, _V_A = 16.0, 0.038, 13
_FINITE_SPEEDS: tuple[float, ...] = tuple(
    [float(k) for k in range(29)] + [_V_C * (1 + _V_X) ** (k - _V_A) for k in range(29, 127)]
)
_SPEEDS: tuple[float | None, ...] = (*_FINITE_SPEEDS, None)


def horizontal_velocity_kmh(code: int) -> float | None:
    """Speed in km/h of a 7-bit horizontal velocity code (Table 6.51).

    0-28: the code in km/h.  29-126: ``16 * 1.038 ** (code - 13)`` (the
    table prints this rounded; 126 is printed as "more than 1 043 km/h", and
    the formula value 1082.5 is returned as that lower bound).  127: speed not
    known, returned as ``None``.
    """
    return _SPEEDS[code]


#: Table 6.51 prints code 126 as "more than 1 043 km/h": its speed is a lower bound.
HORIZONTAL_VELOCITY_LOWER_BOUND_CODE = 126


def horizontal_velocity_is_lower_bound(code: int) -> bool:
    """True for code 126, whose speed Table 6.51 gives only as "more than 1 043 km/h"."""
    return code == HORIZONTAL_VELOCITY_LOWER_BOUND_CODE


def horizontal_velocity_code(kmh: float | None) -> int:
    """Code whose speed is nearest to ``kmh``; ``None`` gives 127 (not known).

    Speeds above the last finite step encode as 126 ("more than 1 043 km/h").

    Raises:
        EncodeError: for a negative or non-finite speed.
    """
    if kmh is None:
        return 127
    if not (math.isfinite(kmh) and kmh >= 0):
        raise EncodeError("must be a finite speed >= 0 km/h", field="horizontal_velocity",
                          value=kmh)
    if kmh <= 28.5:
        return round(kmh)
    return min(range(28, 127), key=lambda k: abs(_FINITE_SPEEDS[k] - kmh))


# --- direction of travel (Table 6.45) and extended direction (Table 6.33) ----


def direction_deg(code: int) -> float:
    """Degrees clockwise from north of the 4-bit direction of travel (``code * 22.5``).

    Code 15 is printed in Table 6.45 both as NNW (337.5) and as "not known";
    this function returns 337.5 and leaves the reading to the caller (a report
    with unknown speed and direction 15 is the usual "not known" pattern).
    """
    return code * 22.5


def direction_code(degrees: float) -> int:
    """Nearest 16-point direction code of ``degrees`` (wrapped to 0..360)."""
    if not math.isfinite(degrees):
        raise EncodeError("must be a finite angle", field="direction_of_travel", value=degrees)
    return round((degrees % 360.0) / 22.5) % 16


def direction_extended_deg(code: int) -> float:
    """Degrees of an 8-bit angle / extended direction code: ``code * 360 / 256`` (Table 6.33)."""
    return code * 1.40625


def direction_extended_code(degrees: float) -> int:
    """Nearest 8-bit angle code of ``degrees`` (wrapped to 0..360)."""
    if not math.isfinite(degrees):
        raise EncodeError("must be a finite angle", field="direction_of_travel_extended",
                          value=degrees)
    return round((degrees % 360.0) / 1.40625) % 256


# --- position error (Table 6.93), time elapsed (Table 6.111) -----------------

_POSITION_ERROR_M: tuple[float | None, ...] = (
    2.0, 20.0, 200.0, 2_000.0, 20_000.0, 200_000.0, None, None
)
_TIME_ELAPSED_S: tuple[float | None, ...] = (5.0, 300.0, 1800.0, None)


def position_error_m(code: int) -> float | None:
    """Upper bound in metres of a 3-bit position error code.

    ``None`` for 6 (more than 200 km: no bound) and 7 (not known).
    """
    return _POSITION_ERROR_M[code]


def time_elapsed_s(code: int) -> float | None:
    """Upper bound in seconds of a 2-bit time elapsed code; ``None`` for 3 (not known)."""
    return _TIME_ELAPSED_S[code]


# --- horizontal position uncertainty (Table 6.49) ----------------------------

_UNCERTAINTY_M: tuple[float | None, ...] = tuple(
    [2.0 * 1.2 ** (k + 5) - 4.0 for k in range(63)] + [None]
)


def horizontal_uncertainty_m(code: int) -> float | None:
    """Radius in metres of a 6-bit horizontal position uncertainty code (Table 6.49).

    ``2 * 1.2 ** (code + 5) - 4`` for 0-62 (an upper bound: 0 is "< 1 m"); 63
    is "best effort" and returns ``None``.  The same coding is used here for
    the ellipse half axes [unverified: the notes give the table for the
    uncertainty element only].
    """
    return _UNCERTAINTY_M[code]


def horizontal_uncertainty_code(metres: float | None) -> int:
    """Smallest code whose radius is at least ``metres``; ``None`` gives 63 (best effort)."""
    if metres is None:
        return 63
    if not (math.isfinite(metres) and metres >= 0):
        raise EncodeError("must be a finite radius >= 0 m", field="horizontal_uncertainty",
                          value=metres)
    for k in range(63):
        bound = _UNCERTAINTY_M[k]
        assert bound is not None
        if bound >= metres - 1e-9:
            return k
    return 63


# --- altitude (12 bits = type 1 + value 11) and altitude accuracy (Table 6.63) --


def altitude_m(code: int) -> float | None:
    """Metres of the 11-bit altitude value (the 12-bit element without its type bit).

    1-1201: ``code - 201`` (-200..1000 m, 1 m steps); 1202-1926:
    ``1000 + 2 * (code - 1201)`` (to 2450 m); 1927-2047: ``2450 + 75 * (code -
    1926)`` (to 11 525 m).  0 is reserved and returns ``None``.
    """
    if code <= 0:
        return None
    if code <= 1201:
        return float(code - 201)
    if code <= 1926:
        return float(1000 + 2 * (code - 1201))
    return float(2450 + 75 * (code - 1926))


def altitude_code(metres: float) -> int:
    """The 11-bit altitude value nearest to ``metres`` (clamped to -200..11 525 m)."""
    if not math.isfinite(metres):
        raise EncodeError("must be a finite altitude", field="altitude", value=metres)
    if metres <= 1000:
        return max(1, round(metres) + 201)
    if metres <= 2450:
        return 1201 + round((metres - 1000) / 2)
    return min(2047, 1926 + round((metres - 2450) / 75))


_ALTITUDE_ACCURACY_M: tuple[float | None, ...] = (1.0, 2.0, 5.0, 15.0, 50.0, 150.0, 300.0, None)


def altitude_accuracy_m(code: int) -> float | None:
    """Upper bound in metres of a 3-bit altitude accuracy code; 7 (best effort) gives ``None``."""
    return _ALTITUDE_ACCURACY_M[code]
