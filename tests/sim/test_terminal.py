"""The PEI server of one simulated radio (EN 300 392-5 command set)."""

from __future__ import annotations

import re

import pytest

from .helpers import Pei, quiet, small_world


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    return small_world()


@pytest.fixture
def pei(world):  # type: ignore[no-untyped-def]
    p = Pei(world, 1003)
    quiet(p)
    return p


def test_echo_is_on_after_power_on_and_ate0_turns_it_off(world) -> None:  # type: ignore[no-untyped-def]
    p = Pei(world, 1003)
    assert p.cmd("AT") == ["AT", "OK"]
    assert p.cmd("ATE0") == ["ATE0", "OK"]
    assert p.cmd("AT") == ["OK"]
    assert p.cmd("ATE1") == ["OK"]
    assert p.cmd("AT") == ["AT", "OK"]


def test_results_are_framed_crlf(pei: Pei) -> None:
    pei.term.receive_data(b"AT+CSQ?\r")
    assert pei.term.data_to_send() == b"\r\n+CSQ: 24,99\r\n\r\nOK\r\n"


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("AT+GMI", ["+GMI: ETSI", "OK"]),
        ("AT+CNUMF?", ["+CNUMF: 6,09011638300001003", "OK"]),
        ("AT+CNUM?", ["+CNUM: 0,1003", "OK"]),
        ("AT+CREG?", ["+CREG: 1,1,90116383", "OK"]),
        ("AT+CBC?", ["+CBC: 0,90", "OK"]),
        ("AT+CTOM?", ["+CTOM: 0", "OK"]),
        ("AT+CMEE?", ["+CMEE: 1", "OK"]),
        ("AT+CMGS=?", ["+CMGS: (0-16777215),(0-2047)", "OK"]),
        ("AT+CTSDS?", ["+CTSDS: 12,0,0,0,0", "OK"]),
        ("AT+XYZ", ["+CME ERROR: 4"]),
        ("ATD1234", ["+CME ERROR: 4"]),
        ("AT+CTOM=", ["+CME ERROR: 35"]),
        ("AT+CTOM=x", ["+CME ERROR: 35"]),
        ("AT+CTOM=9", ["+CME ERROR: 34"]),
        ("AT+CTSDS=3,0", ["+CME ERROR: 34"]),
        ("hello", ["+CME ERROR: 35"]),
        ("\x00\xffAT", ["+CME ERROR: 35"]),
    ],
)
def test_queries_and_errors(pei: Pei, command: str, expected: list[str]) -> None:
    assert pei.cmd(command) == expected


def test_cmee_0_gives_bare_error(pei: Pei) -> None:
    assert pei.cmd("AT+CMEE=0") == ["OK"]
    assert pei.cmd("AT+NOPE") == ["ERROR"]


def test_two_stage_cmgs_with_sds_tl_reference(pei: Pei) -> None:
    assert pei.cmd("AT+CTSDS=12,0") == ["OK"]
    # SDS-TL text, MR 0x2A (vector T5 of sds_vectors.md) to the Motorola radio
    out = pei.send("AT+CMGS=1001,208\r\n82042A014272616E6E2069206176642E20332C20726F6D203132\x1a")
    assert out == ["+CMGS: 0", "OK"]
    assert pei.wait(0.4) == []  # generic profile: status not before 0.5 s
    assert pei.wait(0.2) == ["+CMGS: 0,4,42"]
    out = pei.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert out == ["+CMGS: 1", "OK"]
    assert pei.wait(1) == ["+CMGS: 1,4,9"]


def test_cmgs_payload_in_a_separate_write(pei: Pei) -> None:
    assert pei.send("AT+CMGS=1001,32\r\n") == []
    assert pei.send("8210") == []
    assert pei.send("0009\x1a") == ["+CMGS: 0", "OK"]


def test_cmgs_timeout_waiting_for_data_is_cme_37(pei: Pei) -> None:
    assert pei.send("AT+CMGS=1001,32\r") == []
    assert pei.wait(4.9) == []
    assert pei.wait(0.2) == ["+CME ERROR: 37"]
    assert pei.cmd("AT") == ["OK"]  # back in command mode


