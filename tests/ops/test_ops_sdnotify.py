"""sd_notify and the watchdog, with a unix datagram socket as $NOTIFY_SOCKET."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tetrakit.alarm.sdnotify import SdNotifier, Watchdog, watchdog_interval


@pytest.fixture
def notify_socket(tmp_path: Path) -> Iterator[tuple[str, socket.socket]]:
    path = str(tmp_path / "notify.sock")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(5)
    yield path, sock
    sock.close()


def _drain(sock: socket.socket) -> list[str]:
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(5)
    return out


def test_messages_reach_the_socket(notify_socket: tuple[str, socket.socket]) -> None:
    path, sock = notify_socket
    n = SdNotifier(path)
    assert n.enabled
    assert n.ready("2 radios, journal open")
    assert sock.recv(4096) == b"READY=1\nSTATUS=2 radios, journal open"
    n.status("radio primary\nfaulty")
    assert sock.recv(4096) == b"STATUS=radio primary faulty"
    n.watchdog()
    assert sock.recv(4096) == b"WATCHDOG=1"
    n.reloading()
    lines = sock.recv(4096).decode().split("\n")
    assert lines[0] == "RELOADING=1" and lines[1].startswith("MONOTONIC_USEC=")
    assert abs(int(lines[1].split("=")[1]) / 1e6 - time.monotonic()) < 60
    n.stopping("shutting down")
    assert sock.recv(4096) == b"STOPPING=1\nSTATUS=shutting down"
    n.close()


def test_abstract_socket_address() -> None:
    name = f"tetrakit-test-{os.getpid()}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind("\0" + name)
    sock.settimeout(5)
    try:
        SdNotifier("@" + name).ready()
        assert sock.recv(100) == b"READY=1"
    finally:
        sock.close()


def test_disabled_without_socket_and_failures_are_not_fatal(tmp_path: Path) -> None:
    assert not SdNotifier("").ready()
    gone = SdNotifier(str(tmp_path / "nobody-listens"))
    assert gone.enabled and not gone.watchdog()


def test_watchdog_interval_from_environment() -> None:
    assert watchdog_interval({}) is None
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}) == 30.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    mine = {"WATCHDOG_USEC": "5000000", "WATCHDOG_PID": str(os.getpid())}
    assert watchdog_interval(mine) == 5.0
    assert watchdog_interval({"WATCHDOG_USEC": "soon"}) is None


def test_pings_only_while_every_check_passes(notify_socket: tuple[str, socket.socket]) -> None:
    path, sock = notify_socket
    healthy = {"supervision": True}
    dog = Watchdog(
        SdNotifier(path),
        30.0,
        [lambda: (True, "ok"), lambda: (healthy["supervision"], "supervision stalled")],
    )
    assert dog.tick()
    assert _drain(sock) == ["WATCHDOG=1"]
    healthy["supervision"] = False
    assert not dog.tick() and not dog.tick()
    # one status line saying why, no pings
    assert _drain(sock) == ["STATUS=unhealthy: supervision stalled"]
    healthy["supervision"] = True
    assert dog.tick()
    assert _drain(sock) == ["STATUS=running", "WATCHDOG=1"]

    def crashing() -> tuple[bool, str]:
        raise RuntimeError("bug")

    dog.checks.append(crashing)
    assert not dog.tick()
    assert "health check raised" in _drain(sock)[0]


def test_pings_come_from_the_loop_so_a_stalled_loop_sends_none(
    notify_socket: tuple[str, socket.socket],
) -> None:
    path, sock = notify_socket
    dog = Watchdog(SdNotifier(path), 0.2)  # a ping every 0.1 s

    async def main() -> None:
        dog.start()
        await asyncio.sleep(0)
        assert sock.recv(100) == b"WATCHDOG=1"  # first ping at once
        _drain(sock)
        before = dog.pings
        time.sleep(0.5)  # the stall under test: the loop is blocked, not waiting
        assert dog.pings == before
        assert _drain(sock) == []
        await dog.stop()

    asyncio.run(main())
