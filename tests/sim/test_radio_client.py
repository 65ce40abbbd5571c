"""tetrakit's blocking RadioClient on a ``tetrasim://`` port, in real time (threads)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from firmware_sim import registry
from tetrakit.radio import LinkState, RadioClient, SdsReceived, SdsState

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    registry.reset()
    yield
    registry.reset()


def test_radio_client_sends_a_callout_through_the_simulator() -> None:
    started = time.monotonic()
    with RadioClient("tetrasim://hospital?issi=1003", vendor="generic") as radio:
        assert radio.state is LinkState.READY
        handle = radio.send_text(2001, "Hjertestans B312")
        radio.wait(handle, SdsState.DELIVERED, timeout=20)
        assert handle.state is SdsState.DELIVERED
    world = registry.get("hospital")
    assert world is not None
    assert world.log.find("sds_delivered", to=2001, **{"from": 1003})
    assert time.monotonic() - started < 20


def test_two_clients_share_the_world() -> None:
    with RadioClient("tetrasim://hospital?issi=1009", vendor="generic") as rx, \
            RadioClient("tetrasim://hospital?issi=1003", vendor="generic") as tx:
        handle = tx.send_text(1009, "Test")
        tx.wait(handle, SdsState.SENT, timeout=10)
        got = next((e for e in rx.events(timeout=5) if isinstance(e, SdsReceived)), None)
        assert got is not None, "1009 received nothing"
        assert got.pdu.user_data.text == "Test"
