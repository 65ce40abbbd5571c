"""Configuration: the example is valid; each class of mistake names file, line and key path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tetrakit.alarm.config import Priority, load_config
from tetrakit.cli import cli
from tetrakit.errors import ConfigError

from .helpers import BASE_YAML

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hospital.yaml"


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "alarm.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def error_of(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text))
    return info.value


def line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            count += 1
            if count == nth:
                return i
    raise AssertionError(needle)


def test_example_is_valid_and_wired_to_the_simulator() -> None:
    cfg = load_config(EXAMPLE)
    assert [r.port for r in cfg.radios] == [
        "tetrasim://hospital?issi=1001", "tetrasim://hospital?issi=1002"]
    assert [m.issi for m in cfg.team("hjertestans").members] == [2001, 2002, 2003, 2004, 2005]
    assert cfg.team("hjertestans").groups == (9100,)
    assert [m.issi for m in cfg.team("traume").members] == [2101, 2102, 2103]
    assert cfg.team("traume").groups == (9101,)
    assert cfg.answers.accept.statuses == (0x8001,) and cfg.answers.accept.texts == ("JA", "OK")
    assert cfg.journal == EXAMPLE.parent / "var" / "alarm-journal.sqlite3"
    assert cfg.control_socket == EXAMPLE.parent / "var" / "tetrakit-alarm.sock"
    b = cfg.button("B3-312")
    assert b.location.latitude is not None and abs(b.location.latitude - 62.4645) < 0.01
    assert cfg.alarm_type("HJERTESTANS").priority is Priority.HIGH
    assert Priority.HIGH.access_priority == 2 and Priority.LOW.access_priority == 0


def test_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["alarm", "check", str(EXAMPLE)])
    assert ok.exit_code == 0, ok.output
    assert "OK" in ok.output and "HJERTESTANS" in ok.output
    bad = write(tmp_path, BASE_YAML.replace("required_accepts: 2", "required_accepts: two"))
    from tetrakit.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["alarm", "check", str(bad)])
    assert exit_info.value.code == 1


def test_unknown_key(tmp_path: Path) -> None:
    text = BASE_YAML.replace("    repeat_interval: 30\n", "    repeat_intervall: 30\n")
    err = error_of(tmp_path, text)
    assert err.file.endswith("alarm.yaml")
    assert err.line == line_of(text, "repeat_intervall")
    assert err.key_path == "alarm_types[0].repeat_intervall"
    assert "unknown key" in str(err) and "repeat_interval" in str(err)
    assert str(err).startswith(f"{err.file}:{err.line}: alarm_types[0].repeat_intervall:")


def test_wrong_type(tmp_path: Path) -> None:
    text = BASE_YAML.replace("required_accepts: 2", "required_accepts: [2]")
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "required_accepts: [2]")
    assert err.key_path == "alarm_types[0].required_accepts"
    assert "single value" in str(err)
    text = BASE_YAML.replace("group_repeats: 2", "group_repeats: yes")
    err = error_of(tmp_path, text)
    assert err.key_path == "alarm_types[0].group_repeats" and "whole number" in str(err)


def test_bad_value(tmp_path: Path) -> None:
    text = BASE_YAML.replace("      - after: 60\n", "      - after: -5\n")
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "after: -5")
    assert err.key_path == "alarm_types[0].escalation[0].after"
    assert "must be a positive number of seconds" in str(err)
    text = BASE_YAML.replace("{issis: [2201]}", "{issis: [16777216]}")
    err = error_of(tmp_path, text)
    assert err.key_path == "alarm_types[0].escalation[1].targets.issis[0]"
    assert "ISSI" in str(err)
    text = BASE_YAML.replace("priority: high", "priority: urgent")
    err = error_of(tmp_path, text)
    assert err.key_path == "alarm_types[0].priority" and "high, medium, low" in str(err)
    text = BASE_YAML.replace('label: "AKUTT TILSYN"', 'label: "AKUTT ✚"')
    err = error_of(tmp_path, text)
    assert err.key_path == "alarm_types[1].label" and "Latin-1" in str(err)


def test_undefined_reference(tmp_path: Path) -> None:
    text = BASE_YAML.replace("targets: {teams: [traume]}", "targets: {teams: [trauma]}")
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "teams: [trauma]")
    assert err.key_path == "alarm_types[0].escalation[0].targets.teams[0]"
    assert "team 'trauma' is not defined" in str(err)
    text = BASE_YAML.replace("    alarm: TILSYN\n", "    alarm: TILSYNET\n")
    err = error_of(tmp_path, text)
    assert err.key_path == "buttons[1].alarm" and "TILSYNET" in str(err)


def test_duplicate_id(tmp_path: Path) -> None:
    text = BASE_YAML.replace("  - id: A1-101\n", "  - id: B3-312\n")
    err = error_of(tmp_path, text)
    assert err.line == line_of(text, "- id: B3-312", nth=2)
    assert err.key_path == "buttons[1]"
    assert "duplicate button id 'B3-312'" in str(err)
    assert f"line {line_of(text, '- id: B3-312')}" in str(err)
    # duplicate keys in one mapping are errors too (YAML would keep the last silently)
    text = BASE_YAML.replace("duplicate_window: 10\n",
                             "duplicate_window: 10\nduplicate_window: 5\n")
    err = error_of(tmp_path, text)
    assert err.key_path == "duplicate_window" and "duplicate key" in str(err)


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    text = BASE_YAML.replace("    label: HJERTESTANS\n", "    label: [HJERTESTANS\n")
    err = error_of(tmp_path, text)
    assert err.file.endswith("alarm.yaml") and err.line is not None
    assert "YAML syntax error" in str(err)
    assert abs(err.line - line_of(text, "label: [HJERTESTANS")) <= 2


def test_missing_required_and_relative_paths(tmp_path: Path) -> None:
    err = error_of(tmp_path, "radios: []\nalarm_types: []\n")
    assert err.key_path == "radios" and err.line == 1
    cfg = load_config(write(tmp_path, BASE_YAML + "journal: data/j.sqlite3\n"))
    assert cfg.journal == tmp_path / "data" / "j.sqlite3"
    err = error_of(tmp_path, "")
    assert "empty" in str(err)
    err = error_of(tmp_path, BASE_YAML + "control_socket: " + "x" * 120 + "\n")
    assert err.key_path == "control_socket" and "unix-domain socket" in str(err)


def test_ops_and_input_sections_validated(tmp_path: Path) -> None:
    extra = (
        "test_alarms:\n  target: {issis: [1009]}\n  schedule: [07:00, '25:00']\n"
    )
    err = error_of(tmp_path, BASE_YAML.replace("test_alarms:\n  target: {issis: [1009]}\n", "")
                   + extra)
    assert err.key_path == "test_alarms.schedule[1]" and "HH:MM" in str(err)
    extra = (
        "inputs:\n  buttonboxes:\n    - id: panel-a\n      port: /dev/ttyACM0\n"
        "      buttons: {1: B3-312, 2: NOPE}\n"
    )
    err = error_of(tmp_path, BASE_YAML + extra)
    assert err.key_path == "inputs.buttonboxes[0].buttons[2]" and "NOPE" in str(err)
    good = BASE_YAML + extra.replace("NOPE", "A1-101") + (
        "http: {listen: null}\nfault_alarm: {webhook: 'https://example.org/hook'}\n"
        "supervision: {interval: 5, misses: 2}\n"
    )
    cfg = load_config(write(tmp_path, good))
    assert cfg.inputs.buttonboxes[0].button_id(2) == "A1-101"
    assert cfg.http.listen is None and cfg.supervision.misses == 2
    assert cfg.fault_alarm.targets.issis == (1003,)
    err = error_of(tmp_path, BASE_YAML + "fault_alarm: {webhook: 'ftp://x'}\n")
    assert err.key_path == "fault_alarm.webhook"