def test_data_without_command_is_cme_36_and_esc_cancels(pei: Pei) -> None:
    assert pei.send("82100009\x1a") == ["+CME ERROR: 36"]
    assert pei.send("AT+CMGS=1001,32\r\n8210\x1b") == ["OK"]
    assert pei.wait(5) == []


def test_status_sds_and_bad_lengths(pei: Pei) -> None:
    assert pei.cmd("AT+CTSDS=13,0") == ["OK"]
    assert pei.cmd("AT+CMGS=1001,32") == ["+CME ERROR: 34"]  # a status is 16 bits
    assert pei.send("AT+CMGS=1001,16\r\n8004\x1a") == ["+CMGS: 0", "OK"]
    assert pei.cmd("AT+CTSDS=12,0") == ["OK"]
    assert pei.send("AT+CMGS=1001,32\r\n8210\x1a") == ["+CME ERROR: 32"]  # too few digits
    assert pei.send("AT+CMGS=1001,32\r\nZZZZZZZZ\x1a") == ["+CME ERROR: 32"]


def test_ctsp_registration_routes_incoming_sds(world) -> None:  # type: ignore[no-untyped-def]
    tx, rx = Pei(world, 1003), Pei(world, 1001)
    quiet(tx)
    quiet(rx)
    tx.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert rx.wait(3) == []  # nothing registered: not forwarded to the PEI
    assert world.log.find("pei_not_forwarded", radio=1001)
    assert rx.cmd("AT+CTSP=1,3,130") == ["OK"]
    assert rx.cmd("AT+CTSP=1,3,130") == ["+CME ERROR: 38"]
    assert rx.cmd("AT+CTSP=2,3,130") == ["OK"]  # changing the profile is allowed
    assert rx.cmd("AT+CTSP?") == ["+CTSP: 2,3,130", "OK"]
    tx.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert rx.wait(3) == ["+CTSDSR: 12,1003,0,1001,0,32", "82100009"]
    # status needs 2,20
    tx.cmd("AT+CTSDS=13,0")
    tx.send("AT+CMGS=1001,16\r\n8004\x1a")
    assert rx.wait(3) == []
    rx.cmd("AT+CTSP=1,2,20")
    tx.send("AT+CMGS=1001,16\r\n8004\x1a")
    assert rx.wait(3) == ["+CTSDSR: 13,1003,0,1001,0,16", "8004"]


def test_ctsp_24_25_cover_protocol_ranges(world) -> None:  # type: ignore[no-untyped-def]
    tx, rx = Pei(world, 1003), Pei(world, 1001)
    quiet(tx)
    quiet(rx)
    rx.cmd("AT+CTSP=1,3,24")
    tx.send("AT+CMGS=1001,32\r\n02016F6B\x1a")  # simple text, PI 0x02 < 128
    assert rx.wait(3) == ["+CTSDSR: 12,1003,0,1001,0,32", "02016F6B"]
    tx.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert rx.wait(3) == []
    rx.cmd("AT+CTSP=1,3,25")
    tx.send("AT+CMGS=1001,32\r\n82100009\x1a")
    assert rx.wait(3)[-1] == "82100009"


def test_table_full_is_cme_39(pei: Pei) -> None:
    for pid in range(32):
        assert pei.cmd(f"AT+CTSP=1,3,{pid}") == ["OK"]
    assert pei.cmd("AT+CTSP=1,3,200") == ["+CME ERROR: 39"]


def test_reboot_loses_registrations_and_echo_comes_back(world) -> None:  # type: ignore[no-untyped-def]
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    p.term.reboot(20.0)
    assert p.send("AT\r") == []  # silent
    assert not p.term.registered
    assert p.wait(19.9) == []
    p.wait(0.2)
    assert p.cmd("AT") == ["AT", "OK"]
    assert p.send("AT+CTSP?\r") == ["AT+CTSP?", "OK"]
    assert [e["event"] for e in world.log.find(radio=1001)][-2:] == ["radio_reboot", "radio_up"]


def test_pending_cmgs_status_is_lost_in_a_reboot(world) -> None:  # type: ignore[no-untyped-def]
    p = Pei(world, 1001)
    quiet(p)
    assert p.send("AT+CMGS=1003,32\r\n82100009\x1a") == ["+CMGS: 0", "OK"]
    p.term.reboot(1.0)
    assert p.wait(5) == []


