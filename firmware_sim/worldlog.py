"""The world log: who sent what to whom, when it was delivered, how it was answered.

Every observable thing the simulated world does is one JSON object (one line
in the JSON-lines file): ``{"t": 12.5, "event": "sds_delivered", "from": 1001,
"to": 2003, ...}``.  The log is kept in memory for assertions and can also be
streamed to a sink (the CLI writes it to ``--log FILE``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["WorldLog"]


class WorldLog:
    """An append-only list of world events.

    Args:
        sink: called with each entry as one JSON line (no newline), e.g. a file writer.
        keep: keep entries in memory (turn off for very long runs with a sink).
    """

    def __init__(self, sink: Callable[[str], None] | None = None, *, keep: bool = True) -> None:
        self._entries: list[dict[str, Any]] = []
        self._sink = sink
        self._keep = keep
        self._listeners: list[Callable[[dict[str, Any]], None]] = []

    def record(self, t: float, event: str, **fields: Any) -> dict[str, Any]:
        """Append one event at simulated time ``t``; return the entry."""
        entry: dict[str, Any] = {"t": round(t, 6), "event": event}
        entry.update(fields)
        if self._keep:
            self._entries.append(entry)
        if self._sink is not None:
            self._sink(json.dumps(entry, sort_keys=False, ensure_ascii=False))
        for listener in self._listeners:
            listener(entry)
        return entry

    def subscribe(self, listener: Callable[[dict[str, Any]], None]) -> None:
        """Call ``listener`` with every later entry."""
        self._listeners.append(listener)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._entries))

    def find(self, event: str | None = None, **match: Any) -> list[dict[str, Any]]:
        """Entries of ``event`` (any if ``None``) whose fields equal all of ``match``."""
        return [
            e for e in self._entries
            if (event is None or e["event"] == event)
            and all(e.get(k) == v for k, v in match.items())
        ]

    def to_jsonl(self) -> str:
        """All kept entries as JSON lines."""
        return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in self._entries)
