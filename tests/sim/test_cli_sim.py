"""``tetrakit sim --pty`` / ``--listen`` in a subprocess, reached through real ptys and TCP."""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

pytestmark = pytest.mark.timeout(60)


def start(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tetrakit", "sim", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0,
    )


def read_lines(proc: subprocess.Popen[bytes], count: int, timeout: float = 20) -> list[str]:
    """The first ``count`` stdout lines, read from the raw pipe (no buffering surprises)."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""
    end = time.monotonic() + timeout
    while buf.count(b"\n") < count:
        left = end - time.monotonic()
        assert left > 0, f"only got {buf!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 4096)
            assert chunk, f"sim exited: {proc.stderr.read() if proc.stderr else b''!r}"
            buf += chunk
    return [ln.strip() for ln in buf.decode().splitlines()[:count]]


def stop(proc: subprocess.Popen[bytes], signum: int = signal.SIGTERM) -> int:
    proc.send_signal(signum)
    return proc.wait(timeout=10)


def read_until(port: serial.Serial, marker: bytes, timeout: float = 10) -> bytes:
    data = bytearray()
    end = time.monotonic() + timeout
    while marker not in data and time.monotonic() < end:
        data += port.read(max(1, port.in_waiting))
    assert marker in data, bytes(data)
    return bytes(data)


@pytest.fixture
def sim_pty(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], dict[int, str], Path]]:
    log = tmp_path / "world.jsonl"
    proc = start("--pty", "--log", str(log))
    try:
        ports = {int(i): p for i, p in (ln.split() for ln in read_lines(proc, 4))}
        yield proc, ports, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_pty_radios_talk_through_the_simulated_network(sim_pty) -> None:  # type: ignore[no-untyped-def]
    proc, ports, log = sim_pty
    assert sorted(ports) == [1001, 1002, 1003, 1009]
    assert all(os.path.exists(p) for p in ports.values())
    tx = serial.Serial(ports[1003], 38400, timeout=0.2)
    rx = serial.Serial(ports[1009], 38400, timeout=0.2)
    try:
        rx.write(b"ATE0\r\nAT+CTSP=1,3,130\r\n")
        read_until(rx, b"OK\r\n\r\nOK\r\n")
        tx.write(b"ATE0\r\n")
        read_until(tx, b"OK\r\n")
        tx.write(b"AT+CMGS=1009,48\r\n82040C014F4B\x1a")
        assert b"+CMGS: 0,4,12" in read_until(tx, b"+CMGS: 0,4,12\r\n")
        got = read_until(rx, b"82040C014F4B\r\n")
        assert b"+CTSDSR: 12,1003,0,1009,0,48\r\n82040C014F4B\r\n" in got
    finally:
        tx.close()
        rx.close()
    assert stop(proc) == 0
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    assert any(e["event"] == "sds_delivered" and e["to"] == 1009 for e in entries)


def test_listen_tcp_one_port_per_radio() -> None:
    proc = start("--listen", "127.0.0.1:0", "--scenario", "examples/scenario-small.yaml")
    try:
        lines = read_lines(proc, 2)
        assert [ln.split()[0] for ln in lines] == ["1001", "1003"]
        url = lines[1].split()[1]
        assert url.startswith("socket://127.0.0.1:")
        port = serial.serial_for_url(url, timeout=0.2)
        try:
            port.write(b"AT+GMI\r")
            assert b"+GMI: ETSI\r\n\r\nOK\r\n" in read_until(port, b"OK\r\n")
        finally:
            port.close()
        assert stop(proc, signal.SIGINT) == 0  # Ctrl-C is a clean exit too
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_bad_scenario_is_one_clear_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "tetrakit", "sim", "--pty", "--scenario",
                           "nowhere.yaml"], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip() == "error: nowhere.yaml: scenario file not found"
    proc = subprocess.run([sys.executable, "-m", "tetrakit", "sim"], capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 2
    assert "--pty" in proc.stderr


def _wait_for_log(log: Path, predicate, timeout: float = 20) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if log.exists():
            for line in log.read_text().splitlines():
                if predicate(json.loads(line)):
                    return
        time.sleep(0.05)  # polling a file another process writes; nothing to wait on
    raise AssertionError(f"no such entry in {log}")


def test_sds_send_on_one_pty_monitor_prints_it_on_the_other(sim_pty) -> None:  # type: ignore[no-untyped-def]
    proc, ports, log = sim_pty
    monitor = subprocess.Popen(
        [sys.executable, "-m", "tetrakit", "monitor", "-p", ports[1009], "--json", "--count", "1",
         "--duration", "40"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        # the monitor is ready once its radio forwards text messages to it
        _wait_for_log(log, lambda e: e["event"] == "ctsp_registered" and e["radio"] == 1009
                      and e["layer2"] in (130, 25))
        sent = subprocess.run(
            [sys.executable, "-m", "tetrakit", "sds", "send", "-p", ports[1003], "--to", "1009",
             "Hjertestans B312"], capture_output=True, text=True, timeout=40)
        assert sent.returncode == 0, sent.stderr
        out, err = monitor.communicate(timeout=40)
    finally:
        if monitor.poll() is None:
            monitor.kill()
            monitor.wait()
    assert monitor.returncode == 0, err
    record = json.loads(out.strip().splitlines()[0])
    # radio 1003 sent it to radio 1009 as SDS type 4 (AI service 12), text intact
    assert (record["from"], record["to"]) == ("1003", "1009")
    assert record["ai_service"] == 12
    assert record["text"] == "Hjertestans B312"
    assert stop(proc) == 0
