"""Differential test: our decoder against an independent construct declaration.

The oracle below is written a second time from the field tables of the
reference notes (sds-lip.md §5.2-5.6), without using tetrakit.lip's own tables,
and both decoders are run on random input.  Two readings of the tables catch
mistakes one reading repeats.
"""

from __future__ import annotations

from typing import Any

import construct as c
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import lip
from tetrakit.errors import DecodeError


def U(n: int) -> Any:  # short names keep the tables below readable
    return c.BitsInteger(n)


def S(n: int) -> Any:
    return c.BitsInteger(n, signed=True)


SHORT = c.Struct(
    "pdu_type" / U(2), "time_elapsed" / U(2), "longitude" / S(25), "latitude" / S(24),
    "position_error" / U(3), "horizontal_velocity" / U(7), "direction_of_travel" / U(4),
    "type_of_additional_data" / U(1), "additional_data" / U(8), "rest" / c.GreedyBytes,
)

POINT = ("longitude" / S(25), "latitude" / S(24))
ALTITUDE = ("altitude_type" / U(1), "altitude" / U(11))
ELLIPSE = ("half_major_axis" / U(6), "half_minor_axis" / U(6), "angle" / U(8))
SHAPES = {
    0: c.Struct(),
    1: c.Struct(*POINT),
    2: c.Struct(*POINT, "horizontal_uncertainty" / U(6)),
    3: c.Struct(*POINT, *ELLIPSE, "confidence_level" / U(3)),
    4: c.Struct(*POINT, *ALTITUDE),
    5: c.Struct(*POINT, "horizontal_uncertainty" / U(6), *ALTITUDE),
    6: c.Struct(*POINT, *ELLIPSE, *ALTITUDE, "confidence_level" / U(3)),
    7: c.Struct(*POINT, "horizontal_uncertainty" / U(6), *ALTITUDE, "altitude_accuracy" / U(3)),
    8: c.Struct(*POINT, *ELLIPSE, *ALTITUDE, "altitude_accuracy" / U(3),
                "confidence_level" / U(3)),
    9: c.Struct(*POINT, "inner_radius" / U(16), "outer_radius" / U(16), "start_angle" / U(8),
                "stop_angle" / U(8), "confidence_level" / U(3)),
    10: c.Struct(*POINT, "position_error" / U(3)),
}
HV = "horizontal_velocity" / U(7)
HVU = "horizontal_velocity_uncertainty" / U(3)
VV = ("vertical_velocity" / U(8), "vertical_velocity_uncertainty" / U(3))
DIR = "direction_of_travel_extended" / U(8)
DIRU = "direction_of_travel_extended_uncertainty" / U(3)
VELOCITIES = {
    0: c.Struct(), 1: c.Struct(HV), 2: c.Struct(HV, HVU),
    3: c.Struct(HV, "vertical_velocity" / U(8)), 4: c.Struct(HV, HVU, *VV),
    5: c.Struct(HV, DIR), 6: c.Struct(HV, HVU, DIR, DIRU), 7: c.Struct(HV, HVU, *VV, DIR, DIRU),
}


def _known_shape(ctx: Any) -> bool:
    return ctx.time_type != 3 and ctx.shape in SHAPES


LONG = c.Struct(
    "pdu_type" / U(2), "extension" / U(4), "time_type" / U(2),
    "time_elapsed" / c.If(c.this.time_type == 1, U(2)),
    "time_of_position" / c.If(c.this.time_type == 2, c.Struct(
        "day" / U(5), "hour" / U(5), "minute" / U(6), "second" / U(6))),
    "shape" / c.If(c.this.time_type != 3, U(4)),
    "location" / c.If(_known_shape, c.Switch(c.this.shape, SHAPES)),
    "velocity_type" / c.If(_known_shape, U(3)),
    "velocity" / c.If(_known_shape, c.Switch(c.this.velocity_type, VELOCITIES)),
    "acknowledgement_request" / c.If(_known_shape, U(1)),
    "type_of_additional_data" / c.If(_known_shape, U(1)),
    "additional_data" / c.If(_known_shape, U(8)),
    "rest" / c.GreedyBytes,
)

BASIC = c.Struct(
    "pdu_type" / U(2), "extension" / U(4), "request_response" / U(1),
    "body" / c.IfThenElse(
        c.this.request_response == 0,
        c.Struct("acknowledgement_request" / U(1), "minimum_reporting_interval" / U(7),
                 "report_type" / U(2)),
        c.Struct("result_code" / U(8), "reporting_enable_flags" / U(8),
                 "minimum_reporting_interval" / U(7), "report_type" / U(2))),
    "rest" / c.GreedyBytes,
)

