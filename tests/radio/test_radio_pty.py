"""RadioClient and AsyncRadio end to end over a real pty with the FakeRadio peer."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from scripted_peer import FakeRadio, PeiPort, ScriptedPeer, fake_radio_peer

from tetrakit import sds
from tetrakit.errors import PeiTimeoutError, TransportError
from tetrakit.pei import commands
from tetrakit.radio import (
    AsyncRadio,
    LinkState,
    LinkStateChanged,
    RadioClient,
    SdsReceived,
    SdsState,
    SessionConfig,
)
from tetrakit.radio.profiles import GENERIC
from tetrakit.transport import read_trace

pytestmark = pytest.mark.timeout(30)

# short timers so that silence and recovery happen within a second
FAST = SessionConfig(
    keepalive_interval=0.3, probe_interval=0.1, reconnect_after=30, backoff_initial=0.1,
    registration_check_interval=None,
)
FAST_PROFILE = dataclasses.replace(
    GENERIC,
    keepalive=dataclasses.replace(commands.csq(), timeout=0.3),
    probe=dataclasses.replace(commands.at(), timeout=0.3),
)


@pytest.fixture
def radio_peer() -> Iterator[tuple[ScriptedPeer, FakeRadio]]:
    peer, radio = fake_radio_peer()
    yield peer, radio
    peer.close()


def test_client_sends_text_and_gets_report(
    radio_peer: tuple[ScriptedPeer, FakeRadio], tmp_path: Path
) -> None:
    peer, _radio = radio_peer
    trace = tmp_path / "trace.jsonl"
    with RadioClient(peer.url, trace=trace, message_reference_start=42) as client:
        assert client.state is LinkState.READY
        handle = client.send_text(2001, "Hjertestans, bygg B, 3. etg, rom 312")
        client.wait(handle, SdsState.DELIVERED, timeout=5)
        assert handle.state is SdsState.DELIVERED
        assert handle.message_reference == 42
    data, bits = sds.encode(
        sds.text_message("Hjertestans, bygg B, 3. etg, rom 312", message_reference=42)
    )
    cmgs = b"AT+CMGS=2001,%d\r\n%s\x1a" % (bits, data.hex().upper().encode())
    assert peer.commands[-2:] == [b"AT+CTSDS=12,0,0,0\r\n", cmgs]
    sent = b"".join(r.data for r in read_trace(trace) if r.direction == "tx")
    assert sent == b"".join(peer.commands)


def test_client_open_errors_name_the_port(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-tty")
    client = RadioClient(missing)
    with pytest.raises(TransportError, match="no-such-tty"):
        client.open(timeout=1)
    client.close()
    silent = ScriptedPeer(lambda _cmd: None)
    try:
        client = RadioClient(silent.url, config=SessionConfig(probe_attempts=1))
        with pytest.raises(PeiTimeoutError, match=r"not ready within 0\.5 s"):
            client.open(timeout=0.5)
        client.close()
    finally:
        silent.close()


def test_client_reinitialises_rebooted_radio(radio_peer: tuple[ScriptedPeer, FakeRadio]) -> None:
    peer, radio = radio_peer
    client = RadioClient(peer.url, config=FAST, vendor=FAST_PROFILE)
    try:
        client.open(timeout=5)
        client.poll_events()  # the initial INITIALISING -> READY
        radio.silent = True
        states = []
        for event in client.events(timeout=10):
            if isinstance(event, LinkStateChanged):
                states.append(event.state)
                if event.state is LinkState.SILENT:
                    radio.reboot()
                    radio.silent = False
                if event.state is LinkState.READY:
                    break
        assert states == [LinkState.SILENT, LinkState.INITIALISING, LinkState.READY]
        assert client.health().reinit_count == 1
        assert radio.registrations == {(1, 3, 130), (2, 2, 20), (1, 3, 10)}
        assert radio.boots == 2
        # and it works afterwards
        handle = client.send_status(2001, 0x8001)
        client.wait(handle, timeout=5)
        assert handle.state is SdsState.SENT
    finally:
        client.close()


def test_client_command_and_cme_error(radio_peer: tuple[ScriptedPeer, FakeRadio]) -> None:
    peer, radio = radio_peer
    with RadioClient(peer.url) as client:
        answer = client.command(commands.csq())
        assert answer.lines == ("+CSQ: 20,99",)
        radio.errors[b"AT+CBC"] = 35
        with pytest.raises(Exception, match=r"\+CME ERROR: 35") as info:
            client.command(commands.cbc())
        assert type(info.value).__name__ == "PeiSyntaxError"


def test_async_radio_end_to_end(radio_peer: tuple[ScriptedPeer, FakeRadio]) -> None:
    peer, radio = radio_peer

    async def main() -> None:
        async with AsyncRadio(peer.url, name="primary", message_reference_start=5) as dev:
            events = dev.subscribe()
            seen = []
            dev.add_listener(seen.append)
            await dev.wait_ready(5)
            health = dev.health()
            assert health.state is LinkState.READY and health.rssi_dbm == -73
            assert health.last_answer is not None
            radio.hold_status = True
            handle = dev.send_text(2001, "Traumeteam til akuttmottak")
            await dev.wait_for(handle, SdsState.ACCEPTED, timeout=5)
            assert handle.state is SdsState.ACCEPTED
            radio.release()
            await dev.wait_for(handle, SdsState.DELIVERED, timeout=5)
            assert handle.state is SdsState.DELIVERED
            # an answer from a team member arrives
            radio.receive_sds(13, 2003, b"\x80\x01", 16)
            while True:
                event = await asyncio.wait_for(events.get(), 5)
                if isinstance(event, SdsReceived) and event.sds.ai_service == 13:
                    break
            assert event.pdu == sds.StatusPdu(0x8001)
            assert event in seen
            answer = await dev.command(commands.creg_query())
            assert answer.lines == ("+CREG: 1,1,90109999",)
            # the port goes away (USB unplugged): link down, reconnect attempts
            peer.close()
            while True:
                event = await asyncio.wait_for(events.get(), 5)
                if isinstance(event, LinkStateChanged) and event.state is LinkState.DISCONNECTED:
                    break
            queued = dev.send_status(2001, 0x8002)
            assert queued.state is SdsState.QUEUED
        assert queued.state is SdsState.FAILED
        assert dev.state is LinkState.CLOSED

    asyncio.run(main())


def test_loopback_text_on_any_port(pei_port: PeiPort) -> None:
    """A text to the radio's own ISSI comes back to it: the same test on every kind of port."""
    with RadioClient(pei_port.url, **pei_port.client_options()) as client:
        own = pei_port.own_issi
        if own is None:
            identity = client.health().own_identity
            if identity is None:
                pytest.skip("the radio does not tell its ISSI; set TETRAKIT_TEST_OWN_ISSI")
            own = identity.ssi
        client.poll_events()
        handle = client.send_text(own, "tetrakit loop test", report=False)
        client.wait(handle, SdsState.SENT, timeout=20)
        assert handle.state is SdsState.SENT
        texts = []
        for event in client.events(timeout=20):
            if isinstance(event, SdsReceived) and getattr(event.pdu, "text", None):
                texts.append(event.pdu.text)
                break
        assert texts == ["tetrakit loop test"]


