"""A PEI radio's own uplink rate, and the SDS-TL reports an MT sends for what it displays."""

from __future__ import annotations

from dataclasses import replace

import pytest

from firmware_sim.scenario import parse_scenario
from firmware_sim.world import World
from tetrakit import sds
from tetrakit.errors import ConfigError

from .helpers import SMALL, Pei, quiet

FAST_NET = SMALL.replace("rate_limit: 20", "rate_limit: 1000")


def _callout(to: int, mr: int, text: str = "HJERTESTANS rom 12") -> str:
    pdu = sds.text_message(text, message_reference=mr,
                           report=sds.DeliveryReportRequest.RECEIVED_AND_CONSUMED)
    data, bits = sds.encode(pdu)
    return f"AT+CMGS={to},{bits}\r\n{data.hex().upper()[: (bits + 3) // 4]}\x1a"


def test_radio_uplink_slots_are_exact_and_queryable() -> None:
    world = World(parse_scenario(FAST_NET.replace(
        "{issi: 1003, profile: generic}", "{issi: 1003, profile: generic, sds_rate: 4}"),
        "small.yaml"))
    term = world.terminal(1003)
    assert term.sds_rate == 4.0
    assert term.min_duration(9) == 2.0 and term.min_duration(1) == 0.0
    p = Pei(world, 1003)
    quiet(p)
    t0 = world.now
    for i in range(9):
        assert p.send(f"AT+CMGS=2001,32\r\n821000{i:02X}\x1a")[-1] == "OK"
    world.advance(5)
    sent = [e["t"] for e in world.log.find("sds_sent") if e["from"] == 1003]
    # the first leaves at once, the others exactly 1/rate apart: the network (1000/s) adds nothing
    assert sent == [pytest.approx(t0 + i * 0.25, abs=1e-9) for i in range(9)]
    assert sent[-1] - sent[0] == pytest.approx(term.min_duration(9), abs=1e-9)
    # after idling the radio starts fresh: no burst allowance, no backlog
    world.advance(10)
    t1 = world.now
    p.send("AT+CMGS=2001,32\r\n82100055\x1a")
    world.advance(1)
    assert [e["t"] for e in world.log.find("sds_sent") if e["from"] == 1003][-1] == t1


def test_uplink_rate_defaults_to_the_profile_then_to_the_network() -> None:
    world = World(parse_scenario(FAST_NET, "small.yaml"))
    assert world.terminal(1001).sds_rate == 10.0  # shipped profiles say 10 [unverified]
    scenario = parse_scenario(FAST_NET, "small.yaml")
    bare = tuple(replace(r, profile=replace(r.profile, sds_rate=None)) for r in scenario.radios)
    world = World(replace(scenario, radios=bare))
    assert world.terminal(1001).sds_rate == 1000.0  # no figure of its own: the network's


def test_sds_rate_is_validated_with_its_key_path() -> None:
    text = SMALL.replace("{issi: 1003, profile: generic}", "{issi: 1003, sds_rate: 0}")
    with pytest.raises(ConfigError) as err:
        parse_scenario(text, "small.yaml")
    assert "radios[2].sds_rate" in str(err.value) and "positive" in str(err.value)
    text = SMALL.replace("profile: generic}", "profile: {base: generic, sds_rate: -1}}")
    with pytest.raises(ConfigError, match=r"sds_rate.*positive"):
        parse_scenario(text, "small.yaml")


def test_radio_queue_is_lost_on_reboot() -> None:
    world = World(parse_scenario(FAST_NET.replace(
        "{issi: 1003, profile: generic}", "{issi: 1003, profile: generic, sds_rate: 1}"),
        "small.yaml"))
    p = Pei(world, 1003)
    quiet(p)
    for i in range(3):
        p.send(f"AT+CMGS=2001,32\r\n821000{i:02X}\x1a")
    world.advance(0.5)
    world.terminal(1003).reboot(5)
    world.advance(10)
    assert len([e for e in world.log.find("sds_sent") if e["from"] == 1003]) == 1


