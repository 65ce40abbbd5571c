"""End to end over ptys: simulated panel -> alarm daemon -> simulated team radios.

``tetrakit sim --pty --buttonbox`` (a subprocess) serves the built-in
``hospital`` scenario's radios and a simulated button box (running the panel
firmware's protocol module) on pseudo-terminals; ``tetrakit alarm run`` (a
second subprocess) uses them through a configuration like
``examples/hospital.yaml``.  A press on the panel must become a call-out on the
cardiac arrest team's radios, and the panel's LED must follow the alarm: SLOW
once the call-out is sent, ON once the team has accepted.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from firmware_sim.buttonbox.hosting import send_command

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hospital.yaml"
TEAM = {2001, 2002, 2003, 2004, 2005}


class Lines:
    """The lines of a subprocess stream, read by a thread into a queue."""

    def __init__(self, stream: IO[str]) -> None:
        self.q: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._pump, args=(stream,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self.q.put(line.rstrip("\n"))

    def until(self, pattern: str, timeout: float) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no line matching {pattern!r}; got {self.seen[-20:]}")
            try:
                line = self.q.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(line)
            m = re.search(pattern, line)
            if m:
                return m


def wait_for(cond: Callable[[], Any], timeout: float, what: str) -> Any:
    """Re-check ``cond`` until it is true (the simulator runs in another process)."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling another process's state, bounded by the deadline


def _config(tmp: Path, ptys: dict[int, str], panel: str) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("tetrasim://hospital?issi=1001", ptys[1001])
    text = text.replace("tetrasim://hospital?issi=1002", ptys[1002])
    text = text.replace("simpanel://panel-a?buttons=4", panel)
    text = re.sub(r'listen: "[^"]*"', "listen: null", text)
    assert panel in text and ptys[1001] in text
    path = tmp / "hospital.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def procs() -> Iterator[list[subprocess.Popen[str]]]:
    running: list[subprocess.Popen[str]] = []
    yield running
    for p in reversed(running):
        p.terminate()
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def test_press_becomes_callout_and_led_follows_alarm(
    tmp_path: Path, procs: list[subprocess.Popen[str]]
) -> None:
    env = dict(os.environ, TETRAKIT_RUNTIME_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    world_log = tmp_path / "world.jsonl"
    tetrakit = [sys.executable, "-m", "tetrakit"]
    sim = subprocess.Popen(
        [*tetrakit, "sim", "--pty", "--buttonbox", "--speed", "4", "--log", str(world_log)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    procs.append(sim)
    assert sim.stdout is not None
    out = Lines(sim.stdout)
    panel_pty = out.until(r"^PANEL panel-a (\S+)$", 20).group(1)
    ptys = {}
    for line in out.seen:
        m = re.match(r"^(\d+) (/dev/\S+)$", line)
        if m:
            ptys[int(m.group(1))] = m.group(2)
    assert {1001, 1002} <= set(ptys), out.seen
    control = tmp_path / "tetrakit-panel-panel-a.sock"
    assert control.exists()

    config = _config(tmp_path, ptys, panel_pty)
    daemon = subprocess.Popen(
        [*tetrakit, "-v", "alarm", "run", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    procs.append(daemon)
    assert daemon.stderr is not None
    log = Lines(daemon.stderr)
    log.until(r"button box panel-a: port .* open", 30)

    def status() -> dict[str, Any]:
        reply = send_command(control, {"cmd": "status"})
        assert reply["ok"], reply
        result: dict[str, Any] = reply["status"]
        return result

    reply = send_command(control, {"cmd": "press", "button": 1})
    assert reply["ok"], reply
    log.until(r"button 1 pressed -> B3-312", 10)
    log.until(r"alarm A\d+ raised by buttonbox:panel-a:1", 10)
    wait_for(lambda: status()["leds"]["1"] == "SLOW", 15, "LED 1 SLOW (call-out sent)")
    wait_for(lambda: status()["leds"]["1"] == "ON", 60, "LED 1 ON (accepted by the team)")
    st = status()
    assert st["led_history"]["1"][-2:] == ["SLOW", "ON"]
    assert st["pending"] == 0  # the press was acknowledged

    events = [json.loads(line) for line in world_log.read_text().splitlines() if line]
    got = {e["member"] for e in events if e["event"] == "callout_received"}
    assert got & TEAM, "the team's radios got no call-out"
    assert got <= TEAM | {2101, 2102, 2103}
    texts = {e["text"] for e in events if e["event"] == "callout_received"}
    assert any("HJERTESTANS" in t and "312" in t for t in texts), texts
    accepts = {e["from"] for e in events if e["event"] == "answer" and e["answer"] == "accept"}
    assert len(accepts & TEAM) >= 2
    # one press, one alarm
    raised = [line for line in log.seen if re.search(r"alarm A\d+ raised", line)]
    assert len(raised) == 1
