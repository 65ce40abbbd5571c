"""The simulator and the daemon as real subprocesses, talking over real ptys."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from tetrakit.alarm.control import ControlError, request

TETRAKIT = [sys.executable, "-m", "tetrakit"]


def _read_line(stream: IO[str], proc: subprocess.Popen[str], what: str) -> str:
    line = stream.readline()
    if not line:
        proc.wait(5)
        err = proc.stderr.read() if proc.stderr is not None else ""
        raise AssertionError(f"{what} exited ({proc.returncode}) before printing its ptys: {err}")
    return line.strip()


@contextmanager
def simulator(log: Path, *, speed: float = 20.0) -> Iterator[dict[int, str]]:
    """``tetrakit sim --pty``: yields {ISSI: pty path} of the scenario's PEI radios."""
    proc = subprocess.Popen(
        [*TETRAKIT, "sim", "--pty", "--speed", str(speed), "--log", str(log)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout is not None
        ptys: dict[int, str] = {}
        while len(ptys) < 4:  # the hospital scenario has four PEI radios
            issi, path = _read_line(proc.stdout, proc, "tetrakit sim").split()
            ptys[int(issi)] = path
        yield ptys
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for s in (proc.stdout, proc.stderr):
            if s is not None:
                s.close()


def world_events(log: Path, event: str) -> list[dict[str, Any]]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("event") == event:
            out.append(entry)
    return out


def config_for(tmp: Path, ptys: dict[int, str], *, repeat_interval: float = 30) -> Path:
    """The example configuration with the radios on the simulator's ptys."""
    example = Path(__file__).resolve().parents[2] / "examples" / "hospital.yaml"
    text = example.read_text(encoding="utf-8")
    text = text.replace('"tetrasim://hospital?issi=1001"', f'"{ptys[1001]}"')
    text = text.replace('"tetrasim://hospital?issi=1002"', f'"{ptys[1002]}"')
    text = text.replace('listen: "127.0.0.1:8080"', "listen: null")
    text = text.replace("repeat_interval: 30", f"repeat_interval: {repeat_interval}")
    # no button box: these tests trigger through the CLI, and a simulated panel is a
    # process-wide name other tests may be using at the same time
    text = re.sub(r"(?ms)^inputs:\n.*?(?=^\S)", "", text)
    # no scheduled test alarm may take an alarm id in the middle of a test
    text = re.sub(r"schedule: \[.*?\]", "schedule: []", text)
    assert ptys[1001] in text and "listen: null" in text and "simpanel" not in text
    assert "schedule: []" in text
    cfg = tmp / "hospital.yaml"
    cfg.write_text(text, encoding="utf-8")
    return cfg


class DaemonProc:
    """``tetrakit alarm run CONFIG`` as a subprocess."""

    def __init__(self, config: Path, stderr: Path) -> None:
        self.config = config
        self.socket = config.parent / "var" / "tetrakit-alarm.sock"
        self._err = stderr.open("ab")
        self.proc = subprocess.Popen([*TETRAKIT, "alarm", "run", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=self._err)

    def wait_ready(self, timeout: float = 20.0, *, radio: bool = True) -> None:
        """Wait until the control socket answers (and, with ``radio``, the primary is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"daemon exited with {self.proc.returncode}")
            try:
                health = request(self.socket, {"op": "health"}, timeout=2)["health"]
                if not radio or "primary" in health["healthy_radios"]:
                    return
            except ControlError:
                pass
            time.sleep(0.05)  # polling a condition, with a deadline
        raise AssertionError("daemon not ready in time")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._err.close()
        return self.proc.returncode


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    out = subprocess.run([*TETRAKIT, *args], capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
    if check and out.returncode != 0:
        raise AssertionError(f"tetrakit {' '.join(args)} failed: {out.stderr}")
    return out


def wait_state(config: Path, alarm_id: str, states: set[str], timeout: float) -> dict[str, Any]:
    """Poll ``tetrakit alarm status --json ALARM_ID`` until the alarm is in one of ``states``."""
    sock = config.parent / "var" / "tetrakit-alarm.sock"
    deadline = time.monotonic() + timeout
    last: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            last = request(sock, {"op": "detail", "alarm_id": alarm_id})["alarm"]
            if last["state"] in states:
                return last
        except ControlError:
            pass
        time.sleep(0.1)  # polling a condition, with a deadline
    raise AssertionError(f"{alarm_id} not in {states} within {timeout} s: {last.get('state')}")