def test_busy_answers_cme_42_for_n_commands(pei: Pei) -> None:
    pei.term.set_busy(2)
    assert pei.cmd("AT") == ["+CME ERROR: 42"]
    assert pei.cmd("AT+CSQ?") == ["+CME ERROR: 42"]
    assert pei.cmd("AT") == ["OK"]


def test_coverage_loss_creg_and_sds_failure(pei: Pei) -> None:
    assert pei.cmd("AT+CREG=1") == ["OK"]
    pei.term.set_coverage(False)
    assert lines_out(pei) == ["+CREG: 0"]
    assert pei.cmd("AT+CREG?") == ["+CREG: 0", "OK"]
    assert pei.cmd("AT+CSQ") == ["+CSQ: 99,99", "OK"]
    assert pei.send("AT+CMGS=1001,32\r\n82100009\x1a") == ["+CME ERROR: 30"]
    pei.term.set_coverage(True)
    assert lines_out(pei) == ["+CREG: 1,1,90116383"]


def test_coverage_lost_after_acceptance_gives_status_5(pei: Pei) -> None:
    assert pei.send("AT+CMGS=1001,32\r\n82100009\x1a") == ["+CMGS: 0", "OK"]
    pei.term.set_coverage(False)  # before the air slot runs
    assert pei.wait(1) == ["+CMGS: 0,5,9"]


def lines_out(pei: Pei) -> list[str]:
    from .helpers import lines

    return lines(pei.term.data_to_send())


def test_group_selection(pei: Pei) -> None:
    assert pei.cmd("AT+CTGS?") == ["+CTGS: 0", "OK"]
    assert pei.cmd("AT+CTGS=1,9100") == ["OK"]
    assert pei.cmd("AT+CTGS?") == ["+CTGS: 1,09011638300009100", "OK"]
    assert pei.cmd("AT+CTGS=1") == ["+CME ERROR: 35"]


def test_atz_resets_settings_on_generic(pei: Pei) -> None:
    assert pei.cmd("AT+CMEE=0") == ["OK"]
    assert pei.cmd("ATZ") == ["OK"]
    assert pei.cmd("AT+NOPE") == ["AT+NOPE", "+CME ERROR: 4"]  # echo back on, CMEE 1


def test_identity_answers_match_the_profiles(world) -> None:  # type: ignore[no-untyped-def]
    moto, sep = Pei(world, 1001), Pei(world, 1002)
    quiet(moto)
    quiet(sep)
    assert moto.cmd("AT+GMI") == ["+GMI: MOTOROLA", "OK"]
    assert re.fullmatch(r"\+GMM: 54007,M83PF-----AN,88\.2\.0\.0", moto.cmd("AT+GMM")[0])
    assert sep.cmd("AT+CBC?") == ["+CME ERROR: 35"]
    assert sep.cmd("ATI") == ["+CME ERROR: 34"]


def test_switched_off_radio_forgets_and_is_not_registered(world) -> None:  # type: ignore[no-untyped-def]
    p = Pei(world, 1001)
    quiet(p)
    p.cmd("AT+CTSP=1,3,130")
    p.term.set_power(False)
    assert p.cmd("AT") == []
    tx = Pei(world, 1003)
    quiet(tx)
    tx.send("AT+CMGS=1001,40\r\n8204090178\x1a")
    tx.wait(2)
    assert world.log.find("sds_failed", to=1001)[0]["reason"] == "not_registered"
    p.term.set_power(True)
    assert p.cmd("AT") == ["AT", "OK"]
    assert p.send("AT+CTSP?\r") == ["AT+CTSP?", "OK"]


def test_ctgs_attaches_the_radio_to_a_group(world) -> None:  # type: ignore[no-untyped-def]
    rx, tx = Pei(world, 1002), Pei(world, 1003)
    quiet(rx)
    quiet(tx)
    rx.cmd("AT+CTSP=1,3,130")
    assert rx.cmd("AT+CTGS=1,9100") == ["OK"]
    tx.send("AT+CMGS=9100,40\r\n8200090178\x1a")
    assert rx.wait(2) == ["+CTSDSR: 12,1003,0,9100,0,40", "8200090178"]
    assert rx.cmd("AT+CTGS=0") == ["OK"]
    tx.send("AT+CMGS=9100,40\r\n82000A0178\x1a")
    assert rx.wait(2) == []
