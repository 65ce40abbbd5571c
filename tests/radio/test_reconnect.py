"""Reconnect with backoff and re-initialisation, over a socket:// link that drops."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from scripted_peer import FakeRadio, SocketPeer

from tetrakit.radio import (
    AsyncRadio,
    LinkState,
    LinkStateChanged,
    RadioClient,
    SdsState,
    SessionConfig,
)

pytestmark = pytest.mark.timeout(30)

FAST = SessionConfig(backoff_initial=0.05, backoff_max=0.2, registration_check_interval=None)
REGISTRATIONS = {(1, 3, 130), (2, 2, 20), (1, 3, 10)}


@pytest.fixture
def socket_radio() -> Iterator[tuple[SocketPeer, FakeRadio]]:
    radio = FakeRadio()
    peer = SocketPeer(radio, on_connect=radio.reboot)
    radio.peer = peer
    yield peer, radio
    peer.close()


def test_client_reconnects_and_reinitialises(socket_radio: tuple[SocketPeer, FakeRadio]) -> None:
    peer, radio = socket_radio
    with RadioClient(peer.url, config=FAST) as client:
        client.poll_events()
        assert radio.registrations == REGISTRATIONS
        peer.drop()
        states = []
        queued = None
        for event in client.events(timeout=10):
            if isinstance(event, LinkStateChanged):
                states.append(event.state)
                if event.state is LinkState.DISCONNECTED:
                    # sent while the link is down: waits, then goes out
                    queued = client.send_status(2001, 0x8001)
                if event.state is LinkState.READY:
                    break
        assert states == [LinkState.DISCONNECTED, LinkState.INITIALISING, LinkState.READY]
        assert peer.connections == 2
        assert radio.boots == 3  # the fixture's radio booted once per connection
        assert radio.registrations == REGISTRATIONS
        health = client.health()
        assert health.connect_count == 2 and health.reinit_count == 1
        assert queued is not None
        client.wait(queued, timeout=5)
        assert queued.state is SdsState.SENT


def test_async_radio_reconnects(socket_radio: tuple[SocketPeer, FakeRadio]) -> None:
    peer, radio = socket_radio

    async def main() -> None:
        dev = AsyncRadio(peer.url, config=FAST)
        events = dev.subscribe()
        async with dev:
            while True:  # the first READY
                event = await asyncio.wait_for(events.get(), 10)
                if isinstance(event, LinkStateChanged) and event.state is LinkState.READY:
                    break
            peer.drop()
            states = []
            while LinkState.READY not in states:
                event = await asyncio.wait_for(events.get(), 10)
                if isinstance(event, LinkStateChanged):
                    states.append(event.state)
            assert states == [LinkState.DISCONNECTED, LinkState.INITIALISING, LinkState.READY]
            assert dev.health().reinit_count == 1
            handle = dev.send_text(2001, "etter gjenoppkobling")
            await dev.wait_for(handle, SdsState.DELIVERED, timeout=5)
            assert handle.state is SdsState.DELIVERED

    asyncio.run(main())
    assert peer.connections == 2
    assert radio.registrations == REGISTRATIONS
