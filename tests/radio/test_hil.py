"""Hardware in the loop: checks that only make sense against a real radio.

Run with ``pytest --pei-port /dev/ttyUSB0 -m hil`` (see ``hw/hil/README.md``);
skipped otherwise.  The other end-to-end tests in ``tests/radio`` and
``tests/cli`` run against the real radio too when ``--pei-port`` is given.
"""

from __future__ import annotations

import pytest
from scripted_peer import PeiPort

from tetrakit.pei import commands
from tetrakit.radio import LinkState, RadioClient, SdsState

pytestmark = [pytest.mark.hil, pytest.mark.timeout(120)]



def _client(pei_port: PeiPort) -> RadioClient:
    return RadioClient(pei_port.url, **pei_port.client_options())


def test_radio_initialises_and_reports_health(pei_port: PeiPort) -> None:
    with _client(pei_port) as client:
        health = client.health()
        assert health.state is LinkState.READY
        assert health.failed_registrations == (), health.failed_registrations
        assert health.registered, "no AT+CTSP registration accepted"
        answer = client.command(commands.csq())
        assert any(line.startswith("+CSQ:") for line in answer.lines)


def test_status_to_test_party_is_sent(pei_port: PeiPort) -> None:
    with _client(pei_port) as client:
        handle = client.send_status(pei_port.to_issi, 0x8003)
        client.wait(handle, SdsState.SENT, timeout=60)
        assert handle.state in (SdsState.SENT, SdsState.DELIVERED), handle.error
