"""``tetrakit pei replay TRACE``: decode a PEI traffic trace recorded with ``--trace``.

Host -> radio chunks are printed as the command lines they hold (an
``AT+CMGS`` payload on its own line, ending in ``^Z``); radio -> host chunks
are fed through :class:`~tetrakit.pei.receiver.PeiReceiver` and each event is
printed, incoming SDS decoded with :mod:`tetrakit.sds`.  The trace format is
described in ``docs/trace.md``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from tetrakit.cli.incoming import sds_json, sds_text
from tetrakit.errors import PeiProtocolError
from tetrakit.identities import Tsi
from tetrakit.pei.events import (
    Echo,
    FinalResult,
    Garbage,
    Prompt,
    ReceiverEvent,
    ResultLine,
    SdsIncoming,
)
from tetrakit.pei.receiver import PeiReceiver
from tetrakit.radio.events import decode_incoming
from tetrakit.transport.trace import TraceRecord, read_trace

__all__ = ["pei", "replay_lines"]


@click.group()
def pei() -> None:
    """PEI tools (trace replay)."""


@pei.command("replay")
@click.argument("trace", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def replay(trace: Path, as_json: bool) -> None:
    """Decode the PEI trace TRACE: commands sent and events received."""
    for line in replay_lines(read_trace(trace), as_json=as_json):
        click.echo(line)


def replay_lines(records: Iterator[TraceRecord], *, as_json: bool = False) -> Iterator[str]:
    """The output lines of ``tetrakit pei replay`` for a sequence of trace records.

    Raises:
        DecodeError: a trace line is malformed (file and line named).
    """
    receiver = PeiReceiver()
    tx_buffer = b""
    for record in records:
        if record.direction == "tx":
            tx_buffer += record.data
            commands, tx_buffer = _split_commands(tx_buffer)
            for command in commands:
                yield _tx_line(record.time, command, as_json)
            continue
        receiver.receive_data(record.data)
        while True:
            try:
                event = receiver.next_event()
            except PeiProtocolError as exc:
                yield _error_line(record.time, exc, as_json)
                receiver.reset()
                break
            if event is None:
                break
            yield _rx_line(record.time, event, as_json)
    if tx_buffer.strip():
        yield _tx_line(None, tx_buffer.decode("latin-1") + " (incomplete)", as_json)


def _split_commands(buffer: bytes) -> tuple[list[str], bytes]:
    """Complete command lines (CR, LF or Ctrl-Z ended) and the rest."""
    out: list[str] = []
    start = 0
    for i, byte in enumerate(buffer):
        if byte in b"\r\n\x1a":
            text = buffer[start:i].decode("latin-1")
            if byte == 0x1A:
                text += "^Z"
            if text:
                out.append(text)
            start = i + 1
    return out, buffer[start:]


def _stamp(when: float | None) -> str:
    if when is None:
        return "-"
    stamp = dt.datetime.fromtimestamp(when, tz=dt.UTC)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _tx_line(when: float | None, command: str, as_json: bool) -> str:
    if as_json:
        return json.dumps({"time": None if when is None else _stamp(when), "dir": "tx",
                           "command": command})
    return f"{_stamp(when)} > {command}"


def _error_line(when: float, exc: PeiProtocolError, as_json: bool) -> str:
    if as_json:
        return json.dumps({"time": _stamp(when), "dir": "rx", "event": "ProtocolError",
                           "error": str(exc)})
    return f"{_stamp(when)} < protocol error: {exc}"


def _rx_line(when: float, event: ReceiverEvent, as_json: bool) -> str:
    if isinstance(event, SdsIncoming):
        pdu, error = decode_incoming(event)
        if as_json:
            obj = {"time": _stamp(when), "dir": "rx", "event": "SdsIncoming"}
            obj.update({k: v for k, v in sds_json(event, pdu, error, None).items() if k != "time"})
            return json.dumps(obj, ensure_ascii=False)
        return f"{_stamp(when)} < SDS {sds_text(event, pdu, error, None)}"
    if as_json:
        obj = {"time": _stamp(when), "dir": "rx", "event": type(event).__name__}
        obj.update(_fields(event))
        return json.dumps(obj, ensure_ascii=False)
    return f"{_stamp(when)} < {_describe(event)}"


def _describe(event: ReceiverEvent) -> str:
    if isinstance(event, FinalResult | ResultLine):
        return event.line
    if isinstance(event, Echo):
        return f"(echo) {event.line}"
    if isinstance(event, Prompt):
        return "(prompt) >"
    if isinstance(event, Garbage):
        return f"(garbage) {event.data.hex().upper()}"
    return type(event).__name__


def _fields(event: object) -> dict[str, Any]:
    if not dataclasses.is_dataclass(event):
        return {}
    return {f.name: _jsonable(getattr(event, f.name)) for f in dataclasses.fields(event)}


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value if not isinstance(value, int) else int(value)
    if isinstance(value, bytes):
        return value.hex().upper()
    if isinstance(value, Tsi):
        return str(value)
    return value
