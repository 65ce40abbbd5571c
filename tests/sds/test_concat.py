"""Concatenated SDS message (PI 0x0C / 0x8C, EN 300 392-2 cl. 29.5.14; layout [unverified])."""

from __future__ import annotations

import pytest

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError


def test_part_1_with_short_reference_over_sds_tl() -> None:
    # 8C, SDS-TRANSFER received report, MR 5 | control: type 0, no extension,
    # reference 3 | total 2 | sequence 1 | payload PI 0x82 | payload
    data = bytes.fromhex("8C0405" "03" "02" "01" "82" "0C0701") + b"Hei"
    pdu = sds.decode(data)
    assert isinstance(pdu, sds.SdsTransfer)
    assert pdu.message_reference == 5
    part = pdu.user_data
    assert part == sds.ConcatenatedPart(reference=3, total=2, sequence=1,
                                        data=bytes.fromhex("0C0701") + b"Hei",
                                        payload_protocol_id=0x82)
    assert part.payload_protocol_id is sds.ProtocolId.TEXT_MESSAGING
    assert part.layout == sds.LAYOUT_ONE_PUBLIC_IMPLEMENTATION
    assert sds.encode(pdu) == (data, 8 * len(data))
    got = sds.to_dict(pdu)
    assert got["concatenation"] == {"reference": 3, "extended_reference": False, "total": 2,
                                    "sequence": 1}
    assert got["payload_protocol_id"] == 0x82
    assert got["payload_protocol_name"] == "text messaging"
    assert got["payload"] == "0C0701486569"
    assert got["layout"] == "one_public_implementation"
    assert "one public implementation" in got["layout_basis"]


def test_later_part_with_extended_reference_has_no_payload_pi() -> None:
    # control 0x1A: extension present, upper bits 0xA; extension 0xBC -> 0xABC
    data = bytes.fromhex("8C0006" "1ABC" "03" "02") + b"rest"
    pdu = sds.decode(data)
    part = pdu.user_data
    assert part == sds.ConcatenatedPart(0xABC, 3, 2, b"rest", extended_reference=True)
    assert part.payload_protocol_id is None
    assert sds.to_dict(pdu)["payload_protocol_id"] is None
    assert sds.encode(pdu)[0] == data


def test_small_reference_with_extension_keeps_its_form() -> None:
    data = bytes.fromhex("8C0006" "1005" "02" "02")
    part = sds.decode(data).user_data
    assert part.reference == 5 and part.extended_reference
    assert sds.encode(sds.decode(data))[0] == data


def test_without_sds_tl_pi_0c() -> None:
    data = bytes.fromhex("0C" "07" "02" "02") + b"xyz"
    pdu = sds.decode(data)
    assert isinstance(pdu, sds.ConcatenatedSds)
    assert pdu.payload == sds.ConcatenatedPart(7, 2, 2, b"xyz")
    assert pdu.layout == sds.LAYOUT_ONE_PUBLIC_IMPLEMENTATION
    assert pdu.layout_established is False
    got = sds.to_dict(pdu)
    assert got["pdu"] == "CONCATENATED-SDS"
    assert got["concatenation"]["sequence"] == 2
    assert sds.encode(pdu) == (data, 8 * len(data))


def test_payload_ending_inside_an_octet() -> None:
    data = bytes.fromhex("0C" "07" "02" "02" "AB" "CF")
    pdu = sds.decode(data, 44)
    assert pdu.payload.data == b"\xab\xc0" and pdu.payload.bits == 12
    assert sds.encode(pdu) == (bytes.fromhex("0C070202ABC0"), 44)


@pytest.mark.parametrize("pi", ["0C", "8C0000"])
def test_unknown_concatenation_pdu_type_is_kept_raw(pi: str) -> None:
    data = bytes.fromhex(pi + "E1020304")
    pdu = sds.decode(data)
    raw = pdu.payload if isinstance(pdu, sds.ConcatenatedSds) else pdu.user_data
    assert raw == sds.ConcatenatedData(bytes.fromhex("E1020304"))
    assert "PDU type 7" in raw.reason
    assert raw.layout == sds.LAYOUT_RAW and raw.layout_established is False
    got = sds.to_dict(pdu)
    assert got["layout"] == "raw" and got["layout_established"] is False
    assert got["user_data"] == "E1020304"
    assert sds.encode(pdu)[0] == data


@pytest.mark.parametrize(("hexdata", "field", "offset"), [
    ("0C", "concatenation_control", 8),
    ("8C0001", "concatenation_control", 24),
    ("0C10", "concatenation_reference_extension", 16),
    ("0C01", "total_parts", 16),
    ("0C0102", "sequence_number", 24),
    ("0C010201", "payload_protocol_id", 32),
    ("8C0001" "1FFF" "0201", "payload_protocol_id", 56),
])
def test_cut_header_names_field_and_offset(hexdata: str, field: str, offset: int) -> None:
    with pytest.raises(DecodeError) as info:
        sds.decode(bytes.fromhex(hexdata))
    assert info.value.field == field
    assert info.value.bit_offset == offset


def test_part_checks_its_fields() -> None:
    with pytest.raises(EncodeError) as info:
        sds.ConcatenatedPart(16, 2, 2, b"")
    assert info.value.field == "concatenation_reference"
    assert sds.ConcatenatedPart(0xFFF, 2, 2, b"", extended_reference=True).reference == 0xFFF
    with pytest.raises(EncodeError) as info:
        sds.ConcatenatedPart(1, 2, 1, b"")  # part 1 without payload PI
    assert info.value.field == "payload_protocol_id"
    with pytest.raises(EncodeError) as info:
        sds.ConcatenatedPart(1, 2, 2, b"", payload_protocol_id=0x82)
    assert info.value.field == "payload_protocol_id"
    with pytest.raises(EncodeError) as info:
        sds.ConcatenatedPart(1, 300, 2, b"")
    assert info.value.field == "total"
    with pytest.raises(EncodeError) as info:
        sds.ConcatenatedPart(1, 2, 2, b"\xff", bits=4)
    assert info.value.field == "concatenated_data"


def test_part_only_with_pi_8c() -> None:
    part = sds.ConcatenatedPart(1, 2, 2, b"x")
    with pytest.raises(EncodeError) as info:
        sds.SdsTransfer(0x8A, 1, part)
    assert info.value.field == "protocol_id"
    with pytest.raises(EncodeError):
        sds.encode(sds.ConcatenatedSds(part, protocol_id=0x0D))
