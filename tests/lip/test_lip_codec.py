"""Decoder and encoder behaviour beyond the vectors: vendor padding, errors, dispatch."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tetrakit import lip, sds
from tetrakit._bits import BitReader, bytes_from_hex
from tetrakit.decode import decode as tetrakit_decode
from tetrakit.errors import DecodeError, EncodeError
from tetrakit.lip import codec

L5 = "0A112853A9FF4D4FFFE810"  # Motorola: 22 digits for 84 bits
L6 = "0A0BA7D5B95BC50AFFE16"  # Sepura: 21 digits, exactly 84 bits


def test_motorola_pad_nibble_and_sepura_odd_nibbles_decode_alike() -> None:
    moto, _ = bytes_from_hex(L5)
    sep, sep_bits = bytes_from_hex(L6)
    assert sep_bits == 84
    assert lip.from_sds(moto, 84) == lip.from_sds(moto)
    assert lip.from_sds(sep, 84) == lip.from_sds(sep)
    # the PEI length wins: with 88 bits the pad nibble is data and is kept
    report = lip.from_sds(moto, 88)
    assert isinstance(report, lip.ShortLocationReport)
    assert report.trailing == lip.RawBits(0, 4)
    assert lip.to_sds(report) == (moto, 88)


def test_vendor_bits_after_a_short_report_are_kept() -> None:
    data, _ = bytes_from_hex(L5)
    longer = data + b"\xab\xc0"
    report = lip.from_sds(longer, 84 + 4 + 12)
    assert isinstance(report, lip.ShortLocationReport)
    assert report.trailing == lip.RawBits(0x0ABC, 16)
    assert report.latitude == pytest.approx(44.938642, abs=1e-6)


def test_truncated_short_report_names_field_and_offset() -> None:
    data, _ = bytes_from_hex(L5)
    with pytest.raises(DecodeError) as info:
        lip.decode(data[1:], 55)
    assert info.value.field == "position_error"
    assert info.value.bit_offset == 53
    with pytest.raises(DecodeError) as info:
        lip.from_sds(data, 63)
    assert info.value.field == "position_error"
    assert info.value.bit_offset == 61  # counted from the PI


def test_truncated_long_report_names_field() -> None:
    data, _ = bytes_from_hex("0A4E73DDA841F55809493CC081")
    with pytest.raises(DecodeError) as info:
        lip.from_sds(data, 100)
    assert info.value.field == "reason_for_sending"


def test_bad_length_and_bad_pi() -> None:
    with pytest.raises(DecodeError, match="length"):
        lip.decode(b"\x00", 9)
    with pytest.raises(DecodeError, match="protocol identifier 0x82"):
        lip.from_sds(b"\x82\x04\x01")
    with pytest.raises(DecodeError) as info:
        lip.from_sds(b"")
    assert info.value.field == "protocol_identifier"
    with pytest.raises(DecodeError):
        lip.decode(b"", None)


def test_reserved_codes_decode_without_error() -> None:
    # PDU type 2, extension 13, time type 3, location shape 15: kept raw, never an error
    assert lip.decode(b"\x80\x12", 16) == lip.ReservedLipPdu(2, None, lip.RawBits(0x12, 14))
    assert lip.decode(b"\x74\x00", 10) == lip.ReservedLipPdu(1, 13, lip.RawBits(0, 4))
    long_reserved_time = lip.decode(bytes([0b0100_1111, 0b1010_0000]), 12)
    assert long_reserved_time == lip.LongLocationReport(3, trailing=lip.RawBits(0b1010, 4))
    assert not long_reserved_time.complete
    shape15 = lip.decode(bytes([0b0100_1100, 0b1111_0110]), 16)
    assert isinstance(shape15, lip.LongLocationReport)
    assert shape15.location == lip.Location(15)
    assert shape15.trailing == lip.RawBits(0b0110, 4)
    assert shape15.position is None and not shape15.complete


def test_reason_and_user_defined_data_are_exclusive() -> None:
    data, _ = bytes_from_hex("0A0D67BF467649693915A0")
    c4 = lip.from_sds(data, 84)
    assert isinstance(c4, lip.ShortLocationReport)
    assert c4.user_defined_data == 0x5A and c4.reason_for_sending is None
    d = lip.to_dict(c4)
    assert d["user_defined_data"] == 0x5A and "reason_for_sending" not in d
    built = lip.LongLocationReport.from_position(1, 1, reason=2, user_defined_data=3)
    assert built.user_defined_data == 3 and built.reason_for_sending is None


def test_no_fix_reports_have_no_position() -> None:
    report = lip.ShortLocationReport(3, 0, 0, 7, 127, 15, 0, 21)
    assert report.position is None
    assert lip.to_geojson(report)["geometry"] is None
    assert report.direction_of_travel_deg is None
    moving_nnw = lip.ShortLocationReport(0, 10, 10, 1, 40, 15, 0, 129)
    assert moving_nnw.direction_of_travel_deg == 337.5


def test_encode_rejects_out_of_range_fields_naming_them() -> None:
    good = lip.ShortLocationReport(0, 0, 0, 0, 0, 0, 0, 0)
    for field, bad in (("horizontal_velocity", 128), ("additional_data", 256),
                       ("longitude", 1 << 24), ("latitude", -(1 << 23) - 1),
                       ("time_elapsed", -1)):
        kwargs: dict[str, Any] = {"longitude_raw" if field == "longitude" else
                  "latitude_raw" if field == "latitude" else field: bad}
        with pytest.raises(EncodeError) as info:
            lip.encode(replace(good, **kwargs))
        assert info.value.field == field


def test_encode_checks_long_report_consistency() -> None:
    with pytest.raises(EncodeError) as info:
        lip.encode(lip.LongLocationReport(1, None, None, lip.Location(1, 0, 0), lip.Velocity(0),
                                          False, 0, 0))
    assert info.value.field == "time_elapsed"
    with pytest.raises(EncodeError) as info:
        lip.encode(lip.LongLocationReport(0, None, None, lip.Location(2, 0, 0), lip.Velocity(0),
                                          False, 0, 0))
    assert info.value.field == "horizontal_uncertainty"
    with pytest.raises(EncodeError) as info:
        lip.encode(lip.LongLocationReport(0, None, None, lip.Location(1, 0, 0),
                                          lip.Velocity(5, 10), False, 0, 0))
    assert info.value.field == "direction_of_travel_extended"
    with pytest.raises(EncodeError):
        lip.encode(lip.LongLocationReport(3, location=lip.Location(1, 0, 0)))
    with pytest.raises(EncodeError):
        lip.encode(lip.ReservedLipPdu(1, 3, lip.RawBits(0, 0)))
    with pytest.raises(TypeError):
        lip.encode("0A00")  # type: ignore[arg-type]


def test_immediate_location_request_and_answer() -> None:
    request = lip.immediate_location_request(
        report_type=lip.ReportType.LONG_PREFERRED_WITH_TIME_OF_POSITION)
    data, bits = lip.to_sds(request)
    # PI 0x0A | PDU type 01, extension 0001, request 0, report type 10, 7 pad bits
    assert (data, bits) == (bytes([0x0A, 0b0100_0101, 0b0000_0000]), 17)
    decoded = lip.from_sds(data, bits)
    assert decoded == request
    assert isinstance(decoded, lip.ImmediateLocationReportRequest)
    assert decoded.report_type is lip.ReportType.LONG_PREFERRED_WITH_TIME_OF_POSITION
    assert decoded.request_response is lip.RequestResponse.REQUEST
    assert decoded.destination is None
    answer = lip.ShortLocationReport.from_position(
        62.4647, 6.3356, reason=lip.ReasonForSending.RESPONSE_TO_IMMEDIATE_LOCATION_REQUEST)
    back = lip.from_sds(*lip.to_sds(answer))
    assert back.reason_for_sending == 32  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        lip.immediate_location_request(report_type=4)


def test_other_builders() -> None:
    ack = lip.location_report_acknowledgement()
    assert lip.decode(*lip.encode(ack)) == ack
    assert lip.to_dict(ack)["result_code_name"] == "success"
    enable = lip.location_reporting_enable_disable_request(enable=True, backlog=True)
    assert enable.reporting_enabled and enable.backlog_enabled
    assert lip.decode(*lip.encode(enable)) == enable
    basic = lip.basic_location_parameters_request(minimum_reporting_interval=6)
    assert lip.to_dict(lip.decode(*lip.encode(basic)))["report_type_name"] == "short_preferred"


def test_opaque_pdus_keep_their_body() -> None:
    pdu = lip.BacklogResponse(lip.RawBits(0xBEEF, 16))
    data, bits = lip.encode(pdu)
    assert bits == 6 + 1 + 16
    assert lip.decode(data, bits) == pdu
    d = lip.to_dict(pdu)
    assert d["layout_established"] is False
    assert d["body"] == {"bits": 16, "hex": "BEEF"}
    assert d["request_response"] == 1


def test_request_and_ack_layouts_are_tolerant_of_short_bodies() -> None:
    short_body = lip.decode(bytes([0b0100_0110]), 8)  # immediate request with 2 body bits
    assert short_body == lip.ImmediateLocationReportRequest(None, None, None, lip.RawBits(0b10, 2))
    bare_ack = lip.decode(bytes([0b0101_0000]), 6)
    assert bare_ack == lip.LocationReportAcknowledgement(None, None)


@given(st.binary(min_size=10, max_size=10).map(lambda b: bytes([b[0] & 0x3F]) + b[1:]),
       st.sampled_from([None, 76]))
def test_hot_path_agrees_with_field_by_field_decoding(data: bytes, bits: int | None) -> None:
    fast = lip.decode(data, bits)
    n = 80 if bits is None else bits
    slow = codec._decode_fields(BitReader(data, n), bits is None)
    assert fast == slow
    assert type(fast.time_elapsed) is type(slow.time_elapsed)  # type: ignore[union-attr]


def test_sds_decode_hands_lip_over() -> None:
    data, _ = bytes_from_hex(L6)
    assert sds.decode(data, 84) == lip.from_sds(data, 84)
    assert tetrakit_decode(L6) == lip.from_sds(data, 84)
    assert sds.to_dict(lip.from_sds(data, 84)) == lip.to_dict(lip.from_sds(data, 84))
