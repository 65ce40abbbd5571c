"""Each simulator fault, and what tetrakit's radio session does about it.

The sans-I/O :class:`tetrakit.radio.RadioSession` runs against a simulated
Motorola radio on the virtual clock (:mod:`.session_driver`); every fault
is seeded, so each run is the same.
"""

from __future__ import annotations

import pytest

from firmware_sim.scenario import parse_scenario
from firmware_sim.world import World
from tetrakit.errors import BusyError, OutOfServiceError
from tetrakit.radio import LinkState, LinkStateChanged, SdsState

from .session_driver import SessionDriver


def ready(world: World | None = None) -> tuple[World, SessionDriver]:
    world = world if world is not None else World("hospital")
    driver = SessionDriver(world, 1001, "motorola")
    assert driver.run_until(lambda: driver.session.state is LinkState.READY, 60)
    return world, driver


def deliver(driver: SessionDriver, to: int, text: str, timeout: float = 60) -> None:
    handle = driver.session.send_text(to, text, now=driver.world.now)
    assert driver.run_until(lambda: handle.state is SdsState.DELIVERED, timeout), handle


def states(driver: SessionDriver) -> list[LinkState]:
    return [e.state for e in driver.events if isinstance(e, LinkStateChanged)]


def test_reboot_is_detected_and_registrations_are_restored() -> None:
    world, d = ready()
    term = world.terminal(1001)
    registered = [(r.layer1, r.layer2) for r in term.ctsp]
    assert registered
    term.reboot(20.0)
    assert term.ctsp == []
    queued = d.session.send_text(2001, "Hjertestans B312", now=world.now)
    d.run_for(90)
    assert states(d)[-3:] == [LinkState.SILENT, LinkState.INITIALISING, LinkState.READY]
    assert d.session.health().reinit_count == 1
    assert [(r.layer1, r.layer2) for r in term.ctsp] == registered  # re-registered
    assert not term.echo  # ATE0 sent again
    assert queued.state is SdsState.DELIVERED  # the SDS queued during the reboot went out


def test_echo_after_ate0_reveals_a_quick_reboot() -> None:
    world, d = ready()
    term = world.terminal(1001)
    term.reboot(0.5)  # back before the keep-alive notices any silence
    d.run_for(45)
    assert d.session.health().reinit_count == 1
    assert term.ctsp  # registrations restored


def test_serial_garbage_is_tolerated() -> None:
    world, d = ready()
    world.terminal(1001).inject_garbage(40)
    deliver(d, 2001, "Hjertestans B312")
    assert d.session.state is LinkState.READY


def test_garbage_in_the_radio_input_at_connect() -> None:
    world = World("hospital")
    world.terminal(1001).receive_data(b"\x13\xfe~#")  # left-over bytes, no CR yet
    world, d = ready(world)
    deliver(d, 2002, "test")


def test_one_byte_at_a_time() -> None:
    world = World("hospital")
    world.terminal(1001).shaper.faults.one_byte = True
    world, d = ready(world)
    deliver(d, 2001, "Hjertestans B312")


def test_delayed_bytes() -> None:
    world = World("hospital")
    world.terminal(1001).shaper.faults.delay = 1.5
    world, d = ready(world)
    start = world.now
    deliver(d, 2001, "Hjertestans B312")
    assert world.now - start >= 1.5


def test_dropped_bytes_fail_the_send_then_the_link_recovers() -> None:
    world, d = ready()
    world.terminal(1001).shaper.faults.drop_probability = 0.2
    lost = d.session.send_text(2001, "x", now=world.now)
    d.run_for(60)
    assert lost.state is SdsState.FAILED  # never silently lost: reported as failed
    assert LinkState.INITIALISING in states(d)  # the session re-initialised the radio
    world.terminal(1001).shaper.faults.drop_probability = 0.0
    d.run_for(120)
    assert d.session.state is LinkState.READY
    deliver(d, 2002, "y")


def test_busy_fails_the_sds_with_a_retryable_error_then_sends() -> None:
    world, d = ready()
    world.terminal(1001).set_busy(2)
    handle = d.session.send_text(2001, "x", now=world.now)
    assert d.run_until(lambda: handle.final, 30)
    assert handle.state is SdsState.FAILED
    assert isinstance(handle.error, BusyError) and handle.error.retryable
    assert d.session.state is LinkState.READY
    d.run_for(30)  # the keep-alive meets the second busy answer; the link stays up
    assert d.session.state is LinkState.READY
    assert world.terminal(1001).busy_commands == 0
    deliver(d, 2001, "x again")


def test_coverage_loss_fails_with_out_of_service_and_recovers() -> None:
    world, d = ready()
    term = world.terminal(1001)
    term.set_coverage(False)
    handle = d.session.send_text(2001, "x", now=world.now)
    assert d.run_until(lambda: handle.final, 30)
    assert isinstance(handle.error, OutOfServiceError) and handle.error.retryable
    term.set_coverage(True)
    deliver(d, 2001, "x again")


def test_destination_switched_off_is_sent_but_not_delivered() -> None:
    world, d = ready()
    world.member(2004).set_power(False)
    handle = d.session.send_text(2004, "x", now=world.now)
    assert d.run_until(lambda: handle.final, 60)
    assert handle.state is SdsState.FAILED  # the SwMI's report 0x4B: not registered
    assert world.log.find("sds_failed", to=2004)[0]["reason"] == "not_registered"


@pytest.mark.parametrize("seed", [1, 2])
def test_fault_timeline_from_a_scenario_file(seed: int) -> None:
    text = """
name: faulty
seed: 5
groups: [{gssi: 9100}]
radios: [{issi: 1001, profile: motorola}]
members:
  - {issi: 2001, groups: [9100], behaviour: {answer: accept, after: 5}}
faults:
  - {at: 60, target: 1001, kind: noise, probability: 0.05, duration: 30}
  - {at: 120, target: 1001, kind: reboot, duration: 15}
  - {at: 200, target: 1001, kind: coverage_loss, duration: 20}
"""
    world = World(parse_scenario(text), seed=seed)
    world, d = ready(world)
    d.run_for(300)
    assert d.session.state is LinkState.READY
    assert d.session.health().reinit_count >= 1
    deliver(d, 2001, "after the storm")
