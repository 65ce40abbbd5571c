"""The 24-bit text timestamp (EN 300 392-2 cl. 29.5.4.4, layout as ftl/tetra-pei reads it)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import sds
from tetrakit.errors import EncodeError


def test_real_example_045a8f() -> None:
    ts = sds.SdsTimestamp.from_raw(0x045A8F)
    assert ts == sds.SdsTimestamp(sds.TimeframeType.LOCAL, month=4, day=11, hour=10, minute=15)
    assert ts.timeframe_type == 0 and ts.reserved == 0
    assert ts.raw == 0x045A8F
    assert ts.isoformat() == "--04-11T10:15"
    assert ts.plausible and not ts.is_utc


def test_fields_are_placed_msb_first() -> None:
    # timeframe 1 (UTC), reserved 2, month 12, day 31, hour 23, minute 59
    ts = sds.SdsTimestamp(1, 12, 31, 23, 59, reserved=2)
    assert ts.raw == 0b01_10_1100_11111_10111_111011
    assert ts.isoformat() == "--12-31T23:59Z"
    assert ts.is_utc


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 0xFFFFFF))
def test_every_raw_value_round_trips(raw: int) -> None:
    ts = sds.SdsTimestamp.from_raw(raw)
    assert ts.raw == raw
    assert sds.SdsTimestamp(ts.timeframe_type, ts.month, ts.day, ts.hour, ts.minute,
                            ts.reserved) == ts


@pytest.mark.parametrize("raw", [0, 0x0D0000, 0xFFFFFF])
def test_implausible_values_are_kept_and_flagged(raw: int) -> None:
    ts = sds.SdsTimestamp.from_raw(raw)
    assert not ts.plausible
    assert ts.raw == raw
    assert ts.timeframe_type in (0, 3)


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"timeframe_type": 4}, "timestamp.timeframe_type"),
    ({"month": 16}, "timestamp.month"),
    ({"day": 32}, "timestamp.day"),
    ({"hour": -1}, "timestamp.hour"),
    ({"minute": 64}, "timestamp.minute"),
    ({"reserved": 4}, "timestamp.reserved"),
])
def test_field_widths_are_checked(kwargs: dict[str, int], field: str) -> None:
    values = {"timeframe_type": 0, "month": 1, "day": 1, "hour": 0, "minute": 0, **kwargs}
    with pytest.raises(EncodeError) as info:
        sds.SdsTimestamp(**values)
    assert info.value.field == field


def test_from_raw_rejects_more_than_24_bits() -> None:
    with pytest.raises(EncodeError) as info:
        sds.SdsTimestamp.from_raw(1 << 24)
    assert info.value.field == "timestamp"


def test_text_message_takes_a_timestamp_object_and_encodes_bit_exact() -> None:
    ts = sds.SdsTimestamp(sds.TimeframeType.UTC, 4, 11, 10, 15)
    pdu = sds.text_message("ok", message_reference=7, report=0, timestamp=ts)
    data, bits = sds.encode(pdu)
    assert data == bytes([0x82, 0x00, 0x07, 0x81]) + ts.raw.to_bytes(3, "big") + b"ok"
    back = sds.decode(data, bits)
    assert back.user_data.timestamp == ts.raw
    assert back.user_data.time == ts
    assert back == pdu


def test_json_timestamp_object() -> None:
    pdu = sds.decode(bytes.fromhex("82029C81045A8F") + b"hei")
    got = sds.to_dict(pdu)["timestamp"]
    assert got == {"raw": 0x045A8F, "timeframe_type": 0, "timeframe_type_name": "local",
                   "month": 4, "day": 11, "hour": 10, "minute": 15, "reserved": 0,
                   "iso": "--04-11T10:15", "plausible": True}
    json.dumps(got)
    assert sds.to_dict(sds.decode(bytes.fromhex("82029C01") + b"hei"))["timestamp"] is None


def test_json_reserved_timeframe_type_is_named() -> None:
    pdu = sds.decode(bytes.fromhex("82029C81C45A8F") + b"x")
    got = sds.to_dict(pdu)["timestamp"]
    assert got["timeframe_type"] == 3
    assert got["timeframe_type_name"] == "reserved (3)"
