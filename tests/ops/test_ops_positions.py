"""Responder positions: LIP requests out, reports in, distances in the status."""

from __future__ import annotations

import asyncio

import pytest

from tetrakit import lip
from tetrakit.alarm.positions import PositionBook, PositionRequester, location_request_sds
from tetrakit.errors import SendFailedError

ALARM = (62.46452, 6.34512)  # button B3-312


def _report(lat: float, lon: float) -> tuple[bytes, int]:
    return lip.to_sds(lip.ShortLocationReport.from_position(lat, lon))


def test_request_is_a_lip_immediate_location_request_with_pi() -> None:
    data, bits = location_request_sds()
    assert data[0] == 0x0A
    assert isinstance(lip.from_sds(data, bits), lip.ImmediateLocationReportRequest)


def test_reports_are_recorded_and_status_shows_age_and_distance() -> None:
    book = PositionBook()
    data, bits = _report(62.46452, 6.34512)  # at the alarm
    fix = book.record_sds(2001, data, bits, now=100.0)
    assert fix is not None and fix.latitude == pytest.approx(62.46452, abs=1e-5)
    data, bits = _report(62.46542, 6.34512)  # ~100 m north
    book.record_sds(2002, data, bits, now=110.0)
    # a newer (periodic) report replaces the older one
    data, bits = _report(62.46632, 6.34512)  # ~200 m north
    book.record_sds(2002, data, bits, now=115.0)
    rows = book.responders(
        [2001, 2002, 2003], now=120.0, alarm_latitude=ALARM[0], alarm_longitude=ALARM[1]
    )
    assert [r["issi"] for r in rows] == [2001, 2002, 2003]
    assert rows[0]["distance_m"] == pytest.approx(0, abs=2)
    assert rows[0]["age_s"] == 20.0
    assert rows[1]["distance_m"] == pytest.approx(200, rel=0.02)
    assert rows[1]["age_s"] == 5.0
    assert rows[2] == {"issi": 2003, "position": None, "age_s": None, "distance_m": None}
    # no alarm coordinates: positions but no distance
    assert book.responders([2001], now=120.0)[0]["distance_m"] is None


def test_pdus_without_position_and_garbage_are_ignored() -> None:
    book = PositionBook()
    data, bits = location_request_sds()
    assert book.record_sds(2001, data, bits, now=1.0) is None
    assert book.record_sds(2001, b"\x0a\xff", 12, now=1.0) is None
    assert book.record_sds(2001, b"\x82\x00", 16, now=1.0) is None
    assert book.ignored == 3 and book.last(2001) is None


def test_requester_sends_in_background_and_survives_failures() -> None:
    async def main() -> None:
        sent: list[tuple[int, bytes, int]] = []

        async def send(issi: int, data: bytes, bits: int) -> None:
            if issi == 2003:
                raise SendFailedError("AT+CMGS", 31)
            sent.append((issi, data, bits))

        req = PositionRequester(send)
        req.request([2001, 2002, 2003])
        await req.idle()
        assert sorted(s[0] for s in sent) == [2001, 2002]
        assert all(s[1][0] == 0x0A for s in sent)
        assert req.requested == 2 and req.failed == 1

    asyncio.run(main())


def test_requests_wait_for_the_gate_and_are_not_doubled() -> None:
    async def main() -> None:
        sent: list[int] = []
        gate_open = asyncio.Event()

        async def send(issi: int, data: bytes, bits: int) -> None:
            sent.append(issi)

        req = PositionRequester(send, gate=gate_open.wait)
        req.request([2001, 2002])
        req.request([2002, 2003])  # 2002 is already waiting
        for _ in range(5):
            await asyncio.sleep(0)
        assert sent == []  # call-outs first
        gate_open.set()
        async with asyncio.timeout(5):
            await req.idle()
        assert sent == [2001, 2002, 2003]
        await req.stop()

    asyncio.run(main())