ENABLE = c.Struct(
    "pdu_type" / U(2), "extension" / U(4), "request_response" / U(1),
    "acknowledgement_request" / c.If(c.this.request_response == 0, U(1)),
    "reporting_enable_flags" / U(8),
    "rest" / c.GreedyBytes,
)


def _bit_bytes(data: bytes, bits: int) -> bytes:
    """construct's bit-level stream: one byte (0 or 1) per bit."""
    stream: bytes = c.bytes2bits(data)
    return stream[:bits]


def _rest(rest: bytes) -> int | None:
    return int("".join(str(b) for b in rest), 2) if rest else None


def _trailing(raw: lip.RawBits | None) -> int | None:
    return None if raw is None else raw.value


def _parse(oracle: Any, data: bytes, bits: int) -> Any:
    try:
        return oracle.parse(_bit_bytes(data, bits))
    except c.ConstructError:
        return None


def _ours(data: bytes, bits: int) -> Any:
    try:
        return lip.decode(data, bits)
    except DecodeError:
        return None


def _payload(prefix: int, prefix_bits: int) -> Any:
    """Random payload whose first ``prefix_bits`` bits are ``prefix``, with a bit length."""
    @st.composite
    def build(draw: st.DrawFn) -> tuple[bytes, int]:
        body_bits = draw(st.integers(0, 200))
        body = draw(st.integers(0, (1 << body_bits) - 1)) if body_bits else 0
        n = prefix_bits + body_bits
        value = (prefix << body_bits) | body
        pad = draw(st.integers(0, 7))
        nbytes = (n + pad + 7) // 8
        return (value << (8 * nbytes - n)).to_bytes(nbytes, "big"), n
    return build()


@given(_payload(0, 2))
@settings(max_examples=200)
def test_short_report_against_oracle(sample: tuple[bytes, int]) -> None:
    data, bits = sample
    ref, ours = _parse(SHORT, data, bits), _ours(data, bits)
    assert (ref is None) == (ours is None)
    if ref is None:
        return
    assert isinstance(ours, lip.ShortLocationReport)
    assert (ours.time_elapsed, ours.longitude_raw, ours.latitude_raw, ours.position_error,
            ours.horizontal_velocity, ours.direction_of_travel, ours.type_of_additional_data,
            ours.additional_data) == (
        ref.time_elapsed, ref.longitude, ref.latitude, ref.position_error,
        ref.horizontal_velocity, ref.direction_of_travel, ref.type_of_additional_data,
        ref.additional_data)
    assert _trailing(ours.trailing) == _rest(ref.rest)


def _strip(container: Any) -> dict[str, Any]:
    return {k: v for k, v in container.items() if not k.startswith("_")}


def _nonnull(obj: Any, names: list[str]) -> dict[str, Any]:
    return {n: getattr(obj, n) for n in names if getattr(obj, n) is not None}


@given(_payload(0b010011, 6))
@settings(max_examples=300)
def test_long_report_against_oracle(sample: tuple[bytes, int]) -> None:
    data, bits = sample
    ref, ours = _parse(LONG, data, bits), _ours(data, bits)
    assert (ref is None) == (ours is None)
    if ref is None:
        return
    assert isinstance(ours, lip.LongLocationReport)
    assert ours.time_type == ref.time_type
    assert ours.time_elapsed == ref.time_elapsed
    if ref.time_of_position is None:
        assert ours.time_of_position is None
    else:
        assert ours.time_of_position == lip.TimeOfPosition(**_strip(ref.time_of_position))
    assert ours.location_shape == ref.shape
    if ref.location is not None:
        assert ours.location is not None
        mine = _nonnull(ours.location, [f for f in lip.Location.__dataclass_fields__
                                        if f != "shape"])
        mine = {k.replace("_raw", ""): v for k, v in mine.items()}
        assert mine == _strip(ref.location)
        assert ours.velocity is not None
        assert ours.velocity_type == ref.velocity_type
        vel = _nonnull(ours.velocity, [f for f in lip.Velocity.__dataclass_fields__
                                       if f != "velocity_type"])
        assert vel == _strip(ref.velocity)
        assert ours.acknowledgement_request == bool(ref.acknowledgement_request)
        assert ours.type_of_additional_data == ref.type_of_additional_data
        assert ours.additional_data == ref.additional_data
    else:
        assert ours.velocity is None and ours.additional_data is None
    assert _trailing(ours.trailing) == _rest(ref.rest)


