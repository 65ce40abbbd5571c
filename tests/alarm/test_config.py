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


def assert_at(err: ConfigError, text: str, needle: str, key_path: str, nth: int = 1) -> None:
    """The error names the file, the line holding ``needle`` and the key path, in its text too."""
    assert err.file.endswith("alarm.yaml"), err
    assert err.line == line_of(text, needle, nth), str(err)
    assert err.key_path == key_path, str(err)
    assert str(err).startswith(f"{err.file}:{err.line}: {key_path}: "), str(err)


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
    assert_at(err, text, "required_accepts: [2]", "alarm_types[0].required_accepts")
    assert "single value" in str(err)
    text = BASE_YAML.replace("group_repeats: 2", "group_repeats: yes")
    err = error_of(tmp_path, text)
    assert_at(err, text, "group_repeats: yes", "alarm_types[0].group_repeats")
    assert "whole number" in str(err)


def test_bad_value(tmp_path: Path) -> None:
    text = BASE_YAML.replace("      - after: 60\n", "      - after: -5\n")
    err = error_of(tmp_path, text)
    assert_at(err, text, "after: -5", "alarm_types[0].escalation[0].after")
    assert "must be a positive number of seconds" in str(err)
    text = BASE_YAML.replace("{issis: [2201]}", "{issis: [16777216]}")
    err = error_of(tmp_path, text)
    assert_at(err, text, "16777216", "alarm_types[0].escalation[1].targets.issis[0]")
    assert "ISSI" in str(err)
    text = BASE_YAML.replace("priority: high", "priority: urgent")
    err = error_of(tmp_path, text)
    assert_at(err, text, "priority: urgent", "alarm_types[0].priority")
    assert "high, medium, low" in str(err)
    text = BASE_YAML.replace('label: "AKUTT TILSYN"', 'label: "AKUTT ✚"')
    err = error_of(tmp_path, text)
    assert_at(err, text, "AKUTT ✚", "alarm_types[1].label")
    assert "Latin-1" in str(err)


def test_undefined_reference(tmp_path: Path) -> None:
    text = BASE_YAML.replace("targets: {teams: [traume]}", "targets: {teams: [trauma]}")
    err = error_of(tmp_path, text)
    assert_at(err, text, "teams: [trauma]", "alarm_types[0].escalation[0].targets.teams[0]")
    assert "team 'trauma' is not defined" in str(err)
    text = BASE_YAML.replace("    alarm: TILSYN\n", "    alarm: TILSYNET\n")
    err = error_of(tmp_path, text)
    assert_at(err, text, "alarm: TILSYNET", "buttons[1].alarm")
    assert "TILSYNET" in str(err)


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
    assert_at(err, text, "duplicate_window: 5", "duplicate_window")
    assert "duplicate key" in str(err)


def test_bad_yaml_syntax(tmp_path: Path) -> None:
    text = BASE_YAML.replace("    label: HJERTESTANS\n", "    label: [HJERTESTANS\n")
    err = error_of(tmp_path, text)
    assert err.file.endswith("alarm.yaml") and err.line is not None
    assert "YAML syntax error" in str(err)
    assert abs(err.line - line_of(text, "label: [HJERTESTANS")) <= 2
    # no node tree exists: the key path is where the parser had got to
    assert err.key_path.startswith("alarm_types[0].label"), str(err)


def test_missing_required_and_relative_paths(tmp_path: Path) -> None:
    text = "radios: []\nalarm_types: []\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "radios: []", "radios")
    cfg = load_config(write(tmp_path, BASE_YAML + "journal: data/j.sqlite3\n"))
    assert cfg.journal == tmp_path / "data" / "j.sqlite3"
    err = error_of(tmp_path, "")
    assert "empty" in str(err) and err.line == 1 and err.key_path == "(top)"
    assert err.file.endswith("alarm.yaml")
    text = BASE_YAML + "control_socket: " + "x" * 120 + "\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "control_socket: xxx", "control_socket")
    assert "unix-domain socket" in str(err)


