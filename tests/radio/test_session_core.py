"""The sans-I/O radio session driven by a virtual clock and the FakeRadio, no threads."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from scripted_peer import FakeRadio, cut_commands

from tetrakit import sds
from tetrakit.errors import (
    BusyError,
    PeiError,
    PeiTimeoutError,
    SendFailedError,
    TransportError,
    UnsupportedCommandError,
)
from tetrakit.radio import (
    LinkState,
    LinkStateChanged,
    RadioEvent,
    RadioSession,
    SdsReceived,
    SdsState,
    SdsStateChanged,
    SessionConfig,
)

pytestmark = pytest.mark.timeout(30)

GENERIC_INIT = [
    b"AT\r\n",
    b"ATE0\r\n",
    b"AT+CMEE=1\r\n",
    b"AT+CTSP=1,3,130\r\n",
    b"AT+CTSP=2,2,20\r\n",
    b"AT+CTSP=1,3,10\r\n",
    b"AT+CTOM?\r\n",
    b"AT+CNUMF?\r\n",
    b"AT+CSQ?\r\n",
    b"AT+CREG?\r\n",
    b"AT+CTSP?\r\n",
]


class Harness:
    """Connects a RadioSession to a FakeRadio through plain function calls."""

    def __init__(
        self,
        radio: FakeRadio | None = None,
        *,
        profile: str = "generic",
        config: SessionConfig | None = None,
    ) -> None:
        self.now = 100.0
        self.radio = radio or FakeRadio()
        self.radio.peer = self
        self.session = RadioSession(
            profile, config=config or SessionConfig(), now=self.now, message_reference_start=7
        )
        self.commands: list[bytes] = []
        self.events: list[RadioEvent] = []
        self._buffer = bytearray()
        self.filter: Callable[[bytes, bytes], bytes] | None = None
        self.port_ok = True
        self.chunk = 4096  # radio -> host bytes per receive_data call
        self.connect_attempts: list[float] = []

    # the FakeRadio's unsolicited output
    def send(self, data: bytes) -> None:
        self.session.receive_data(data, self.now)
        self.exchange()

    def connect(self) -> None:
        assert self.session.connect_due(self.now)
        self.session.connection_made(self.now)
        self.exchange()

    def exchange(self) -> None:
        for _ in range(1000):
            data = self.session.data_to_send()
            if not data:
                break
            self._buffer += data
            for command in cut_commands(self._buffer):
                self.commands.append(command)
                reply = self.radio(command)
                if reply and self.filter is not None:
                    reply = self.filter(command, reply)
                for i in range(0, len(reply or b""), self.chunk):
                    self.session.receive_data(reply[i:i + self.chunk], self.now)
        while (event := self.session.next_event()) is not None:
            self.events.append(event)

    def advance(self, seconds: float) -> None:
        """Let virtual time pass, visiting every deadline on the way."""
        end = self.now + seconds
        while True:
            deadline = self.session.next_deadline()
            if deadline is None or deadline > end:
                break
            self.now = max(self.now, deadline)
            self.session.tick(self.now)
            self.exchange()
            if self.session.close_requested:
                self.session.connection_lost(self.now, None)
                self.exchange()
            if self.session.connect_due(self.now):
                if self.port_ok:
                    self.connect()
                else:
                    self.session.connection_failed(self.now, TransportError("cannot open"))
                    self.connect_attempts.append(self.now)
        self.now = end
        self.session.tick(self.now)
        self.exchange()

    def states(self) -> list[LinkState]:
        return [e.state for e in self.events if isinstance(e, LinkStateChanged)]

    def handle_states(self, handle_id: int) -> list[SdsState]:
        return [
            e.state for e in self.events
            if isinstance(e, SdsStateChanged) and e.handle.id == handle_id
        ]


def ready() -> Harness:
    h = Harness()
    h.connect()
    assert h.session.state is LinkState.READY
    return h


def test_generic_init_exact_bytes_and_health() -> None:
    h = ready()
    assert h.commands == GENERIC_INIT
    assert h.states() == [LinkState.INITIALISING, LinkState.READY]
    health = h.session.health()
    assert health.registered == ("AT+CTSP=1,3,130", "AT+CTSP=2,2,20", "AT+CTSP=1,3,10")
    assert health.failed_registrations == ()
    assert health.rssi_dbm == -73
    assert health.reg_stat == 1
    assert health.ai_mode == 0
    assert health.own_identity is not None and health.own_identity.ssi == 1003
    assert health.reinit_count == 0 and health.connect_count == 1
    assert h.radio.registrations == {(1, 3, 130), (2, 2, 20), (1, 3, 10)}
    assert health.to_dict()["state"] == "ready"


def test_vendor_profiles() -> None:
    h = Harness(profile="sepura")
    h.connect()
    assert b"AT+CMEE=1\r\n" not in h.commands
    assert h.commands[:2] == [b"AT\r\n", b"ATE0\r\n"]
    h = Harness(profile="motorola")
    h.radio.errors[b"AT+GM"] = 4  # vendor queries may fail: init goes on
    h.connect()
    assert b"AT+GMI\r\n" in h.commands and b"AT+GMM\r\n" in h.commands
    assert h.session.state is LinkState.READY
    with pytest.raises(ValueError, match="unknown radio vendor profile 'hytera'"):
        RadioSession("hytera", now=0)


def test_no_atz_anywhere() -> None:
    for profile in ("generic", "motorola", "sepura"):
        h = Harness(profile=profile)
        h.connect()
        assert not any(c.startswith(b"ATZ") for c in h.commands)


def test_syntax_errors_at_connect_are_absorbed() -> None:
    h = Harness()
    answers = iter([b"\r\n+CME ERROR: 35\r\n", b"\r\n+CME ERROR: 35\r\n"])

    def garbage_first(command: bytes, reply: bytes) -> bytes:
        if command == b"AT\r\n":
            return next(answers, reply)
        return reply

    h.filter = garbage_first
    h.connect()
    assert h.commands[:3] == [b"AT\r\n", b"AT\r\n", b"AT\r\n"]
    assert h.session.state is LinkState.READY


def test_text_two_stage_cmgs_and_report() -> None:
    h = ready()
    h.radio.hold_status = True
    n = len(h.commands)
    handle = h.session.send_text(2001, "Hjertestans B312", now=h.now)
    h.exchange()
    pdu = sds.text_message("Hjertestans B312", message_reference=7)
    data, bits = sds.encode(pdu)
    assert h.commands[n:] == [
        b"AT+CTSDS=12,0,0,0\r\n",
        b"AT+CMGS=2001,%d\r\n%s\x1a" % (bits, data.hex().upper().encode()),
    ]
    assert handle.state is SdsState.ACCEPTED
    assert handle.instance == 0 and handle.message_reference == 7
    # the intermediate +CMGS: 0 never causes a second AT+CMGS
    h.advance(5)
    assert sum(c.startswith(b"AT+CMGS=") for c in h.commands) == 1
    h.radio.release()
    assert handle.state is SdsState.DELIVERED
    assert handle.delivery_status == 0 and handle.reports == {2001: 0}
    assert h.handle_states(handle.id) == [
        SdsState.WRITING, SdsState.ACCEPTED, SdsState.SENT, SdsState.DELIVERED
    ]
    received = [e for e in h.events if isinstance(e, SdsReceived)]
    assert isinstance(received[-1].pdu, sds.SdsReport)
    assert h.radio.sent == [(2001, data, bits)]


def test_status_and_group() -> None:
    h = ready()
    n = len(h.commands)
    handle = h.session.send_status(9100, 0x8001, now=h.now, group=True)
    h.exchange()
    assert h.commands[n:] == [b"AT+CTSDS=13,0,0,0\r\n", b"AT+CMGS=9100,16\r\n8001\x1a"]
    assert handle.state is SdsState.SENT and handle.done and not handle.final
    with pytest.raises(ValueError, match="0-0xFFFF"):
        h.session.send_status(9100, 0x10000, now=h.now)


def test_group_text_sets_service_selection() -> None:
    h = ready()
    n = len(h.commands)
    h.session.send_text(9100, "Hei", now=h.now, group=True)
    h.session.send_text(2001, "Hei", now=h.now)
    h.exchange()
    # SDS-TL first octet 0x0E: transfer, received+consumed, service selection
    # 1 = "group or individual" (cl. 29.4.2.4); 0x0C for the individual
    assert [c for c in h.commands[n:] if c.startswith(b"AT+CMGS")] == [
        b"AT+CMGS=9100,56\r\n820E0701486569\x1a",
        b"AT+CMGS=2001,56\r\n820C0701486569\x1a",  # references count per party
    ]


def test_group_callout_sets_service_selection() -> None:
    from tetrakit.alarm.config import Priority
    from tetrakit.alarm.dispatcher import encode_callout
    from tetrakit.alarm.engine import SendKey, SendSds

    def callout(group: bool) -> str:
        send = SendSds(SendKey("A1", 9100, "callout"), 9100, group, "Hei", 5, not group,
                       Priority.HIGH, 0.0)
        data, bits = encode_callout(send)
        return f"{data.hex().upper()}/{bits}"

    assert callout(True) == "82020501486569/56"  # no report, service selection 1
    assert callout(False) == "820C0501486569/56"  # reports asked, individual only


def test_sends_one_at_a_time_in_order() -> None:
    h = ready()
    handles = [h.session.send_status(2001 + i, 0x8001 + i, now=h.now) for i in range(3)]
    h.exchange()
    cmgs = [c for c in h.commands if c.startswith(b"AT+CMGS")]
    assert cmgs == [b"AT+CMGS=%d,16\r\n%X\x1a" % (2001 + i, 0x8001 + i) for i in range(3)]
    assert [x.instance for x in handles] == [0, 1, 2]
    assert all(x.state is SdsState.SENT for x in handles)


@pytest.mark.parametrize(
    ("prefix", "code", "exc"),
    [(b"AT+CMGS", 0, SendFailedError), (b"AT+CMGS", 42, BusyError),
     (b"AT+CTSDS", 4, UnsupportedCommandError)],
)
def test_cme_errors_fail_the_handle(prefix: bytes, code: int, exc: type[Exception]) -> None:
    h = ready()
    h.radio.errors[prefix] = code
    handle = h.session.send_text(2001, "x", now=h.now)
    h.exchange()
    assert handle.state is SdsState.FAILED
    assert isinstance(handle.error, exc)
    assert f"+CME ERROR: {code}" in str(handle.error)
    assert h.session.state is LinkState.READY  # an error answer is an answer
    assert sum(c.startswith(b"AT+CMGS") for c in h.commands) == (1 if prefix == b"AT+CMGS" else 0)


def test_transmission_failed_status() -> None:
    h = ready()
    h.filter = lambda cmd, reply: reply.replace(b",4,", b",5,")
    handle = h.session.send_text(2001, "x", now=h.now, report=False)
    h.exchange()
    assert handle.state is SdsState.FAILED
    assert "failed" in str(handle.error) and "+CMGS: 0,5" in str(handle.error)


def test_unsolicited_ctsdsr_between_command_and_ok() -> None:
    h = ready()
    incoming = b"\r\n+CTSDSR: 12,2002,0,1003,0,32\r\n82100005\r\n"

    def interleave(command: bytes, reply: bytes) -> bytes:
        if command.startswith(b"AT+CTSDS"):
            return incoming + reply
        return reply

    h.filter = interleave
    handle = h.session.send_status(2001, 0x8001, now=h.now)
    h.exchange()
    assert handle.state is SdsState.SENT
    received = [e for e in h.events if isinstance(e, SdsReceived)]
    assert len(received) == 1
    assert received[0].sds.calling is not None and received[0].sds.calling.ssi == 2002
    assert received[0].pdu == sds.SdsReport(sds.ProtocolId.TEXT_MESSAGING, 0, 5)


def test_short_report_delivers() -> None:
    h = ready()
    h.radio.auto_report = False
    handle = h.session.send_text(2001, "x", now=h.now)
    h.exchange()
    assert handle.state is SdsState.SENT
    ref = handle.message_reference
    assert ref is not None
    h.radio.receive_sds(13, 2001, (0x7E00 | ref).to_bytes(2, "big"), 16)  # type 2: received
    assert handle.state is SdsState.DELIVERED


def test_negative_report_fails() -> None:
    h = ready()
    h.radio.auto_report = False
    handle = h.session.send_text(2001, "x", now=h.now)
    h.exchange()
    ref = handle.message_reference
    assert ref is not None
    h.radio.receive_sds(12, 2001, bytes([0x82, 0x10, 0x45, ref]), 32)
    assert handle.state is SdsState.FAILED
    assert "unknown destination" in str(handle.error)


def test_report_from_someone_else_does_not_match() -> None:
    h = ready()
    h.radio.auto_report = False
    handle = h.session.send_text(2001, "x", now=h.now)
    h.exchange()
    ref = handle.message_reference
    assert ref is not None
    h.radio.receive_sds(12, 2005, bytes([0x82, 0x10, 0x00, ref]), 32)
    assert handle.state is SdsState.SENT


def test_silent_radio_reboots_and_is_reinitialised() -> None:
    h = ready()
    h.radio.silent = True
    h.advance(20 + 5)  # keep-alive at 20 s, its 5 s timeout
    assert h.session.state is LinkState.SILENT
    assert h.commands[-1] == b"AT+CSQ?\r\n"
    h.advance(10)  # probes: 2 s pause + 3 s timeout each
    probes = h.commands[len(GENERIC_INIT) + 1:]
    assert probes and all(p == b"AT\r\n" for p in probes)
    # the radio comes back from a restart: echo on, no registrations
    h.radio.reboot()
    h.radio.silent = False
    n = len(h.commands)
    h.advance(5)
    assert h.session.state is LinkState.READY
    assert h.commands[n:] == [b"AT\r\n", *GENERIC_INIT]  # the answered probe, then init
    assert h.radio.registrations == {(1, 3, 130), (2, 2, 20), (1, 3, 10)}
    health = h.session.health()
    assert health.reinit_count == 1 and health.connect_count == 1
    assert h.states()[-3:] == [LinkState.SILENT, LinkState.INITIALISING, LinkState.READY]


def test_reboot_detected_by_echo() -> None:
    h = ready()
    h.radio.reboot()  # between two commands, without a silence
    h.advance(21)  # the keep-alive comes back echoed
    assert h.session.state is LinkState.READY
    assert h.session.health().reinit_count == 1
    assert h.radio.registrations == {(1, 3, 130), (2, 2, 20), (1, 3, 10)}
    assert h.radio.echo is False


def test_reboot_detected_by_registration_check() -> None:
    h = Harness(config=SessionConfig(registration_check_interval=60))
    h.connect()
    h.radio.registrations.clear()  # lost, with echo still off
    h.advance(61)
    assert h.session.health().reinit_count == 1
    assert h.radio.registrations == {(1, 3, 130), (2, 2, 20), (1, 3, 10)}
    assert h.commands.count(b"AT+CTSP?\r\n") == 3  # calibration, check, calibration


def test_check_disabled_when_radio_does_not_list() -> None:
    h = Harness(config=SessionConfig(registration_check_interval=60))

    def no_list(command: bytes, reply: bytes) -> bytes:
        return b"\r\nOK\r\n" if command == b"AT+CTSP?\r\n" else reply

    h.filter = no_list
    h.connect()
    assert h.session.state is LinkState.READY
    h.advance(200)
    assert h.commands.count(b"AT+CTSP?\r\n") == 1
    assert h.session.health().reinit_count == 0


def test_long_silence_reopens_port_with_backoff() -> None:
    h = Harness(config=SessionConfig(reconnect_after=30, backoff_initial=1, backoff_max=8))
    h.connect()
    h.radio.silent = True
    h.port_ok = False  # e.g. the USB adapter is gone for a while
    h.advance(25 + 30)
    assert h.session.state is LinkState.DISCONNECTED
    h.advance(30)
    # reopen attempts 1, 2, 4, 8, 8 ... s apart
    gaps = [b - a for a, b in zip(h.connect_attempts, h.connect_attempts[1:], strict=False)]
    assert gaps[:4] == [2, 4, 8, 8]
    h.port_ok = True
    h.radio.silent = False
    h.advance(10)
    assert h.session.health().connect_count == 2
    assert h.session.state is LinkState.READY
    assert LinkState.DISCONNECTED in h.states()


def test_connection_lost_keeps_queued_and_unconfirms_accepted() -> None:
    h = ready()
    h.radio.hold_status = True
    accepted = h.session.send_status(2001, 0x8001, now=h.now)
    h.exchange()
    assert accepted.state is SdsState.ACCEPTED
    h.session.connection_lost(h.now, TransportError("/dev/ttyUSB0: read failed: EIO"))
    h.exchange()
    assert accepted.state is SdsState.UNCONFIRMED
    assert "lost" in str(accepted.error)
    queued = h.session.send_status(2002, 0x8002, now=h.now)
    assert queued.state is SdsState.QUEUED
    assert h.session.state is LinkState.DISCONNECTED
    assert h.session.health().last_error == "/dev/ttyUSB0: read failed: EIO"
    h.radio.hold_status = False
    h.advance(1.0)  # backoff_initial
    assert h.session.state is LinkState.READY
    assert queued.state is SdsState.SENT


def test_cmgs_timeout_fails_and_goes_silent() -> None:
    h = ready()

    def swallow_cmgs(command: bytes, reply: bytes) -> bytes:
        return b"" if command.startswith(b"AT+CMGS") else reply

    h.filter = swallow_cmgs
    handle = h.session.send_status(2001, 0x8001, now=h.now)
    h.exchange()
    assert handle.state is SdsState.WRITING
    h.advance(10)
    assert handle.state is SdsState.FAILED
    assert isinstance(handle.error, PeiTimeoutError)
    assert "may or may not have been sent" in str(handle.error)
    assert h.session.state is LinkState.SILENT
    h.filter = None
    h.advance(5)
    assert h.session.state is LinkState.READY


def test_sent_timeout_makes_unconfirmed() -> None:
    h = Harness(config=SessionConfig(sent_timeout=30))
    h.connect()
    h.radio.hold_status = True
    handle = h.session.send_status(2001, 0x8001, now=h.now)
    h.exchange()
    h.advance(31)
    assert handle.state is SdsState.UNCONFIRMED
    assert isinstance(handle.error, PeiTimeoutError)


def test_queued_timeout_fails() -> None:
    h = Harness()
    h.port_ok = False
    handle = h.session.send_status(2001, 0x8001, now=h.now, timeout=5)
    assert handle.state is SdsState.QUEUED
    h.advance(5)
    assert handle.state is SdsState.FAILED
    assert "not sent within" in str(handle.error)


def test_protocol_error_reinitialises() -> None:
    h = ready()
    h.send(b"\r\n+CTSDSR: 12,2001,0,1003,0,32\r\nNOT HEX\r\n")
    assert h.session.state is LinkState.READY
    assert h.session.health().reinit_count == 1


def test_mode_change_reregisters() -> None:
    h = ready()
    n = len(h.commands)
    h.send(b"\r\n+CTOM: 1\r\n")
    assert h.session.state is LinkState.READY
    assert h.commands[n:] == GENERIC_INIT
    assert h.session.health().reinit_count == 1


def test_report_asked_for_during_a_reinit_waits_for_the_init() -> None:
    h = ready()
    request = h.session.request(h.session.profile.keepalive, h.now)
    h.radio.silent = True  # the keep-alive stays in flight, so the re-init resets the engine
    h.exchange()
    h.radio.silent = False
    n = len(h.commands)
    # one chunk: an AI mode change (re-init) and a text asking for a "received" report,
    # which the reset hands over while it settles
    h.send(
        b"\r\n+CTOM: 1\r\n"
        b"\r\n+CTSDSR: 12,23404,0,1003,0,112\r\n82040801476A61746A616A676A61\r\n"
    )
    assert request.error is not None
    assert h.commands[n:] == [
        *GENERIC_INIT, b"AT+CTSDS=12,0,0,0\r\n", b"AT+CMGS=23404,32\r\n82100008\x1a"
    ]
    assert h.session.state is LinkState.READY


def test_request_and_close() -> None:
    h = ready()
    req = h.session.request(h.session.profile.keepalive, h.now)
    h.exchange()
    assert req.done and req.result is not None
    queued = h.session.send_status(2001, 0x8001, now=h.now)
    h.radio.silent = True
    h.exchange()
    h.session.close(h.now)
    h.exchange()
    assert h.session.state is LinkState.CLOSED
    assert queued.state is SdsState.FAILED
    assert isinstance(queued.error, PeiError)
    with pytest.raises(PeiError, match="closed"):
        h.session.send_status(2001, 1, now=h.now)


def test_incoming_sds_decoded() -> None:
    h = ready()
    payload = bytes.fromhex("82040801476A61746A616A676A61")
    n = len(h.commands)
    assert h.radio.receive_sds(12, 23404, payload, 112)
    received = [e for e in h.events if isinstance(e, SdsReceived)]
    assert received[-1].pdu.text == "Gjatjajgja"
    assert received[-1].decode_error is None
    # it asked for a "received" report (0x04): the host, the SDS-TL end point, answers
    assert h.commands[n:] == [b"AT+CTSDS=12,0,0,0\r\n", b"AT+CMGS=23404,32\r\n82100008\x1a"]
    # not routed: a PID nobody registered is not forwarded by the radio
    assert not h.radio.receive_sds(12, 23404, bytes.fromhex("C30001"), 24)


def test_no_auto_report_when_not_asked_or_disabled() -> None:
    h = ready()
    n = len(h.commands)
    data, bits = sds.encode(sds.text_message("x", message_reference=3, report=0))
    h.radio.receive_sds(12, 2002, data, bits)
    assert h.commands[n:] == []
    h = Harness(config=SessionConfig(auto_report=False))
    h.connect()
    n = len(h.commands)
    data, bits = sds.encode(sds.text_message("x", message_reference=3))
    h.radio.receive_sds(12, 2002, data, bits)
    assert h.commands[n:] == []


@pytest.mark.parametrize("chunk", [1, 3, 7])
def test_byte_at_a_time_gives_the_same_outcome(chunk: int) -> None:
    h = Harness()
    h.chunk = chunk
    h.connect()
    assert h.commands == GENERIC_INIT
    handle = h.session.send_text(2001, "x", now=h.now)
    h.exchange()
    assert handle.state is SdsState.DELIVERED
    assert h.session.health().rssi_dbm == -73


def test_late_status_of_delivered_sds_does_not_match_a_newer_one() -> None:
    h = ready()
    h.radio.hold_status = True
    first = h.session.send_text(2001, "a", now=h.now)
    h.exchange()
    ref = first.message_reference
    assert ref is not None
    # the report overtakes the radio's own over-the-air result
    h.radio.receive_sds(12, 2001, bytes([0x82, 0x10, 0x00, ref]), 32)
    assert first.state is SdsState.DELIVERED
    h.radio.next_instance = 0  # the radio reuses instance 0
    second = h.session.send_text(2001, "b", now=h.now)
    h.exchange()
    assert second.instance == 0 and second.state is SdsState.ACCEPTED
    h.send(b"\r\n+CMGS: 0,4,%d\r\n" % ref)  # late result of the first
    assert second.state is SdsState.ACCEPTED
    h.send(b"\r\n+CMGS: 0,4,%d\r\n" % second.message_reference)
    assert second.state is SdsState.SENT
