"""GeoJSON features and great-circle distances."""

from __future__ import annotations

import json
import math

import pytest

from tetrakit import lip
from tetrakit._bits import bytes_from_hex

# WGS84: one degree of longitude on the equator is a*pi/180 exactly; the
# meridian quadrant (equator to pole) is 10 001 965.729 m.
EQUATOR_DEGREE_M = 6_378_137.0 * math.pi / 180
MERIDIAN_QUADRANT_M = 10_001_965.729


def test_distance_known_values_within_half_a_percent() -> None:
    assert lip.distance_m(0, 0, 0, 1) == pytest.approx(EQUATOR_DEGREE_M, rel=0.005)
    assert lip.distance_m(0, 10, 90, 10) == pytest.approx(MERIDIAN_QUADRANT_M, rel=0.005)
    # the sphere is of the WGS84 mean radius, exactly
    assert lip.distance_m(0, 0, 0, 180) == pytest.approx(math.pi * lip.EARTH_MEAN_RADIUS_M)


def test_distance_properties() -> None:
    assert lip.distance_m(59.9496, 10.7137, 59.9496, 10.7137) == 0.0
    a = lip.distance_m(59.9496, 10.7137, 69.6496, 18.9560)
    b = lip.distance_m(69.6496, 18.9560, 59.9496, 10.7137)
    assert a == pytest.approx(b)
    # across the antimeridian is short, not half the globe
    assert lip.distance_m(0, 179.9, 0, -179.9) == pytest.approx(0.2 * EQUATOR_DEGREE_M, rel=0.005)
    # metre scale inside a building: 1e-5 degrees of latitude is about 1.11 m
    assert lip.distance_m(62.4647, 6.3356, 62.46471, 6.3356) == pytest.approx(1.112, abs=0.01)


def test_distance_between_two_decoded_reports() -> None:
    c1 = lip.from_sds(bytes_from_hex("0A0079E5EAAA17E1000020")[0], 84)  # Oslo
    c2 = lip.from_sds(bytes_from_hex("0A00D7AD5B187528568030")[0], 84)  # Tromsø
    p1, p2 = c1.position, c2.position
    assert p1 is not None and p2 is not None
    d = lip.distance_m(p1.latitude, p1.longitude, p2.latitude, p2.longitude)
    # Rikshospitalet to Tromsø centre, about 1 150 km
    assert 1_100_000 < d < 1_200_000


def test_geojson_of_short_report() -> None:
    data, _ = bytes_from_hex("0A00893E12472C51026810")  # L7, Bad Dürrenberg
    feature = lip.to_geojson(lip.from_sds(data, 84))
    json.dumps(feature)
    assert feature["type"] == "Feature"
    assert feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert (lon, lat) == (pytest.approx(12.062323, abs=1e-6), pytest.approx(51.255448, abs=1e-6))
    assert feature["properties"]["reason_for_sending"] == 129
    assert feature["properties"]["accuracy_m"] == 20.0


def test_geojson_of_long_report_with_altitude() -> None:
    data, _ = bytes_from_hex("0A4E8A5E1541E797AAA85F8529488000")  # C7
    feature = lip.to_geojson(lip.from_sds(data, 122))
    lon, lat, alt = feature["geometry"]["coordinates"]
    assert (lon, lat) == (pytest.approx(10.713698, abs=1e-6), pytest.approx(59.949603, abs=1e-6))
    assert alt == 1240.0
    assert feature["properties"]["accuracy_m"] == pytest.approx(26.8, abs=0.05)
    assert feature["properties"]["time_of_position"] == {
        "day": 17, "hour": 9, "minute": 30, "second": 5}


def test_geojson_without_position() -> None:
    feature = lip.to_geojson(lip.immediate_location_request())
    assert feature["geometry"] is None
    assert feature["properties"]["pdu"] == "immediate_location_report_request"
