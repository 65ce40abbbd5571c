"""SDS-TL PDUs (EN 300 392-2 cl. 29.4): storage/forward, reports, acks, delivery status."""

from __future__ import annotations

import pytest

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError

TEXT = sds.TextContent(sds.CodingScheme.ISO_8859_1, b"hei")


@pytest.mark.parametrize(
    ("address", "octets"),
    [
        (sds.ForwardAddress(sds.ForwardAddressType.SNA, ssi=0x42), "5042"),
        (sds.ForwardAddress(sds.ForwardAddressType.SSI, ssi=1001), "510003E9"),
        (sds.ForwardAddress(sds.ForwardAddressType.TSI, ssi=2001, extension=(242 << 14) | 2),
         "520007D13C8002"),
        (sds.ForwardAddress(sds.ForwardAddressType.EXTERNAL_SUBSCRIBER_NUMBER,
                            digits="4712345"), "530747123450"),
        (sds.ForwardAddress(sds.ForwardAddressType.EXTERNAL_SUBSCRIBER_NUMBER,
                            digits="113"), "53031130"),
        (sds.ForwardAddress(sds.ForwardAddressType.EXTERNAL_SUBSCRIBER_NUMBER,
                            digits="1234"), "53041234"),
        (sds.ForwardAddress(sds.ForwardAddressType.NONE), "57"),
    ],
)
def test_storage_forward_address_types(address: sds.ForwardAddress, octets: str) -> None:
    pdu = sds.SdsTransfer(sds.ProtocolId.TEXT_MESSAGING, 0x33, TEXT,
                          sds.DeliveryReportRequest.CONSUMED, False,
                          sds.StorageForward(10, address))
    data, bits = sds.encode(pdu)
    assert data.hex().upper() == ("820933" + octets + "01" + b"hei".hex()).upper()
    assert bits == 8 * len(data)
    assert sds.decode(data) == pdu


def test_tsi_forward_address_network_parts() -> None:
    address = sds.ForwardAddress(sds.ForwardAddressType.TSI, ssi=5, extension=(242 << 14) | 7)
    assert (address.mcc, address.mnc) == (242, 7)


def test_reserved_forward_address_type_keeps_rest_raw() -> None:
    data = bytes.fromhex("8209335501414243")
    pdu = sds.decode(data)
    assert pdu.storage is not None
    assert pdu.storage.forward_address.address_type == 5
    assert isinstance(pdu.user_data, sds.RawUserData)
    assert pdu.user_data.data == bytes.fromhex("01414243")
    assert "reserved" in pdu.user_data.reason
    assert sds.encode(pdu)[0] == data


@pytest.mark.parametrize(
    ("hexdata", "field", "offset"),
    [
        ("8204", "message_reference", 16),
        ("820501", "validity_period", 24),
        ("82050151", "forward_address", 32),
        ("8205015100", "forward_address", 32),
        ("82050153", "external_subscriber_number_length", 32),
        ("8205015303", "external_subscriber_number", 40),
        ("820401", "text_coding_scheme", 24),
        ("8210", "delivery_status", 16),
        ("821000", "message_reference", 24),
        ("8220", "delivery_status", 16),
        ("83000100", None, None),  # location SDU: fine with empty data
    ],
)
def test_truncation_names_field_and_bit(hexdata: str, field: str | None,
                                        offset: int | None) -> None:
    if field is None:
        sds.decode(bytes.fromhex(hexdata))
        return
    with pytest.raises(DecodeError) as info:
        sds.decode(bytes.fromhex(hexdata))
    assert info.value.field == field
    assert info.value.bit_offset == offset
    assert field in str(info.value)


def test_report_with_storage_and_reserved_bits() -> None:
    report = sds.SdsReport(sds.ProtocolId.TEXT_MESSAGING, 0x22, 0x10, ack_required=True,
                           storage=sds.StorageForward(3, sds.ForwardAddress(1, ssi=77)),
                           reserved=2)
    data, _ = sds.encode(report)
    assert data.hex().upper() == "821D2210" + "19" + "00004D"
    back = sds.decode(data)
    assert back == report
    assert back.delivery_status is sds.DeliveryStatus.DESTINATION_NOT_REACHABLE_MESSAGE_STORED
    assert back.delivery_class is sds.DeliveryClass.TEMPORARY_ERROR


def test_report_trailing_user_data_is_kept() -> None:
    data = bytes.fromhex("82100207ABCD")
    pdu = sds.decode(data)
    assert pdu.user_data == sds.RawUserData(b"\xab\xcd")
    assert sds.encode(pdu) == (data, 48)


def test_ack_builder_and_reserved_bits() -> None:
    ack = sds.sds_ack(delivery_status=0x01, message_reference=0xC9)
    assert sds.encode(ack) == (bytes.fromhex("822001C9"), 32)
    odd = sds.decode(bytes.fromhex("822F01C9"))
    assert odd.reserved == 0xF
    assert sds.encode(odd)[0] == bytes.fromhex("822F01C9")


@pytest.mark.parametrize(
    ("code", "klass"),
    [
        (0x00, sds.DeliveryClass.SUCCESS), (0x1F, sds.DeliveryClass.SUCCESS),
        (0x20, sds.DeliveryClass.TEMPORARY_ERROR), (0x3F, sds.DeliveryClass.TEMPORARY_ERROR),
        (0x40, sds.DeliveryClass.FAILED), (0x54, sds.DeliveryClass.FAILED),
        (0x5F, sds.DeliveryClass.FAILED),
        (0x60, sds.DeliveryClass.FLOW_CONTROL), (0x7F, sds.DeliveryClass.FLOW_CONTROL),
        (0x80, sds.DeliveryClass.END_TO_END_CONTROL), (0xFF, sds.DeliveryClass.END_TO_END_CONTROL),
    ],
)
def test_delivery_class_by_range(code: int, klass: sds.DeliveryClass) -> None:
    assert sds.delivery_class(code) is klass