def test_ops_and_input_sections_validated(tmp_path: Path) -> None:
    extra = (
        "test_alarms:\n  target: {issis: [1009]}\n  schedule: [07:00, '25:00']\n"
    )
    text = BASE_YAML.replace("test_alarms:\n  target: {issis: [1009]}\n", "") + extra
    err = error_of(tmp_path, text)
    assert_at(err, text, "'25:00'", "test_alarms.schedule[1]")
    assert "HH:MM" in str(err)
    extra = (
        "inputs:\n  buttonboxes:\n    - id: panel-a\n      port: /dev/ttyACM0\n"
        "      buttons: {1: B3-312, 2: NOPE}\n"
    )
    err = error_of(tmp_path, BASE_YAML + extra)
    assert_at(err, BASE_YAML + extra, "2: NOPE", "inputs.buttonboxes[0].buttons[2]")
    assert "NOPE" in str(err)
    good = BASE_YAML + extra.replace("NOPE", "A1-101") + (
        "http: {listen: null}\nfault_alarm: {webhook: 'https://example.org/hook'}\n"
        "supervision: {interval: 5, misses: 2}\n"
    )
    cfg = load_config(write(tmp_path, good))
    assert cfg.inputs.buttonboxes[0].button_id(2) == "A1-101"
    assert cfg.http.listen is None and cfg.supervision.misses == 2
    assert cfg.fault_alarm.targets.issis == (1003,)
    text = BASE_YAML + "fault_alarm: {webhook: 'ftp://x'}\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "ftp://x", "fault_alarm.webhook")
    assert "http://" in str(err)


# ----------------------------------------------------------------- more classes of mistake


def test_missing_required_key_in_an_item(tmp_path: Path) -> None:
    text = BASE_YAML.replace("  - id: A1-101\n    alarm: TILSYN\n", "  - id: A1-101\n")
    err = error_of(tmp_path, text)
    assert_at(err, text, "- id: A1-101", "buttons[1]")
    assert "missing required key 'alarm'" in str(err)


def test_top_level_not_a_mapping(tmp_path: Path) -> None:
    text = "- radios\n- alarm_types\n"
    err = error_of(tmp_path, text)
    assert err.file.endswith("alarm.yaml") and err.line == 1 and err.key_path == "(top)"
    assert "must be a mapping" in str(err)


def test_not_utf8(tmp_path: Path) -> None:
    text = BASE_YAML.replace('unit: "Sengepost 3B"', 'unit: "Sengepost \udcf83B"')
    p = tmp_path / "alarm.yaml"
    p.write_bytes(text.encode("utf-8", errors="surrogateescape"))  # a lone Latin-1 ø byte
    with pytest.raises(ConfigError) as info:
        load_config(p)
    err = info.value
    assert err.file.endswith("alarm.yaml")
    assert err.line == line_of(text, "Sengepost")
    assert err.key_path == "buttons[0].location.unit"
    assert "not UTF-8" in str(err) and "f8" in str(err)


def test_empty_targets(tmp_path: Path) -> None:
    text = BASE_YAML.replace("targets: {issis: [2003]}", "targets: {}")
    err = error_of(tmp_path, text)
    assert_at(err, text, "targets: {}", "alarm_types[1].targets")
    assert "names no one" in str(err)


def test_duplicate_member_issi(tmp_path: Path) -> None:
    text = BASE_YAML.replace('{issi: 2002, name: "Ola Hansen"}', '{issi: 2001, name: "Ola"}')
    err = error_of(tmp_path, text)
    assert_at(err, text, '{issi: 2001, name: "Ola"}', "teams[0].members[1]")
    assert "duplicate member ISSI '2001'" in str(err)


def test_conflicting_answers_point_at_the_value(tmp_path: Path) -> None:
    text = BASE_YAML + "answers:\n  accept: {texts: [JA, OK]}\n  reject:\n    texts:\n" \
        "      - ok\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "      - ok", "answers.reject.texts[0]")
    assert "'OK' is both accept and reject" in str(err)
    # a status value against a default, in an alarm type's override
    text = BASE_YAML.replace("    priority: low\n    targets: {issis: [2003]}\n",
                             "    priority: low\n    targets: {issis: [2003]}\n"
                             "    answers:\n      standby: {statuses: [32770]}\n")
    err = error_of(tmp_path, text)
    assert_at(err, text, "statuses: [32770]", "alarm_types[1].answers.standby.statuses[0]")
    assert "0x8002 is both reject and standby" in str(err)


