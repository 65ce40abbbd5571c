"""Location system, raw PIs, SDS types 1-3 and the PI table (concatenation: test_concat.py)."""

from __future__ import annotations

import pytest

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError

NMEA = "$GPGGA,123519,6228.000,N,00609.000,E,1,08,0.9,12.0,M,,,,*47\r\n$GPVTG,054.7,T,,,,,,*20"


def test_simple_location_nmea_round_trip() -> None:
    pdu = sds.SimpleLocation(sds.LocationData.from_nmea(NMEA))
    data, bits = sds.encode(pdu)
    assert data[:2] == b"\x03\x00"
    assert bits == 8 * len(data) == 16 + 8 * len(NMEA)
    back = sds.decode(data)
    assert back == pdu
    assert back.location.nmea == NMEA
    assert back.location.sentences == [NMEA.split("\r\n")[0], NMEA.split("\r\n")[1]]
    assert sds.to_dict(back)["location_coding_system_name"] == "nmea_0183"


def test_location_system_over_tl_is_not_lip() -> None:
    data = bytes.fromhex("83000500") + b"$GPRMC"
    pdu = sds.decode(data)
    assert isinstance(pdu, sds.SdsTransfer)
    assert isinstance(pdu.user_data, sds.LocationData)
    assert pdu.user_data.nmea == "$GPRMC"
    assert sds.encode(pdu)[0] == data


def test_proprietary_location_is_kept() -> None:
    pdu = sds.decode(bytes.fromhex("0380123456"))
    assert pdu.location.coding_system is sds.LocationCodingSystem.PROPRIETARY
    assert pdu.location.nmea is None
    assert pdu.location.sentences == []


def test_nmea_must_be_ascii() -> None:
    with pytest.raises(EncodeError):
        sds.LocationData.from_nmea("Ålesund")


@pytest.mark.parametrize("pi", [0x00, 0x01, 0x07, 0x40, 0x7F, 0xFF, 0x0E])
def test_other_pis_are_raw_with_reason(pi: int) -> None:
    data = bytes([pi, 0xDE, 0xAD])
    pdu = sds.decode(data)
    assert isinstance(pdu, sds.RawSds)
    assert pdu.data == b"\xde\xad"
    assert pdu.reason
    assert sds.encode(pdu) == (data, 24)


def test_raw_pi_bits_win_over_octets() -> None:
    pdu = sds.decode(bytes.fromhex("40ABCDEF"), 20)
    assert pdu == sds.RawSds(0x40, b"\xab\xc0", 12)
    assert sds.encode(pdu) == (bytes.fromhex("40ABC0"), 20)


def test_pi_names() -> None:
    assert sds.protocol_id_name(0x82) == "text messaging"
    assert sds.protocol_id_name(0xC3) == "company PI of Tetra Association (TCCA)"
    assert sds.protocol_id_name(0x55) == "user/vendor application without SDS-TL"
    assert sds.protocol_id_name(0xA0) == "standardised with SDS-TL"
    assert sds.uses_sds_tl(0x82) and not sds.uses_sds_tl(0x0A)
    assert sds.decode(bytes([0xC3, 0x00, 0x01])).protocol_id == 0xC3


@pytest.mark.parametrize(("kind", "octets"), [(1, "8001"), (2, "00010203"),
                                                (3, "0102030405060708")])
def test_user_defined_data_types_1_to_3(kind: int, octets: str) -> None:
    data = bytes.fromhex(octets)
    pdu = sds.decode_user_defined(data, kind)
    assert pdu.bits == len(data) * 8
    assert pdu.to_bytes() == data
    assert sds.to_dict(pdu)["sds_type"] == kind


def test_user_defined_data_errors() -> None:
    with pytest.raises(DecodeError):
        sds.decode_user_defined(b"\x00", 1)
    with pytest.raises(DecodeError):
        sds.decode_user_defined(b"\x00\x00", 4)
    with pytest.raises(EncodeError):
        sds.UserDefinedData(sds.SdsType.TYPE1, 1 << 16)


@pytest.mark.parametrize(("data", "bits"), [(b"", None), (b"\x82", 4), (b"\x82", 9),
                                            (b"\x82\x00", -1)])
def test_length_errors(data: bytes, bits: int | None) -> None:
    with pytest.raises(DecodeError):
        sds.decode(data, bits)


def test_encode_rejects_foreign_objects_and_oversize() -> None:
    with pytest.raises(TypeError):
        sds.encode(object())
    with pytest.raises(EncodeError):
        sds.encode(sds.RawSds(0x40, bytes(300)))
    with pytest.raises(TypeError):
        sds.to_dict(object())
