"""Alarm storm: 100 alarms at once, 8 recipients each, against the simulator.

Run by hand::

    .venv/bin/python benchmarks/alarm_storm.py [--alarms 100] [--recipients 8] [--rate 50]

The whole daemon runs in this process (controller, SQLite journal with
synchronous=FULL, dispatcher, radio session over a ``tetrasim://`` port,
supervision, fault alarms, positions) against a simulated world on the real
clock: one PEI radio and ``--recipients`` handhelds in one team, a network
that puts at most ``--rate`` SDS per second on the air (the simulator's
``rate_limit``, exact: one air slot every 1/rate seconds).  All alarms are
triggered at once (one ``asyncio.gather``), each for the whole team, by alarm
type with its own location so that none is a duplicate.

Checked: every alarm was journaled and dispatched, every (alarm, recipient)
call-out went on the air exactly once, none failed, no send key was created
twice.  Measured on the simulator's clock: the time from the triggers to the
last call-out on the air, against the minimum the network's SDS rate allows
for those call-outs (``alarms x recipients / rate``), printed as a ratio
(target: within 1.1x).  The handhelds' own SDS-TL "received" reports share
the air with the call-outs; the air slots they took before the last call-out
are printed too, with the ratio against the minimum for all slots used.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from firmware_sim import registry
from firmware_sim.hosting import ThreadedHost
from tetrakit.alarm.daemon import Daemon

SCENARIO = """\
name: storm
seed: 7
network:
  mcc: 901
  mnc: 16383
  location_area: 1
  latency: 0.05
  jitter: 0
  rate_limit: {rate}
  max_queue_delay: 3600
  group_reports: true
site: {{lat: 62.4645, lon: 6.3450, radius: 50}}
radios:
  - {{issi: 1001, name: controller, profile: generic}}
members:
{members}
faults: []
"""

CONFIG = """\
site: {{name: storm bench}}
radios:
  - {{id: primary, port: "tetrasim://{scenario}?issi=1001", vendor: generic, issi: 1001}}
teams:
  - id: storm
    name: Storm team
    members:
{team}
alarm_types:
  - code: STORM
    label: HJERTESTANS
    priority: high
    targets: {{teams: [storm]}}
    required_accepts: {recipients}
    repeat_interval: 3600
    group_repeats: 0
    expire_after: 7200
