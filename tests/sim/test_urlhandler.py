"""``tetrasim://`` ports: shared worlds, virtual and real clocks, clear errors."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import serial

import firmware_sim
from firmware_sim import registry
from firmware_sim.hosting import ThreadedHost
from firmware_sim.link import open_link
from firmware_sim.urlhandler.protocol_tetrasim import parse_url
from firmware_sim.world import World

from .helpers import lines


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    registry.reset()
    yield
    registry.reset()


def test_importing_firmware_sim_registers_the_handler() -> None:
    assert firmware_sim.HANDLER_PACKAGE in serial.protocol_handler_packages
    firmware_sim.register()
    assert serial.protocol_handler_packages.count(firmware_sim.HANDLER_PACKAGE) == 1


def test_url_forms() -> None:
    u = parse_url("tetrasim://hospital?issi=1001&seed=5&speed=10")
    assert (u.scenario, u.issi, u.seed, u.speed, u.virtual) == ("hospital", 1001, 5, 10.0, False)
    u = parse_url("tetrasim://examples/scenario-small.yaml#1003")
    assert (u.scenario, u.issi) == ("examples/scenario-small.yaml", 1003)
    assert parse_url("tetrasim:///srv/ward.yaml?clock=virtual").scenario == "/srv/ward.yaml"
    with pytest.raises(serial.SerialException, match="unknown option 'isi'"):
        parse_url("tetrasim://hospital?isi=1001")
    with pytest.raises(serial.SerialException, match="issi"):
        parse_url("tetrasim://hospital?issi=abc")


def test_two_ports_share_one_world_on_the_virtual_clock() -> None:
    a = serial.serial_for_url("tetrasim://hospital?issi=1003&clock=virtual", timeout=5)
    b = serial.serial_for_url("tetrasim://hospital?issi=1009&clock=virtual", timeout=5)
    try:
        assert a.world is b.world
        b.write(b"ATE0\rAT+CTSP=1,3,130\r")
        assert lines(b.read(100)) == ["ATE0", "OK", "OK"]
        a.write(b"ATE0\rAT+CMGS=1009,32\r\n82100009\x1a")
        assert lines(a.read(200)) == ["ATE0", "OK", "+CMGS: 0", "OK", "+CMGS: 0,4,9"]
        assert lines(b.read(200)) == ["+CTSDSR: 12,1003,0,1009,0,32", "82100009"]
        assert a.world.now < 60  # virtual seconds, no real waiting
    finally:
        a.close()
        b.close()


def test_real_clock_port_and_pause_on_last_close() -> None:
    port = serial.serial_for_url("tetrasim://hospital?issi=1003&speed=50", timeout=2)
    try:
        port.write(b"ATE0\r")
        assert port.read_until(b"OK\r\n").endswith(b"OK\r\n")
        port.write(b"AT+CMGS=1009,32\r\n82100009\x1a")
        got = port.read_until(b"+CMGS: 0,4,9\r\n")
        assert got.endswith(b"+CMGS: 0,4,9\r\n")
        host_world = port.world
        host = registry.get_host("hospital", speed=50)
        assert isinstance(host, ThreadedHost) and host.running
        second = serial.serial_for_url("tetrasim://hospital?issi=1009&speed=50", timeout=2)
        assert second.world is host_world
        second.close()
        assert host.running  # the first port still uses it
    finally:
        port.close()
    assert not host.running  # paused with the last port; the world stays
    assert registry.get("hospital", speed=50) is host_world


def test_unknown_issi_and_scenario_are_clear_errors() -> None:
    with pytest.raises(serial.SerialException, match=r"no PEI radio 2001.*1001, 1002, 1003, 1009"):
        serial.serial_for_url("tetrasim://hospital?issi=2001&clock=virtual")
    with pytest.raises(serial.SerialException, match="no built-in scenario 'clinic'"):
        serial.serial_for_url("tetrasim://clinic?issi=1")


def test_in_process_link_reads_advance_virtual_time() -> None:
    world = World("hospital")
    link = open_link(world, 1002, timeout=30)
    link.write(b"ATZ\r")  # Sepura: reboots, no answer (the pending echo is lost too)
    assert link.read(10) == b""
    assert world.now == pytest.approx(30.0)
    link.write(b"AT\r")
    assert lines(link.read(9)) == ["AT", "OK"]
    link.close()
    with pytest.raises(Exception, match="closed"):
        link.write(b"AT\r")