def test_hospital_reports_do_not_throttle_the_controller_radio() -> None:
    world = World("hospital", seed=3)
    term = world.terminal(1001)
    assert term.sds_rate is not None and world.network.rate_limit is not None
    # the network carries the radio's call-outs plus two reports and an answer for each
    assert world.network.rate_limit >= 4 * term.sds_rate
    p = Pei(world, 1001)
    quiet(p)
    members = [2001, 2002, 2003, 2004, 2005, 2101, 2102, 2103]
    n = 40
    t0 = world.now
    for i in range(n):
        p.send(_callout(members[i % len(members)], i))
    world.advance(60)
    sent = [e["t"] for e in world.log.find("sds_sent") if e["from"] == 1001]
    assert len(sent) == n
    assert sent[0] == pytest.approx(t0)
    assert len(world.log.find("report", by="member")) >= n  # the team did report meanwhile
    # at most a network slot of delay here and there, never the radio's rate lost
    assert sent[-1] - sent[0] <= term.min_duration(n) + 0.05


def test_mt_reports_received_and_consumed_for_a_text_it_displays() -> None:
    world = World("hospital", seed=5)
    tx, rx = Pei(world, 1003), Pei(world, 1009)
    quiet(tx)
    quiet(rx)
    tx.cmd("AT+CTSP=1,3,130")  # the sender's host takes SDS-TL texts, and so the reports
    tx.send(_callout(1009, 77))
    out = tx.wait(1.5)
    assert "+CTSDSR: 12,1009,0,1003,0,32" in out
    received = sds.decode(bytes.fromhex(out[out.index("+CTSDSR: 12,1009,0,1003,0,32") + 1]), 32)
    assert isinstance(received, sds.SdsReport)
    assert received.message_reference == 77 and int(received.delivery_status) == 0x00
    assert rx.wait(0) == []  # nothing was shown to 1009's host: it registered nothing
    read_after = world.terminal(1009).profile.display_read_delay
    out = tx.wait(read_after + 1)
    consumed = sds.decode(bytes.fromhex(out[out.index("+CTSDSR: 12,1009,0,1003,0,32") + 1]), 32)
    assert isinstance(consumed, sds.SdsReport) and int(consumed.delivery_status) == 0x02
    reports = world.log.find("report", by="mt")
    assert [(r["from"], r["to"], r["mr"], r["delivery_status"]) for r in reports] == [
        (1009, 1003, 77, 0x00), (1009, 1003, 77, 0x02)]


def test_host_reports_when_it_registered_the_protocol() -> None:
    world = World("hospital", seed=5)
    tx, rx = Pei(world, 1003), Pei(world, 1009)
    quiet(tx)
    quiet(rx)
    assert rx.cmd("AT+CTSP=1,3,130") == ["OK"]
    tx.send(_callout(1009, 78))
    shown = rx.wait(1.5)
    assert shown[0].startswith("+CTSDSR: 12,1003,0,1009,0,")
    world.advance(10)
    assert world.log.find("report", by="mt") == []  # the host's job now


def test_mt_sends_no_report_for_what_was_not_asked_or_not_for_it() -> None:
    world = World("hospital", seed=5)
    tx = Pei(world, 1003)
    quiet(tx)
    pdu = sds.text_message("Test", message_reference=9, report=sds.DeliveryReportRequest.NONE)
    data, bits = sds.encode(pdu)
    tx.send(f"AT+CMGS=1009,{bits}\r\n{data.hex().upper()}\x1a")
    world.terminal(1009).set_power(False)
    tx.send(_callout(1009, 10))  # switched off: the SwMI answers, not the MT
    world.advance(10)
    assert world.log.find("report", by="mt") == []
    assert [r["delivery_status"] for r in world.log.find("report", by="swmi")] == [0x4B]
