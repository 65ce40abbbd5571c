"""``tetrakit alarm`` commands without a running daemon: one clear line, exit 1 or 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tetrakit.cli import main

from .helpers import BASE_YAML


def run(args: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        main(args)
    return int(info.value.code or 0)


def test_no_daemon_running(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "alarm.yaml"
    cfg.write_text(BASE_YAML, encoding="utf-8")
    for args in (["trigger", "B3-312"], ["status"], ["cancel", "A1"]):
        assert run(["alarm", args[0], "-c", str(cfg), *args[1:]]) == 1
        err = capsys.readouterr().err
        assert "no alarm controller is running" in err
        assert str(tmp_path / "var" / "tetrakit-alarm.sock") in err


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "alarm.yaml"
    cfg.write_text(BASE_YAML, encoding="utf-8")
    assert run(["alarm", "trigger", "-c", str(cfg)]) == 2
    assert "give a BUTTON" in capsys.readouterr().err
    assert run(["alarm", "trigger", "-c", str(cfg), "--type", "TEST"]) == 2
    assert "--location" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--type", "TEST"], ["--location", "x"],
                                   ["--type", "TEST", "--location", "x"]])
def test_a_button_with_type_or_location_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    # refused before any daemon is asked: no "no alarm controller is running" here
    cfg = tmp_path / "alarm.yaml"
    cfg.write_text(BASE_YAML, encoding="utf-8")
    assert run(["alarm", "trigger", "-c", str(cfg), "B3-312", *extra]) == 2
    err = capsys.readouterr().err
    assert "not both" in err and "B3-312" in err and extra[-2] in err
    assert "no alarm controller" not in err


def test_check_reports_the_error_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "alarm.yaml"
    cfg.write_text(BASE_YAML.replace("duplicate_window: 10", "duplicate_window: soon"),
                   encoding="utf-8")
    assert run(["alarm", "check", str(cfg)]) == 1
    err = capsys.readouterr().err.strip()
    line = BASE_YAML.splitlines().index("duplicate_window: 10") + 1
    assert err == (f"error: {cfg}:{line}: duplicate_window: must be a number of seconds")
