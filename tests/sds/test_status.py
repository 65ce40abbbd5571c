"""Pre-coded status values and SDS-SHORT-REPORT (Table 14.72, Table 29.18)."""

from __future__ import annotations

import pytest

from tetrakit import sds
from tetrakit.errors import DecodeError, EncodeError


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (0x0000, sds.StatusKind.EMERGENCY),
        (0x0001, sds.StatusKind.RESERVED),
        (0x7BFF, sds.StatusKind.RESERVED),  # the off-by-one trap: not a short report
        (0x7C00, sds.StatusKind.SHORT_REPORT),
        (0x7FFF, sds.StatusKind.SHORT_REPORT),
        (0x8000, sds.StatusKind.USER),
        (0xFFFF, sds.StatusKind.USER),
    ],
)
def test_ranges(value: int, kind: sds.StatusKind) -> None:
    status = sds.decode_status(value)
    assert status.kind is kind
    assert status.is_short_report == (kind is sds.StatusKind.SHORT_REPORT)


@pytest.mark.parametrize("report_type", list(sds.ShortReportType))
@pytest.mark.parametrize("mr", [0, 0x5A, 0xFF])
def test_short_report_fields(report_type: sds.ShortReportType, mr: int) -> None:
    value = 0x7C00 | (report_type << 8) | mr
    status = sds.decode_status(value)
    assert status.short_report_type is report_type
    assert status.message_reference == mr
    assert status.short_report == sds.ShortReport(report_type, mr)
    assert sds.short_report_status(report_type, mr) == status
    assert sds.ShortReport(report_type, mr).value == value


def test_consumed_short_report_example() -> None:
    status = sds.decode_status(bytes.fromhex("7F1D"))
    assert status.short_report_type is sds.ShortReportType.MESSAGE_CONSUMED
    assert status.message_reference == 0x1D
    assert sds.to_dict(status)["short_report_type"] == 3


def test_user_status_has_no_report_fields() -> None:
    status = sds.decode_status(0x8001)
    assert status.short_report is None
    assert status.message_reference is None
    assert status.to_bytes() == b"\x80\x01"


@pytest.mark.parametrize("bad", [-1, 0x10000])
def test_out_of_range_status_is_decode_error(bad: int) -> None:
    with pytest.raises(DecodeError) as info:
        sds.decode_status(bad)
    assert info.value.field == "status_value"


def test_wrong_octet_count_is_decode_error() -> None:
    with pytest.raises(DecodeError):
        sds.decode_status(b"\x80")


def test_constructing_bad_values_is_encode_error() -> None:
    with pytest.raises(EncodeError):
        sds.StatusPdu(0x10000)
    with pytest.raises(EncodeError):
        sds.ShortReport(sds.ShortReportType.MESSAGE_RECEIVED, 256)
