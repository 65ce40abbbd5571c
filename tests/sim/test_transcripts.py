"""Walk the command sequences of tests/vectors/pei_transcripts.md against the profiles.

Each test replays what the host sent in a published transcript (or what the
quoted host code writes) against the matching vendor profile and checks that
the simulator's replies have the same shape as the real radio's: digits are
abstracted to ``N`` and payload lines to ``HEX`` unless the identities are
the same, in which case the lines must be equal.
"""

from __future__ import annotations

import re

import pytest

from firmware_sim.scenario import parse_scenario
from firmware_sim.world import World

from .helpers import Pei, quiet

SCENARIO = """
name: transcripts
network: {mcc: 901, mnc: 16383, latency: 0.2}
radios:
  - {issi: 23401, profile: motorola}
  - {issi: 23404, profile: generic}
  - {issi: 9999, profile: motorola}
  - {issi: 9998, profile: sepura}
  - {issi: 2269001, profile: generic}
  - {issi: 1234567, profile: generic}
  - {issi: 2345678, profile: generic}
"""


def shape(line: str) -> str:
    if re.fullmatch(r"[0-9A-F]{4,}", line):
        return "HEX"
    return re.sub(r"\d+", "N", line)


@pytest.fixture
def world() -> World:
    return World(parse_scenario(SCENARIO, "transcripts.yaml"))


def radio(world: World, issi: int) -> Pei:
    p = Pei(world, issi)
    quiet(p)
    return p


def test_1_motorola_two_stage_cmgs(world: World) -> None:
    """§1: '+CMGS: 0' with OK, then ~2 s later '+CMGS: 0,4,7' although nobody is there."""
    moto = radio(world, 23401)
    text = "SARC"
    payload = "820407" + "01" + text.encode().hex().upper()  # TetraLogic createSDS, MR 7
    bits = len(payload) * 4
    out = moto.send(f"AT+CMGS=2269001,{bits:03d}\r\n{payload}\x1a")
    assert [shape(x) for x in out] == [shape("+CMGS: 0"), "OK"]
    assert moto.wait(1.9) == []
    later = moto.wait(0.6)
    assert later == ["+CMGS: 0,4,7"]  # the very line of the log: instance 0, sent, MR 7


def test_2_incoming_text_and_report_are_printed_like_tetralogic_saw_them(world: World) -> None:
    """§2: '+CTSDSR: 12,23404,0,23401,0,112' + payload line, and the ACK '82100002'."""
    moto, peer = radio(world, 23401), radio(world, 23404)
    moto.cmd("AT+CTSP=1,3,130")
    peer.send("AT+CMGS=23401,112\r\n82040801476A61746A616A676A61\x1a")
    assert moto.wait(1) == ["+CTSDSR: 12,23404,0,23401,0,112", "82040801476A61746A616A676A61"]
    peer.send("AT+CMGS=23401,32\r\n82100002\x1a")
    assert moto.wait(1) == ["+CTSDSR: 12,23404,0,23401,0,32", "82100002"]


def test_3_lip_hex_digits_motorola_whole_octets_sepura_nibbles(world: World) -> None:
    """§3: 84-bit LIP shown as 22 digits by Motorola, 21 by Sepura."""
    moto, sep, src = radio(world, 9999), radio(world, 9998), radio(world, 2269001)
    moto.cmd("AT+CTSP=1,3,10")
    sep.cmd("AT+CTSP=1,3,10")
    src.send("AT+CMGS=9999,84\r\n0A112853A9FF4D4FFFE81\x1a")
    assert moto.wait(1) == ["+CTSDSR: 12,2269001,0,9999,0,84", "0A112853A9FF4D4FFFE810"]
    src.send("AT+CMGS=9998,84\r\n0A0BA7D5B95BC50AFFE160\x1a")
    assert sep.wait(1) == ["+CTSDSR: 12,2269001,0,9998,0,84", "0A0BA7D5B95BC50AFFE16"]


def test_5_identity_registration_vendor(world: World) -> None:
    """§5: +CNUMF / +CREG / +GMM / +GMI of a Motorola."""
    moto = radio(world, 23401)
    assert moto.cmd("AT+CNUMF?") == ["+CNUMF: 6,09011638300023401", "OK"]
    creg = moto.cmd("AT+CREG?")
    assert [shape(x) for x in creg] == [shape("+CREG: 1,1,90109999"), "OK"]
    assert moto.cmd("AT+GMM") == ["+GMM: 54007,M83PF-----AN,88.2.0.0", "OK"]
    assert moto.cmd("AT+GMI") == ["+GMI: MOTOROLA", "OK"]


