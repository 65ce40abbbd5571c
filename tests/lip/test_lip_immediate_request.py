"""IMMEDIATE LOCATION REPORT REQUEST (TS 100 392-18-1 cl. 6.2.16, Table 6.16).

The expected wire bits are written out field by field from the layout in the
class docstring (request/response 1, report type 2, location information
destination: address type 4 + address), independently of the encoder.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tetrakit import lip
from tetrakit.errors import EncodeError
from tetrakit.identities import Tsi

from .strategies import immediate_requests

HEADER = "01 0001"  # PDU type 1 (with extension), extension 1


def _hand(*fields: str) -> tuple[bytes, int]:
    """Octets (zero padded) and bit length of the binary digits in ``fields``."""
    digits = "".join(fields).replace(" ", "")
    n = len(digits)
    pad = -n % 8
    return (int(digits, 2) << pad).to_bytes((n + pad) // 8, "big"), n


def _bin(value: int, width: int) -> str:
    return format(value, f"0{width}b")


def test_builder_with_destination_ssi_matches_a_literal() -> None:
    # short report preferred, report to SSI 2001 (0x0007D1)
    request = lip.immediate_location_request(destination_ssi=2001)
    assert lip.to_sds(request) == (bytes.fromhex("0A4588003E88"), 45)
    assert lip.encode(request) == _hand(HEADER, "0", "11", "0001", _bin(2001, 24))
    assert request.destination is not None and request.destination.tsi == Tsi(2001)


@pytest.mark.parametrize("report_type", list(lip.ReportType))
def test_every_report_type_without_destination(report_type: lip.ReportType) -> None:
    data, bits = _hand(HEADER, "0", _bin(report_type, 2))
    assert bits == 9
    pdu = lip.decode(data, bits)
    assert pdu == lip.ImmediateLocationReportRequest(lip.RequestResponse.REQUEST, report_type)
    assert lip.decode(data) == pdu  # 7 zero pad bits are padding, not a destination
    assert lip.encode(pdu) == (data, bits)
    assert lip.immediate_location_request(report_type=report_type) == pdu


def test_report_type_names_follow_table_6_95() -> None:
    assert [(int(t), t.name) for t in lip.ReportType] == [
        (0, "LONG_PREFERRED_WITHOUT_TIME"),
        (1, "LONG_PREFERRED_WITH_TIME_ELAPSED"),
        (2, "LONG_PREFERRED_WITH_TIME_OF_POSITION"),
        (3, "SHORT_PREFERRED"),
    ]


MCC, MNC, SSI = 242, 1003, 0xABCDEF


@pytest.mark.parametrize(("address_fields", "destination"), [
    (("0000",), lip.LocationDestination(lip.AddressType.NO_IDENTIFICATION)),
    (("0001", _bin(SSI, 24)), lip.LocationDestination(lip.AddressType.SSI, SSI)),
    (("0010", _bin(SSI, 24), _bin(MCC, 10), _bin(MNC, 14)),
     lip.LocationDestination(lip.AddressType.SSI_AND_MNI, SSI, MCC, MNC)),
    (("0011", "11000000 10101000 00000001 00001010"),
     lip.LocationDestination(lip.AddressType.IPV4, ip_address=IPv4Address("192.168.1.10"))),
    (("0100", "0010000000000001 0000110110111000" + "0" * 92 + "1001"),
     lip.LocationDestination(lip.AddressType.IPV6, ip_address=IPv6Address("2001:db8::9"))),
])
def test_decoded_destination_types(address_fields: tuple[str, ...],
                                   destination: lip.LocationDestination) -> None:
    data, bits = _hand(HEADER, "1", "01", *address_fields)
    pdu = lip.decode(data, bits)
    expected = lip.ImmediateLocationReportRequest(
        lip.RequestResponse.RESPONSE, lip.ReportType.LONG_PREFERRED_WITH_TIME_ELAPSED,
        destination)
    assert pdu == expected
    assert isinstance(pdu, lip.ImmediateLocationReportRequest)
    assert pdu.destination is not None and pdu.destination.address_decoded
    assert lip.encode(pdu) == (data, bits)
    # a vendor element after the destination is kept raw
    more, more_bits = _hand(HEADER, "1", "01", *address_fields, "1011 0")
    with_extra = lip.decode(more, more_bits)
    assert with_extra == lip.ImmediateLocationReportRequest(
        expected.request_response, expected.report_type, destination, lip.RawBits(0b10110, 5))


def test_ssi_and_mni_gives_a_tsi() -> None:
    data, bits = _hand(HEADER, "0", "11", "0010", _bin(SSI, 24), _bin(MCC, 10), _bin(MNC, 14))
    pdu = lip.decode(data, bits)
    assert isinstance(pdu, lip.ImmediateLocationReportRequest) and pdu.destination is not None
    assert pdu.destination.tsi == Tsi(SSI, MCC, MNC)


@pytest.mark.parametrize("code", [5, 7, 8, 9, 10, 11, 12, 13, 15])
def test_other_address_types_keep_the_address_raw(code: int) -> None:
    address = "0101 1100 0011"  # whatever follows: not decoded, never an error
    data, bits = _hand(HEADER, "0", "11", _bin(code, 4), address)
    pdu = lip.decode(data, bits)
    assert isinstance(pdu, lip.ImmediateLocationReportRequest)
    assert pdu.destination == lip.LocationDestination(code)
    assert not pdu.destination.address_decoded
    assert pdu.trailing == lip.RawBits(0b0101_1100_0011, 12)
    assert lip.encode(pdu) == (data, bits)
    d = lip.to_dict(pdu)
    assert d["destination_address_type"] == code
    assert d["trailing"] == {"bits": 12, "hex": "5C3"}


def test_address_cut_short_is_kept_raw() -> None:
    # type 1 announces 24 SSI bits but only 20 follow
    data, bits = _hand(HEADER, "0", "11", "0001", "1" * 20)
    pdu = lip.decode(data, bits)
    assert pdu == lip.ImmediateLocationReportRequest(
        0, 3, None, lip.RawBits((0b0001 << 20) | 0xFFFFF, 24))
    assert lip.encode(pdu) == (data, bits)
    # fewer than 4 bits after the report type cannot hold an address type
    data, bits = _hand(HEADER, "0", "11", "101")
    assert lip.decode(data, bits) == lip.ImmediateLocationReportRequest(
        0, 3, None, lip.RawBits(0b101, 3))


def test_without_bit_length_type_0_reads_as_padding() -> None:
    # 13 bits: the 3 pad bits plus the 4-bit type 0 are indistinguishable
    # from 7 bits of padding, so the destination reads as absent.
    data, bits = _hand(HEADER, "0", "11", "0000")
    assert lip.decode(data, bits) == lip.ImmediateLocationReportRequest(
        0, 3, lip.LocationDestination(0))
    assert lip.decode(data) == lip.ImmediateLocationReportRequest(0, 3)


def test_to_dict_keys() -> None:
    pdu = lip.immediate_location_request(destination_ssi=2001)
    d = lip.to_dict(pdu)
    assert {k: d[k] for k in ("pdu", "pdu_type", "pdu_type_extension", "request_response",
                              "report_type", "report_type_name", "destination_address_type",
                              "destination_address_type_name", "destination_ssi")} == {
        "pdu": "immediate_location_report_request", "pdu_type": 1, "pdu_type_extension": 1,
        "request_response": 0, "report_type": 3, "report_type_name": "short_preferred",
        "destination_address_type": 1, "destination_address_type_name": "ssi",
        "destination_ssi": 2001}
    mni = lip.to_dict(lip.ImmediateLocationReportRequest(
        0, 0, lip.LocationDestination(2, SSI, MCC, MNC)))
    assert (mni["destination_mcc"], mni["destination_mnc"]) == (MCC, MNC)
    ip6 = lip.to_dict(lip.ImmediateLocationReportRequest(
        0, 0, lip.LocationDestination(4, ip_address=IPv6Address("2001:db8::9"))))
    assert ip6["destination_ip_address"] == "2001:db8::9"
    assert "destination_address_type" not in lip.to_dict(lip.immediate_location_request())
    reserved = lip.to_dict(lip.ImmediateLocationReportRequest(0, 0, lip.LocationDestination(6)))
    assert reserved["destination_address_type_name"] == "reserved(6)"


def test_builder_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="destination SSI"):
        lip.immediate_location_request(destination_ssi=1 << 24)
    with pytest.raises(ValueError, match="report type"):
        lip.immediate_location_request(report_type=-1)


@pytest.mark.parametrize(("destination", "field"), [
    (lip.LocationDestination(1), "destination_ssi"),
    (lip.LocationDestination(1, 1 << 24), "destination_ssi"),
    (lip.LocationDestination(2, 5), "destination_mcc"),
    (lip.LocationDestination(2, 5, 1024, 0), "destination_mcc"),
    (lip.LocationDestination(0, 5), "destination_ssi"),
    (lip.LocationDestination(1, 5, 1, 1), "destination_mcc"),
    (lip.LocationDestination(3, ip_address=IPv6Address("::1")), "destination_ip_address"),
    (lip.LocationDestination(4), "destination_ip_address"),
    (lip.LocationDestination(8, ip_address=IPv4Address("10.0.0.1")), "destination_ip_address"),
    (lip.LocationDestination(16), "address_type"),
])
def test_encoder_names_the_inconsistent_destination_field(
        destination: lip.LocationDestination, field: str) -> None:
    with pytest.raises(EncodeError) as info:
        lip.encode(lip.ImmediateLocationReportRequest(0, 3, destination))
    assert info.value.field == field


def test_destination_needs_the_fixed_fields() -> None:
    with pytest.raises(EncodeError) as info:
        lip.encode(lip.ImmediateLocationReportRequest(None, None, lip.LocationDestination(0)))
    assert info.value.field == "destination"


@given(immediate_requests())
@settings(max_examples=400)
def test_round_trip(pdu: lip.ImmediateLocationReportRequest) -> None:
    data, bits = lip.encode(pdu)
    assert lip.decode(data, bits) == pdu
    assert lip.from_sds(*lip.to_sds(pdu)) == pdu


@given(st.integers(0, (1 << 140) - 1), st.integers(0, 140))
@settings(max_examples=500)
def test_any_body_decodes_and_re_encodes(body: int, n: int) -> None:
    body &= (1 << n) - 1
    data, bits = _hand(HEADER, _bin(body, n) if n else "")
    pdu = lip.decode(data, bits)
    assert isinstance(pdu, lip.ImmediateLocationReportRequest)
    assert lip.encode(pdu) == (data, bits)