def test_noisy_radio_over_pty() -> None:
    """Garbage at connect, CME 35 to the first AT, echo, and an unsolicited +CTSDSR
    between AT+CTSDS and its OK: the client copes with all of it on a real pty."""
    radio = FakeRadio()
    first = [True]
    incoming = b"\r\n+CTSDSR: 13,2004,0,1003,0,16\r\n8002\r\n"

    def noisy(command: bytes) -> bytes | None:
        reply = radio(command)
        if first[0]:
            first[0] = False
            return b"\x00\xff\x13garbage\r\n" + command + b"\r\n+CME ERROR: 35\r\n"
        if reply and command.startswith(b"AT+CTSDS"):
            return reply.replace(b"\r\nOK\r\n", incoming + b"\r\nOK\r\n")
        return reply

    peer = ScriptedPeer(noisy)
    radio.peer = peer
    try:
        with RadioClient(peer.url) as client:
            handle = client.send_status(2001, 0x8001)
            client.wait(handle, timeout=5)
            assert handle.state is SdsState.SENT
            received = [e for e in client.poll_events() if isinstance(e, SdsReceived)]
            assert [e.pdu for e in received] == [sds.StatusPdu(0x8002)]
        assert peer.commands[:2] == [b"AT\r\n", b"AT\r\n"]
    finally:
        peer.close()