def test_unknown_delivery_status_stays_int_and_is_classified() -> None:
    pdu = sds.decode(bytes.fromhex("82105507"))
    assert pdu.delivery_status == 0x55
    assert not isinstance(pdu.delivery_status, sds.DeliveryStatus)
    assert pdu.delivery_class is sds.DeliveryClass.FAILED
    assert "failed" in sds.delivery_status_name(0x55)
    assert sds.to_dict(pdu)["delivery_class"] == "failed"


def test_known_delivery_status_names() -> None:
    assert sds.DeliveryStatus(0x5A).name == "DESTINATION_NOT_REACHABLE_DELIVERY_FAILED"
    assert sds.delivery_status_name(0x02) == "consumed by destination"


@pytest.mark.parametrize("mtype", [3, 7, 8, 15])
def test_other_message_types_are_kept_raw(mtype: int) -> None:
    data = bytes([0xC3, (mtype << 4) | 0xA, 0xBC])
    pdu = sds.decode(data)
    assert isinstance(pdu, sds.SdsTlOther)
    assert pdu.message_type == mtype
    assert pdu.body == sds.RawUserData(b"\xab\xc0", 12)
    assert sds.encode(pdu) == (data, 24)


def test_vendor_tl_pi_payload_is_raw_with_reason() -> None:
    pdu = sds.decode(bytes.fromhex("C3040501020304"))
    assert isinstance(pdu.user_data, sds.RawUserData)
    assert pdu.user_data.data == bytes.fromhex("01020304")
    assert "TCCA" in pdu.user_data.reason


def test_user_data_must_match_pi() -> None:
    with pytest.raises(EncodeError):
        sds.encode(sds.SdsTransfer(0xC3, 1, TEXT))
    with pytest.raises(EncodeError):
        sds.encode(sds.SdsTransfer(0x82, 1, sds.RawUserData(b"x")))
    with pytest.raises(EncodeError):
        sds.encode(sds.SdsTransfer(0x02, 1, TEXT))


@pytest.mark.parametrize(
    "kwargs", [{"delivery_status": 256, "message_reference": 1},
               {"delivery_status": 0, "message_reference": -1},
               {"delivery_status": 0, "message_reference": 1, "protocol_id": 0x0A}],
)
def test_builder_validation(kwargs: dict[str, int]) -> None:
    with pytest.raises(EncodeError):
        sds.sds_report(**kwargs)
    with pytest.raises(EncodeError):
        sds.sds_ack(**kwargs)


def test_text_message_validation() -> None:
    with pytest.raises(EncodeError):
        sds.text_message("x", message_reference=256)
    with pytest.raises(EncodeError):
        sds.text_message("x", message_reference=1, report=4)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: sds.SdsTransfer(0x82, 256, TEXT), "message_reference"),
        (lambda: sds.SdsTransfer(0x0A, 1, sds.RawUserData(b"")), "protocol_id"),
        (lambda: sds.SdsTransfer(0x82, 1, TEXT, 4), "delivery_report_request"),
        (lambda: sds.SdsTransfer(0xC3, 1, TEXT), "protocol_id"),
        (lambda: sds.SdsTransfer(0x82, 1, sds.RawUserData(b"x")), "user_data"),
        (lambda: sds.SdsTransfer(0x84, 1, sds.RawUserData(b"\xff", 4)), "user_data"),
        (lambda: sds.SdsTransfer(0x83, 1, sds.ConcatenatedData(b"")), "protocol_id"),
        (lambda: sds.TextContent(128, b""), "coding_scheme"),
        (lambda: sds.TextContent(1, b"", timestamp=1 << 24), "timestamp"),
        (lambda: sds.TextContent(1, b"ab", bits=16), "text"),
    ],
)
def test_construction_checks_name_the_field(build: object, field: str) -> None:
    with pytest.raises(EncodeError) as info:
        build()  # type: ignore[operator]
    assert info.value.field == field


@pytest.mark.parametrize(("code", "seconds"), [
    (0, 0), (1, 10), (6, 60), (7, 120), (10, 300), (11, 600), (16, 3600), (17, 7200),
    (21, 6 * 3600), (22, 12 * 3600), (24, 24 * 3600), (25, 48 * 3600), (30, 288 * 3600),
    (31, None),
])
def test_validity_period_table_29_25(code: int, seconds: int | None) -> None:
    assert sds.validity_period_seconds(code) == seconds
    storage = sds.StorageForward(code, sds.ForwardAddress(sds.ForwardAddressType.NONE))
    assert storage.validity_seconds == seconds


def test_validity_period_in_json_and_range() -> None:
    pdu = sds.decode(bytes.fromhex("82039C5101020301746573746D657373616765"))
    got = sds.to_dict(pdu)
    assert got["validity_period"] == 10 and got["validity_period_seconds"] == 300
    with pytest.raises(ValueError):
        sds.validity_period_seconds(32)


def test_new_delivery_status_names() -> None:
    assert sds.DeliveryStatus(0x5D).name == "NOT_ALL_CONCATENATION_PARTS_RECEIVED"
    assert sds.delivery_status_name(0x54) == "concatenated message too long"
    assert sds.delivery_status_name(0x5C) == "corrupt information element"
