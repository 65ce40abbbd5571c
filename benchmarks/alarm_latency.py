"""Alarm latency: from a trigger to the last byte of the first AT+CMGS at the radio's pty.

Run by hand::

    .venv/bin/python benchmarks/alarm_latency.py [--triggers 500] [--baudrate 38400]

The controller (engine, SQLite journal in WAL mode with synchronous=FULL,
dispatcher, radio session and transport, all real) runs in this process with
its radio on the slave side of a pty.  A minimal scripted radio reads the
master side in a thread: it answers every command with ``OK`` and ``AT+CMGS``
with ``+CMGS: <n>`` / ``OK`` and, a moment later, ``+CMGS: <n>,4,<ref>``.  For
each trigger the time runs from just before ``Controller.trigger`` (so the
journal commit is included) to the moment the thread reads the Ctrl-Z that
ends that alarm's first ``AT+CMGS``.

Beside it the serial wire time of the same bytes at the configured baud rate
is printed as the floor a real radio link cannot beat (8N1: 10 bits per byte);
a pty has no baud rate, so the measured figure is the software's own cost.
Target (issue 6): p99 under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import statistics
import sys
import tempfile
import threading
import time
import tty
from pathlib import Path

from tetrakit.alarm.config import parse_config
from tetrakit.alarm.controller import Controller
from tetrakit.alarm.dispatcher import StaticRadioPool
from tetrakit.alarm.journal import Journal
from tetrakit.alarm.radios import AsyncRadioLink

CONFIG = """\
radios:
  - {{id: bench, port: "{port}", baudrate: {baud}, vendor: generic, issi: 1001}}
alarm_types:
  - code: BENCH
    label: HJERTESTANS
    priority: high
    targets: {{issis: [2001]}}
    repeat_interval: 600
