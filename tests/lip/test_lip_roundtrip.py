"""decode(encode(x)) == x for every PDU, every location shape and every velocity type."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import lip
from tetrakit.lip.pdus import OPAQUE_PDUS, SHAPE_FIELDS

from .strategies import any_pdu, long_reports, other_pdus, short_reports


def _round_trip(pdu: Any) -> None:
    data, bits = lip.encode(pdu)
    assert len(data) == (bits + 7) // 8
    assert lip.decode(data, bits) == pdu
    sds, sds_bits = lip.to_sds(pdu)
    assert sds[0] == 0x0A and sds_bits == bits + 8
    assert lip.from_sds(sds, sds_bits) == pdu


@given(short_reports())
def test_short_report_round_trip(pdu: lip.ShortLocationReport) -> None:
    _round_trip(pdu)


@pytest.mark.parametrize("shape", sorted(SHAPE_FIELDS))
@given(data=st.data())
@settings(max_examples=40)
def test_long_report_every_shape(shape: int, data: st.DataObject) -> None:
    pdu = data.draw(long_reports(shape=shape))
    _round_trip(pdu)
    if pdu.location is not None:
        assert pdu.location_shape == shape


@pytest.mark.parametrize("vtype", range(8))
@given(data=st.data())
@settings(max_examples=40)
def test_long_report_every_velocity_type(vtype: int, data: st.DataObject) -> None:
    pdu = data.draw(long_reports(vtype=vtype))
    _round_trip(pdu)
    if pdu.velocity is not None:
        assert pdu.velocity_type == vtype


@given(long_reports())
def test_long_report_round_trip_including_reserved_codes(pdu: lip.LongLocationReport) -> None:
    _round_trip(pdu)


@given(other_pdus())
@settings(max_examples=300)
def test_request_and_response_pdus_round_trip(pdu: Any) -> None:
    _round_trip(pdu)


def test_every_pdu_class_is_covered() -> None:
    seen: set[type] = set()

    @given(any_pdu())
    @settings(max_examples=600, database=None)
    def collect(pdu: Any) -> None:
        seen.add(type(pdu))

    collect()
    expected = {lip.ShortLocationReport, lip.LongLocationReport,
                lip.ImmediateLocationReportRequest, lip.LocationReportAcknowledgement,
                lip.BasicLocationParametersRequest, lip.BasicLocationParametersResponse,
                lip.LocationReportingEnableDisableRequest,
                lip.LocationReportingEnableDisableResponse, lip.ReservedLipPdu, *OPAQUE_PDUS}
    assert seen == expected


@given(any_pdu())
def test_to_dict_is_json_and_geojson_is_a_feature(pdu: Any) -> None:
    d = lip.to_dict(pdu)
    json.dumps(d, allow_nan=False)
    assert d["pdu"] == pdu.NAME
    feature = lip.to_geojson(pdu)
    json.dumps(feature, allow_nan=False)
    assert feature["type"] == "Feature"
    if feature["geometry"] is not None:
        lon, lat = feature["geometry"]["coordinates"][:2]
        assert -180 <= lon < 180 and -90 <= lat < 90


@given(st.floats(-90, 90), st.floats(-180, 180), st.none() | st.floats(0, 1100),
       st.none() | st.floats(0, 359.9), st.integers(0, 255), st.booleans())
def test_short_report_from_position(lat: float, lon: float, speed: float | None,
                                    heading: float | None, extra: int, user: bool) -> None:
    kwargs: dict[str, Any] = {"user_defined_data": extra} if user else {"reason": extra}
    pdu = lip.ShortLocationReport.from_position(lat, lon, speed_kmh=speed, direction_deg=heading,
                                                **kwargs)
    back = lip.decode(*lip.encode(pdu))
    assert isinstance(back, lip.ShortLocationReport)
    assert back.latitude == pytest.approx(lat, abs=180 / 2**24)
    assert abs((back.longitude - lon + 180) % 360 - 180) <= 360 / 2**26 + 1e-9
    if user:
        assert back.user_defined_data == extra and back.reason_for_sending is None
    else:
        assert back.reason_for_sending == extra and back.user_defined_data is None
    if speed is None:
        assert back.horizontal_velocity_kmh is None
    elif speed <= 28:
        assert back.horizontal_velocity_kmh == pytest.approx(speed, abs=0.5)
    else:
        assert back.horizontal_velocity_kmh == pytest.approx(speed, rel=0.02)
