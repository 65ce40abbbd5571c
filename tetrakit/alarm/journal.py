"""The alarm journal: an append-only SQLite log of every fact, in WAL mode.

Every fact the engine produces (see :mod:`tetrakit.alarm.engine`) is a row of
``events`` with its time, alarm id, kind and JSON data; this is the audit
trail.  A small ``alarms`` table indexes alarms by state so that a restart
loads only what it needs: the facts of open alarms (which resume where they
stopped) and of a few recent closed ones (for the status view).

Durability choices:

* ``journal_mode=WAL``: readers (``tetrakit alarm status`` on another
  connection, a backup) never block the writer, and a commit is one append
  to the WAL file.
* ``synchronous=FULL``: each commit is fsync-ed before :meth:`Journal.append`
  returns.  With ``NORMAL`` a WAL commit survives a crash of the process but
  may be lost on power failure; an alarm a nurse has been told is
  "journaled" must survive both, and the cost (one fsync per transaction)
  is inside the latency budget (``benchmarks/alarm_latency.py``).
* The controller appends the facts of the engine batches of one turn of its
  event loop in one transaction (group commit: a storm of triggers is one
  fsync, ``benchmarks/alarm_storm.py``) and commits it *before* writing any
  SDS of those batches or answering any of their triggers.

Resumption is at-least-once: a send that was journaled but not yet accepted
by a radio when the process died is sent again once after the restart
(:meth:`tetrakit.alarm.engine.AlarmEngine.resume`).

Every failure (cannot open, disk full, read-only file system, corrupt file)
is a :class:`JournalError` naming the file; a trigger that cannot be
journaled is refused with that error, never silently dropped.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tetrakit.alarm.engine import Fact
from tetrakit.errors import TetrakitError

__all__ = ["Journal", "JournalError"]

_SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at REAL NOT NULL,
    alarm_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_alarm ON events (alarm_id, seq);
CREATE TABLE IF NOT EXISTS alarms (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL UNIQUE,
    state TEXT NOT NULL,
    created_at REAL NOT NULL,
    ended_at REAL
);
CREATE INDEX IF NOT EXISTS alarms_state ON alarms (state, number);
"""

_END_KINDS = ("resolved", "cancelled", "expired")


class JournalError(TetrakitError):
    """The journal cannot be opened, read or written."""


class Journal:
    """The SQLite journal of one controller.

    Args:
        path: the database file; its folder is created if missing.
        synchronous: ``"FULL"`` (default, see the module docstring) or ``"NORMAL"``.

    Raises:
        JournalError: the file cannot be opened or is not a journal.
    """

    def __init__(self, path: str | Path, *, synchronous: str = "FULL") -> None:
        self.path = Path(path)
        if synchronous not in ("FULL", "NORMAL"):
            raise ValueError(f"synchronous must be FULL or NORMAL, not {synchronous!r}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a batch is one transaction
            self._db = sqlite3.connect(str(self.path), isolation_level=None, timeout=5.0)
            mode = self._db.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise JournalError(f"journal {self.path}: cannot switch to WAL mode (got {mode})")
            self._db.execute(f"PRAGMA synchronous={synchronous}")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(_SCHEMA_VERSION),)
                )
            elif int(row[0]) != _SCHEMA_VERSION:
                raise JournalError(
                    f"journal {self.path}: schema version {row[0]}, this tetrakit reads "
                    f"{_SCHEMA_VERSION}"
                )
        except (sqlite3.Error, OSError) as exc:
            raise JournalError(f"journal {self.path}: cannot open: {exc}") from exc

    # ------------------------------------------------------------------ writing

    def append(self, facts: Sequence[Fact]) -> None:
        """Append facts in one transaction and commit (fsync-ed with FULL).

        Raises:
            JournalError: nothing of the batch was written (disk full, read-only, ...).
        """
        if not facts:
            return
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(
                    "INSERT INTO events (at, alarm_id, kind, data) VALUES (?, ?, ?, ?)",
                    [(f.at, f.alarm_id, f.kind, json.dumps(f.data, ensure_ascii=False))
                     for f in facts],
                )
                for f in facts:
                    if f.kind == "raised":
                        db.execute(
                            "INSERT INTO alarms (id, number, state, created_at) "
                            "VALUES (?, ?, 'active', ?)",
                            (f.alarm_id, int(f.data["number"]), f.at),
                        )
                    elif f.kind in _END_KINDS:
                        db.execute(
                            "UPDATE alarms SET state=?, ended_at=? WHERE id=?",
                            (f.kind, f.at, f.alarm_id),
                        )
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path}: cannot write: {exc}") from exc

    def check_writable(self) -> None:
        """Prove the journal can commit now (for readiness checks).

        Raises:
            JournalError: it cannot.
        """
        try:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('probe', 'ok')"
            )
            self._db.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise JournalError(f"journal {self.path}: not writable: {exc}") from exc

    # ------------------------------------------------------------------ reading

    def next_alarm_number(self) -> int:
        """One more than the highest alarm number ever journaled (ids stay unique)."""
        row = self._query("SELECT MAX(number) FROM alarms")
        return int(row[0][0] or 0) + 1

    def restore_facts(self, recent_closed: int = 50) -> list[Fact]:
        """Facts of every open alarm and of the ``recent_closed`` latest closed ones, in order."""
        rows = self._query(
            "SELECT id FROM alarms WHERE state='active' UNION "
            "SELECT id FROM (SELECT id FROM alarms WHERE state!='active' "
            "ORDER BY number DESC LIMIT ?)",
            (recent_closed,),
        )
        ids = [r[0] for r in rows]
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        return self._facts(
            f"SELECT at, alarm_id, kind, data FROM events WHERE alarm_id IN ({marks}) "
            "ORDER BY seq",
            ids,
        )

    def events(self, alarm_id: str | None = None, *, limit: int | None = None) -> list[Fact]:
        """The journaled facts of one alarm (or all, optionally the last ``limit``), in order."""
        if alarm_id is not None:
            return self._facts(
                "SELECT at, alarm_id, kind, data FROM events WHERE alarm_id=? ORDER BY seq",
                (alarm_id,),
            )
        if limit is not None:
            facts = self._facts(
                "SELECT at, alarm_id, kind, data FROM events ORDER BY seq DESC LIMIT ?", (limit,)
            )
            return facts[::-1]
        return self._facts("SELECT at, alarm_id, kind, data FROM events ORDER BY seq", ())

    def alarm_states(self) -> dict[str, str]:
        """Alarm id -> state, for every journaled alarm."""
        return {r[0]: r[1] for r in self._query("SELECT id, state FROM alarms ORDER BY number")}

    def journal_mode(self) -> str:
        return str(self._query("PRAGMA journal_mode")[0][0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return self._db.execute(sql, tuple(params)).fetchall()
        except sqlite3.Error as exc:
            raise JournalError(f"journal {self.path}: cannot read: {exc}") from exc

    def _facts(self, sql: str, params: Sequence[Any]) -> list[Fact]:
        out = []
        for at, alarm_id, kind, data in self._query(sql, params):
            try:
                decoded = json.loads(data)
            except ValueError as exc:
                raise JournalError(
                    f"journal {self.path}: event of {alarm_id or '-'} ({kind}) is not JSON: {exc}"
                ) from None
            out.append(Fact(float(at), str(alarm_id), str(kind), decoded))
        return out
