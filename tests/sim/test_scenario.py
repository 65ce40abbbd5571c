"""Scenario files: validation errors name file, line and key path; built-in identities."""

from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.scenario import builtin_scenarios, load_scenario, parse_scenario
from firmware_sim.world import World
from tetrakit.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]

BASE = """\
name: t
radios:
  - issi: 1001
    profile: motorola
groups:
  - gssi: 9100
members:
  - issi: 2001
    groups: [9100]
"""


def error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_scenario(text, "ward.yaml")
    return info.value


@pytest.mark.parametrize(
    ("text", "line", "path", "words"),
    [
        (BASE + "    colour: red\n", 10, "members[0].colour", "unknown key"),
        (BASE.replace("motorola", "nokia"), 4, "radios[0].profile", "unknown radio profile"),
        (BASE.replace("[9100]", "[9200]"), 9, "members[0].groups[0]", "not defined"),
        (BASE.replace("issi: 2001", "issi: 1001"), 8, "members[0].issi", "already used"),
        (BASE + "    behaviour: {answer: maybe}\n", 10, "members[0].behaviour.answer",
         "must be one of"),
        (BASE + "    behaviour: {after: [9, 3]}\n", 10, "members[0].behaviour.after", "low"),
        (BASE + "network: {rate_limit: 0}\n", 10, "network.rate_limit", "positive"),
        (BASE + "faults:\n  - {at: 5, target: 2001, kind: reboot}\n", 11,
         "faults[0].target", "PEI radios"),
        (BASE + "faults:\n  - {at: 5, target: 3333, kind: busy}\n", 11, "faults[0].target",
         "not a radio or member"),
        (BASE + "    lip: {destination: 4242}\n", 10, "members[0].lip.destination",
         "not in this scenario"),
        (BASE + "    position: {lat: 95, lon: 6}\n", 10, "members[0].position.lat", "-90..90"),
        ("name: x\nseed: [1,\n", 3, "", "not valid YAML"),
        (BASE + "calls:\n  - {at: 5, from: 4444, to: 9100}\n", 11, "calls[0].from",
         "not a radio or member"),
        (BASE + "calls:\n  - {at: 5, from: 2001, to: 9200}\n", 11, "calls[0].to",
         "not defined"),
        (BASE + "network: {store_delay: -1}\n", 10, "network.store_delay", "negative"),
        (BASE.replace("profile: motorola", "profile: {base: generic, proprietary: [gps]}"),
         4, "radios[0].profile.proprietary[0]", "must be one of gpspos, gcli"),
    ],
)
def test_errors_name_file_line_and_key_path(text: str, line: int, path: str, words: str) -> None:
    exc = error(text)
    assert exc.file == "ward.yaml"
    assert exc.line == line, str(exc)
    assert exc.key_path == path, str(exc)
    assert words in str(exc)
    assert str(exc).startswith(f"ward.yaml:{line}")


def test_unknown_builtin_and_missing_file() -> None:
    with pytest.raises(ConfigError, match="no built-in scenario 'ward'"):
        load_scenario("ward")
    with pytest.raises(ConfigError, match="not found"):
        load_scenario("no/such/file.yaml")


def test_profile_overrides_inline() -> None:
    text = BASE.replace("profile: motorola", "profile: {base: motorola, cmgs_status_delay: 0.1}")
    radio = parse_scenario(text).radios[0]
    assert radio.profile.name == "motorola"
    assert radio.profile.cmgs_status_delay == 0.1
    assert radio.profile.manufacturer == "MOTOROLA"
    exc = error(BASE.replace("profile: motorola", "profile: {base: motorola, echo: maybe}"))
    assert exc.key_path == "radios[0].profile.echo"


def test_hospital_uses_the_documented_identities() -> None:
    s = load_scenario("hospital")
    assert "hospital" in builtin_scenarios()
    assert [(r.issi, r.profile.name) for r in s.radios] == [
        (1001, "motorola"), (1002, "sepura"), (1003, "generic"), (1009, "generic")]
    groups = {g.gssi for g in s.groups}
    assert groups == {9100, 9101}
    cardiac = [m.issi for m in s.members if 9100 in m.groups]
    trauma = [m.issi for m in s.members if 9101 in m.groups]
    assert cardiac == [2001, 2002, 2003, 2004, 2005]
    assert trauma == [2101, 2102, 2103]
    assert {m.lip.destination for m in s.members if m.lip} == {1001}
    answers = [m.behaviour.answer for m in s.members]
    assert answers.count("reject") == 1 and answers.count("none") == 1
    for m in s.members:
        assert m.mobility is not None
        assert abs(m.mobility.latitude - 62.4645) < 0.01
        assert abs(m.mobility.longitude - 6.3450) < 0.01
        if m.behaviour.answer in ("accept", "standby"):
            assert m.behaviour.after[0] >= 5 and m.behaviour.after[1] <= 20


@pytest.mark.parametrize("path", sorted((REPO / "examples").glob("scenario*.yaml")))
def test_examples_load_and_run(path: Path) -> None:
    world = World(load_scenario(path))
    world.advance(600)
    assert world.log.find("world_start")


def test_fault_timeline_from_yaml() -> None:
    text = BASE + """faults:
  - {at: 10, target: 1001, kind: reboot, duration: 5}
  - {at: 30, target: 1001, kind: busy, commands: 2}
  - {at: 40, target: 2001, kind: switch_off, duration: 20}
"""
    world = World(parse_scenario(text))
    world.advance(12)
    assert world.terminal(1001).booting
    world.advance(4)
    assert not world.terminal(1001).booting
    world.advance(15)
    assert world.terminal(1001).busy_commands == 2
    world.advance(10)
    assert not world.member(2001).powered
    world.advance(20)
    assert world.member(2001).powered
    kinds = [(e["kind"], e["target"]) for e in world.log.find("fault")]
    assert kinds == [("reboot", 1001), ("busy", 1001), ("switch_off", 2001)]
