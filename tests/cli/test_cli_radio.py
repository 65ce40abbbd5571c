"""``tetrakit sds send/status``, ``monitor`` and ``pei replay`` end to end.

The commands run as subprocesses against the ``pei_port`` fixture: by default
a scripted peer on a real pty (exact bytes are checked there), with
``TETRAKIT_TEST_PORT`` the simulator, with ``--pei-port`` a real radio.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from scripted_peer import PeiPort

from tetrakit import sds
from tetrakit.cli import cli

pytestmark = pytest.mark.timeout(60)

GENERIC_INIT = [
    b"AT\r\n", b"ATE0\r\n", b"AT+CMEE=1\r\n", b"AT+CTSP=1,3,130\r\n", b"AT+CTSP=2,2,20\r\n",
    b"AT+CTSP=1,3,10\r\n", b"AT+CTOM?\r\n", b"AT+CNUMF?\r\n", b"AT+CSQ?\r\n", b"AT+CREG?\r\n",
    b"AT+CTSP?\r\n",
]


def tetrakit(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    # TETRAKIT_BAUDRATE / _RTSCTS / _VENDOR pass through: they set up a real radio
    return subprocess.run(
        [sys.executable, "-m", "tetrakit", *args],
        capture_output=True, text=True, timeout=timeout, check=False,
    )


def text_cmgs(to: int, text: str, ref: int) -> bytes:
    data, bits = sds.encode(sds.text_message(text, message_reference=ref))
    return b"AT+CMGS=%d,%d\r\n%s\x1a" % (to, bits, data.hex().upper().encode())


def test_sds_send_exact_bytes_and_trace_replay(pei_port: PeiPort, tmp_path: Path) -> None:
    trace = tmp_path / "send.jsonl"
    result = tetrakit(
        "sds", "send", "-p", pei_port.url, "--to", str(pei_port.to_issi), "--reference", "42",
        "--trace", str(trace), "Hjertestans bygg B rom 312",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() in (
        f"sent to {pei_port.to_issi}, message reference 42",
    ) or result.stdout.startswith(f"delivered to {pei_port.to_issi}")
    cmgs = text_cmgs(pei_port.to_issi, "Hjertestans bygg B rom 312", 42)
    if pei_port.peer is not None:
        assert pei_port.peer.commands == [*GENERIC_INIT, b"AT+CTSDS=12,0,0,0\r\n", cmgs]
    # the trace holds exactly what was written, on every kind of port
    runner = CliRunner()
    replay = runner.invoke(cli, ["pei", "replay", str(trace)])
    assert replay.exit_code == 0, replay.output
    lines = replay.output.splitlines()
    sent = [line.split(" > ", 1)[1] for line in lines if " > " in line]
    assert sent[-3:] == [
        "AT+CTSDS=12,0,0,0",
        cmgs.split(b"\r\n")[0].decode(),
        cmgs.split(b"\r\n")[1].rstrip(b"\x1a").decode() + "^Z",
    ]
    received = [line.split(" < ", 1)[1] for line in lines if " < " in line]
    assert "OK" in received
    # sent over the air, or already reported delivered (a report may overtake it)
    assert any(
        (r.startswith("+CMGS: ") and r.count(",") == 2) or "SDS-REPORT ref 42" in r
        for r in received
    )
    as_json = runner.invoke(cli, ["pei", "replay", "--json", str(trace)])
    objects = [json.loads(line) for line in as_json.output.splitlines()]
    assert {o["dir"] for o in objects} == {"tx", "rx"}
    assert any(o.get("command") == "AT+CTSDS=12,0,0,0" for o in objects)


def test_sds_send_wait_report(pei_port: PeiPort) -> None:
    result = tetrakit(
        "sds", "send", "-p", pei_port.url, "--to", str(pei_port.to_issi), "--wait-report",
        "--timeout", "20", "Traumeteam til akutten",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"delivered to {pei_port.to_issi}")


def test_sds_send_group_sets_service_selection_and_names_first_reporter(
    pei_port: PeiPort,
) -> None:
    peer, radio = pei_port.require_peer()
    radio.auto_report = False  # the members' reports are injected below
    proc = subprocess.Popen(
        [sys.executable, "-m", "tetrakit", "sds", "send", "-p", pei_port.url, "--to", "9100",
         "--group", "--reference", "7", "--wait-report", "--timeout", "20", "Hei"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        peer.wait_for(lambda cmds: any(c.startswith(b"AT+CMGS") for c in cmds), timeout=20)
        # SDS-TL: PI 82, first octet 0000 11 1 0 (transfer, received+consumed,
        # service selection 1 = group or individual, no storage), ref 07, Latin-1 01
        assert peer.commands[-1] == b"AT+CMGS=9100,56\r\n820E0701486569\x1a"
        assert peer.commands[-2] == b"AT+CTSDS=12,0,0,0\r\n"  # SSI form
        # member 2001 answers first with "received", then 2002
        assert radio.receive_sds(12, 2001, bytes.fromhex("82100007"), 32)
        assert radio.receive_sds(12, 2002, bytes.fromhex("82100007"), 32)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.startswith("delivered to group 9100 (first report from 2001), message reference 7")


def test_sds_send_cme_error_exit_1(pei_port: PeiPort) -> None:
    _peer, radio = pei_port.require_peer()
    radio.errors[b"AT+CMGS"] = 0
    result = tetrakit("sds", "send", "-p", pei_port.url, "--to", "2001", "hei")
    assert result.returncode == 1
    assert "SDS to 2001 failed" in result.stderr
    assert "+CME ERROR: 0 (MT unable to send data over the air)" in result.stderr


def test_sds_send_never_reported_sent_exit_1(pei_port: PeiPort) -> None:
    peer, radio = pei_port.require_peer()
    radio.hold_status = True
    result = tetrakit("sds", "send", "-p", pei_port.url, "--to", "2001", "--timeout", "2", "hei")
    assert result.returncode == 1
    assert "accepted it but did not report it sent in time" in result.stderr
    assert sum(c.startswith(b"AT+CMGS") for c in peer.commands) == 1


def test_sds_status_exact_bytes(pei_port: PeiPort) -> None:
    result = tetrakit("sds", "status", "-p", pei_port.url, "--to", str(pei_port.to_issi),
                      "0x8001")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sent to {pei_port.to_issi}"
    if pei_port.peer is not None:
        assert pei_port.peer.commands[-2:] == [
            b"AT+CTSDS=13,0,0,0\r\n", b"AT+CMGS=%d,16\r\n8001\x1a" % pei_port.to_issi
        ]


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["sds", "status", "-p", "loop://", "--to", "2001", "0x18001"])
    assert result.exit_code == 2
    assert "not a 16-bit status value" in result.output
    result = runner.invoke(cli, ["sds", "send", "--to", "2001", "x"], env={"TETRAKIT_PORT": ""})
    assert result.exit_code == 2
    result = tetrakit("sds", "send", "-p", str(tmp_path / "ttyNONE"), "--to", "2001", "x")
    assert result.returncode == 1
    assert "ttyNONE: cannot open port" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [
    ("sds", "send", "--to", "2001", "x"),
    ("sds", "status", "--to", "2001", "0x8001"),
    ("monitor", "--count", "1"),
])
def test_open_error_is_one_line(tmp_path: Path, command: tuple[str, ...]) -> None:
    missing = tmp_path / "ttyNONE"
    result = tetrakit(*command[:2], "-p", str(missing), *command[2:]) if command[0] == "sds" \
        else tetrakit(command[0], "-p", str(missing), *command[1:])
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: {missing}: cannot open port: No such file or directory (errno 2)"
    ]
    assert result.stdout == ""


def test_command_through_a_spy_url(pei_port: PeiPort, tmp_path: Path) -> None:
    """pyserial's ``spy://`` wrapper (open_port passes any URL on) around the radio's pty."""
    peer, _radio = pei_port.require_peer()
    log = tmp_path / "spy.txt"
    result = tetrakit("sds", "status", "-p", f"spy://{peer.url}?file={log}", "--to", "2001",
                      "0x8001")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sent to 2001"
    assert peer.commands == [
        *GENERIC_INIT, b"AT+CTSDS=13,0,0,0\r\n", b"AT+CMGS=2001,16\r\n8001\x1a",
    ]
    # the spy's hex dump holds the same bytes: everything written, and the answers
    dumped: dict[str, bytes] = {"TX": b"", "RX": b""}
    for line in log.read_text().splitlines():
        # "<time> TX   <offset>  <16 hex octets, fixed width>  <ASCII>"
        fields = line.split(maxsplit=3)
        if len(fields) == 4 and fields[1] in dumped:
            dumped[fields[1]] += bytes.fromhex(fields[3][:49])
    assert dumped["TX"] == b"".join(peer.commands)
    assert b"+CMGS: 0,4\r\n" in dumped["RX"]


def test_monitor_json_through_a_pipe(pei_port: PeiPort) -> None:
    peer, radio = pei_port.require_peer()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tetrakit", "monitor", "-p", pei_port.url, "--json",
         "--count", "3", "--duration", "30"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        peer.wait_for(lambda cmds: b"AT+CTSP?\r\n" in cmds, timeout=20)
        lines: list[str] = []

        def read_one() -> None:
            assert proc.stdout is not None
            lines.append(proc.stdout.readline())

        # each line must arrive on its own, flushed, before the next SDS is sent
        sent = [
            (12, 2002, bytes.fromhex("82040801476A61746A616A676A61"), 112),
            (13, 2003, bytes.fromhex("8001"), 16),
            (12, 2001, bytes.fromhex("0A112853A9FF4D4FFFE810"), 84),
        ]
        for ai, calling, payload, bits in sent:
            reader = threading.Thread(target=read_one)
            reader.start()
            assert radio.receive_sds(ai, calling, payload, bits)
            reader.join(15)
            assert not reader.is_alive(), "monitor did not flush its line"
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    objs = [json.loads(line) for line in lines]
    assert [o["from"] for o in objs] == ["2002", "2003", "2001"]
    assert all(o["to"] == "1003" for o in objs)
    assert [o["ai_service"] for o in objs] == [12, 13, 12]
    assert [o["bits"] for o in objs] == [112, 16, 84]
    assert objs[0]["hex"] == "82040801476A61746A616A676A61"
    assert objs[0]["pdu"] == "SDS-TRANSFER" and objs[0]["text"] == "Gjatjajgja"
    assert objs[1]["status_hex"] == "8001"
    assert objs[2]["pdu"] == "short_location_report"
    assert "error" not in objs[2]
    # what monitor wrote: the init sequence, then the SDS-REPORT "received"
    # (status 0x00, ref 8) that the first text asked for (DRR 01), nothing else
    expected = [
        *GENERIC_INIT, b"AT+CTSDS=12,0,0,0\r\n", b"AT+CMGS=2002,32\r\n82100008\x1a",
    ]
    peer.wait_for(lambda cmds: len(cmds) >= len(expected), timeout=5)
    assert peer.commands == expected


def test_replay_shows_every_event_kind_and_names_bad_lines(tmp_path: Path) -> None:
    from tetrakit.transport import TraceWriter

    trace = tmp_path / "radio.jsonl"
    clock = iter(1764158400.0 + i / 10 for i in range(100))
    writer = TraceWriter(trace, clock=lambda: next(clock))
    writer.record("tx", b"AT\r\n")
    writer.record("rx", b"AT\r\r\nOK\r\n")  # echo on
    writer.record("rx", b"\xff\xfe\r\n")  # noise
    writer.record("tx", b"AT+CMGS=2001,16\r\n8001\x1a")
    writer.record("rx", b"> \r\n+CMGS: 3\r\n\r\nOK\r\n+CTSDSR: 13,2003,0,10")
    writer.record("rx", b"03,0,16\r\n8001\r\n")
    writer.record("rx", b"+CME ERROR: 35\r\n")
    writer.close()
    result = CliRunner().invoke(cli, ["pei", "replay", str(trace)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "2025-11-26T12:00:00.000Z > AT",
        "2025-11-26T12:00:00.100Z < (echo) AT",
        "2025-11-26T12:00:00.100Z < OK",
        "2025-11-26T12:00:00.200Z < (garbage) FFFE",
        "2025-11-26T12:00:00.300Z > AT+CMGS=2001,16",
        "2025-11-26T12:00:00.300Z > 8001^Z",
        "2025-11-26T12:00:00.400Z < (prompt) >",
        "2025-11-26T12:00:00.400Z < +CMGS: 3",
        "2025-11-26T12:00:00.400Z < OK",
        "2025-11-26T12:00:00.500Z < SDS 2003 -> 1003 ai=13 bits=16 STATUS 0x8001 (user)",
        "2025-11-26T12:00:00.600Z < +CME ERROR: 35",
    ]
    with trace.open("a") as fh:
        fh.write("not json\n")
    result = tetrakit("pei", "replay", str(trace))
    assert result.returncode == 1
    assert f"{trace}:8: not a JSON object" in result.stderr  # 7 records, then this


def test_sds_send_group_without_report_names_the_group(pei_port: PeiPort) -> None:
    result = tetrakit("sds", "send", "-p", pei_port.url, "--to", "9100", "--group", "Hei")
    assert result.returncode == 0, result.stderr
    # a fast member's report may already have arrived: either way the group is named
    assert result.stdout.startswith(("sent to group 9100", "delivered to group 9100"))