duplicate_window: 0
journal: {tmp}/journal.sqlite3
control_socket: {tmp}/ctl.sock
supervision: {{interval: 10, misses: 3}}
fault_alarm: {{targets: {{issis: [3001]}}}}
http: {{listen: null}}
"""


def _write_files(tmp: Path, alarms: int, recipients: int, rate: float) -> tuple[Path, Path]:
    issis = [3001 + i for i in range(recipients)]
    members = "\n".join(
        f"  - {{issi: {i}, name: member {i}, behaviour: {{answer: none}}}}" for i in issis
    )
    scenario = tmp / "storm.yaml"
    scenario.write_text(SCENARIO.format(rate=rate, members=members), encoding="utf-8")
    team = "\n".join(f"      - {{issi: {i}, name: member {i}}}" for i in issis)
    config = tmp / "alarm.yaml"
    config.write_text(
        CONFIG.format(scenario=scenario, team=team, recipients=recipients, tmp=tmp),
        encoding="utf-8",
    )
    return scenario, config


async def _storm(config: Path, scenario: Path, alarms: int, recipients: int, rate: float,
                 timeout: float) -> dict[str, Any]:
    daemon = Daemon(config)
    task = asyncio.create_task(daemon.run())
    try:
        async with asyncio.timeout(30):
            while daemon.ops is None or not daemon.ops.readiness()[0]:
                if task.done():
                    task.result()
                await asyncio.sleep(0.05)  # start-up only
        world = registry.get(str(scenario))
        assert world is not None and daemon.controller is not None
        host = next(e.host for e in registry._worlds.values() if e.host.world is world)
        assert isinstance(host, ThreadedHost)  # the real clock: the world runs in a thread
        done = asyncio.Event()
        loop = asyncio.get_running_loop()
        expected = alarms * recipients
        callout_ids: dict[int, tuple[str, int]] = {}  # world SDS id -> (alarm id, recipient)
        on_air: dict[int, float] = {}  # world SDS id of a call-out -> time it went on the air

        def on_log(entry: dict[str, Any]) -> None:
            # runs in the simulator's thread, once per entry: no rescans of the log
            if entry["event"] == "sds_submitted":
                tag = str(entry.get("text", "")).rpartition("#")[2]
                if tag.startswith("A"):
                    callout_ids[entry["id"]] = (tag, entry["to"])
            elif entry["event"] == "sds_sent" and entry["id"] in callout_ids:
                on_air[entry["id"]] = entry["t"]
                if len(on_air) >= expected:
                    loop.call_soon_threadsafe(done.set)

        with host.cond:
            world.log.subscribe(on_log)
            t0 = world.now
        wall0 = time.perf_counter()
        replies = await asyncio.gather(*(
            daemon.controller.trigger(alarm_type="STORM", location=f"rom {n}", source="storm")
            for n in range(alarms)
        ))
        wall_journaled = time.perf_counter() - wall0
        ids = {r.alarm_id for r in replies}
        async with asyncio.timeout(timeout):
            await done.wait()
        with host.cond:
            got = {i: callout_ids[i] for i in on_air if callout_ids[i][0] in ids}
            t_last = max(on_air[i] for i in got)
            slots = [e for e in world.log.find("sds_sent") if t0 <= e["t"] <= t_last]
            failed = [e for e in world.log.find("sds_failed") if e["t"] >= t0]
        keys = [f.data["key"] for a in ids for f in daemon.controller.engine.alarm(a).timeline
                if f.kind == "send"]
        pairs = set(got.values())
        return {
            "alarms": len(ids),
            "callouts_on_air": len(got),
            "distinct_pairs": len(pairs),
            "send_keys": len(keys),
            "distinct_send_keys": len(set(keys)),
            "failed": len(failed),
            "elapsed": t_last - t0,
            "slots": len(slots),
            "wall_journaled": wall_journaled,
        }
    finally:
        daemon.request_stop()
        await task
        registry.reset()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--alarms", type=int, default=100)
    parser.add_argument("--recipients", type=int, default=8)
    parser.add_argument("--rate", type=float, default=50.0, help="network SDS per second")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="tetrakit-storm-") as tmpdir:
        tmp = Path(tmpdir)
        scenario, config = _write_files(tmp, args.alarms, args.recipients, args.rate)
        r = asyncio.run(_storm(config, scenario, args.alarms, args.recipients, args.rate,
                               args.timeout))
    expected = args.alarms * args.recipients
    minimum = expected / args.rate
    minimum_all = r["slots"] / args.rate
    print(f"alarm storm: {args.alarms} alarms x {args.recipients} recipients "
          f"= {expected} call-outs; network rate {args.rate:g} SDS/s")
    print(f"  all {r['alarms']} alarms journaled in {r['wall_journaled'] * 1000:.1f} ms (wall)")
    print(f"  call-outs on the air: {r['callouts_on_air']} "
          f"(distinct alarm/recipient pairs {r['distinct_pairs']}), failed: {r['failed']}, "
          f"send keys {r['send_keys']} (distinct {r['distinct_send_keys']})")
    print(f"  time to the last call-out on the air: {r['elapsed']:.3f} s")
    print(f"  minimum the SDS rate allows for the call-outs: {minimum:.3f} s "
          f"-> ratio {r['elapsed'] / minimum:.3f}x (target <= 1.1x)")
    print(f"  air slots used until then (call-outs + reports): {r['slots']} "
          f"-> minimum {minimum_all:.3f} s, ratio {r['elapsed'] / minimum_all:.3f}x")
    ok = (r["callouts_on_air"] == expected and r["distinct_pairs"] == expected
          and r["failed"] == 0 and r["send_keys"] == r["distinct_send_keys"] == expected)
    print("  all dispatched, none lost, none doubled" if ok else "  PROBLEM: see the counts")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