@given(st.sampled_from([0b01_0101_0, 0b01_0101_1]).flatmap(lambda p: _payload(p, 7)))
@settings(max_examples=300)
def test_basic_location_parameters_against_oracle(sample: tuple[bytes, int]) -> None:
    data, bits = sample
    ref, ours = _parse(BASIC, data, bits), _ours(data, bits)
    assert (ref is None) == (ours is None)
    if ref is None:
        return
    body = _strip(ref.body)
    if ref.request_response:
        assert isinstance(ours, lip.BasicLocationParametersResponse)
        assert _nonnull(ours, list(body)) == body
    else:
        assert isinstance(ours, lip.BasicLocationParametersRequest)
        assert ours.acknowledgement_request == bool(body.pop("acknowledgement_request"))
        assert _nonnull(ours, list(body)) == body
    assert _trailing(ours.trailing) == _rest(ref.rest)


@given(st.sampled_from([0b01_1010_0, 0b01_1010_1]).flatmap(lambda p: _payload(p, 7)))
@settings(max_examples=300)
def test_enable_disable_against_oracle(sample: tuple[bytes, int]) -> None:
    data, bits = sample
    ref, ours = _parse(ENABLE, data, bits), _ours(data, bits)
    assert (ref is None) == (ours is None)
    if ref is None:
        return
    if ref.request_response:
        assert isinstance(ours, lip.LocationReportingEnableDisableResponse)
    else:
        assert isinstance(ours, lip.LocationReportingEnableDisableRequest)
        assert ours.acknowledgement_request == bool(ref.acknowledgement_request)
    assert ours.reporting_enable_flags == ref.reporting_enable_flags
    assert _trailing(ours.trailing) == _rest(ref.rest)


# IMMEDIATE LOCATION REPORT REQUEST, cl. 6.2.16 / Table 6.16 (layout from a public
# implementation citing V1.6.1): request/response 1, report type 2, then the
# location information destination (address type 4 + address, Table 6.32).
IMMEDIATE_HEAD = c.Struct(
    "pdu_type" / U(2), "extension" / U(4), "request_response" / U(1), "report_type" / U(2),
    "rest" / c.GreedyBytes,
)
IMMEDIATE_FULL = c.Struct(
    "pdu_type" / U(2), "extension" / U(4), "request_response" / U(1), "report_type" / U(2),
    "address_type" / U(4),
    "address" / c.Switch(c.this.address_type, {
        1: c.Struct("ssi" / U(24)),
        2: c.Struct("ssi" / U(24), "mcc" / U(10), "mnc" / U(14)),
        3: c.Struct("ip" / U(32)),
        4: c.Struct("ip" / U(128)),
    }, default=c.Pass),
    "rest" / c.GreedyBytes,
)


@st.composite
def _immediate_payload(draw: st.DrawFn) -> tuple[bytes, int]:
    """Fixed fields, a uniform address type and random bits (not mostly zeros) after it."""
    head = (0b01_0001 << 7) | draw(st.integers(0, 7)) << 4 | draw(st.integers(0, 15))
    tail_bits = draw(st.integers(0, 180))
    tail = int.from_bytes(draw(st.binary(min_size=23, max_size=23)), "big") >> (184 - tail_bits)
    n = 13 + tail_bits
    nbytes = (n + 7) // 8
    return (((head << tail_bits) | tail) << (8 * nbytes - n)).to_bytes(nbytes, "big"), n


@given(_payload(0b01_0001, 6) | _immediate_payload())
@settings(max_examples=600)
def test_immediate_location_request_against_oracle(sample: tuple[bytes, int]) -> None:
    data, bits = sample
    ours = _ours(data, bits)
    assert isinstance(ours, lip.ImmediateLocationReportRequest)
    head = _parse(IMMEDIATE_HEAD, data, bits)
    if head is None:  # body too short for the fixed fields: all raw
        assert ours.request_response is None and ours.report_type is None
        assert ours.destination is None
        return
    assert (ours.request_response, ours.report_type) == (head.request_response,
                                                         head.report_type)
    full = _parse(IMMEDIATE_FULL, data, bits)
    if full is None:  # no room for a whole destination: kept raw
        assert ours.destination is None
        assert _trailing(ours.trailing) == _rest(head.rest)
        return
    dest = ours.destination
    assert dest is not None and dest.address_type == full.address_type
    address = {} if full.address is None else _strip(full.address)
    mine = {"ssi": dest.ssi, "mcc": dest.mcc, "mnc": dest.mnc,
            "ip": None if dest.ip_address is None else int(dest.ip_address)}
    assert {k: v for k, v in mine.items() if v is not None} == address
    assert _trailing(ours.trailing) == _rest(full.rest)
