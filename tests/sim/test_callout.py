"""A group call-out to the cardiac arrest team of the built-in hospital scenario.

Five members with mixed behaviours (docs/architecture.md identities): 2001
accepts by status, 2002 accepts by text, 2003 rejects, 2004 reads but never
answers, 2005 accepts with the text "OK".  All on the virtual clock.
"""

from __future__ import annotations

import itertools
import json
import math

import pytest

from firmware_sim.world import World
from tetrakit import lip

from .helpers import Pei, quiet, small_world

# SDS-TL text, MR 0x2A, both reports requested
CALLOUT_HEX = "820C2A01" + "Hjertestans B312".encode("latin-1").hex().upper()
CALLOUT_BITS = len(CALLOUT_HEX) * 4


def run_callout(seed: int | None = None) -> tuple[World, list[str]]:
    world = World("hospital", seed=seed)
    p = Pei(world, 1001)
    quiet(p)
    for reg in ("1,3,130", "1,2,20", "1,3,10"):
        assert p.cmd(f"AT+CTSP={reg}") == ["OK"]
    assert p.send(f"AT+CMGS=9100,{CALLOUT_BITS}\r\n{CALLOUT_HEX}\x1a") == ["+CMGS: 0", "OK"]
    return world, p.wait(60)


def test_reports_and_answers_in_the_world_log() -> None:
    world, _ = run_callout()
    log = world.log
    callout = log.find("sds_submitted", **{"from": 1001}, to=9100)[0]
    assert callout["kind"] == "text" and callout["text"] == "Hjertestans B312"
    team = [2001, 2002, 2003, 2004, 2005]
    assert sorted(e["to"] for e in log.find("sds_delivered", id=callout["id"])) == team
    for issi in team:
        reports = log.find("report", **{"from": issi}, to=1001, mr=0x2A)
        assert [r["delivery_status"] for r in reports] == [0x00, 0x02], issi
    answers = {e["from"]: e for e in log.find("answer", to=1001)}
    assert sorted(answers) == [2001, 2002, 2003, 2005]  # 2004 reads but never answers
    assert (answers[2001]["answer"], answers[2001]["value"]) == ("accept", "0x8001")
    assert (answers[2002]["answer"], answers[2002]["value"]) == ("accept", "JA")
    assert (answers[2003]["answer"], answers[2003]["value"]) == ("reject", "0x8002")
    assert (answers[2005]["answer"], answers[2005]["value"]) == ("accept", "OK")
    delivered_at = log.find("sds_delivered", id=callout["id"], to=2001)[0]["t"]
    # answer delays lie within the scenario's ranges: 2001 [5,12], 2003 [6,15], 2005 [10,20]
    for issi, (lo, hi) in {2001: (5, 12), 2003: (6, 15), 2005: (10, 20), 2002: (8, 20)}.items():
        assert lo <= answers[issi]["t"] - delivered_at <= hi
    # each person reads before answering
    for issi in team:
        read = log.find("read", member=issi)[0]["t"]
        if issi in answers:
            assert read <= answers[issi]["t"]


def test_the_pei_radio_prints_the_answers() -> None:
    _, out = run_callout()
    pairs = list(itertools.pairwise(out))
    status = {b for a, b in pairs if a.startswith("+CTSDSR: 13,")}
    assert status == {"8001", "8002"}
    texts = [b for a, b in pairs if a.startswith("+CTSDSR: 12,") and b.startswith("8200")]
    assert sorted(bytes.fromhex(t[8:]).decode("latin-1") for t in texts) == ["JA", "OK"]
    assert out.count("+CMGS: 0,4,42") == 1
    assert sum(1 for b in out if b == "8210002A") == 5  # five "received" reports
    assert sum(1 for b in out if b == "8210022A") == 5  # five "consumed" reports


def test_deterministic_under_a_fixed_seed() -> None:
    a, out_a = run_callout(seed=99)
    b, out_b = run_callout(seed=99)
    assert a.log.to_jsonl() == b.log.to_jsonl()
    assert out_a == out_b
    c, _ = run_callout(seed=100)
    times = [e["t"] for e in a.log.find("answer")]
    assert times != [e["t"] for e in c.log.find("answer")]
    for line in a.log.to_jsonl().splitlines():
        json.loads(line)


