"""End to end through real ptys: simulator subprocess <-> daemon subprocess <-> CLI."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from .simproc import DaemonProc, cli, config_for, simulator, wait_state, world_events

pytestmark = pytest.mark.slow


def journal_kinds(cfg: Path, alarm_id: str) -> list[str]:
    db = sqlite3.connect(cfg.parent / "var" / "alarm-journal.sqlite3")
    try:
        rows = db.execute("SELECT kind FROM events WHERE alarm_id=? ORDER BY seq", (alarm_id,))
        return [r[0] for r in rows]
    finally:
        db.close()


def test_trigger_to_resolved_over_ptys(tmp_path: Path) -> None:
    log = tmp_path / "world.jsonl"
    with simulator(log) as ptys:
        cfg = config_for(tmp_path, ptys)
        daemon = DaemonProc(cfg, tmp_path / "daemon.log")
        try:
            daemon.wait_ready()
            out = cli("alarm", "trigger", "-c", str(cfg), "B3-312")
            assert out.stdout.strip() == "A1 journaled"
            alarm = wait_state(cfg, "A1", {"resolved"}, timeout=30)
            status = cli("alarm", "status", "-c", str(cfg))
            listing = cli("alarm", "status", "-c", str(cfg), "--json")
            # by type and location, then cancelled as a false alarm
            other = cli("alarm", "trigger", "-c", str(cfg), "--type", "TILSYN",
                        "--location", "Kantina")
            assert other.stdout.strip() == "A2 journaled"
            assert cli("alarm", "cancel", "-c", str(cfg), "A2").stdout.strip() == "A2 cancelled"
            a2 = wait_state(cfg, "A2", {"cancelled"}, timeout=5)
            refused = cli("alarm", "trigger", "-c", str(cfg), "NO-SUCH", check=False)
        finally:
            assert daemon.stop() == 0  # SIGTERM ends it cleanly
    # two members accepted; the team's radios got the call-out
    accepted = [r["issi"] for r in alarm["recipients"] if r["answer"] == "accept"]
    assert len(accepted) >= 2
    assert set(accepted) <= {2001, 2002, 2003, 2004, 2005}
    got = {e.get("to") for e in world_events(log, "sds_delivered")}
    assert {2001, 2002, 2003, 2004, 2005} <= got, got
    reached = [r for r in alarm["recipients"] if not r["group"]
               and r["delivery"] in ("received", "consumed")]
    assert len(reached) == 5
    # the journal holds the full timeline
    kinds = journal_kinds(cfg, "A1")
    assert kinds[0] == "raised"
    for k in ("recipient", "send", "send_state", "delivery", "answer", "resolved"):
        assert k in kinds, k
    assert kinds.index("raised") < kinds.index("send") < kinds.index("send_state")
    assert "A1" in status.stdout and "resolved" in status.stdout
    lines = [json.loads(x) for x in listing.stdout.splitlines()]
    assert "health" in lines[0] and lines[1]["id"] == "A1"
    assert "cancelled" not in kinds
    assert a2["text"] == "AKUTT TILSYN Kantina #A2"
    assert a2["recipients"][0]["issi"] == 2003
    kinds2 = journal_kinds(cfg, "A2")
    assert kinds2.count("send") == 2 and kinds2[-1] in ("send", "send_state", "delivery")
    assert refused.returncode == 1 and "unknown button 'NO-SUCH'" in refused.stderr


def test_sigkill_right_after_trigger_then_restart(tmp_path: Path) -> None:
    log = tmp_path / "world.jsonl"
    with simulator(log) as ptys:
        cfg = config_for(tmp_path, ptys, repeat_interval=3)
        daemon = DaemonProc(cfg, tmp_path / "daemon.log")
        try:
            daemon.wait_ready()
            out = cli("alarm", "trigger", "-c", str(cfg), "B3-312")
            assert out.stdout.strip() == "A1 journaled"
            daemon.kill()  # right after the CLI got "journaled"
        finally:
            daemon.stop()
        assert journal_kinds(cfg, "A1")[0] == "raised"  # it was on disk
        again = DaemonProc(cfg, tmp_path / "daemon2.log")
        try:
            again.wait_ready()
            alarm = wait_state(cfg, "A1", {"resolved"}, timeout=40)
            # a new alarm gets a new id after the restart
            assert cli("alarm", "trigger", "-c", str(cfg), "A1-101").stdout.strip() == (
                "A2 journaled")
        finally:
            assert again.stop() == 0
    assert sum(1 for r in alarm["recipients"] if r["answer"] == "accept") >= 2
    kinds = journal_kinds(cfg, "A1")
    assert kinds[-1] == "resolved" or "resolved" in kinds
    # every call-out step was written at most twice (once, plus a re-send if in flight)
    db = sqlite3.connect(cfg.parent / "var" / "alarm-journal.sqlite3")
    keys = [json.loads(r[0])["key"] for r in db.execute(
        "SELECT data FROM events WHERE alarm_id='A1' AND kind='send'")]
    resends = [json.loads(r[0])["key"] for r in db.execute(
        "SELECT data FROM events WHERE alarm_id='A1' AND kind='resend'")]
    db.close()
    assert len(keys) == len(set(keys))
    assert set(resends) <= set(keys)


def test_sigkill_with_sends_in_flight_resends_once(tmp_path: Path) -> None:
    """The radio never answers before the kill: every send is in flight, re-sent after restart."""
    log = tmp_path / "world.jsonl"
    master, slave = os.openpty()  # a radio that is plugged in but silent
    try:
        silent = os.ttyname(slave)
        with simulator(log) as ptys:
            cfg = config_for(tmp_path, {**ptys, 1001: silent, 1002: silent})
            daemon = DaemonProc(cfg, tmp_path / "daemon.log")
            try:
                daemon.wait_ready(radio=False)
                out = cli("alarm", "trigger", "-c", str(cfg), "B3-312")
                assert out.stdout.strip() == "A1 journaled"
                daemon.kill()
            finally:
                daemon.stop()
            kinds = journal_kinds(cfg, "A1")
            assert kinds.count("send") == 6 and "send_state" not in kinds
            config_for(tmp_path, ptys)  # the radios are back (same journal, same socket)
            again = DaemonProc(cfg, tmp_path / "daemon2.log")
            try:
                again.wait_ready()
                alarm = wait_state(cfg, "A1", {"resolved"}, timeout=40)
            finally:
                assert again.stop() == 0
    finally:
        os.close(master)
        os.close(slave)
    assert sum(1 for r in alarm["recipients"] if r["answer"] == "accept") >= 2
    db = sqlite3.connect(cfg.parent / "var" / "alarm-journal.sqlite3")
    resends = sorted(json.loads(r[0])["key"] for r in db.execute(
        "SELECT data FROM events WHERE alarm_id='A1' AND kind='resend'"))
    sent = [json.loads(r[0])["key"] for r in db.execute(
        "SELECT data FROM events WHERE alarm_id='A1' AND kind='send'")]
    db.close()
    first = sorted(k for k in sent if k.endswith(("/c1", "/g1")))
    assert resends == first and len(first) == 6  # each in-flight send re-sent exactly once
