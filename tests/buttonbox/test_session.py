"""The host session against the panel firmware's own protocol module, on a virtual clock."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from tetrakit.alarm.inputs.buttonbox_codec import (
    Ack,
    Clear,
    DropReason,
    Fault,
    FaultKind,
    Heartbeat,
    Hello,
    LedMode,
    Press,
    decode,
    encode,
)
from tetrakit.alarm.inputs.buttonbox_session import (
    ButtonBoxSession,
    ButtonPressed,
    FrameDropped,
    PanelBack,
    PanelEvent,
    PanelLost,
    PanelStarted,
    PanelState,
    WireCleared,
    WireFault,
)

Filter = Callable[[bytes], bytes]


def _keep(data: bytes) -> bytes:
    return data


class Bench:
    """A firmware panel and a host session joined by a line, on a virtual clock (10 ms steps)."""

    def __init__(self, fw: ModuleType, buttons: int = 4, **session: Any) -> None:
        self.now_ms = 0
        self.panel = fw.Panel(buttons, 0)
        self.session = ButtonBoxSession(
            "panel-a", now=0.0, buttons=range(1, buttons + 1), **session
        )
        self.events: list[PanelEvent] = []
        self.to_host: Filter = _keep
        self.to_panel: Filter = _keep
        self.panel_alive = True
        self.host_frames: list[bytes] = []

    @property
    def now(self) -> float:
        return self.now_ms / 1000

    def step(self) -> None:
        if self.panel_alive:
            self.panel.poll(self.now_ms)
            data = self.to_host(self.panel.take_output())
            if data:
                self.events += self.session.receive_data(data, self.now)
        self.events += self.session.tick(self.now)
        out = self.session.data_to_send()
        self.host_frames += [line for line in out.split(b"\n") if line]
        out = self.to_panel(out)
        if out and self.panel_alive:
            self.panel.receive(out, self.now_ms)
        self.now_ms += 10

    def run(self, seconds: float) -> None:
        for _ in range(round(seconds * 100)):
            self.step()

    def run_until(self, cond: Callable[[], bool], limit: float) -> float:
        start = self.now
        while not cond():
            assert self.now - start <= limit, f"not within {limit} s"
            self.step()
        return self.now - start

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]


def test_startup_hello_leds_and_heartbeat(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(2.5)
    assert b.of(PanelStarted) == [PanelStarted("panel-a", fw.VERSION, 4)]
    assert b.session.state is PanelState.UP
    assert b.session.version == fw.VERSION
    assert b.panel.leds == ["OFF"] * 4
    assert not b.panel.host_silent(b.now_ms)  # host PINGs keep the panel's supervision happy
    assert b.session.stats.dropped[DropReason.CHECK] == 0


def test_press_repeated_until_acknowledged_is_one_press(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    acks_before = b.session.stats.acks
    b.to_panel = lambda data: b""  # every ACK lost: the panel repeats the PRESS
    b.panel.press(2, b.now_ms)
    b.run(2.2)
    assert len(b.panel.pending) == 1
    copies = b.panel.retransmissions + 1
    assert copies >= 4  # sent at 0, 0.5, 1.0, 1.5, 2.0 s
    assert b.of(ButtonPressed) == [ButtonPressed("panel-a", 2, b.panel.pending[0][0])]
    assert b.session.stats.acks - acks_before == copies  # every copy acknowledged again
    assert b.session.stats.duplicates == copies - 1
    b.to_panel = _keep
    b.run(0.6)
    assert b.panel.pending == []
    assert len(b.of(ButtonPressed)) == 1


def test_deferred_ack_until_the_alarm_is_taken(fw: ModuleType) -> None:
    b = Bench(fw, defer_press_ack=True)
    b.run(1.0)
    b.panel.press(1, b.now_ms)
    b.run(1.2)
    [first] = b.of(ButtonPressed)
    assert b.panel.pending  # not acknowledged while the controller works on it
    b.session.press_done(first.seq, ok=False, now=b.now)  # e.g. the journal failed
    b.run(0.6)
    assert len(b.of(ButtonPressed)) == 2  # the next copy is acted on anew
    b.session.press_done(first.seq, ok=True, now=b.now)
    b.run(0.1)
    assert b.panel.pending == []
    assert len(b.of(ButtonPressed)) == 2


def test_garbled_line_is_dropped_and_counted(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    good = encode(Press(500, 3))
    corrupted = good.replace(b"PRESS", b"PRESZ")
    noise = b"\x00\xff#@!garbage*12\n" + corrupted + b"!HB,1,2,0000*FFFF\n" + b"x" * 100 + b"\n"
    events = b.session.receive_data(noise, b.now)
    dropped = [e for e in events if isinstance(e, FrameDropped)]
    assert sorted(d.reason for d in dropped) == sorted(
        [DropReason.SYNTAX, DropReason.CHECK, DropReason.CHECK, DropReason.OVERSIZE]
    )
    stats = b.session.stats.dropped
    assert stats[DropReason.CHECK] == 2 and stats[DropReason.SYNTAX] == 1
    assert stats[DropReason.OVERSIZE] == 1
    assert not [e for e in events if isinstance(e, ButtonPressed)]
    # the line still works afterwards
    events = b.session.receive_data(good, b.now)
    assert [e for e in events if isinstance(e, ButtonPressed)] == [ButtonPressed("panel-a", 3, 500)]


def test_noise_from_the_host_is_dropped_and_counted_by_the_panel(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.panel.receive(b"\x03\x1b[A!LED,1,1,ON*0000\n!LED,2,9,ON*" + b"0000\n", b.now_ms)
    assert b.panel.rx_dropped == 2
    assert b.panel.status(b.now_ms) & fw.ST_RX_ERRORS
    assert b.panel.leds[0] == "OFF"
    b.run(1.1)  # the bit is reported in one HB, then cleared
    assert not b.panel.status(b.now_ms) & fw.ST_RX_ERRORS


def test_sequence_numbers_wrap_at_65535(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.panel.seq = 65533
    b.to_panel = lambda data: b""  # keep the presses pending across the wrap
    b.panel.press(1, b.now_ms)  # 65533
    b.panel.press(2, b.now_ms)  # 65534
    b.panel.press(3, b.now_ms)  # 65535
    b.panel.press(4, b.now_ms)  # 0
    b.run(1.1)  # HBs take 1, ...
    seqs = sorted(e[0] for e in b.panel.pending)
    assert seqs == [0, 65533, 65534, 65535]
    assert [(e.button, e.seq) for e in b.of(ButtonPressed)] == [
        (1, 65533),
        (2, 65534),
        (3, 65535),
        (4, 0),
    ]
    b.to_panel = _keep
    b.run(0.6)
    assert b.panel.pending == []
    assert len(b.of(ButtonPressed)) == 4


def test_host_sequence_wraps(fw: ModuleType) -> None:
    b = Bench(fw)
    b.session._seq = 65535  # white-box: start the host counter at the edge
    b.session.set_led(1, LedMode.ON, 0.0)
    b.session.set_led(2, LedMode.SLOW, 0.0)
    frames = [decode(f) for f in b.session.data_to_send().splitlines()]
    assert [f.seq for f in frames][-2:] == [65535, 0]
    b.run(0.05)


def test_cut_wire_raises_a_fault_within_3_s(fw: ModuleType, fw_inputs: ModuleType) -> None:
    b = Bench(fw)
    loops = [fw_inputs.SupervisedInput(i) for i in (1, 2, 3, 4)]
    state = {1: fw_inputs.NORMAL, 2: fw_inputs.NORMAL, 3: fw_inputs.NORMAL, 4: fw_inputs.NORMAL}

    def step() -> None:
        for loop in loops:
            loop.sample(state[loop.button], b.panel, b.now_ms)
        b.step()

    for _ in range(100):
        step()
    b.session.set_led(2, LedMode.SLOW, b.now)
    state[2] = fw_inputs.classify(65535)  # the loop reads full scale: cut
    assert state[2] == fw_inputs.OPEN
    start = b.now
    while not b.of(WireFault):
        assert b.now - start < 3.0
        step()
    assert b.of(WireFault) == [WireFault("panel-a", 2, FaultKind.OPEN)]
    for _ in range(10):
        step()
    assert b.panel.leds[1] == "FAST"  # fault shows FAST, over the alarm state
    assert b.session.faults == {2: FaultKind.OPEN}
    state[2] = fw_inputs.NORMAL  # repaired
    for _ in range(100):
        step()
    assert b.of(WireCleared) == [WireCleared("panel-a", 2)]
    assert b.panel.leds[1] == "SLOW"
    assert b.session.faults == {}


def test_silent_panel_is_lost_within_3_s_and_comes_back(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.5)
    b.panel_alive = False  # the panel hangs: nothing more on the line
    took = b.run_until(lambda: bool(b.of(PanelLost)), limit=3.0)
    assert took <= 3.0
    assert b.session.state is PanelState.LOST
    assert b.of(PanelLost)[0].silent_for >= 3.0
    b.run(2.0)
    assert len(b.of(PanelLost)) == 1  # reported once
    b.panel_alive = True
    b.run(1.1)
    assert b.of(PanelBack) == [PanelBack("panel-a")]
    assert b.session.state is PanelState.UP


def test_never_heard_panel_is_lost(fw: ModuleType) -> None:
    session = ButtonBoxSession("p", now=100.0, lost_after=3.0)
    assert session.tick(102.9) == []
    assert session.tick(103.0) == [PanelLost("p", 3.0)]
    assert session.next_deadline() <= 104.0


def test_garbage_only_line_counts_as_silent(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.to_host = lambda data: data.replace(b",", b";")  # every frame corrupted
    b.run_until(lambda: bool(b.of(PanelLost)), limit=3.0)
    assert (
        b.session.stats.dropped[DropReason.CHECK] + b.session.stats.dropped[DropReason.SYNTAX] >= 3
    )


def test_led_follows_alarm_state(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.session.set_led(3, LedMode.SLOW, b.now)  # call-out sent
    b.run(0.1)
    assert b.panel.led_mode(3) == "SLOW"
    lit = [b.panel.led_lit(3, t) for t in range(0, 2000, 250)]
    assert lit == [True, True, False, False, True, True, False, False]  # 1 Hz
    b.session.set_led(3, LedMode.ON, b.now)  # accepted by the team
    b.run(0.1)
    assert b.panel.led_mode(3) == "ON"
    b.session.set_led(3, LedMode.OFF, b.now)
    b.run(0.1)
    assert b.panel.led_mode(3) == "OFF"


def test_lost_led_frame_heals_by_refresh(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.to_panel = lambda data: b""
    b.session.set_led(1, LedMode.ON, b.now)
    b.run(0.1)
    b.to_panel = _keep
    assert b.panel.led_mode(1) == "OFF"
    b.run(10.0)
    assert b.panel.led_mode(1) == "ON"


def test_restarted_panel_gets_its_leds_back(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(1.0)
    b.session.set_led(2, LedMode.ON, b.now)
    b.run(1.0)
    b.panel = fw.Panel(4, b.now_ms)  # power cycle: HELLO, seq 0, LEDs dark
    b.run(0.2)
    assert len(b.of(PanelStarted)) == 2
    assert b.panel.led_mode(2) == "ON"


def test_restart_with_lost_hello_is_detected_by_uptime(fw: ModuleType) -> None:
    b = Bench(fw)
    b.run(5.0)
    b.to_panel = lambda data: b""
    b.panel.press(1, b.now_ms)  # seq s, acted on, never acknowledged ...
    b.run(0.2)
    s = b.of(ButtonPressed)[0].seq
    b.to_panel = _keep
    b.panel = fw.Panel(4, b.now_ms)  # ... the panel restarts and its HELLO is lost
    b.panel.take_output()
    b.panel.seq = s - 3  # white-box: its HBs take s-3.., its next press s again
    b.run(1.05)
    assert b.of(PanelStarted)[-1] == PanelStarted("panel-a", None, None)
    b.panel.seq = s
    b.panel.press(1, b.now_ms)
    b.run(0.1)
    assert [e.seq for e in b.of(ButtonPressed)] == [s, s]  # a new press, not a duplicate


def test_fault_reports_apply_in_sequence_order() -> None:
    s = ButtonBoxSession("p", now=0.0)
    ev = s.receive_data(encode(Clear(11, 2)), 0.1)  # the newer report arrives first
    assert ev == []
    ev = s.receive_data(encode(Fault(10, 2, FaultKind.SHORT)), 0.2)  # older: ignored
    assert ev == [] and s.faults == {}
    acks = [decode(f) for f in s.data_to_send().splitlines()]
    assert Ack(11) in acks and Ack(10) in acks  # both acknowledged
    ev = s.receive_data(encode(Fault(12, 2, FaultKind.TAMPER)), 0.3)
    assert ev == [WireFault("p", 2, FaultKind.TAMPER)]
    # wrap: 3 is newer than 65530
    s2 = ButtonBoxSession("p", now=0.0)
    s2.receive_data(encode(Fault(65530, 1, FaultKind.OPEN)), 0.1)
    assert s2.receive_data(encode(Clear(3, 1)), 0.2) == [WireCleared("p", 1)]


def test_heartbeat_without_input_fault_clears_stale_faults() -> None:
    s = ButtonBoxSession("p", now=0.0)
    s.receive_data(encode(Hello(0, "1.0.0", 2)), 0.0)
    s.receive_data(encode(Fault(1, 2, FaultKind.OPEN)), 0.1)
    assert s.faults == {2: FaultKind.OPEN}
    assert s.receive_data(encode(Heartbeat(2, 1, 0x0001)), 1.0) == []  # still in fault
    assert s.receive_data(encode(Heartbeat(4, 2, 0x0000)), 2.0) == [WireCleared("p", 2)]
    # a late copy of the old FAULT is older than that HB: ignored
    assert s.receive_data(encode(Fault(1, 2, FaultKind.OPEN)), 2.1) == []
    assert s.receive_data(encode(Fault(3, 1, FaultKind.OPEN)), 2.2) == []


def test_host_frames_on_the_line_are_unexpected() -> None:
    s = ButtonBoxSession("p", now=0.0)
    [event] = s.receive_data(encode(Ack(3)), 0.0)
    assert isinstance(event, FrameDropped) and event.reason is DropReason.UNEXPECTED
    assert s.state is PanelState.UNKNOWN


def test_ping_is_answered_by_heartbeat(fw: ModuleType) -> None:
    panel = fw.Panel(2, 0)
    panel.take_output()
    panel.receive(b"!PING,7*" + f"{fw.crc16(b'PING,7'):04X}".encode() + b"\n", 50)
    hb = decode(panel.take_output())
    assert isinstance(hb, Heartbeat) and hb.seq == 1 and hb.uptime == 0
    assert panel.host_seq == 7


def test_panel_status_bits(fw: ModuleType) -> None:
    panel = fw.Panel(2, 0, watchdog_reset=True)
    assert panel.status(0) == fw.ST_WATCHDOG_RESET
    panel.fault(1, "TAMPER", 10)
    assert panel.status(10) & fw.ST_INPUT_FAULT and panel.status(10) & fw.ST_PENDING
    assert panel.status(3000) & fw.ST_HOST_SILENT
    with pytest.raises(ValueError):
        panel.press(3, 20)
    with pytest.raises(ValueError):
        panel.fault(1, "CUT", 20)


def test_hb_keeps_its_rhythm(fw: ModuleType) -> None:
    panel = fw.Panel(1, 0)
    panel.take_output()
    times = []
    for t in range(0, 3500, 10):
        panel.poll(t)
        if panel.take_output():
            times.append(t)
    assert times == [1000, 2000, 3000]
    panel.poll(10_000)  # a long stall: one HB, not a burst
    assert panel.take_output().count(b"!HB,") == 1


@pytest.mark.parametrize(
    ("ratio", "state"),
    [
        (0.0, "SHORT"),
        (0.14, "SHORT"),
        (0.333, "PRESSED"),
        (0.5, "NORMAL"),
        (0.725, "TAMPER"),
        (0.758, "TAMPER"),
        (1.0, "OPEN"),
    ],
)
def test_loop_classification(fw_inputs: ModuleType, ratio: float, state: str) -> None:
    assert fw_inputs.classify(round(ratio * 65535)) == state


def test_contact_bounce_is_one_press(fw: ModuleType, fw_inputs: ModuleType) -> None:
    panel = fw.Panel(1, 0)
    loop = fw_inputs.SupervisedInput(1)
    samples = ["NORMAL"] * 5 + ["PRESSED", "NORMAL", "PRESSED", "NORMAL"] + ["PRESSED"] * 10
    samples += ["NORMAL", "PRESSED"] + ["NORMAL"] * 10
    for i, s in enumerate(samples):
        loop.sample(s, panel, i * 10)
    frames = [decode(f) for f in panel.take_output().splitlines()]
    kinds = [type(f).__name__ for f in frames]
    assert kinds == ["Hello", "Press", "Release"]
    assert isinstance(frames[1], Press)
