"""Field codecs: tables of lip_vectors.md §D, coordinate corners, altitude, inverses."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tetrakit.errors import EncodeError
from tetrakit.lip import ReasonForSending, ResultCode, TimeOfPosition, fields
from tetrakit.lip.enums import code_of, code_table, describe

# lip_vectors.md §D: Table 6.51 as printed (rounded km/h) next to the code
VELOCITY_TABLE = {28: 28, 29: 29, 33: 34, 43: 49, 44: 51, 67: 120, 100: 410, 125: 1043}
# Table 6.49 as printed (upper bound in metres, one decimal)
UNCERTAINTY_TABLE = {0: 1.0, 1: 2.0, 2: 3.2, 10: 26.8, 30: 1177.3, 62: 403802.7}


@pytest.mark.parametrize(("code", "table_kmh"), sorted(VELOCITY_TABLE.items()))
def test_velocity_matches_table_6_51(code: int, table_kmh: int) -> None:
    kmh = fields.horizontal_velocity_kmh(code)
    assert kmh is not None
    assert round(kmh) == table_kmh


def test_velocity_is_linear_to_28_then_exponential_and_continuous() -> None:
    for k in range(29):
        assert fields.horizontal_velocity_kmh(k) == k
    speeds = [fields.horizontal_velocity_kmh(k) for k in range(127)]
    assert all(a is not None and b is not None and b > a for a, b in itertools.pairwise(speeds))
    # the exponent is (K - 13), not (13 - K): K = 5 is 5 km/h and K = 60 is fast
    assert fields.horizontal_velocity_kmh(60) == pytest.approx(16 * 1.038 ** 47)
    assert fields.horizontal_velocity_kmh(126) == pytest.approx(1082.48, abs=0.01)
    assert fields.horizontal_velocity_kmh(127) is None


@pytest.mark.parametrize(("code", "table_m"), sorted(UNCERTAINTY_TABLE.items()))
def test_uncertainty_matches_table_6_49(code: int, table_m: float) -> None:
    metres = fields.horizontal_uncertainty_m(code)
    assert metres is not None
    # the table prints the bound to one decimal; small values read "< 1 m", "< 2 m"
    assert metres == pytest.approx(table_m, abs=0.05)


def test_uncertainty_63_is_best_effort() -> None:
    assert fields.horizontal_uncertainty_m(63) is None
    assert fields.horizontal_uncertainty_code(None) == 63


def test_extended_direction_table_6_33() -> None:
    assert fields.direction_extended_deg(64) == 90.0
    assert fields.direction_extended_deg(128) == 180.0
    assert round(fields.direction_extended_deg(255), 1) == 358.6


def test_direction_of_travel_16_points() -> None:
    assert [fields.direction_deg(c) for c in (0, 4, 8, 12, 15)] == [0, 90, 180, 270, 337.5]
    assert fields.direction_code(359) == 0
    assert fields.direction_code(-90) == 12


def test_coordinate_corners() -> None:
    assert fields.latitude_deg(-(1 << 23)) == -90.0
    assert fields.longitude_deg(-(1 << 24)) == -180.0
    assert fields.longitude_raw(180.0) == -(1 << 24)
    assert fields.longitude_raw(-180.0) == -(1 << 24)
    assert fields.latitude_raw(90.0) == (1 << 23) - 1
    assert fields.latitude_raw(-90.0) == -(1 << 23)
    # sign bit exactly at the boundary: 2**24 - 1 is positive, -2**24 negative
    assert fields.longitude_deg((1 << 24) - 1) > 179.99998
    with pytest.raises(EncodeError, match="latitude"):
        fields.latitude_raw(90.5)
    with pytest.raises(EncodeError, match="longitude"):
        fields.longitude_raw(float("nan"))


@given(st.floats(-90, 90), st.floats(-180, 180, exclude_max=True))
def test_degrees_round_trip_to_half_lsb(lat: float, lon: float) -> None:
    lat_back = fields.latitude_deg(fields.latitude_raw(lat))
    lon_back = fields.longitude_deg(fields.longitude_raw(lon))
    lsb = 180 / 2**24
    assert abs(lat_back - lat) <= lsb  # +90 clamps to 90 - 1 LSB
    assert abs((lon_back - lon + 180) % 360 - 180) <= lsb / 2 + 1e-12


def test_altitude_piecewise() -> None:
    assert fields.altitude_m(0) is None
    assert fields.altitude_m(1) == -200
    assert fields.altitude_m(201) == 0
    assert fields.altitude_m(1201) == 1000
    assert fields.altitude_m(1202) == 1002
    assert fields.altitude_m(1321) == 1240
    assert fields.altitude_m(1926) == 2450
    assert fields.altitude_m(1927) == 2525
    assert fields.altitude_m(2047) == 11525


@given(st.integers(1, 2047))
def test_altitude_code_inverts(code: int) -> None:
    metres = fields.altitude_m(code)
    assert metres is not None
    assert fields.altitude_code(metres) == code


@given(st.integers(0, 127))
def test_velocity_code_inverts(code: int) -> None:
    assert fields.horizontal_velocity_code(fields.horizontal_velocity_kmh(code)) == code


@given(st.integers(0, 62))
def test_uncertainty_code_inverts(code: int) -> None:
    assert fields.horizontal_uncertainty_code(fields.horizontal_uncertainty_m(code)) == code


def test_position_error_and_time_elapsed_and_altitude_accuracy() -> None:
    assert [fields.position_error_m(c) for c in range(8)] == [
        2, 20, 200, 2000, 20000, 200000, None, None]
    assert [fields.time_elapsed_s(c) for c in range(4)] == [5, 300, 1800, None]
    assert [fields.altitude_accuracy_m(c) for c in range(8)] == [
        1, 2, 5, 15, 50, 150, 300, None]


def test_reason_table_is_8_bits_with_reserved_values() -> None:
    table = code_table(ReasonForSending, 256)
    assert table[129] is ReasonForSending.MAXIMUM_REPORTING_INTERVAL_EXCEEDED
    assert table[130] is ReasonForSending.MAXIMUM_REPORTING_DISTANCE_TRAVELLED
    assert table[32] is ReasonForSending.RESPONSE_TO_IMMEDIATE_LOCATION_REQUEST
    assert table[2] is ReasonForSending.EMERGENCY_CONDITION_DETECTED
    for reserved in (31, 33, 128, 131, 255):
        assert table[reserved] == reserved and type(table[reserved]) is int
        assert describe(ReasonForSending, reserved) == f"reserved({reserved})"
    assert code_of(ResultCode, 24) is ResultCode.ACCEPTED
    assert code_of(ResultCode, 99) == 99


def test_raw_bits_hex_and_validation() -> None:
    assert fields.RawBits(0b101, 3).hex == "A"
    assert fields.RawBits(0x1FF, 9).hex == "FF8"
    assert fields.RawBits(0, 0).hex == ""
    with pytest.raises(ValueError):
        fields.RawBits(8, 3)


def test_time_of_position_resolves_month_and_year() -> None:
    received = datetime(2026, 3, 2, 0, 10, 0)
    assert TimeOfPosition(1, 23, 59, 0).resolve(received) == datetime(2026, 3, 1, 23, 59, 0)
    # day 30 has not come yet in March and does not exist in February: January
    assert TimeOfPosition(30, 12, 0, 0).resolve(received) == datetime(2026, 1, 30, 12, 0, 0)
    # New Year roll-over
    assert TimeOfPosition(31, 23, 0, 0).resolve(datetime(2026, 1, 1, 0, 5)) == datetime(
        2025, 12, 31, 23, 0, 0)
    # a clock slightly ahead of ours still gives this month
    assert TimeOfPosition(2, 0, 20, 0).resolve(received) == datetime(2026, 3, 2, 0, 20, 0)
    with pytest.raises(ValueError, match="not a valid"):
        TimeOfPosition(0, 0, 0, 0).resolve(received)


def test_velocity_code_126_is_flagged_as_a_lower_bound() -> None:
    """Table 6.51 gives code 126 as "more than 1 043 km/h", not as the formula's 1082.48."""
    from tetrakit import lip
    from tetrakit.lip import jsonform, reports

    assert fields.horizontal_velocity_is_lower_bound(126)
    assert not any(fields.horizontal_velocity_is_lower_bound(k) for k in (0, 28, 125, 127))
    short = reports.ShortLocationReport(0, 0, 0, 2, 126, 0, 0, 0)
    again = lip.decode(*lip.encode(short))
    assert again.horizontal_velocity_is_lower_bound
    out = jsonform.to_dict(again)
    assert out["horizontal_velocity_kmh"] == pytest.approx(1082.48, abs=0.01)
    assert out["horizontal_velocity_is_lower_bound"] is True
    slower = jsonform.to_dict(reports.ShortLocationReport(0, 0, 0, 2, 125, 0, 0, 0))
    assert slower["horizontal_velocity_is_lower_bound"] is False
    unknown = jsonform.to_dict(reports.ShortLocationReport(0, 0, 0, 2, 127, 0, 0, 0))
    assert unknown["horizontal_velocity_kmh"] is None
    assert unknown["horizontal_velocity_is_lower_bound"] is False
    for code, bound in ((126, True), (100, False)):
        velocity = reports.Velocity(1, horizontal_velocity=code)
        assert velocity.horizontal_velocity_is_lower_bound is bound
        long = reports.LongLocationReport(0, location=reports.Location(0), velocity=velocity,
                                          acknowledgement_request=False,
                                          type_of_additional_data=0, additional_data=0)
        decoded = lip.decode(*lip.encode(long))
        assert decoded.horizontal_velocity_is_lower_bound is bound
        assert jsonform.to_dict(decoded)["horizontal_velocity_is_lower_bound"] is bound
    assert reports.Velocity(0).horizontal_velocity_is_lower_bound is False
