"""The SQLite journal: WAL mode, durable batches, resume after reopen, clear failures."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tetrakit.alarm.engine import AlarmEngine, AlarmState, Fact, Record, SendSds
from tetrakit.alarm.journal import Journal, JournalError

from .helpers import make_config, sends

T0 = 1_800_000_000.0


def records(actions: list[object]) -> list[Fact]:
    return [a.fact for a in actions if isinstance(a, Record)]


def test_wal_mode_and_full_sync(tmp_path: Path) -> None:
    j = Journal(tmp_path / "var" / "j.sqlite3")
    assert j.journal_mode() == "wal"
    assert (tmp_path / "var").is_dir()
    # another connection sees the WAL mode persisted in the file
    other = sqlite3.connect(tmp_path / "var" / "j.sqlite3")
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    other.close()
    j.close()


def test_resume_after_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    cfg = make_config()
    j = Journal(path)
    eng = AlarmEngine(cfg, first_number=j.next_alarm_number())
    res = eng.trigger(T0, button="B3-312", source="test")
    j.append(records(res.actions))
    out = sends(res.actions)
    # two sends were accepted by the radio before the "crash", the rest were in flight
    for s in out[:2]:
        j.append(records(eng.send_accepted(T0 + 0.1, s.key)))
    j.append(records(eng.status_received(T0 + 2, sender=2001, value=0x8001)))
    closed = eng.trigger(T0 + 3, button="A1-101")
    j.append(records(closed.actions))
    j.append(records(eng.cancel(T0 + 4, closed.alarm_id)))
    j.close()

    j2 = Journal(path)
    assert j2.next_alarm_number() == 3
    assert j2.alarm_states() == {"A1": "active", "A2": "cancelled"}
    eng2 = AlarmEngine(cfg, first_number=j2.next_alarm_number())
    eng2.restore(j2.restore_facts())
    a1 = eng2.alarm("A1")
    assert a1.state is AlarmState.ACTIVE and a1.accepts == 1
    assert eng2.alarm("A2").state is AlarmState.CANCELLED
    acts = eng2.resume(T0 + 5)
    j2.append(records(acts))
    resent = sorted(str(f.data["key"]) for f in records(acts) if f.kind == "resend")
    assert resent == sorted(str(a.key) for a in acts if isinstance(a, SendSds)
                            if not a.key.step.startswith("g2"))
    # the group's second call-out was due during the downtime: sent now, as a new step
    assert [str(a.key) for a in acts if isinstance(a, SendSds) and a.key.step == "g2"] == [
        "A1/9100/g2"
    ]
    # exactly the sends that were in flight; A2's cancels were in flight too
    expected = sorted([str(s.key) for s in out[2:]] + [
        str(f.data["key"]) for f in j2.events("A2") if f.kind == "send"
        and f.data["key"].endswith("/x")
    ])
    assert resent == expected
    # the audit trail holds the whole timeline with timestamps
    kinds = [f.kind for f in j2.events("A1")]
    assert kinds[0] == "raised" and "answer" in kinds and "resend" in kinds
    assert all(f.at >= T0 for f in j2.events("A1"))
    j2.close()


def test_batch_is_atomic_and_failure_is_clear(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    j = Journal(path)
    f = Fact(T0, "A1", "raised", {"number": 1})
    j.append([f])
    # a duplicate alarm number makes the whole batch fail; nothing of it is written
    with pytest.raises(JournalError, match=r"j\.sqlite3: cannot write"):
        j.append([Fact(T0, "X", "note", {}), Fact(T0, "A1", "raised", {"number": 1})])
    assert [e.kind for e in j.events()] == ["raised"]
    j.close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_journal_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    Journal(path).close()
    for p in tmp_path.iterdir():
        p.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(JournalError, match=r"j\.sqlite3"):
            j = Journal(path)
            j.append([Fact(T0, "A1", "raised", {"number": 1})])
    finally:
        tmp_path.chmod(0o755)


def test_write_refused_is_a_journal_error(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.sqlite3")
    j._db.execute("PRAGMA query_only=1")  # stands in for a read-only or full disk
    with pytest.raises(JournalError, match=r"j\.sqlite3: cannot write: .*readonly"):
        j.append([Fact(T0, "A1", "raised", {"number": 1})])
    with pytest.raises(JournalError, match="not writable"):
        j.check_writable()
    j.close()


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite3"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(JournalError, match="cannot open"):
        Journal(path)