def test_member_out_of_coverage_for_a_while() -> None:
    world = World("hospital")
    p = Pei(world, 1001)
    quiet(p)
    world.advance(610)  # 2103 is in the MRI room from 600 s to 720 s
    p.send("AT+CMGS=9101,40\r\n820C090178\x1a")
    world.advance(60)
    assert world.log.find("sds_not_delivered", to=2103)[0]["reason"] == "unreachable"
    world.advance(60)
    p.send("AT+CMGS=9101,40\r\n820C0A0178\x1a")
    world.advance(60)
    assert world.log.find("sds_delivered", to=2103)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


def test_lip_reports_periodic_and_on_request() -> None:
    world = World("hospital")
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,10")
    out = p.wait(125)  # every member reports once within its first 120 s interval
    reports = [(h, d) for h, d in itertools.pairwise(out) if h.startswith("+CTSDSR")]
    senders = sorted(int(h.split(",")[1]) for h, _ in reports)
    assert senders[:8] == [2001, 2002, 2003, 2004, 2005, 2101, 2102, 2103]
    for header, data in reports:
        assert header.endswith(",84")  # short location report with its PI
        assert len(data) == 22  # Motorola prints whole octets
        pdu = lip.from_sds(bytes.fromhex(data), 84)
        assert isinstance(pdu, lip.ShortLocationReport)
        assert _distance_m(62.4645, 6.3450, pdu.latitude, pdu.longitude) < 90
        assert pdu.reason_for_sending == 129
    # an immediate location report request to 2002 is answered with reason 32
    req, bits = lip.to_sds(lip.ImmediateLocationReportRequest())
    p.send(f"AT+CMGS=2002,{bits}\r\n{req.hex().upper()}\x1a")
    out = p.wait(3)
    answer = [d for h, d in itertools.pairwise(out) if h.startswith("+CTSDSR: 12,2002")]
    assert len(answer) == 1
    assert lip.from_sds(bytes.fromhex(answer[0]), 84).reason_for_sending == 32


def test_members_move_but_stay_in_the_building() -> None:
    world = World("hospital")
    member = world.member(2001)
    seen = set()
    for _ in range(60):
        world.advance(30)
        pos = member.position()
        assert pos is not None
        assert _distance_m(62.4645, 6.3450, pos[0], pos[1]) <= 80.5
        seen.add((round(pos[0], 6), round(pos[1], 6)))
    assert len(seen) > 30


def test_standby_member_answers_8003_or_vent_on_the_virtual_clock() -> None:
    """``answer: standby`` answers 0x8003 by status, or the text VENT, after ``after`` s."""
    world = small_world("""
  - {issi: 2002, groups: [9100], behaviour: {answer: standby, after: 6, via: status}}
  - {issi: 2003, groups: [9100], behaviour: {answer: standby, after: 8, via: text}}
""")
    world.member(2001).set_power(False)  # only the two standby members here
    p = Pei(world, 1001)
    quiet(p)
    for reg in ("1,3,130", "1,2,20"):
        assert p.cmd(f"AT+CTSP={reg}") == ["OK"]
    assert p.send("AT+CMGS=9100,40\r\n8200090178\x1a") == ["+CMGS: 0", "OK"]
    latency = 0.25  # the scenario's: the call-out is delivered at 0.25 s
    delivered = latency
    # the status answer is given 6 s after delivery and arrives one latency later
    assert p.wait(delivered + 6 + latency - 0.01) == ["+CMGS: 0,4,9"]  # nothing before
    assert p.wait(0.02) == ["+CTSDSR: 13,2002,0,1001,0,16", "8003"]
    assert p.wait(2 - 0.02) == []
    header, data = p.wait(0.02)
    assert header == f"+CTSDSR: 12,2003,0,1001,0,{len(data) * 4}"
    assert data.startswith("82") and bytes.fromhex(data[8:]).decode("latin-1") == "VENT"
    answers = {e["from"]: e for e in world.log.find("answer", to=1001)}
    assert (answers[2002]["answer"], answers[2002]["via"], answers[2002]["value"]) == (
        "standby", "status", "0x8003")
    assert (answers[2003]["answer"], answers[2003]["via"], answers[2003]["value"]) == (
        "standby", "text", "VENT")
    assert answers[2002]["t"] == pytest.approx(delivered + 6)
    assert answers[2003]["t"] == pytest.approx(delivered + 8)
