"""The daemon under systemd's eyes: READY, watchdog, SIGHUP reloads, STOPPING; test alarms.

A unix datagram socket stands in for ``$NOTIFY_SOCKET``; ``WATCHDOG_USEC``
asks for pings.  The daemon runs in this process against the simulator.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tetrakit.alarm.faults import FaultKind
from tetrakit.alarm.schedule import TestAlarmScheduler, parse_time_of_day
from tetrakit.alarm.supervision import LinkState

pytestmark = [pytest.mark.timeout(90), pytest.mark.slow]


def _messages(sock: socket.socket) -> list[str]:
    out = []
    while True:
        try:
            out.append(sock.recv(4096).decode())
        except BlockingIOError:
            return out


async def _next_message(sock: socket.socket, match: str, timeout: float = 10) -> list[str]:
    """Datagrams until one contains ``match`` (read as they arrive, on the loop)."""
    loop = asyncio.get_running_loop()
    seen: list[str] = []
    async with asyncio.timeout(timeout):
        while True:
            data = await loop.sock_recv(sock, 4096)
            seen.append(data.decode())
            if match in seen[-1]:
                return seen


def test_ready_watchdog_reload_and_stopping(
    tmp_path: Path, ops_kit: Any, notify_env: tuple[socket.socket, Any]
) -> None:
    sock, env = notify_env
    env["WATCHDOG_USEC"] = "400000"  # pings every 0.2 s
    env["WATCHDOG_PID"] = str(os.getpid())
    seed = 201
    path = tmp_path / "alarm.yaml"
    good = ops_kit.config_text(tmp_path, seed=seed)
    path.write_text(good, encoding="utf-8")

    async def main() -> None:
        async with ops_kit.running(path, seed=seed) as sd:
            seen = await _next_message(sock, "READY=1")
            # READY once a radio is known to work, with the radios' states (which radio is
            # healthy first depends on which session finishes its start-up first)
            ready = re.search(r"STATUS=running: radios primary (\w+), secondary (\w+);",
                              seen[-1])
            assert ready is not None and "healthy" in ready.groups(), seen[-1]
            await _next_message(sock, "WATCHDOG=1")
            old_config = sd.daemon.config

            # SIGHUP with a broken file: the old configuration stays in force
            path.write_text(good.replace("misses: 2", "misses: many"), encoding="utf-8")
            os.kill(os.getpid(), signal.SIGHUP)
            seen = await _next_message(sock, "READY=1")
            assert any(m.startswith("RELOADING=1\nMONOTONIC_USEC=") for m in seen)
            assert "reload refused, old configuration kept" in seen[-1]
            assert "supervision.misses" in seen[-1]
            assert sd.daemon.config is old_config
            assert sd.ops.reload_errors and sd.ops.supervisor.misses == 2

            # SIGHUP with a token file that cannot be read: refused before anything is
            # applied; the HTTP API keeps answering and READY=1 follows RELOADING=1
            assert f'token: "{ops_kit.token}"' in good
            path.write_text(good.replace(f'token: "{ops_kit.token}"',
                                         f'token_file: "{tmp_path}/no-such-token"'),
                            encoding="utf-8")
            os.kill(os.getpid(), signal.SIGHUP)
            seen = await _next_message(sock, "READY=1")
            assert any(m.startswith("RELOADING=1\nMONOTONIC_USEC=") for m in seen)
            assert "reload refused, old configuration kept" in seen[-1]
            assert "http.token_file" in seen[-1] and "cannot read the token file" in seen[-1]
            assert sd.daemon.config is old_config
            reader, writer = await asyncio.open_connection("127.0.0.1", sd.http_port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert (await reader.read()).startswith(b"HTTP/1.1 200")
            writer.close()

            # SIGHUP with a good new file: applied (supervision settings, fault targets)
            path.write_text(good.replace("misses: 2", "misses: 4")
                            .replace("targets: {issis: [1003]}", "targets: {issis: [1009]}"),
                            encoding="utf-8")
            os.kill(os.getpid(), signal.SIGHUP)
            seen = await _next_message(sock, "configuration reloaded")
            assert sd.daemon.config.supervision.misses == 4
            assert sd.ops.supervisor.misses == 4
            assert [t.issi for t in sd.ops.faults.targets] == [1009]

            # supervision stalls: the watchdog pings stop, with a status saying why
            for task in sd.ops.supervisor._tasks.values():
                task.cancel()
            seen = await _next_message(sock, "STATUS=unhealthy")
            assert "supervision of radio primary stopped" in seen[-1]
            _messages(sock)
            pings = sd.ops.watchdog.pings
            await asyncio.sleep(0.6)  # three watchdog periods of silence under test
            assert sd.ops.watchdog.pings == pings
            assert "WATCHDOG=1" not in _messages(sock)
        # the daemon stopped (SIGTERM does the same through request_stop)
        rest = _messages(sock)
        assert any(m.startswith("STOPPING=1") for m in rest)

    asyncio.run(main())


def test_scheduled_test_alarm_reaches_the_test_radio_or_raises_a_fault(
    tmp_path: Path, ops_kit: Any
) -> None:
    seed = 202
    # the built-in hospital as it is: the test receiver 1009 is a PEI radio with no host
    # attached, so the radio shows the test alarm on its display and its MT reports
    # "received" itself
    scenario = "hospital"
    path = tmp_path / "alarm.yaml"
    path.write_text(ops_kit.config_text(tmp_path, seed=seed, scenario=scenario),
                    encoding="utf-8")

    async def main() -> None:
        async with ops_kit.running(path, seed=seed, scenario=scenario) as sd:
            ops = sd.ops
            # the schedule's probe, run now: the test radio 1009 gets it and reports
            outcome = await ops._run_test_alarm("TEST", 20)
            assert outcome.ok, outcome.detail
            assert outcome.detail == "received by 1009"
            texts = [e.get("text", "") for e in sd.log("sds_submitted", to=1009)]
            assert any(t.startswith("TEST TESTALARM") for t in texts)
            assert [e["delivery_status"] for e in sd.log("report", by="mt")][:1] == [0x00]
            # the test radio is switched off: no receipt -> a fault
            sd.fault(1009, "switch_off")
            sched = TestAlarmScheduler(
                [parse_time_of_day("07:00")], answer_timeout=3,
                probe=lambda t: ops._run_test_alarm("TEST", t), faults=ops.faults,
            )
            outcome = await sched.run_once()
            assert not outcome.ok
            assert "no receipt within 3 s from 1009" in outcome.detail
            assert (FaultKind.TEST_ALARM, "scheduled test alarm") in ops.faults.active
            assert sd.ops.supervisor.state("primary") is LinkState.HEALTHY

    asyncio.run(main())


def test_sigterm_subprocess_ready_then_clean_stop(
    tmp_path: Path, ops_kit: Any, notify_env: tuple[socket.socket, Any]
) -> None:
    """``tetrakit alarm run`` as systemd starts it: READY=1, then SIGTERM -> STOPPING=1, exit 0."""
    sock, env = notify_env
    sock.setblocking(True)
    sock.settimeout(30)
    path = tmp_path / "alarm.yaml"
    path.write_text(ops_kit.config_text(tmp_path, seed=203), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tetrakit", "alarm", "run", str(path)],
        env=dict(env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        got: list[str] = []
        while not any(m.startswith("READY=1") for m in got):
            got.append(sock.recv(4096).decode())
        # a trigger through the journal, then SIGTERM: it must be on disk after the stop
        out = subprocess.run(
            [sys.executable, "-m", "tetrakit", "alarm", "trigger", "-c", str(path), "B3-312"],
            capture_output=True, text=True, timeout=30, env=dict(env),
        )
        assert out.returncode == 0, out.stderr
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(timeout=30)
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        assert rc == 0, stderr
        while not any(m.startswith("STOPPING=1") for m in got):
            got.append(sock.recv(4096).decode())
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:
        kinds = [k for (k,) in db.execute("SELECT kind FROM events WHERE alarm_id = 'A1'")]
    assert "raised" in kinds and "send" in kinds
