"""The simulated panel on a virtual clock: scenario timelines and fault injection."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from firmware_sim.buttonbox.firmware import load
from firmware_sim.buttonbox.hosting import ControlServer, PanelHost, send_command
from firmware_sim.buttonbox.panel import SimPanel
from firmware_sim.buttonbox.scenario import parse_panels_text, schedule
from firmware_sim.scenario import load_scenario, parse_scenario
from tetrakit.alarm.inputs.buttonbox_codec import DropReason, FaultKind, Hello, LedMode, decode
from tetrakit.alarm.inputs.buttonbox_session import (
    ButtonBoxSession,
    ButtonPressed,
    PanelBack,
    PanelEvent,
    PanelLost,
    PanelStarted,
    WireCleared,
    WireFault,
)
from tetrakit.errors import ConfigError, TransportError
from tetrakit.transport import Port, open_port

VERSION = load("protocol").VERSION

SCENARIO = """
seed: 3
panels:
  - id: panel-a
    buttons: 3
    timeline:
      - {at: 2, press: 1}
      - {at: 4, cut: 2}
      - {at: 6, repair: 2}
      - {at: 8, tamper: 3}
      - {at: 9, short: 3}
      - {at: 10, repair: 3}
      - {at: 12, hang: 4}
      - {at: 20, noise: 4, rate: 0.7}
      - {at: 21, press: 2, hold: 1.0}
      - {at: 30, reboot: true}
