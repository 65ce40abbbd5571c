"""Fault alarms: log, webhook and SDS through a healthy radio; clear notices."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from typing import Any

import pytest

from tetrakit.alarm.faults import (
    FaultKind,
    FaultNotice,
    FaultReporter,
    FaultTarget,
    NoRadioAvailable,
    NoticeNotSent,
    fault_text,
)
from tetrakit.alarm.webhook import Webhook, validate_webhook_url
from tetrakit.errors import SendFailedError

T0 = dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)


class Radios:
    """Stands in for the radio pool: which radios are usable, what was sent."""

    def __init__(self, usable: list[str]) -> None:
        self.usable = usable
        self.sent: list[tuple[str, int, bool, str]] = []
        self.fail_next = False

    async def send_text(self, target: FaultTarget, text: str, avoid: frozenset[str]) -> None:
        candidates = [r for r in self.usable if r not in avoid]
        if not candidates:
            raise NoRadioAvailable("no healthy radio")
        if self.fail_next:
            self.fail_next = False
            raise SendFailedError("AT+CMGS", 31)
        self.sent.append((candidates[0], target.issi, target.group, text))


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


def test_fault_text_is_short_latin1_and_keeps_the_head() -> None:
    notice = FaultNotice(FaultKind.RADIO, "primary", True, "x" * 200 + "€", T0)
    text = fault_text(notice)
    assert len(text) == 94 and text.startswith("FAULT radio primary: xxx")
    text.encode("latin-1")
    cleared = FaultNotice(FaultKind.JOURNAL, "journal", False, "", T0)
    assert fault_text(cleared) == "RECOVERED journal journal"


def test_radio_fault_goes_through_another_radio_and_recovery_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def main() -> None:
        radios = Radios(["primary", "secondary"])
        clock = Clock()
        rep = FaultReporter(
            targets=[FaultTarget(1003), FaultTarget(9100, group=True)],
            send_text=radios.send_text,
            site="Ålesund sjukehus",
            clock=clock,
        )
        seen: list[FaultNotice] = []
        rep.listeners.append(seen.append)
        with caplog.at_level(logging.WARNING, logger="tetrakit.alarm.faults"):
            assert rep.raise_fault(FaultKind.RADIO, "primary", "no answer", avoid=["primary"])
            assert rep.raise_fault(FaultKind.RADIO, "primary", "still no answer") is None
            await rep.idle()
            assert radios.sent == [
                ("secondary", 1003, False, "FAULT radio primary: no answer"),
                ("secondary", 9100, True, "FAULT radio primary: no answer"),
            ]
            clock.now = T0 + dt.timedelta(seconds=42)
            assert rep.clear_fault(FaultKind.RADIO, "primary") is not None
            assert rep.clear_fault(FaultKind.RADIO, "primary") is None
            await rep.idle()
        recovered = "RECOVERED radio primary: back after 42 s"
        assert radios.sent[-1] == ("primary", 9100, True, recovered)
        assert [n.raised for n in seen] == [True, False]
        assert "FAULT radio primary: no answer" in caplog.text
        assert "RECOVERED radio primary" in caplog.text
        assert rep.active == {}

    asyncio.run(main())


def test_notices_wait_for_a_healthy_radio_and_then_go_in_order() -> None:
    async def main() -> None:
        radios = Radios([])
        rep = FaultReporter(targets=[FaultTarget(1003)], send_text=radios.send_text)
        rep.raise_fault(FaultKind.RADIO, "primary", "no answer")
        rep.raise_fault(FaultKind.RADIO, "secondary", "no answer")
        await rep.idle()
        assert radios.sent == [] and len(rep.pending) == 2
        radios.usable = ["secondary"]
        rep.clear_fault(FaultKind.RADIO, "secondary")
        rep.radio_available()
        await rep.idle()
        assert [s[3] for s in radios.sent] == [
            "FAULT radio primary: no answer",
            "FAULT radio secondary: no answer",
            "RECOVERED radio secondary: back after 0 s",
        ]
        assert rep.pending == []

    asyncio.run(main())


def test_a_failed_send_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        radios = Radios(["primary"])
        radios.fail_next = True
        rep = FaultReporter(targets=[FaultTarget(1003)], send_text=radios.send_text)
        rep.raise_fault(FaultKind.JOURNAL, "journal", "disk full")
        await rep.idle()
        assert radios.sent == []
        assert "fault notice 'FAULT journal journal: disk full' to 1003 failed" in caplog.text

    asyncio.run(main())


def test_webhook_url_validation() -> None:
    assert validate_webhook_url("https://alarm.example/hook")
    for bad in ("ftp://x/y", "http://", "/relative"):
        with pytest.raises(ValueError, match="webhook URL"):
            validate_webhook_url(bad)


async def _http_sink(
    status: int = 200,
) -> tuple[asyncio.Server, int, asyncio.Queue[tuple[str, dict[str, str], bytes]]]:
    """A tiny HTTP server that records each request and answers ``status``."""
    got: asyncio.Queue[tuple[str, dict[str, str], bytes]] = asyncio.Queue()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        await got.put((lines[0], headers, body))
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                     .encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], got


def test_fault_goes_to_the_webhook_as_json() -> None:
    async def main() -> None:
        server, port, got = await _http_sink()
        hook = Webhook(f"http://127.0.0.1:{port}/faults", timeout=5)
        hook.start()
        rep = FaultReporter(webhook=hook, site="Ålesund sjukehus", clock=Clock())
        rep.raise_fault(FaultKind.INPUT, "panel-a", "panel lost: no frame for 3 s")
        async with asyncio.timeout(10):
            line, headers, body = await got.get()
            await hook.drained()
        assert line == "POST /faults HTTP/1.1"
        assert headers["content-type"].startswith("application/json")
        assert json.loads(body) == {
            "event": "fault",
            "kind": "input",
            "component": "panel-a",
            "detail": "panel lost: no frame for 3 s",
            "site": "Ålesund sjukehus",
            "time": "2026-11-26T07:00:00+00:00",
        }
        assert hook.sent == 1 and hook.failed == 0
        await hook.stop()
        server.close()
        await server.wait_closed()

    asyncio.run(main())


def test_webhook_failures_are_counted_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        server, port, _ = await _http_sink(status=500)
        hook = Webhook(f"http://127.0.0.1:{port}/faults", timeout=5)
        hook.start()
        hook.post({"event": "fault"})
        async with asyncio.timeout(10):
            await hook.drained()
        assert hook.failed == 1 and hook.sent == 0
        assert "fault webhook POST" in caplog.text and "500" in caplog.text
        # a receiver that is not there at all: refused, logged, never raised
        server.close()
        await server.wait_closed()
        hook.post({"event": "fault"})
        async with asyncio.timeout(10):
            await hook.drained()
        assert hook.failed == 2
        await hook.stop()

    asyncio.run(main())


def test_webhook_queue_is_bounded() -> None:
    async def main() -> None:
        hook = Webhook("http://127.0.0.1:9/x", max_pending=2)  # worker not started
        for i in range(5):
            hook.post({"n": i})
        assert hook.dropped == 3
        assert [hook._queue.get_nowait()["n"] for _ in range(2)] == [3, 4]

    asyncio.run(main())


def test_listener_errors_do_not_hide_the_fault(caplog: pytest.LogCaptureFixture) -> None:
    async def main() -> None:
        rep = FaultReporter()

        def broken(_: Any) -> None:
            raise RuntimeError("boom")

        rep.listeners.append(broken)
        assert rep.raise_fault(FaultKind.RADIO, "primary", "x") is not None
        assert "fault listener failed" in caplog.text

    asyncio.run(main())


class FlakyRadios(Radios):
    """Radios whose named ones take a notice but fail to send it."""

    def __init__(self, usable: list[str], broken: set[str]) -> None:
        super().__init__(usable)
        self.broken = broken
        self.tries: list[str] = []

    async def send_text(self, target: FaultTarget, text: str, avoid: frozenset[str]) -> None:
        candidates = [r for r in self.usable if r not in avoid]
        if not candidates:
            raise NoRadioAvailable("no healthy radio")
        self.tries.append(candidates[0])
        if candidates[0] in self.broken:
            raise NoticeNotSent(f"via {candidates[0]} was not sent", radio=candidates[0])
        self.sent.append((candidates[0], target.issi, target.group, text))


def test_a_notice_that_failed_is_retried_through_a_working_radio(
    run_virtual: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async def main() -> None:
        radios = FlakyRadios(["primary", "secondary"], broken={"primary"})
        rep = FaultReporter(targets=[FaultTarget(1003)], send_text=radios.send_text,
                            retry_interval=30.0)
        rep.raise_fault(FaultKind.INPUT, "panel-a", "no heartbeat for 3 s")
        await rep.idle()
        assert radios.tries == ["primary"] and radios.sent == [] and len(rep.pending) == 1
        await asyncio.sleep(31)  # virtual time: the retry is due
        await rep.idle()
        assert radios.tries == ["primary", "secondary"]
        assert radios.sent == [("secondary", 1003, False,
                                "FAULT input panel-a: no heartbeat for 3 s")]
        assert rep.pending == []

    with caplog.at_level(logging.WARNING, logger="tetrakit.alarm.faults"):
        run_virtual(main())
    assert "failed (try 1 of 5), again in 30 s" in caplog.text


def test_a_lone_radio_that_failed_once_is_tried_again(run_virtual: Any) -> None:
    async def main() -> None:
        radios = FlakyRadios(["primary"], broken={"primary"})
        rep = FaultReporter(targets=[FaultTarget(1003)], send_text=radios.send_text,
                            retry_interval=10.0)
        rep.raise_fault(FaultKind.JOURNAL, "journal", "disk full")
        await rep.idle()
        radios.broken = set()  # the radio works again
        await asyncio.sleep(11)
        await rep.idle()
        assert [s[0] for s in radios.sent] == ["primary"] and rep.pending == []

    run_virtual(main())


@pytest.mark.parametrize(("attempts", "give_up_after", "tries", "why"),
                         [(3, 900.0, 3, "after 3 failed send(s)"),
                          (50, 100.0, 4, "after 4 failed send(s) in 120 s")])
def test_retries_are_bounded_by_tries_and_by_time(
    run_virtual: Any, caplog: pytest.LogCaptureFixture, attempts: int, give_up_after: float,
    tries: int, why: str,
) -> None:
    async def main() -> None:
        loop = asyncio.get_running_loop()
        start = loop.time()
        radios = FlakyRadios(["primary"], broken={"primary"})
        rep = FaultReporter(
            targets=[FaultTarget(1003)], send_text=radios.send_text, retry_interval=40.0,
            max_attempts=attempts, give_up_after=give_up_after,
            clock=lambda: T0 + dt.timedelta(seconds=loop.time() - start),
        )
        rep.raise_fault(FaultKind.RADIO, "secondary", "no answer")
        await rep.idle()
        for _ in range(10):
            await asyncio.sleep(41)
            await rep.idle()
        assert len(radios.tries) == tries and rep.pending == [] and radios.sent == []
        rep.close()

    with caplog.at_level(logging.ERROR, logger="tetrakit.alarm.faults"):
        run_virtual(main())
    gave_up = [r for r in caplog.records if "given up" in r.getMessage()]
    assert len(gave_up) == 1 and gave_up[0].levelno == logging.ERROR
    assert why in gave_up[0].getMessage()