duplicate_window: 0
http: {{listen: null}}
"""


class ScriptedRadio(threading.Thread):
    """Reads the master side of the pty; answers like a radio; timestamps each AT+CMGS."""

    def __init__(self, fd: int) -> None:
        super().__init__(daemon=True, name="scripted-radio")
        self.fd = fd
        self.cmgs_at: dict[str, float] = {}  # alarm id -> perf_counter at its Ctrl-Z
        self.cmgs_bytes: dict[str, int] = {}  # alarm id -> bytes of that AT+CMGS
        self.preceding: dict[str, int] = {}  # alarm id -> bytes written since the previous CMGS
        self.cond = threading.Condition()
        self._instance = 0
        self._since_last = 0

    def run(self) -> None:
        buf = bytearray()
        while True:
            try:
                chunk = os.read(self.fd, 4096)
            except OSError:
                return
            now = time.perf_counter()
            if not chunk:
                return
            buf += chunk
            self._since_last += len(chunk)
            while True:
                head = bytes(buf[:8]).upper()
                if head.startswith(b"AT+CMGS=") and b"\r\n" in buf:
                    end = buf.find(b"\x1a")
                    if end < 0:
                        break
                    cmd = bytes(buf[: end + 1])
                    del buf[: end + 1]
                    self._cmgs(cmd, now)
                    continue
                end = buf.find(b"\r")
                if end < 0:
                    break
                line = bytes(buf[:end]).strip()
                del buf[: end + 1]
                if buf[:1] == b"\n":
                    del buf[:1]
                if line:
                    os.write(self.fd, b"\r\nOK\r\n")

    def _cmgs(self, cmd: bytes, now: float) -> None:
        _, _, rest = cmd.partition(b"\r\n")
        hex_text = rest.rstrip(b"\x1a").decode("ascii")
        text = bytes.fromhex(hex_text[: len(hex_text) // 2 * 2]).decode("latin-1")
        m = re.search(r"#(A\d+)", text)
        self._instance += 1
        inst = self._instance
        ref = int(hex_text[4:6], 16) if len(hex_text) >= 6 else 0
        os.write(self.fd, f"\r\n+CMGS: {inst}\r\n\r\nOK\r\n".encode())
        os.write(self.fd, f"\r\n+CMGS: {inst},4,{ref}\r\n".encode())
        if m is None:
            return
        with self.cond:
            alarm_id = m.group(1)
            if alarm_id not in self.cmgs_at:
                self.cmgs_at[alarm_id] = now
                self.cmgs_bytes[alarm_id] = len(cmd)
                self.preceding[alarm_id] = self._since_last
            self._since_last = 0
            self.cond.notify_all()


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


async def bench(triggers: int, baud: int, synchronous: str, folder: str | None) -> None:
    master, slave = os.openpty()
    tty.setraw(master)
    tty.setraw(slave)
    port = os.ttyname(slave)
    radio_thread = ScriptedRadio(master)
    radio_thread.start()
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        cfg = parse_config(CONFIG.format(port=port, baud=baud), file="bench.yaml", base=Path(tmp))
        journal = Journal(cfg.journal, synchronous=synchronous)
        links: list[AsyncRadioLink] = []
        pool = StaticRadioPool(links)
        controller: Controller
        link = AsyncRadioLink(cfg.radios[0], lambda msg: controller.incoming(msg),
                              on_health_changed=pool.notify_changed)
        links.append(link)
        pool.radios = [link]
        controller = Controller(cfg, journal, pool)
        await controller.start()
        await link.start()
        await link.radio.wait_ready(10)

        loop = asyncio.get_running_loop()
        latencies: list[float] = []
        commits: list[float] = []
        for _ in range(triggers):
            t0 = time.perf_counter()
            reply = await controller.trigger(alarm_type="BENCH", location="B3 rom 312",
                                             source="bench")
            commits.append(time.perf_counter() - t0)

            def seen(alarm_id: str = reply.alarm_id) -> bool:
                with radio_thread.cond:
                    return radio_thread.cond.wait_for(
                        lambda: alarm_id in radio_thread.cmgs_at, timeout=5)

            if not await loop.run_in_executor(None, seen):
                raise SystemExit(f"no AT+CMGS for {reply.alarm_id} within 5 s")
            latencies.append(radio_thread.cmgs_at[reply.alarm_id] - t0)
        await controller.stop()
        await link.close()
        journal.close()
    os.close(slave)
    os.close(master)

    cmgs = statistics.median(radio_thread.cmgs_bytes.values())
    before = statistics.median(radio_thread.preceding.values())
    wire_cmgs = cmgs * 10 / baud
    wire_all = before * 10 / baud
    ms = 1000.0
    print(f"alarm latency, trigger -> last byte of the first AT+CMGS at the radio pty "
          f"({triggers} triggers, journal synchronous={synchronous} in {folder or 'TMPDIR'})")
    print(f"  p50 {percentile(latencies, 50) * ms:7.2f} ms   "
          f"p99 {percentile(latencies, 99) * ms:7.2f} ms   "
          f"max {max(latencies) * ms:7.2f} ms   (target p99 < 20 ms)")
    print(f"  journal commit alone: p50 {percentile(commits, 50) * ms:6.2f} ms   "
          f"p99 {percentile(commits, 99) * ms:6.2f} ms")
    print(f"  wire floor at {baud} baud 8N1: AT+CMGS {cmgs:.0f} bytes = {wire_cmgs * ms:.2f} ms; "
          f"all bytes written for the alarm ({before:.0f}, incl. AT+CTSDS) = "
          f"{wire_all * ms:.2f} ms")
    print(f"  p50 / wire floor (all bytes) = {percentile(latencies, 50) / wire_all:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triggers", type=int, default=500)
    ap.add_argument("--baudrate", type=int, default=38400)
    ap.add_argument("--synchronous", choices=("FULL", "NORMAL"), default="FULL")
    ap.add_argument("--dir", default=None,
                    help="folder for the journal (default: the system temp folder); put it "
                         "on the disk the daemon will use, since fsync costs differ")
    args = ap.parse_args()
    if sys.platform == "win32":
        raise SystemExit("needs a POSIX pty")
    logging.basicConfig(level=logging.ERROR)
    asyncio.run(bench(args.triggers, args.baudrate, args.synchronous, args.dir))


if __name__ == "__main__":
    main()
