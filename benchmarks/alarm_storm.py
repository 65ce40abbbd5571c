"""Alarm storm: 100 alarms at once, 8 recipients each, against the simulator.

Run by hand::

    .venv/bin/python benchmarks/alarm_storm.py [--alarms 100] [--recipients 8] [--rate 50]
        [--network-rate R] [--profile]

The whole daemon runs in this process (controller, SQLite journal with
synchronous=FULL, dispatcher, radio session over a ``tetrasim://`` port,
supervision, fault alarms, positions) against a simulated world on the real
clock: one PEI radio (the controller's) that puts at most ``--rate`` SDS per
second on the air (its ``sds_rate``: exactly one uplink slot every 1/rate
seconds) and ``--recipients`` handhelds in one team, on a network that
carries ``--network-rate`` SDS per second in all (default ten times the
radio's rate, so that the team's own "received" and "consumed" reports do not
slow the controller's radio down).  All alarms are triggered at once (one
``asyncio.gather``), each for the whole team, by alarm type with its own
location so that none is a duplicate.

Checked: every alarm was journaled and dispatched, every (alarm, recipient)
call-out went on the air exactly once, none failed, no send key was created
twice.  Measured on the simulator's clock: the time from the storm's start
(the triggers) to the last call-out "sent" on the air, against the minimum
the controller radio's uplink rate allows for the ``n = alarms x recipients``
call-outs: ``(n - 1) / rate``.  The radio can put the first call-out on the
air at the storm's start at the earliest and needs ``1/rate`` between one
call-out and the next, so the last one cannot leave before ``(n - 1) / rate``;
``n / rate`` would credit the controller with a slot it never had.  The ratio
is printed (target: within 1.1x).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import logging
import pstats
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
  rate_limit: {network_rate}
  max_queue_delay: 3600
  group_reports: true
site: {{lat: 62.4645, lon: 6.3450, radius: 50}}
radios:
  - {{issi: 1001, name: controller, profile: generic, sds_rate: {rate}}}
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


def _write_files(tmp: Path, alarms: int, recipients: int, rate: float,
                 network_rate: float) -> tuple[Path, Path]:
    issis = [3001 + i for i in range(recipients)]
    members = "\n".join(
        f"  - {{issi: {i}, name: member {i}, behaviour: {{answer: none}}}}" for i in issis
    )
    scenario = tmp / "storm.yaml"
    scenario.write_text(SCENARIO.format(rate=rate, network_rate=network_rate, members=members),
                        encoding="utf-8")
    team = "\n".join(f"      - {{issi: {i}, name: member {i}}}" for i in issis)
    config = tmp / "alarm.yaml"
    config.write_text(
        CONFIG.format(scenario=scenario, team=team, recipients=recipients, tmp=tmp),
        encoding="utf-8",
    )
    return scenario, config


async def _storm(config: Path, scenario: Path, alarms: int, recipients: int,
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
            minimum = world.terminal(1001).min_duration(expected)
        engine = daemon.controller.engine
        keys = [f.data["key"] for a in ids for f in engine.alarm(a).timeline if f.kind == "send"]
        # "sent" is journaled when the radio reports +CMGS status 4 (up to the profile's delay)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(30):
                while sum(1 for a in ids for s in engine.alarm(a).sends.values()
                          if s.state.value == "sent") < expected:
                    await asyncio.sleep(0.1)  # polls a count for the report; not a sync point
        sends_sent = sum(1 for a in ids for s in engine.alarm(a).sends.values()
                         if s.state.value == "sent")
        pairs = set(got.values())
        return {
            "alarms": len(ids),
            "callouts_on_air": len(got),
            "distinct_pairs": len(pairs),
            "send_keys": len(keys),
            "distinct_send_keys": len(set(keys)),
            "failed": len(failed),
            "elapsed": t_last - t0,
            "first": min(on_air[i] for i in got) - t0,
            "minimum": minimum,
            "sends_sent": sends_sent,
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
    parser.add_argument("--rate", type=float, default=50.0,
                        help="SDS per second the controller's radio puts on the air")
    parser.add_argument("--network-rate", type=float, default=None,
                        help="SDS per second the whole network carries (default 10 x --rate)")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--profile", action="store_true",
                        help="run the event loop under cProfile and print the top functions")
    args = parser.parse_args(argv)
    network_rate = args.network_rate if args.network_rate is not None else 10 * args.rate
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="tetrakit-storm-") as tmpdir:
        tmp = Path(tmpdir)
        scenario, config = _write_files(tmp, args.alarms, args.recipients, args.rate,
                                        network_rate)
        storm = _storm(config, scenario, args.alarms, args.recipients, args.timeout)
        if args.profile:
            profiler = cProfile.Profile()
            r = profiler.runcall(asyncio.run, storm)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        else:
            r = asyncio.run(storm)
    expected = args.alarms * args.recipients
    minimum = r["minimum"]
    print(f"alarm storm: {args.alarms} alarms x {args.recipients} recipients "
          f"= {expected} call-outs; controller radio {args.rate:g} SDS/s, "
          f"network {network_rate:g} SDS/s")
    print(f"  all {r['alarms']} alarms journaled in {r['wall_journaled'] * 1000:.1f} ms (wall)")
    print(f"  call-outs on the air: {r['callouts_on_air']} "
          f"(distinct alarm/recipient pairs {r['distinct_pairs']}), failed: {r['failed']}, "
          f"send keys {r['send_keys']} (distinct {r['distinct_send_keys']}), "
          f"sends in state sent {r['sends_sent']}")
    print(f"  first call-out on the air {r['first'] * 1000:.1f} ms after the storm's start")
    print(f"  time to the last call-out on the air: {r['elapsed']:.3f} s")
    print(f"  minimum the radio's rate allows, (n-1)/rate: {minimum:.3f} s "
          f"-> ratio {r['elapsed'] / minimum:.3f}x (target <= 1.1x)")
    print(f"  SDS on the network until then (call-outs + reports): {r['slots']}")
    ok = (r["callouts_on_air"] == expected and r["distinct_pairs"] == expected
          and r["failed"] == 0 and r["send_keys"] == r["distinct_send_keys"] == expected
          and r["sends_sent"] == expected)
    print("  all dispatched, none lost, none twice" if ok else "  PROBLEM: see the counts")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
