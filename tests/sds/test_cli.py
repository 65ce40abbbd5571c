"""``tetrakit decode`` through click's CliRunner."""

from __future__ import annotations

import json

from click.testing import CliRunner

from tetrakit.cli import cli


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["decode", *args], input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_readable_rendering() -> None:
    code, out, err = _run("82040801476A61746A616A676A61")
    assert code == 0, err
    assert out.splitlines()[0] == "SDS-TRANSFER  PI 0x82 (text messaging)"
    assert "'Gjatjajgja'" in out
    assert "1 (received)" in out
    assert "1 (ISO 8859-1 (Latin-1))" in out


def test_json_one_object_per_input() -> None:
    code, out, _ = _run("--json", "82100002", "02016F6B")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["pdu"] == "SDS-REPORT"
    assert first["delivery_status"] == 0 and first["message_reference"] == 2
    assert second["text"] == "ok" and second["protocol_id"] == 2


def test_json_keeps_norwegian_letters() -> None:
    code, out, _ = _run("--json", "8200010148E5")
    assert code == 0
    assert json.loads(out)["text"] == "Hå"


def test_stdin_one_input_per_line_with_comments() -> None:
    code, out, _ = _run("--json", stdin="# captured\n82100009\n\n8204090178\n")
    assert code == 0
    refs = [json.loads(line)["message_reference"] for line in out.splitlines()]
    assert refs == [9, 9]


def test_bits_option() -> None:
    code, out, _ = _run("--json", "--bits", "48", "8204090178797A")
    assert code == 0
    assert json.loads(out)["text"] == "xy"


def test_status_option() -> None:
    code, out, _ = _run("--json", "--status", "7F1D", "8002")
    assert code == 0
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["short_report_type"] == 3 and first["message_reference"] == 0x1D
    assert second["status_value"] == 0x8002 and second["short_report_type"] is None


def test_bad_input_names_input_and_field_and_others_still_decode() -> None:
    code, out, err = _run("--json", "82100002", "8204", "zz")
    assert code == 1
    assert len(out.splitlines()) == 1
    lines = err.splitlines()
    assert lines[0] == ("error: input 2 '8204': needs 8 bits but only 0 remain "
                        "(field 'message_reference', bit 16)")
    assert lines[1].startswith("error: input 3 'zz': not a hex string")


def test_bad_status_input() -> None:
    code, _, err = _run("--status", "12345")
    assert code == 1
    assert "status_value" in err


def test_lip_input_renders() -> None:
    code, out, _ = _run("0A0088BD4247F737FFE810", "--bits", "84")
    assert code == 0
    assert out.strip()


def test_console_script_exit_codes() -> None:
    """The real entry point (tetrakit.cli.main): 0 when all decode, 1 when one fails."""
    import subprocess
    import sys

    ok = subprocess.run([sys.executable, "-m", "tetrakit", "decode", "--json", "8204090178"],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["text"] == "x"
    bad = subprocess.run([sys.executable, "-m", "tetrakit", "decode", "8204090178", "82"],
                         capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "input 2 '82'" in bad.stderr and "message_type" in bad.stderr
    assert "SDS-TRANSFER" in bad.stdout
