"""PEI traffic traces: record both directions with timestamps, read them back.

Format (one JSON object per line, UTF-8, newline-terminated)::

    {"t": 1764158400.123456, "dir": "tx", "hex": "41540D0A", "text": "AT\\r\\n"}
    {"t": 1764158400.131002, "dir": "rx", "hex": "0D0A4F4B0D0A", "text": "\\r\\nOK\\r\\n"}

``t`` is the wall-clock time (seconds since the Unix epoch) at which the
chunk was written to or read from the port; ``dir`` is ``"tx"`` for
host -> radio and ``"rx"`` for radio -> host; ``hex`` is the exact bytes in
upper-case hex and is the authoritative content; ``text`` is the same bytes
decoded as Latin-1, only for people reading the file.  Lines starting with
``#`` and empty lines are comments.  The first line written by
:class:`TraceWriter` is such a comment naming the port URL.

JSON lines were chosen over a text dump because a chunk can hold any byte
(CR, LF, Ctrl-Z) and must come back byte-exact for ``tetrakit pei replay``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from tetrakit.errors import DecodeError

__all__ = ["Direction", "TraceRecord", "TraceWriter", "read_trace"]

Direction = Literal["tx", "rx"]


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One chunk of traffic: when, which direction, which bytes."""

    time: float
    direction: Direction
    data: bytes

    def to_json(self) -> str:
        """The record as one JSON line (without the newline)."""
        return json.dumps(
            {
                "t": round(self.time, 6),
                "dir": self.direction,
                "hex": self.data.hex().upper(),
                "text": self.data.decode("latin-1"),
            },
            ensure_ascii=True,
        )


class TraceWriter:
    """Appends :class:`TraceRecord` lines to a file; safe to call from several threads.

    Every record is flushed at once, so a trace survives a crash of the
    program that writes it.

    Args:
        target: a path (opened for appending) or an open text file.
        clock: wall-clock source for the timestamps (tests pass a fake one).
    """

    def __init__(
        self, target: str | Path | IO[str], *, clock: Callable[[], float] = time.time
    ) -> None:
        if isinstance(target, str | Path):
            self._file: IO[str] = open(target, "a", encoding="utf-8")  # noqa: SIM115
            self._owns = True
        else:
            self._file = target
            self._owns = False
        self._clock = clock
        self._lock = threading.Lock()
        self._closed = False

    def comment(self, text: str) -> None:
        """Write a ``#`` comment line (e.g. the port URL)."""
        line = "# " + text.replace("\n", " ") + "\n"
        with self._lock:
            if not self._closed:
                self._file.write(line)
                self._file.flush()

    def record(self, direction: Direction, data: bytes) -> None:
        """Record one chunk; empty chunks are skipped."""
        if not data:
            return
        rec = TraceRecord(self._clock(), direction, bytes(data))
        with self._lock:
            if not self._closed:
                self._file.write(rec.to_json() + "\n")
                self._file.flush()

    def close(self) -> None:
        """Stop recording; closes the file when this writer opened it."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._owns:
                self._file.close()


def _parse_line(line: str, where: str) -> TraceRecord:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DecodeError(f"{where}: not a JSON object: {exc.msg}", field="line") from None
    if not isinstance(obj, dict):
        raise DecodeError(f"{where}: expected a JSON object", field="line")
    t = obj.get("t")
    direction = obj.get("dir")
    hexdata = obj.get("hex")
    if not isinstance(t, int | float) or isinstance(t, bool):
        raise DecodeError(f"{where}: 't' must be a number of seconds", field="t")
    if direction not in ("tx", "rx"):
        raise DecodeError(
            f"{where}: 'dir' must be \"tx\" or \"rx\", got {direction!r}", field="dir"
        )
    if not isinstance(hexdata, str):
        raise DecodeError(f"{where}: 'hex' must be a hex string", field="hex")
    try:
        data = bytes.fromhex(hexdata)
    except ValueError:
        raise DecodeError(
            f"{where}: 'hex' is not valid hex: {hexdata[:40]!r}", field="hex"
        ) from None
    return TraceRecord(float(t), direction, data)


def read_trace(source: str | Path | IO[str]) -> Iterator[TraceRecord]:
    """Yield the records of a trace file in order.

    Raises:
        DecodeError: a line is not a valid record; the message names the
            file and line number.
    """
    if isinstance(source, str | Path):
        name = str(source)
        with open(source, encoding="utf-8") as fh:
            yield from _records(fh, name)
    else:
        yield from _records(source, getattr(source, "name", "<trace>"))


def _records(fh: IO[str], name: str) -> Iterator[TraceRecord]:
    for number, raw in enumerate(fh, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        yield _parse_line(line, f"{name}:{number}")
