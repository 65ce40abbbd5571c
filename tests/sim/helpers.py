"""Small helpers for driving simulated radios in tests."""

from __future__ import annotations

from firmware_sim.scenario import Scenario, parse_scenario
from firmware_sim.terminal import TerminalModel
from firmware_sim.world import World


def lines(data: bytes) -> list[str]:
    """Non-empty result lines of radio output."""
    text = data.decode("latin-1").replace("\r\n", "\n").replace("\r", "\n")
    return [ln for ln in text.split("\n") if ln]


class Pei:
    """Drive one radio of a virtual-clock world like a host would."""

    def __init__(self, world: World, issi: int) -> None:
        self.world = world
        self.term: TerminalModel = world.terminal(issi)

    def send(self, data: bytes | str) -> list[str]:
        raw = data.encode("latin-1") if isinstance(data, str) else data
        self.term.receive_data(raw)
        return lines(self.term.data_to_send())

    def cmd(self, line: str) -> list[str]:
        return self.send(line + "\r\n")

    def wait(self, seconds: float) -> list[str]:
        self.world.advance(seconds)
        return lines(self.term.data_to_send())


SMALL = """
name: small
seed: 7
network: {latency: 0.25, rate_limit: 20}
groups:
  - {gssi: 9100, name: team}
radios:
  - {issi: 1001, profile: motorola}
  - {issi: 1002, profile: sepura}
  - {issi: 1003, profile: generic}
members:
  - issi: 2001
    groups: [9100]
    behaviour: {answer: accept, after: 5, via: status}
    position: {lat: 62.4645, lon: 6.345, radius: 50}
    lip: {destination: 1001, interval: null}
"""


def small_world(extra: str = "", *, seed: int | None = None) -> World:
    scenario: Scenario = parse_scenario(SMALL + extra, "small.yaml")
    return World(scenario, seed=seed)


def quiet(pei: Pei) -> None:
    """Echo off, so that replies are only results."""
    assert pei.cmd("ATE0")[-1] == "OK"
