"""LIP location reports (ETSI TS 100 392-18-1, cl. 6.2): short and long, with their parts.

The reports hold the raw wire codes, so that ``decode(encode(x)) == x``;
properties give degrees, km/h and metres.  The short report is complete; the
long report decodes every mandatory field and keeps its trailing optional
elements as raw bits (their presence rules are not established, notes §5.3).

Pure: no I/O.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from tetrakit.errors import EncodeError
from tetrakit.lip.enums import (
    AltitudeType,
    PositionError,
    ReasonForSending,
    TimeElapsed,
    TimeType,
    TypeOfAdditionalData,
    VelocityType,
)
from tetrakit.lip.fields import (
    RawBits,
    altitude_accuracy_m,
    altitude_code,
    altitude_m,
    direction_code,
    direction_deg,
    direction_extended_code,
    direction_extended_deg,
    horizontal_uncertainty_code,
    horizontal_uncertainty_m,
    horizontal_velocity_code,
    horizontal_velocity_is_lower_bound,
    horizontal_velocity_kmh,
    latitude_deg,
    latitude_raw,
    longitude_deg,
    longitude_raw,
    position_error_m,
    time_elapsed_s,
)

__all__ = [
    "SHAPE_FIELDS",
    "VELOCITY_FIELDS",
    "Location",
    "LongLocationReport",
    "Position",
    "ShortLocationReport",
    "TimeOfPosition",
    "Velocity",
]


@dataclass(frozen=True, slots=True)
class Position:
    """A position in WGS84 degrees, as carried by a location report.

    Attributes:
        latitude: degrees north (negative south).
        longitude: degrees east (negative west).
        altitude_m: metres, when the shape carries an altitude.
        accuracy_m: upper bound of the horizontal error in metres, when known
            (position error or horizontal uncertainty).
    """

    latitude: float
    longitude: float
    altitude_m: float | None = None
    accuracy_m: float | None = None


def _position(lon_raw: int, lat_raw: int, *, unknown: bool, altitude: float | None = None,
              accuracy: float | None = None) -> Position | None:
    # Terminals without a fix send 0/0 with "not known" qualifiers; plotting
    # that would put the radio in the Gulf of Guinea (notes §7, trap 17).
    if unknown and lon_raw == 0 and lat_raw == 0:
        return None
    return Position(latitude_deg(lat_raw), longitude_deg(lon_raw), altitude, accuracy)


def _additional_data(reason: int | None, user_defined_data: int | None) -> tuple[int, int]:
    """(type of additional data, octet): user-defined data, when given, replaces the reason."""
    if user_defined_data is not None:
        return TypeOfAdditionalData.USER_DEFINED_DATA, user_defined_data
    return TypeOfAdditionalData.REASON_FOR_SENDING, int(reason if reason is not None else 0)


# --- short location report ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShortLocationReport:
    """SHORT LOCATION REPORT (TS 100 392-18-1 cl. 6.2, PDU type 0; 76 bits).

    Attributes:
        time_elapsed: 2-bit time elapsed code (Table 6.111).
        longitude_raw: signed 25-bit longitude code (see :attr:`longitude`).
        latitude_raw: signed 24-bit latitude code (see :attr:`latitude`).
        position_error: 3-bit position error code (Table 6.93).
        horizontal_velocity: 7-bit code (Table 6.51, see :attr:`horizontal_velocity_kmh`).
        direction_of_travel: 4-bit code, 22.5 degree steps (Table 6.45).
        type_of_additional_data: 0 = reason for sending, 1 = user-defined data.
        additional_data: the final octet: a reason for sending or user-defined data.
        trailing: bits after the 76 defined ones that were inside the PDU
            length (vendor additions); ``None`` when there were none.

    Raises:
        EncodeError: on construction, when a field does not fit its width.
    """

    time_elapsed: TimeElapsed | int
    longitude_raw: int
    latitude_raw: int
    position_error: PositionError | int
    horizontal_velocity: int
    direction_of_travel: int
    type_of_additional_data: TypeOfAdditionalData | int
    additional_data: int
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 0
    NAME: ClassVar[str] = "short_location_report"

    def __post_init__(self) -> None:
        # One combined range check (a negative value or an overflow makes a
        # shift non-zero), so that every report that exists can be encoded
        # without checking again.  The decoder builds reports from masked
        # fields and skips this.
        if ((self.time_elapsed >> 2) | (self.position_error >> 3)
                | (self.horizontal_velocity >> 7) | (self.direction_of_travel >> 4)
                | (self.type_of_additional_data >> 1) | (self.additional_data >> 8)
                | ((self.longitude_raw + 0x1000000) >> 25)
                | ((self.latitude_raw + 0x800000) >> 24)):
            self._raise_out_of_range()

    def _raise_out_of_range(self) -> None:
        for name, width, signed in _SHORT_FIELDS:
            value = getattr(self, name)
            low, high = (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (
                0, (1 << width) - 1)
            if not low <= value <= high:
                kind = "signed" if signed else "unsigned"
                raise EncodeError(f"{value} does not fit {width} {kind} bits",
                                  field=name.removesuffix("_raw"), value=value, width=width)

    @classmethod
    def from_position(
        cls,
        latitude: float,
        longitude: float,
        *,
        time_elapsed: int = TimeElapsed.LESS_THAN_5_S,
        position_error: int = PositionError.LESS_THAN_20_M,
        speed_kmh: float | None = None,
        direction_deg: float | None = None,
        reason: int | None = ReasonForSending.MAXIMUM_REPORTING_INTERVAL_EXCEEDED,
        user_defined_data: int | None = None,
    ) -> ShortLocationReport:
        """Build a report from degrees, km/h and a reason (or user-defined data).

        ``speed_kmh=None`` sends 127 (not known); ``direction_deg=None`` sends
        15 (Table 6.45's "not known").  Giving ``user_defined_data`` sets the
        type of additional data to 1 and replaces the reason.

        Raises:
            EncodeError: for a latitude outside -90..90 or a non-finite value.
        """
        tad, extra = _additional_data(reason, user_defined_data)
        return cls(
            time_elapsed=time_elapsed,
            longitude_raw=longitude_raw(longitude),
            latitude_raw=latitude_raw(latitude),
            position_error=position_error,
            horizontal_velocity=horizontal_velocity_code(speed_kmh),
            direction_of_travel=15 if direction_deg is None else direction_code(direction_deg),
            type_of_additional_data=tad,
            additional_data=extra,
        )

    @property
    def longitude(self) -> float:
        """Degrees east."""
        return longitude_deg(self.longitude_raw)

    @property
    def latitude(self) -> float:
        """Degrees north."""
        return latitude_deg(self.latitude_raw)

    @property
    def horizontal_velocity_kmh(self) -> float | None:
        """Speed in km/h; ``None`` when not known (code 127).

        For code 126 the value (1082.5) is a lower bound: Table 6.51 says
        "more than 1 043 km/h"; see :attr:`horizontal_velocity_is_lower_bound`.
        """
        return horizontal_velocity_kmh(self.horizontal_velocity)

    @property
    def horizontal_velocity_is_lower_bound(self) -> bool:
        """True for code 126: the real speed is more than :attr:`horizontal_velocity_kmh`."""
        return horizontal_velocity_is_lower_bound(self.horizontal_velocity)

    @property
    def direction_of_travel_deg(self) -> float | None:
        """Direction in degrees; ``None`` for code 15 when the speed is not known either.

        Table 6.45 gives code 15 as both NNW and "not known"; radios without a
        fix send speed 127 with direction 15, so that pair reads as unknown.
        """
        if self.direction_of_travel == 15 and self.horizontal_velocity == 127:
            return None
        return direction_deg(self.direction_of_travel)

    @property
    def position_error_m(self) -> float | None:
        """Upper bound of the position error in metres (``None``: not known or > 200 km)."""
        return position_error_m(self.position_error)

    @property
    def time_elapsed_s(self) -> float | None:
        """Upper bound of the position's age in seconds (``None``: not known)."""
        return time_elapsed_s(self.time_elapsed)

    @property
    def reason_for_sending(self) -> ReasonForSending | int | None:
        """The reason for sending, or ``None`` when the octet is user-defined data."""
        if self.type_of_additional_data:
            return None
        return _REASONS[self.additional_data]

    @property
    def user_defined_data(self) -> int | None:
        """The user-defined octet, or ``None`` when the octet is a reason for sending."""
        return self.additional_data if self.type_of_additional_data else None

    @property
    def position(self) -> Position | None:
        """The reported position; ``None`` for the 0/0 "no fix" pattern."""
        unknown = self.position_error == 7 or self.time_elapsed == 3
        return _position(self.longitude_raw, self.latitude_raw, unknown=unknown,
                         accuracy=position_error_m(self.position_error))


_SHORT_FIELDS = (
    ("time_elapsed", 2, False), ("longitude_raw", 25, True), ("latitude_raw", 24, True),
    ("position_error", 3, False), ("horizontal_velocity", 7, False),
    ("direction_of_travel", 4, False), ("type_of_additional_data", 1, False),
    ("additional_data", 8, False),
)

_REASONS: tuple[ReasonForSending | int, ...] = tuple(
    ReasonForSending(c) if c in ReasonForSending._value2member_map_ else c for c in range(256)
)


# --- long location report ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeOfPosition:
    """Time of position (22 bits): day 5, hour 5, minute 6, second 6; UTC, no month or year."""

    day: int
    hour: int
    minute: int
    second: int

    def resolve(self, received: datetime) -> datetime:
        """The latest UTC datetime with this day/time not after ``received`` (+1 day slack).

        The PDU has no month or year (notes §7, trap 16): the month is taken
        from the receive time, going back a month (or more, past months too
        short for the day) when the result would lie in the future.  A day
        slack allows for clocks that run slightly ahead.

        Raises:
            ValueError: if the fields cannot form a time (day 0, hour 24, ...).
        """
        if not (1 <= self.day <= 31 and self.hour < 24 and self.minute < 60 and self.second < 60):
            raise ValueError(f"time of position {self} is not a valid day and time")
        year, month = received.year, received.month
        limit = received + timedelta(days=1)
        for _ in range(13):
            if self.day <= calendar.monthrange(year, month)[1]:
                candidate = received.replace(year=year, month=month, day=self.day,
                                             hour=self.hour, minute=self.minute,
                                             second=self.second, microsecond=0)
                if candidate <= limit:
                    return candidate
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        raise ValueError(f"day {self.day} fits no month")  # pragma: no cover - day <= 31


#: Location shape -> fields in wire order: (attribute, width, signed) (Table 6.79).
#: The order inside shapes 6 and 8 is [unverified]: sources disagree on where
#: the confidence level sits relative to the altitude.
SHAPE_FIELDS: dict[int, tuple[tuple[str, int, bool], ...]] = {}
_POINT = (("longitude_raw", 25, True), ("latitude_raw", 24, True))
_ALT = (("altitude_type", 1, False), ("altitude", 11, False))
_ELLIPSE = (("half_major_axis", 6, False), ("half_minor_axis", 6, False), ("angle", 8, False))
SHAPE_FIELDS.update({
    0: (),
    1: _POINT,
    2: (*_POINT, ("horizontal_uncertainty", 6, False)),
    3: (*_POINT, *_ELLIPSE, ("confidence_level", 3, False)),
    4: (*_POINT, *_ALT),
    5: (*_POINT, ("horizontal_uncertainty", 6, False), *_ALT),
    6: (*_POINT, *_ELLIPSE, *_ALT, ("confidence_level", 3, False)),
    7: (*_POINT, ("horizontal_uncertainty", 6, False), *_ALT, ("altitude_accuracy", 3, False)),
    8: (*_POINT, *_ELLIPSE, *_ALT, ("altitude_accuracy", 3, False),
        ("confidence_level", 3, False)),
    9: (*_POINT, ("inner_radius", 16, False), ("outer_radius", 16, False),
        ("start_angle", 8, False), ("stop_angle", 8, False), ("confidence_level", 3, False)),
    10: (*_POINT, ("position_error", 3, False)),
})

#: Velocity type -> fields in wire order (Table 6.123).  The order of the
#: uncertainty fields inside types 2, 4, 6 and 7 is inferred [unverified].
VELOCITY_FIELDS: dict[int, tuple[tuple[str, int, bool], ...]] = {
    0: (),
    1: (("horizontal_velocity", 7, False),),
    2: (("horizontal_velocity", 7, False), ("horizontal_velocity_uncertainty", 3, False)),
    3: (("horizontal_velocity", 7, False), ("vertical_velocity", 8, False)),
    4: (("horizontal_velocity", 7, False), ("horizontal_velocity_uncertainty", 3, False),
        ("vertical_velocity", 8, False), ("vertical_velocity_uncertainty", 3, False)),
    5: (("horizontal_velocity", 7, False), ("direction_of_travel_extended", 8, False)),
    6: (("horizontal_velocity", 7, False), ("horizontal_velocity_uncertainty", 3, False),
        ("direction_of_travel_extended", 8, False),
        ("direction_of_travel_extended_uncertainty", 3, False)),
    7: (("horizontal_velocity", 7, False), ("horizontal_velocity_uncertainty", 3, False),
        ("vertical_velocity", 8, False), ("vertical_velocity_uncertainty", 3, False),
        ("direction_of_travel_extended", 8, False),
        ("direction_of_travel_extended_uncertainty", 3, False)),
}


@dataclass(frozen=True, slots=True)
class Location:
    """Location data of a long report: the shape and its fields (Table 6.79).

    Only the fields of ``shape`` (see :data:`SHAPE_FIELDS`) are set, the others
    are ``None``.  Shapes 11-15 (reserved and the shape extension) have no
    known length: such a location has no fields and the rest of the report is
    kept raw.

    Raw codes: ``horizontal_uncertainty``, ``half_major_axis`` and
    ``half_minor_axis`` use Table 6.49; ``angle``, ``start_angle`` and
    ``stop_angle`` Table 6.33 (360/256 degree steps); ``altitude`` is the
    11-bit value after the 1-bit ``altitude_type``; ``altitude_accuracy`` is
    Table 6.63; ``position_error`` Table 6.93.  ``confidence_level``,
    ``inner_radius`` and ``outer_radius`` are kept as raw codes (their tables
    are not established).
    """

    shape: int
    longitude_raw: int | None = None
    latitude_raw: int | None = None
    horizontal_uncertainty: int | None = None
    half_major_axis: int | None = None
    half_minor_axis: int | None = None
    angle: int | None = None
    confidence_level: int | None = None
    altitude_type: AltitudeType | int | None = None
    altitude: int | None = None
    altitude_accuracy: int | None = None
    inner_radius: int | None = None
    outer_radius: int | None = None
    start_angle: int | None = None
    stop_angle: int | None = None
    position_error: PositionError | int | None = None

    @property
    def longitude(self) -> float | None:
        """Degrees east, when the shape has a position."""
        return None if self.longitude_raw is None else longitude_deg(self.longitude_raw)

    @property
    def latitude(self) -> float | None:
        """Degrees north, when the shape has a position."""
        return None if self.latitude_raw is None else latitude_deg(self.latitude_raw)

    @property
    def altitude_m(self) -> float | None:
        """Altitude in metres (``None`` without altitude or for the reserved value 0)."""
        return None if self.altitude is None else altitude_m(self.altitude)

    @property
    def horizontal_uncertainty_m(self) -> float | None:
        """Uncertainty radius in metres (``None`` when absent or best effort)."""
        if self.horizontal_uncertainty is None:
            return None
        return horizontal_uncertainty_m(self.horizontal_uncertainty)

    @property
    def altitude_accuracy_m(self) -> float | None:
        """Altitude accuracy bound in metres (``None`` when absent or best effort)."""
        if self.altitude_accuracy is None:
            return None
        return altitude_accuracy_m(self.altitude_accuracy)

    @property
    def angle_deg(self) -> float | None:
        """Ellipse orientation in degrees (Table 6.33 coding)."""
        return None if self.angle is None else direction_extended_deg(self.angle)

    @property
    def accuracy_m(self) -> float | None:
        """Best available horizontal error bound in metres for this shape."""
        if self.horizontal_uncertainty is not None:
            return horizontal_uncertainty_m(self.horizontal_uncertainty)
        if self.position_error is not None:
            return position_error_m(self.position_error)
        if self.half_major_axis is not None:
            return horizontal_uncertainty_m(self.half_major_axis)
        return None

    @property
    def position(self) -> Position | None:
        """The position, or ``None`` for "no shape" and reserved shapes."""
        if self.longitude_raw is None or self.latitude_raw is None:
            return None
        return _position(self.longitude_raw, self.latitude_raw,
                         unknown=self.position_error == 7, altitude=self.altitude_m,
                         accuracy=self.accuracy_m)


@dataclass(frozen=True, slots=True)
class Velocity:
    """Velocity data of a long report: the type and its fields (Table 6.123).

    ``horizontal_velocity`` uses Table 6.51, ``direction_of_travel_extended``
    Table 6.33.  Vertical velocity and the uncertainty codes are kept as raw
    codes (their sub-encodings are not established).
    """

    velocity_type: VelocityType | int
    horizontal_velocity: int | None = None
    horizontal_velocity_uncertainty: int | None = None
    vertical_velocity: int | None = None
    vertical_velocity_uncertainty: int | None = None
    direction_of_travel_extended: int | None = None
    direction_of_travel_extended_uncertainty: int | None = None

    @property
    def horizontal_velocity_kmh(self) -> float | None:
        """Speed in km/h; ``None`` when absent or not known (127).

        For code 126 the value is a lower bound ("more than 1 043 km/h",
        Table 6.51); see :attr:`horizontal_velocity_is_lower_bound`.
        """
        if self.horizontal_velocity is None:
            return None
        return horizontal_velocity_kmh(self.horizontal_velocity)

    @property
    def horizontal_velocity_is_lower_bound(self) -> bool:
        """True for code 126: the real speed is more than :attr:`horizontal_velocity_kmh`."""
        return (self.horizontal_velocity is not None
                and horizontal_velocity_is_lower_bound(self.horizontal_velocity))

    @property
    def direction_of_travel_extended_deg(self) -> float | None:
        """Direction of travel in degrees (360/256 steps), when present."""
        if self.direction_of_travel_extended is None:
            return None
        return direction_extended_deg(self.direction_of_travel_extended)


@dataclass(frozen=True, slots=True)
class LongLocationReport:
    """LONG LOCATION REPORT (TS 100 392-18-1 cl. 6.2, PDU type 1, extension 3).

    Fields in wire order: time data (time type, then time elapsed or time of
    position), location data, velocity data, acknowledgement request, type of
    additional data, reason for sending / user-defined data, then optional
    elements whose presence rules are not established (kept in ``trailing``).

    When a code announces data of unknown length (time type 3, location shape
    11-15) the fields after it are ``None`` and the rest of the PDU is kept in
    ``trailing`` -- never an error.

    Attributes:
        time_type: 2-bit time type.
        time_elapsed: code, for time type 1.
        time_of_position: for time type 2.
        location: the location data (``None`` only after time type 3).
        velocity: the velocity data.
        acknowledgement_request: the recipient should acknowledge the report.
        type_of_additional_data: 0 reason for sending, 1 user-defined data.
        additional_data: the octet after it.
        trailing: bits after the decoded fields (optional elements or, after
            a reserved code, everything undecoded).
    """

    time_type: TimeType | int
    time_elapsed: TimeElapsed | int | None = None
    time_of_position: TimeOfPosition | None = None
    location: Location | None = None
    velocity: Velocity | None = None
    acknowledgement_request: bool | None = None
    type_of_additional_data: TypeOfAdditionalData | int | None = None
    additional_data: int | None = None
    trailing: RawBits | None = None

    PDU_TYPE: ClassVar[int] = 1
    EXTENSION: ClassVar[int] = 3
    NAME: ClassVar[str] = "long_location_report"

    @classmethod
    def from_position(
        cls,
        latitude: float,
        longitude: float,
        *,
        altitude_m: float | None = None,
        uncertainty_m: float | None = None,
        position_error: int | None = None,
        time_elapsed: int | None = None,
        time_of_position: TimeOfPosition | None = None,
        speed_kmh: float | None = None,
        direction_deg: float | None = None,
        acknowledgement_request: bool = False,
        reason: int | None = ReasonForSending.MAXIMUM_REPORTING_INTERVAL_EXCEEDED,
        user_defined_data: int | None = None,
        trailing: RawBits | None = None,
    ) -> LongLocationReport:
        """Build a long report from degrees, choosing the simplest shape that carries the data.

        Shape: circle with altitude (uncertainty and altitude), circle
        (uncertainty), point with altitude (altitude), point and position
        error (``position_error``), else point.  Time: time of position when
        given, else time elapsed when given, else none.  Velocity: type 5
        (speed and extended direction) when a direction is given, type 1 when
        only a speed is given, else none.

        Raises:
            EncodeError: for a latitude outside -90..90 or non-finite values.
            ValueError: for contradictory arguments.
        """
        lon, lat = longitude_raw(longitude), latitude_raw(latitude)
        alt = None if altitude_m is None else altitude_code(altitude_m)
        unc = None if uncertainty_m is None else horizontal_uncertainty_code(uncertainty_m)
        if position_error is not None and (alt is not None or unc is not None):
            raise ValueError("position_error goes with a plain point only (shape 10)")
        if unc is not None and alt is not None:
            location = Location(5, lon, lat, horizontal_uncertainty=unc, altitude_type=0,
                                altitude=alt)
        elif unc is not None:
            location = Location(2, lon, lat, horizontal_uncertainty=unc)
        elif alt is not None:
            location = Location(4, lon, lat, altitude_type=0, altitude=alt)
        elif position_error is not None:
            location = Location(10, lon, lat, position_error=position_error)
        else:
            location = Location(1, lon, lat)
        if direction_deg is not None:
            velocity = Velocity(5, horizontal_velocity_code(speed_kmh),
                                direction_of_travel_extended=direction_extended_code(
                                    direction_deg))
        elif speed_kmh is not None:
            velocity = Velocity(1, horizontal_velocity_code(speed_kmh))
        else:
            velocity = Velocity(0)
        if time_of_position is not None:
            time_type, elapsed = TimeType.TIME_OF_POSITION, None
        elif time_elapsed is not None:
            time_type, elapsed = TimeType.TIME_ELAPSED, time_elapsed
        else:
            time_type, elapsed = TimeType.NONE, None
        tad, extra = _additional_data(reason, user_defined_data)
        return cls(time_type, elapsed, time_of_position, location, velocity,
                   acknowledgement_request, tad, extra, trailing)

    @property
    def location_shape(self) -> int | None:
        """The location shape code (``None`` when the location was not decoded)."""
        return None if self.location is None else self.location.shape

    @property
    def velocity_type(self) -> int | None:
        """The velocity type code (``None`` when the velocity was not decoded)."""
        return None if self.velocity is None else self.velocity.velocity_type

    @property
    def longitude(self) -> float | None:
        """Degrees east, when the location has a position."""
        return None if self.location is None else self.location.longitude

    @property
    def latitude(self) -> float | None:
        """Degrees north, when the location has a position."""
        return None if self.location is None else self.location.latitude

    @property
    def altitude_m(self) -> float | None:
        """Altitude in metres, when the shape has one."""
        return None if self.location is None else self.location.altitude_m

    @property
    def horizontal_velocity_kmh(self) -> float | None:
        """Speed in km/h; ``None`` when absent or not known; a lower bound for code 126."""
        return None if self.velocity is None else self.velocity.horizontal_velocity_kmh

    @property
    def horizontal_velocity_is_lower_bound(self) -> bool:
        """True when the speed is code 126, "more than 1 043 km/h" (Table 6.51)."""
        return self.velocity is not None and self.velocity.horizontal_velocity_is_lower_bound

    @property
    def time_elapsed_s(self) -> float | None:
        """Upper bound of the position's age in seconds, for time type 1."""
        return None if self.time_elapsed is None else time_elapsed_s(self.time_elapsed)

    @property
    def reason_for_sending(self) -> ReasonForSending | int | None:
        """The reason for sending, or ``None`` for user-defined data / undecoded."""
        if self.type_of_additional_data != 0 or self.additional_data is None:
            return None
        return _REASONS[self.additional_data]

    @property
    def user_defined_data(self) -> int | None:
        """The user-defined octet, or ``None`` when it is a reason for sending."""
        return self.additional_data if self.type_of_additional_data == 1 else None

    @property
    def complete(self) -> bool:
        """True when every mandatory field was decoded (no reserved code cut it short)."""
        return self.additional_data is not None

    @property
    def position(self) -> Position | None:
        """The position, or ``None`` when the shape has none."""
        return None if self.location is None else self.location.position