def test_required_accepts_that_can_never_be_reached(tmp_path: Path) -> None:
    # HJERTESTANS reaches 3 + 2 (escalation team) + 1 (escalation ISSI) = 6 people
    assert load_config(write(tmp_path, BASE_YAML.replace(
        "required_accepts: 2", "required_accepts: 6"))).alarm_type("HJERTESTANS")
    text = BASE_YAML.replace("required_accepts: 2", "required_accepts: 7")
    err = error_of(tmp_path, text)
    assert_at(err, text, "required_accepts: 7", "alarm_types[0].required_accepts")
    assert "needs 7 accepts" in str(err) and "only 6" in str(err)
    # a talkgroup of a known team counts its members, no more
    text = BASE_YAML.replace("targets: {issis: [2003]}",
                             "targets: {groups: [9101]}\n    required_accepts: 3")
    err = error_of(tmp_path, text)
    assert_at(err, text, "required_accepts: 3", "alarm_types[1].required_accepts")
    # a talkgroup of no team has an unknown size: not refused
    cfg = load_config(write(tmp_path, BASE_YAML.replace(
        "targets: {issis: [2003]}", "targets: {groups: [9555]}\n    required_accepts: 3")))
    assert cfg.alarm_type("TILSYN").required_accepts == 3


def test_radio_issi_clashes(tmp_path: Path) -> None:
    text = BASE_YAML.replace('port: "loop://", issi: 1001', 'port: "loop://", issi: 2002')
    err = error_of(tmp_path, text)
    assert_at(err, text, "issi: 2002}", "radios[0].issi")
    assert "also a member of team 'hjertestans'" in str(err)
    text = BASE_YAML.replace('port: "loop://", issi: 1001', 'port: "loop://", issi: 9101')
    err = error_of(tmp_path, text)
    assert_at(err, text, "issi: 9101}", "radios[0].issi")
    assert "talkgroup (GSSI) of team 'traume'" in str(err)
    text = BASE_YAML.replace("groups: [9101]", "groups: [9101, 2003]")
    err = error_of(tmp_path, text)
    assert_at(err, text, "groups: [9101, 2003]", "teams[1].groups[1]")
    assert "GSSI 2003 of team 'traume' is also the ISSI of a member of team 'hjertestans'" in str(
        err)


def test_callout_that_cannot_fit_94_characters(tmp_path: Path) -> None:
    label = "X" * 86  # + " #A99999" = 94: fits
    load_config(write(tmp_path, BASE_YAML.replace('label: "AKUTT TILSYN"', f"label: {label}")))
    text = BASE_YAML.replace('label: "AKUTT TILSYN"', f"label: {label}Y")
    err = error_of(tmp_path, text)
    assert_at(err, text, f"label: {label}Y", "alarm_types[1].label")
    assert "87 characters" in str(err) and "94" in str(err)
    # a test type: the prefix counts too
    text = BASE_YAML.replace("label: TESTALARM", "label: " + "T" * 82)  # "TEST " + 82 = 87
    err = error_of(tmp_path, text)
    assert_at(err, text, "label: TTTT", "alarm_types[2].label")
    assert "test prefix 'TEST'" in str(err)
    text = BASE_YAML + "  prefix: " + "P" * 85 + "\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "prefix: PPP", "test_alarms.prefix")


def test_text_outside_latin1(tmp_path: Path) -> None:
    text = BASE_YAML + "  prefix: TEST✓\n"
    err = error_of(tmp_path, text)
    assert_at(err, text, "prefix: TEST✓", "test_alarms.prefix")
    assert "'✓'" in str(err) and "Latin-1" in str(err)
    for field, value in (("room", '"312"'), ("unit", '"Sengepost 3B"'), ("building", "B")):
        bad = f"{field}: {value[:-1]}Ж{value[-1]}" if value.startswith('"') else f"{field}: BЖ"
        text = BASE_YAML.replace(f"{field}: {value}", bad, 1)
        err = error_of(tmp_path, text)
        assert_at(err, text, bad, f"buttons[0].location.{field}")
        assert "'Ж'" in str(err) and "Latin-1" in str(err)
