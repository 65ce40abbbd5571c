"""Delivery failures of the simulated SwMI, as the sending PEI radio prints them.

Each failure kind of EN 300 392-2 Table 29.16 the network produces (not
registered, not reachable, unknown destination, congestion with the message
stored, network overload, unsupported addressing) is checked on the exact
lines the sender's PEI outputs: the ``+CMGS`` status and the SDS-REPORT
``82 10 <status> <MR>`` from the SwMI.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from firmware_sim.network import NetworkConfig
from firmware_sim.scenario import parse_scenario
from firmware_sim.world import World

from .helpers import SMALL, Pei, quiet


def _world(**network: object) -> tuple[World, Pei]:
    """Radio 1003 (generic profile: status 0.5 s after the set result) sends to member 2001.

    Its own uplink rate is high, so that the network's rate limit is what a
    burst runs into.
    """
    world = World(parse_scenario(SMALL.replace(
        "{issi: 1003, profile: generic}", "{issi: 1003, profile: generic, sds_rate: 1000}"),
        "small.yaml"))
    world.network.config = NetworkConfig(latency=0.2, **network)  # type: ignore[arg-type]
    p = Pei(world, 1003)
    quiet(p)
    assert p.cmd("AT+CTSP=1,3,130") == ["OK"]  # SDS-TL text: reports come to the host
    return world, p


def _text_to_2001(mr: int) -> str:
    """Text "x" with MR ``mr``, receipt report requested (PI 0x82, SDS-TRANSFER 0x04)."""
    return f"AT+CMGS=2001,40\r\n8204{mr:02X}0178\x1a"


REPORT_HEADER = "+CTSDSR: 12,2001,0,1003,0,32"


def _split(out: list[str]) -> tuple[list[str], list[str]]:
    """(sorted ``+CMGS`` statuses, report payloads in order); every header is 2001's."""
    statuses = sorted(line for line in out if line.startswith("+CMGS"))
    payloads = [nxt for line, nxt in itertools.pairwise(out) if line == REPORT_HEADER]
    assert len(payloads) == sum(1 for line in out if line.startswith("+CTSDSR"))
    assert len(statuses) + 2 * len(payloads) == len(out)
    return statuses, payloads


@pytest.mark.parametrize(
    ("setup", "status", "reason"),
    [
        (lambda w: w.member(2001).set_power(False), "4B", "not_registered"),
        (lambda w: w.member(2001).set_coverage(False), "5A", "unreachable"),
    ],
    ids=["not_registered", "not_reachable"],
)
def test_individual_failure_report_and_status_4(
    setup: Callable[[World], None], status: str, reason: str
) -> None:
    world, p = _world()
    setup(world)
    assert p.send(_text_to_2001(9)) == ["+CMGS: 0", "OK"]
    # the SwMI's report (two latencies: there and back) says why it was not delivered,
    # although the radio says "sent" over the air (status 4, 0.5 s after the set result)
    assert p.wait(3) == [REPORT_HEADER, f"8210{status}09", "+CMGS: 0,4,9"]
    assert world.log.find("sds_failed", to=2001)[0]["reason"] == reason
    report = world.log.find("report", by="swmi")[0]
    assert (report["delivery_status"], report["mr"]) == (int(status, 16), 9)


def test_unknown_destination_gets_45() -> None:
    world, p = _world()
    assert p.send("AT+CMGS=4444,40\r\n82040A0178\x1a") == ["+CMGS: 0", "OK"]
    assert p.wait(3) == ["+CTSDSR: 12,4444,0,1003,0,32", "8210450A", "+CMGS: 0,4,10"]
    assert world.log.find("sds_failed", to=4444)[0]["reason"] == "unknown_destination"


def test_network_overload_refuses_with_status_5_and_report_40() -> None:
    # 20 SDS/s, at most 0.1 s of queueing: the 4th of a burst would wait 0.15 s
    world, p = _world(rate_limit=20, max_queue_delay=0.1)
    for mr in range(1, 5):
        assert p.send(_text_to_2001(mr))[-1] == "OK"
    # the refusal's report comes first: one latency there, one back
    assert p.wait(0.3) == [REPORT_HEADER, "82104004"]
    statuses, receipts = _split(p.wait(3))
    assert statuses == ["+CMGS: 0,4,1", "+CMGS: 1,4,2", "+CMGS: 2,4,3", "+CMGS: 3,5,4"]
    assert receipts == ["82100001", "82100002", "82100003"]  # the three that got through
    failed = world.log.find("sds_failed", reason="congestion")
    assert [(e["to"], e["delivery_status"]) for e in failed] == [(2001, 0x40)]
    assert [e["to"] for e in world.log.find("sds_delivered", **{"from": 1003})] == [2001] * 3