@pytest.mark.parametrize("payload", ["8004", "7ACA"])
def test_7_status_and_short_report_headers(world: World, payload: str) -> None:
    """§7: '+CTSDSR: 13,1234567,0,2345678,0,16' + the 4-digit status."""
    a, b = radio(world, 1234567), radio(world, 2345678)
    b.cmd("AT+CTSP=1,2,20")
    assert a.cmd("AT+CTSDS=13,0") == ["OK"]
    a.send(f"AT+CMGS=2345678,16\r\n{payload}\x1a")
    assert b.wait(1) == ["+CTSDSR: 13,1234567,0,2345678,0,16", payload]


@pytest.mark.parametrize("issi", [23404, 23401])
def test_8_ftl_status_send_sequence(world: World, issi: int) -> None:
    """§8 ftl/tetra-cli status: ATZ, ATE0, CTSP, CTSDS=13, CMGS with 8004."""
    p = Pei(world, issi)
    out = []
    for cmd in ("ATZ\r\n", "ATE0\r\n", "AT+CTSP=2,2,20\r\n", "AT+CTSDS=13,0\r\n",
                "AT+CMGS=23404,16\r\n8004\x1a"):
        out += p.send(cmd)
    # ATZ is echoed (echo on after reset), ATE0 is echoed, then no echo
    assert out == ["ATZ", "OK", "ATE0", "OK", "OK", "OK", "+CMGS: 0", "OK"]


def test_8_ftl_text_sequence(world: World) -> None:
    p = radio(world, 23401)
    for cmd, want in (("AT+CSCS=8859-1", ["OK"]), ("AT+CTSDS=12,0,0,0,1", ["OK"])):
        assert p.cmd(cmd) == want
    rng = p.cmd("AT+CMGS=?")
    assert re.fullmatch(r"\+CMGS: .+\(\d*-(\d*)\)", rng[0])  # the regex ftl reads it with
    assert p.send("AT+CMGS=23404,48\r\n82040C014F4B\x1a") == ["+CMGS: 0", "OK"]


def test_8_other_hosts_quirks(world: World) -> None:
    """TetraLogic %03d length, FE2 bridge status, Ruby quoted number and CR LF before Ctrl-Z."""
    p = radio(world, 23401)
    assert p.send("AT+CMGS=23404,032\r\n82100007\x1a") == ["+CMGS: 0", "OK"]
    assert p.cmd("AT+CTSP=1,3,130") == ["OK"]
    assert p.cmd("AT+CTSDS=13,0") == ["OK"]
    assert p.send("AT+CMGS=23404,16\r\n800B\x1a") == ["+CMGS: 1", "OK"]
    assert p.send('AT+CMGS="23404",16\r\nFEFD\r\n\x1a') == ["+CMGS: 2", "OK"]


def test_tetralogic_init_list_against_motorola(world: World) -> None:
    p = Pei(world, 23401)
    p.send("\r\n")
    cmds = ["AT+CTOM=0", "AT+CTSP=1,3,131", "AT+CTSP=1,3,130", "AT+CTSP=1,3,138",
            "AT+CTSP=1,2,20", "AT+CTSP=2,0,0", "AT+CTSP=1,3,24", "AT+CTSP=1,3,25",
            "AT+CTSP=1,3,3", "AT+CTSP=1,3,10", "AT+CTSP=1,1,11",
            "AT+CTSDC=0,0,0,1,1,0,1,1,0,0", "AT+CNUMF?"]
    for c in cmds:
        out = p.send(c + "\r")  # TetraLogic ends commands with CR only
        assert out[0] == c  # echo: TetraLogic never sends ATE0
        assert out[-1] == "OK", (c, out)
    assert out[1] == "+CNUMF: 6,09011638300023401"


def test_9_sepura_errors_and_atz_reboot(world: World) -> None:
    """§9: STP9040 answers +CME ERROR: 35 to 'bat' and 34 to 'info'; ATZ reboots it."""
    sep = radio(world, 9998)
    assert sep.cmd("AT+CBC?") == ["+CME ERROR: 35"]
    assert sep.cmd("ATI") == ["+CME ERROR: 34"]
    sep.cmd("AT+CTSP=1,3,130")
    assert sep.cmd("ATZ") == []  # no answer: the radio reboots
    assert not sep.term.registered
    assert sep.cmd("AT") == []
    sep.wait(15.1)
    assert sep.cmd("AT") == ["AT", "OK"]
    assert sep.send("AT+CTSP?\r") == ["AT+CTSP?", "OK"]  # registrations lost


def test_first_command_after_garbage_gets_cme_35(world: World) -> None:
    """pei.md §2: left-over bytes at connect: the first command gets 35, then AT works."""
    p = radio(world, 23404)
    assert p.send(b"\x13\xfe\x00AT\r") == ["+CME ERROR: 35"]
    assert p.cmd("AT") == ["OK"]
