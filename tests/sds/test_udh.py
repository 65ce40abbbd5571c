"""Message with user data header (PI 0x8A, EN 300 392-2 cl. 29.5.9; layout per ftl/tetra-pei)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import tetrakit
from tetrakit import sds
from tetrakit.cli import cli
from tetrakit.errors import DecodeError, EncodeError

# the real example from ftl/tetra-pei's comments, up to the text
FTL_HEAD = "8A00C98D045A8F050003C90201"
TEXT = "Hjertestans i bygg C, pris 5 €"  # € is 0xA4 in ISO 8859-15 (scheme 13)


def test_real_example_decodes_field_by_field() -> None:
    data = bytes.fromhex(FTL_HEAD) + TEXT.encode("iso8859_15")
    pdu = tetrakit.decode(data)
    assert isinstance(pdu, sds.SdsTransfer)
    assert pdu.protocol_id is sds.ProtocolId.MESSAGE_WITH_USER_DATA_HEADER
    assert pdu.delivery_report_request is sds.DeliveryReportRequest.NONE
    assert not pdu.service_selection and pdu.storage is None
    assert pdu.message_reference == 0xC9
    udh = pdu.user_data
    assert isinstance(udh, sds.UdhText)
    assert udh.content.coding_scheme is sds.CodingScheme.ISO_8859_15
    assert udh.content.timestamp == 0x045A8F
    assert udh.time == sds.SdsTimestamp(0, 4, 11, 10, 15)
    assert udh.header.elements == (sds.ConcatenationIe(0xC9, 2, 1),)
    assert udh.concatenation == sds.ConcatenationIe(reference=0xC9, total=2, sequence=1)
    assert udh.content.data == TEXT.encode("iso8859_15")
    assert pdu.text == udh.text == TEXT
    assert not udh.content.best_effort
    assert sds.encode(pdu) == (data, 8 * len(data))


def test_real_example_built_from_fields_encodes_to_the_same_octets() -> None:
    content = sds.TextContent.from_text(TEXT, 13, sds.SdsTimestamp(0, 4, 11, 10, 15))
    pdu = sds.SdsTransfer(0x8A, 0xC9, sds.UdhText(
        sds.UserDataHeader((sds.ConcatenationIe(0xC9, 2, 1),)), content))
    data, bits = sds.encode(pdu)
    assert data.hex().upper().startswith(FTL_HEAD)
    assert data[len(FTL_HEAD) // 2 :] == TEXT.encode("iso8859_15")
    assert sds.decode(data, bits) == pdu


def test_real_example_json_and_cli() -> None:
    hexdata = FTL_HEAD + TEXT.encode("iso8859_15").hex()
    got = sds.to_dict(tetrakit.decode(hexdata))
    assert got["protocol_id"] == 0x8A and got["message_type"] == 0
    assert got["coding_scheme"] == 13 and got["coding_scheme_name"] == "ISO 8859-15"
    assert got["timestamp"]["iso"] == "--04-11T10:15"
    assert got["udh_length"] == 5
    assert got["udh"] == [{"iei": 0, "iei_name": "concatenated_short_reference",
                           "reference": 0xC9, "total": 2, "sequence": 1,
                           "long_reference": False}]
    assert got["concatenation"] == {"reference": 0xC9, "total": 2, "sequence": 1,
                                    "long_reference": False}
    assert got["layout"] == sds.LAYOUT_ONE_PUBLIC_IMPLEMENTATION
    assert "unverified" in got["layout_basis"]
    assert got["text"] == TEXT
    result = CliRunner().invoke(cli, ["decode", "--json", hexdata])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == got
    result = CliRunner().invoke(cli, ["decode", hexdata])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "SDS-TRANSFER  PI 0x8A (message with user data header)"
    assert f"'{TEXT}'" in out
    assert "reference=201, total=2, sequence=1" in out
    assert "iei=0 (concatenated_short_reference)" in out


def test_long_reference_is_read_low_octet_first() -> None:
    # IEI 0x08, length 4, reference 0x1234 as 34 12 [byte order unverified], 3 parts, part 2
    data = bytes.fromhex("8A0005" "01" "06" "080434120302") + b"abc"
    pdu = sds.decode(data)
    assert pdu.user_data.concatenation == sds.ConcatenationIe(0x1234, 3, 2, long_reference=True)
    assert pdu.user_data.concatenation.identifier == 0x08
    assert sds.to_dict(pdu)["udh"][0]["iei_name"] == "concatenated_long_reference"
    assert sds.encode(pdu)[0] == data


def test_other_elements_are_kept_raw_in_order() -> None:
    # element 0x24 (2 octets), an IEI 0 of the wrong length (2), then the concatenation
    body = "2402AABB" "00020102" "000307" "0301"
    data = bytes.fromhex("8A0005" "01" f"{len(body) // 2:02X}" + body) + b"x"
    pdu = sds.decode(data)
    header = pdu.user_data.header
    assert header.elements == (
        sds.InformationElement(0x24, b"\xaa\xbb"),
        sds.InformationElement(0x00, b"\x01\x02"),
        sds.ConcatenationIe(7, 3, 1),
    )
    assert header.concatenation == sds.ConcatenationIe(7, 3, 1)
    assert sds.to_dict(pdu)["udh"][0] == {"iei": 0x24, "iei_name": "reserved (36)",
                                          "data": "AABB"}
    assert sds.encode(pdu)[0] == data


def test_empty_header_and_text_without_concatenation() -> None:
    data = bytes.fromhex("8A00050100") + "æøå".encode("latin-1")
    pdu = sds.decode(data)
    assert pdu.user_data.header == sds.UserDataHeader()
    assert pdu.user_data.concatenation is None
    assert pdu.text == "æøå"
    assert sds.to_dict(pdu)["concatenation"] is None
    assert sds.encode(pdu)[0] == data


def test_text_ending_inside_an_octet() -> None:
    data = bytes.fromhex("8A0005" "01" "03" "240100" "41") + b"\x4f"
    pdu = sds.decode(data, 8 * len(data) - 4)
    assert pdu.user_data.bits == 12
    assert pdu.user_data.content.data == b"\x41\x40"
    assert pdu.text == "A"
    assert sds.encode(pdu) == (data[:-1] + b"\x40", 8 * len(data) - 4)


@pytest.mark.parametrize(("hexdata", "field", "offset"), [
    ("8A0005", "text_coding_scheme", 24),
    ("8A000581", "timestamp", 32),
    ("8A000501", "udh_length", 32),
    ("8A00050105000302", "udh", 40),          # header says 5 octets, 3 follow
    ("8A0005010300", "udh", 40),
    ("8A000501020003", "udh_ie_length", 48),  # element of 3 octets in a 2-octet header
    ("8A0005010124", "udh_ie_length", 40),  # 1 octet: no room for identifier and length
])
def test_cut_or_overrunning_header_names_field_and_offset(hexdata: str, field: str,
                                                          offset: int) -> None:
    with pytest.raises(DecodeError) as info:
        sds.decode(bytes.fromhex(hexdata))
    assert info.value.field == field
    assert info.value.bit_offset == offset


def test_elements_check_their_fields() -> None:
    with pytest.raises(EncodeError) as info:
        sds.ConcatenationIe(256, 2, 1)
    assert info.value.field == "udh_reference"
    assert sds.ConcatenationIe(0xFFFF, 2, 1, long_reference=True).to_bytes() == bytes.fromhex(
        "0804FFFF0201")
    with pytest.raises(EncodeError) as info:
        sds.ConcatenationIe(1, 256, 1)
    assert info.value.field == "total"
    with pytest.raises(EncodeError):
        sds.InformationElement(0x00, b"\x01\x02\x03")  # that is a ConcatenationIe
    with pytest.raises(EncodeError) as info:
        sds.InformationElement(0x30, bytes(256))
    assert info.value.field == "udh_ie_length"
    with pytest.raises(EncodeError) as info:
        sds.UserDataHeader(tuple(sds.InformationElement(0x30, bytes(100)) for _ in range(3)))
    assert info.value.field == "udh_length"


def test_header_accepts_a_list_and_keeps_a_tuple() -> None:
    header = sds.UserDataHeader([sds.ConcatenationIe(1, 2, 1)])  # type: ignore[arg-type]
    assert header.elements == (sds.ConcatenationIe(1, 2, 1),)
    assert header.to_bytes() == bytes.fromhex("0500030102" "01")


def test_udh_text_only_with_pi_8a() -> None:
    udh = sds.UdhText(sds.UserDataHeader(), sds.TextContent.from_text("x"))
    with pytest.raises(EncodeError) as info:
        sds.SdsTransfer(0x82, 1, udh)
    assert info.value.field == "protocol_id"
    with pytest.raises(EncodeError) as info:
        sds.SdsTransfer(0x8A, 1, sds.TextContent.from_text("x"))
    assert info.value.field == "protocol_id"