"""


class Line:
    """SimPanel <-> ButtonBoxSession, both on one virtual clock (10 ms steps)."""

    def __init__(self, panel: SimPanel) -> None:
        self.panel = panel
        self.session = ButtonBoxSession(
            panel.id, now=0.0, buttons=range(1, panel.buttons + 1), lost_after=3.0
        )
        self.t = 0.0
        self.events: list[tuple[float, PanelEvent]] = []

    def run_to(self, until: float) -> None:
        while self.t < until:
            self.panel.step(self.t)
            data = self.panel.take_output()
            if data:
                self.events += [(self.t, e) for e in self.session.receive_data(data, self.t)]
            self.events += [(self.t, e) for e in self.session.tick(self.t)]
            out = self.session.data_to_send()
            if out:
                self.panel.receive(out, self.t)
            self.t = round(self.t + 0.01, 6)

    def of(self, kind: type) -> list[tuple[float, PanelEvent]]:
        return [(t, e) for t, e in self.events if isinstance(e, kind)]


def test_scenario_timeline_drives_the_panel() -> None:
    [spec] = parse_panels_text(SCENARIO, "s.yaml")
    assert spec.id == "panel-a" and spec.buttons == 3 and spec.seed == 3
    panel = SimPanel(spec.id, spec.buttons, now=0.0, seed=spec.seed)
    schedule(spec, panel, 0.0)
    line = Line(panel)
    line.run_to(35.0)

    presses = line.of(ButtonPressed)
    assert [(e.button) for _, e in presses] == [1, 2]  # type: ignore[attr-defined]
    assert 2.0 <= presses[0][0] < 2.2
    faults = [(round(t), e.button, e.kind) for t, e in line.of(WireFault)]  # type: ignore[attr-defined]
    assert faults == [(4, 2, FaultKind.OPEN), (8, 3, FaultKind.TAMPER), (9, 3, FaultKind.SHORT)]
    clears = [(round(t), e.button) for t, e in line.of(WireCleared)]  # type: ignore[attr-defined]
    assert clears == [(6, 2), (10, 3)]
    lost = line.of(PanelLost)
    assert len(lost) == 1 and 12.0 <= lost[0][0] <= 15.0  # within 3 s of the hang
    assert 16.0 <= line.of(PanelBack)[0][0] < 16.2
    # the noisy line dropped frames, and the press during it still came through once
    assert line.session.stats.dropped[DropReason.CHECK] > 0
    assert 21.0 <= presses[1][0] < 26.0
    # reboot: HELLO again, the session gives the panel its LEDs
    started = [t for t, _ in line.of(PanelStarted)]
    assert started[0] == 0.0 and any(30.0 <= t < 30.1 for t in started)
    assert panel.boots == 2


def test_panel_leds_follow_session() -> None:
    panel = SimPanel("p", 2, now=0.0)
    line = Line(panel)
    line.run_to(1.0)
    line.session.set_led(1, LedMode.SLOW, line.t)
    line.run_to(1.5)
    line.session.set_led(1, LedMode.ON, line.t)
    line.run_to(2.0)
    assert panel.led_modes(1) == ["SLOW", "ON"]
    panel.reboot(line.t)
    line.run_to(2.5)
    assert panel.led_modes(1) == ["SLOW", "ON", "OFF", "ON"]  # dark at reboot, restored


def test_held_button_and_manual_release() -> None:
    panel = SimPanel("p", 2, now=0.0)
    line = Line(panel)
    panel.press(2, 0.5, hold=None)
    line.run_to(3.0)
    assert panel.loops[2] == "PRESSED"
    assert len(line.of(ButtonPressed)) == 1
    panel.release(2, line.t)
    line.run_to(3.5)
    assert panel.loops[2] == "NORMAL"
    with pytest.raises(ValueError, match="buttons 1-2"):
        panel.press(3, line.t)
    with pytest.raises(ValueError):
        panel.set_loop(1, "MELTED", line.t)
    with pytest.raises(ValueError):
        panel.noise(line.t, 1.0, rate=2.0)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("panels:\n  - {id: a, buttons: 0}\n", "s.yaml:2: panels[0].buttons"),
        ("panels:\n  - {id: a, colour: red}\n", "s.yaml:2: panels[0].colour"),
        ("panels:\n  - {id: a}\n  - {id: a}\n", "s.yaml:3: panels[1].id"),
        (
            "panels:\n  - id: a\n    timeline:\n      - {at: 1, press: 5}\n",
            "s.yaml:4: panels[0].timeline[0].press",
        ),
        (
            "panels:\n  - id: a\n    timeline:\n      - {at: 1, press: 1, cut: 2}\n",
            "s.yaml:4: panels[0].timeline[0]",
        ),
        (
            "panels:\n  - id: a\n    timeline:\n      - {at: 1, noise: 2, rate: 3}\n",
            "s.yaml:4: panels[0].timeline[0].rate",
        ),
        (
            "panels:\n  - id: a\n    timeline:\n      - {at: -1, reboot: true}\n",
            "s.yaml:4: panels[0].timeline[0].at",
        ),
        ("panels:\n  - id: 'a b'\n", "s.yaml:2: panels[0].id"),
    ],
)
def test_panel_section_errors_name_file_line_and_key(text: str, where: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_panels_text(text, "s.yaml")
    assert str(info.value).startswith(where), str(info.value)


def test_simulator_scenarios_accept_panels() -> None:
    scenario = parse_scenario(SCENARIO, "s.yaml")
    assert [p.id for p in scenario.panels] == ["panel-a"]
    assert load_scenario("hospital").panels == ()


def test_control_socket(tmp_path: Path) -> None:
    host = PanelHost(clock=lambda: 0.0)  # not started: commands act on the panel directly
    panel = host.new_panel("c", 2)
    server = ControlServer(host, panel, tmp_path / "c.sock")
    try:
        assert (tmp_path / "c.sock").stat().st_mode & 0o777 == 0o600
        reply = send_command(server.path, {"cmd": "press", "button": 2, "hold": None})
        assert reply["ok"] and reply["status"]["loops"]["2"] == "PRESSED"
        assert send_command(server.path, {"cmd": "cut", "button": 1})["status"]["loops"]["1"] == (
            "OPEN"
        )
        assert send_command(server.path, {"cmd": "hang"})["status"]["hung"] is True
        assert send_command(server.path, {"cmd": "resume"})["status"]["hung"] is False
        bad = send_command(server.path, {"cmd": "press", "button": "two"})
        assert bad == {"ok": False, "error": "'button' must be an integer"}
        bad = send_command(server.path, {"cmd": "explode"})
        assert not bad["ok"] and "unknown command" in bad["error"]
        with pytest.raises(OSError, match="another simulated panel"):
            ControlServer(host, panel, tmp_path / "c.sock")
    finally:
        server.close()
    assert not (tmp_path / "c.sock").exists()


def _first_frame(port: Port) -> object:
    data = b""
    while b"\n" not in data:
        chunk = port.read()
        assert chunk, "no frame from the simulated panel"
        data += chunk
    return decode(data.split(b"\n")[0])


def test_simpanel_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TETRAKIT_RUNTIME_DIR", str(tmp_path))
    sock = tmp_path / "tetrakit-panel-dup.sock"
    a = open_port("simpanel://dup?buttons=2&version=9.9", baudrate=115200, timeout=2.0)
    # a second program opening the same panel name still gets a working line
    b = open_port("simpanel://dup?buttons=2", baudrate=115200, timeout=2.0)
    try:
        assert sock.exists()
        assert _first_frame(a) == Hello(0, "9.9", 2)
        assert _first_frame(b) == Hello(0, VERSION, 2)
    finally:
        a.close()
        b.close()
    assert not sock.exists()
    for bad, why in [
        ("simpanel://x?colour=red", "unknown option 'colour'"),
        ("simpanel://x?buttons=0", "buttons must be 1-255"),
        ("simpanel://x?buttons=two", "must be integers"),
        ("simpanel://a%20b", "panel id"),
        ("simpanel://x?scenario=hospital", "no panel 'x'"),
    ]:
        with pytest.raises(TransportError, match=re.escape(why)):
            open_port(bad, baudrate=115200)
