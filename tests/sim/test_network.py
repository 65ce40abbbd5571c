"""The simulated SwMI: delivery, failure reports, latency and the exact rate limit."""

from __future__ import annotations

import random

import pytest

from firmware_sim.air import AirSds
from firmware_sim.clock import VirtualClock
from firmware_sim.network import Network, NetworkConfig
from firmware_sim.scenario import parse_scenario
from firmware_sim.world import World
from firmware_sim.worldlog import WorldLog

from .helpers import SMALL, Pei, quiet, small_world


def test_text_with_report_request_to_switched_off_member_gets_4b() -> None:
    world = small_world()
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    world.member(2001).set_power(False)
    # text "x", MR 9, receipt report requested (vector T3)
    assert p.send("AT+CMGS=2001,40\r\n8204090178\x1a") == ["+CMGS: 0", "OK"]
    out = p.wait(5)
    # status 4 (sent over the air) although the destination is off, then the SwMI's report
    assert out == ["+CTSDSR: 12,2001,0,1001,0,32", "82104B09", "+CMGS: 0,4,9"]
    failed = world.log.find("sds_failed", to=2001)
    assert failed[0]["reason"] == "not_registered"


def test_out_of_coverage_member_gets_5a_and_unknown_destination_45() -> None:
    world = small_world()
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    world.member(2001).set_coverage(False)
    p.send("AT+CMGS=2001,40\r\n8204090178\x1a")
    assert "82105A09" in p.wait(5)
    p.send("AT+CMGS=4444,40\r\n82040A0178\x1a")
    assert "8210450A" in p.wait(5)


def test_no_report_without_request() -> None:
    world = small_world()
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    world.member(2001).set_power(False)
    p.send("AT+CMGS=2001,40\r\n8200090178\x1a")
    assert p.wait(5) == ["+CMGS: 0,4,9"]


def test_latency_is_applied() -> None:
    world = small_world()
    a, b = Pei(world, 1003), Pei(world, 1001)
    quiet(a)
    quiet(b)
    b.cmd("AT+CTSP=1,3,130")
    a.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert b.wait(0.24) == []
    assert b.wait(0.02) == ["+CTSDSR: 12,1003,0,1001,0,32", "82100009"]


def _network(**kw: object) -> tuple[Network, VirtualClock]:
    clock = VirtualClock()
    return Network(NetworkConfig(**kw), clock, WorldLog(), random.Random(1)), clock  # type: ignore[arg-type]


def test_rate_limit_is_exact_and_queryable() -> None:
    net, clock = _network(rate_limit=4.0, latency=0.0)
    sent: list[float] = []
    for i in range(9):
        net.submit(AirSds(1, 2, 12, b"\x82\x10\x00" + bytes([i]), 32),
                   lambda ok: sent.append(clock.now))
    clock.advance(10)
    assert sent == [i * 0.25 for i in range(9)]
    assert net.rate_limit == 4.0
    assert net.min_duration(9) == pytest.approx(sent[-1] - sent[0]) == 2.0
    assert net.min_duration(1) == 0.0
    # the limit is a minimum spacing, not a burst allowance: after idling it starts fresh
    clock.advance(5)
    t0 = clock.now
    net.submit(AirSds(1, 2, 12, b"\x82\x10\x00\x00", 32), lambda ok: sent.append(clock.now))
    clock.advance(1)
    assert sent[-1] == t0


def test_unlimited_network_sends_at_once() -> None:
    net, clock = _network(latency=0.0)
    assert net.min_duration(100) == 0.0
    sent: list[float] = []
    for _ in range(5):
        net.submit(AirSds(1, 2, 13, b"\x80\x01", 16), lambda ok: sent.append(clock.now))
    clock.advance(0)
    assert sent == [0.0] * 5


def test_congestion_refuses_with_status_5() -> None:
    # a radio that can send faster than the network carries (its own rate is no limit here)
    world = World(parse_scenario(SMALL.replace(
        "{issi: 1003, profile: generic}", "{issi: 1003, profile: generic, sds_rate: 1000}"),
        "small.yaml"))
    # 20 SDS/s and at most 0.1 s of queueing: the 4th SDS in a burst is refused
    world.network.config = type(world.network.config)(
        latency=0.25, rate_limit=20, max_queue_delay=0.1)
    p = Pei(world, 1003)
    quiet(p)
    for i in range(4):
        p.send(f"AT+CMGS=1001,32\r\n821000{i:02X}\x1a")
    out = p.wait(2)
    assert sorted(out) == ["+CMGS: 0,4,0", "+CMGS: 1,4,1", "+CMGS: 2,4,2", "+CMGS: 3,5,3"]
    assert world.log.find("sds_failed", reason="congestion")


def test_group_sds_reaches_every_registered_member_but_not_the_sender() -> None:
    world = small_world("""
  - {issi: 2002, groups: [9100], behaviour: {answer: none}}
  - {issi: 2003, groups: [9100], behaviour: {answer: none}, powered: false}
""")
    world.network.join(9100, 1003)
    p = Pei(world, 1003)
    quiet(p)
    p.send("AT+CMGS=9100,40\r\n8200090178\x1a")
    world.advance(1)
    delivered = sorted(e["to"] for e in world.log.find("sds_delivered", id=1))
    assert delivered == [2001, 2002]
    assert world.log.find("sds_not_delivered", id=1, to=2003)[0]["reason"] == "not_registered"


def test_group_reports_off_gives_one_0x05_report() -> None:
    world = small_world()
    world.network.config = type(world.network.config)(latency=0.25, group_reports=False)
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    p.send("AT+CMGS=9100,40\r\n820C090178\x1a")
    out = p.wait(2)
    assert out.count("82100509") == 1
    assert "82100009" not in out  # members do not report on their own