def test_overload_without_report_request_is_status_5_only() -> None:
    _, p = _world(rate_limit=20, max_queue_delay=0.1)
    for mr in range(1, 5):
        p.send(f"AT+CMGS=2001,40\r\n8200{mr:02X}0178\x1a")  # no report requested
    out = p.wait(3)
    assert "+CMGS: 3,5,4" in out
    assert not any(line.startswith("+CTSDSR") for line in out)


def test_congestion_stores_the_message_reports_20_and_delivers_it_later() -> None:
    world, p = _world(rate_limit=20, max_queue_delay=10, store_delay=0.1)
    for mr in range(1, 5):
        assert p.send(_text_to_2001(mr))[-1] == "OK"
    # the 4th is stored by the SwMI: 0x20 at once (one latency), before any delivery
    assert p.wait(0.3) == [REPORT_HEADER, "82102004"]
    # all four are "sent", and all four are received in the end: the stored one too
    statuses, receipts = _split(p.wait(3))
    assert statuses == ["+CMGS: 0,4,1", "+CMGS: 1,4,2", "+CMGS: 2,4,3", "+CMGS: 3,4,4"]
    assert receipts == ["82100001", "82100002", "82100003", "82100004"]
    stored = world.log.find("sds_stored")
    assert [(e["id"], e["reason"]) for e in stored] == [(4, "congestion")]
    assert world.log.find("sds_sent", id=4)[0]["t"] == pytest.approx(0.15)
    assert world.log.find("sds_delivered", id=4, to=2001)


def test_store_delay_in_a_scenario_file() -> None:
    scenario = parse_scenario(SMALL.replace(
        "network: {latency: 0.25, rate_limit: 20}",
        "network: {latency: 0.25, rate_limit: 20, max_queue_delay: 5, store_delay: 1}"),
        "small.yaml")
    assert (scenario.network.store_delay, scenario.network.max_queue_delay) == (1.0, 5.0)


@pytest.mark.parametrize(
    ("called_type", "number", "shown", "status", "addressing"),
    [(2, "12", "12", "45", "sna"), (3, "4321", "4321", "57", "pabx"),
     (4, "4770001234", "4770001234", "57", "pstn"),
     (5, "09011638300002001", "2001", "45", "extended_tsi")],
)
def test_unsupported_called_party_type_is_refused(
    called_type: int, number: str, shown: str, status: str, addressing: str
) -> None:
    world, p = _world()
    assert p.cmd(f"AT+CTSDS=12,{called_type}") == ["OK"]
    assert p.send(f"AT+CMGS={number},40\r\n8204090178\x1a") == ["+CMGS: 0", "OK"]
    out = p.wait(3)
    assert out == [f"+CTSDSR: 12,{shown},0,1003,0,32", f"8210{status}09", "+CMGS: 0,5,9"]
    submitted = world.log.find("sds_submitted", id=1)[0]
    assert submitted["addressing"] == addressing
    failed = world.log.find("sds_failed", id=1)[0]
    assert (failed["reason"], failed["addressing"]) == ("addressing_not_supported", addressing)
    assert not world.log.find("sds_delivered", id=1)  # refused, not delivered


def test_unsupported_called_party_type_without_report_is_status_5_only() -> None:
    _, p = _world()
    p.cmd("AT+CTSDS=13,2")
    assert p.send("AT+CMGS=12,16\r\n8001\x1a") == ["+CMGS: 0", "OK"]
    assert p.wait(3) == ["+CMGS: 0,5,1"]


@pytest.mark.parametrize(("called_type", "addressing"), [(0, "ssi"), (1, "tsi")])
def test_gssi_with_ssi_or_tsi_addressing_reaches_the_group_and_is_logged(
    called_type: int, addressing: str
) -> None:
    """The SwMI knows 9100 is a group, so it routes by the SSI whatever the sender said."""
    world, p = _world()
    p.cmd(f"AT+CTSDS=12,{called_type}")
    called = "9100" if called_type == 0 else "09011638300009100"
    p.send(f"AT+CMGS={called},40\r\n8200090178\x1a")
    world.advance(2)
    assert world.log.find("sds_submitted", id=1)[0]["addressing"] == addressing
    assert world.log.find("sds_delivered", id=1, to=2001, group=9100)


def test_malformed_number_for_external_addressing_is_cme_35() -> None:
    _, p = _world()
    p.cmd("AT+CTSDS=12,4")
    assert p.cmd("AT+CMGS=+47-123,40") == ["+CME ERROR: 35"]
