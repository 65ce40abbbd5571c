"""Walk the command sequences of tests/vectors/pei_transcripts.md against the profiles.

Each test replays what the host sent in a published transcript (or what the
quoted host code writes) against the matching vendor profile and checks that
the simulator's replies have the same shape as the real radio's: digits are
abstracted to ``N`` and payload lines to ``HEX`` unless the identities are
the same, in which case the lines must be equal.
"""

from __future__ import annotations

import re
from pathlib import Path

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


VECTORS = Path(__file__).resolve().parents[1] / "vectors" / "pei_transcripts.md"


def transcript_blocks(section: int) -> list[list[str]]:
    """The code blocks of section ``section`` of pei_transcripts.md, as lists of lines."""
    text = VECTORS.read_text(encoding="utf-8")
    start = text.index(f"\n## {section}. ")
    end = text.find("\n## ", start + 1)
    body = text[start:end if end >= 0 else None]
    return [b.strip("\n").splitlines() for b in re.findall(r"```\n(.*?)```", body, re.S)]


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


# -- §4 call control and §6 Motorola proprietary ----------------------------------------------

CALLS = """
name: calls
network: {mcc: 901, mnc: 16383, latency: 0.2, call_hang_time: 5}
site: {lat: 62.4645, lon: 6.3450}
groups:
  - {gssi: 1}
dmo_gateways: [1001]
radios:
  - {issi: 23401, profile: motorola, groups: [1]}
  - {issi: 23404, profile: generic, groups: [1]}
  - {issi: 9998, profile: sepura, groups: [1]}
calls:
  - {at: 10, from: 23404, to: 1, talk: 4}
"""


@pytest.fixture
def calls_world() -> World:
    return World(parse_scenario(CALLS, "calls.yaml"))


def test_4_call_control_transcript_walk(calls_world: World) -> None:
    """§4: every unsolicited call-control line of the transcript, reproduced by a Motorola.

    23404 calls group 1 (TSI 09011638300000001) and talks for 4 s: the
    Motorola 23401 prints the transcript's first ``+CTICN``, ``+CTXG``,
    ``+CDTXC`` and ``+CTCR: 1,13`` (hang time over).  Its own ``ATD`` with
    TetraLogic's ``AT+CTSDC`` gives ``+CTCC``; ``AT+CTGS?`` and DMO mode give
    ``+CTGS`` and ``+CTDGR``.
    """
    (block,) = transcript_blocks(4)
    moto = radio(calls_world, 23401)
    assert moto.wait(9.9) == []
    setup = moto.wait(0.2)
    ceased = moto.wait(4)
    released = moto.wait(5)
    assert setup == ["+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0",
                     "+CTXG: 1,3,0,0,3,09011638300023404"]
    assert ceased == ["+CDTXC: 1,0"]
    assert released == ["+CTCR: 1,13"]
    assert moto.cmd("AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0") == ["OK"]
    connect = moto.cmd("ATD1")
    assert connect == ["OK", "+CTCC: 1,1,1,0,0,1,1"]
    groups = moto.cmd("AT+CTGS?")
    assert groups == ["+CTGS: 1,09011638300000001", "OK"]
    dmo = moto.cmd("AT+CTOM=1")
    assert dmo == ["OK", "+CTDGR: 2,1001,90116383,0"]
    produced = [*setup, *ceased, *released, *connect, *groups, *dmo]
    # the walk: each transcript line has its exact twin, or one of the same shape
    exact = set(produced)
    shapes = {shape(x) for x in produced}
    for line in block:
        assert line in exact or shape(line) in shapes, line
    # exact for all but the second and third +CTICN (other identity forms, same shape)
    assert sum(line in exact for line in block) == 7


def test_4_call_reaches_every_pei_radio_of_the_group_and_ends_with_hang_up(
    calls_world: World,
) -> None:
    gen, sep, moto = (radio(calls_world, i) for i in (23404, 9998, 23401))
    gen.cmd("AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0")
    assert gen.cmd("ATD1") == ["OK", "+CTCC: 1,1,1,0,0,1,1"]
    # no one transmits at set-up of a call made with ATD: no +CTXG
    assert sep.wait(0.1) == [
        "+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0"]
    assert moto.wait(0) == [  # the same on the Motorola
        "+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0"]
    assert gen.cmd("ATH") == ["OK", "+CTCR: 1,1"]  # user requested, for everyone
    assert sep.wait(0) == ["+CTCR: 1,1"]
    assert moto.wait(0) == ["+CTCR: 1,1"]
    calls = calls_world.log.find("group_call")
    assert [(c["from"], c["to"], sorted(c["parties"])) for c in calls] == [
        (23404, 1, [9998, 23401])]
    assert calls_world.log.find("call_released")[0]["cause"] == 1
    # the scenario's call at 10 s gets CC instance 1 again (the first was released)
    assert moto.wait(10)[0].startswith("+CTICN: 1,")


def test_4_calls_errors(calls_world: World) -> None:
    moto = radio(calls_world, 23401)
    assert moto.cmd("ATD23404") == ["+CME ERROR: 4"]  # individual calls are not simulated
    assert moto.cmd("ATD12x") == ["+CME ERROR: 35"]
    assert moto.cmd("AT+CTSDC=1,0") == ["OK"]
    assert moto.cmd("ATD1") == ["+CME ERROR: 4"]  # a data call: not simulated
    moto.term.set_coverage(False)
    moto.wait(0)
    moto.cmd("AT+CTSDC=0,0,0,1,1,0,1,1,0,0,0")
    assert moto.cmd("ATD1") == ["+CME ERROR: 30"]
    assert moto.wait(11) == []  # out of coverage: the scenario's call does not reach it
    assert moto.cmd("ATH") == ["OK"]


def test_6_motorola_gpspos_and_gcli(calls_world: World) -> None:
    """§6: ``+GPSPOS`` in ftl/tetra-pei's form, ``+GCLI: <n>`` + n cell lines."""
    gps_vectors = transcript_blocks(6)[0]
    moto = radio(calls_world, 23401)
    moto.wait(3723)  # 01:02:03 simulated time of day
    gps = moto.cmd("AT+GPSPOS?")
    assert gps == ["+GPSPOS: 01:02:03,N: 62_27.8700,E: 006_20.7000,7", "OK"]
    assert {shape(gps[0])} == {shape(v) for v in gps_vectors}
    cells = moto.cmd("AT+GCLI?")
    header, *rows = cells[:-1]
    assert cells[-1] == "OK"
    assert re.fullmatch(r"\+GCLI: (\d+)", header)
    assert len(rows) == int(header.split(": ")[1]) == 1
    for row in rows:  # <LAC>,<carrier hex>,<rssi>,<Cx> (ftl/tetra-mess scanner regexes)
        assert re.fullmatch(r"\d+,[0-9A-F]+,-?\d+,-?\d+", row), row
    assert rows[0].startswith("1,")  # the serving cell's location area
    moto.term.set_coverage(False)
    assert moto.cmd("AT+GCLI?") == ["+GCLI: 0", "OK"]


@pytest.mark.parametrize("issi", [23404, 9998])
def test_6_other_profiles_do_not_know_the_motorola_commands(
    calls_world: World, issi: int
) -> None:
    p = radio(calls_world, issi)
    assert p.cmd("AT+GPSPOS?") == ["+CME ERROR: 4"]
    assert p.cmd("AT+GCLI?") == ["+CME ERROR: 4"]


def test_6_gpspos_without_a_site_has_no_fix(world: World) -> None:
    moto = radio(world, 23401)
    assert moto.cmd("AT+GPSPOS?") == ["+CME ERROR: 3"]
