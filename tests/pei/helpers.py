"""Helpers shared by the PEI tests: drive a receiver or an engine over a byte stream."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from tetrakit.errors import PeiProtocolError
from tetrakit.pei import PeiEngine, PeiReceiver
from tetrakit.pei.events import EngineEvent, ReceiverEvent


def receive_all(chunks: Iterable[bytes], *, eof: bool = True) -> list[ReceiverEvent]:
    """Feed ``chunks`` (then EOF) into a fresh receiver and collect every event."""
    rx = PeiReceiver()
    events: list[ReceiverEvent] = []
    for chunk in chunks:
        rx.receive_data(chunk)
        while (ev := rx.next_event()) is not None:
            events.append(ev)
    if eof:
        rx.receive_data(b"")
        while (ev := rx.next_event()) is not None:
            events.append(ev)
    return events


def receive_outcome(chunks: Iterable[bytes]) -> tuple[list[ReceiverEvent], str | None]:
    """Like :func:`receive_all` but a protocol error ends the run: (events, error text)."""
    rx = PeiReceiver()
    events: list[ReceiverEvent] = []
    try:
        for chunk in [*chunks, b""]:
            rx.receive_data(chunk)
            while (ev := rx.next_event()) is not None:
                events.append(ev)
    except PeiProtocolError as exc:
        return events, str(exc)
    return events, None


def drain(engine: PeiEngine) -> list[EngineEvent]:
    """Every event the engine has now."""
    out: list[EngineEvent] = []
    while (ev := engine.next_event()) is not None:
        out.append(ev)
    return out


def split_at(data: bytes, cuts: Iterable[int]) -> list[bytes]:
    """``data`` cut at the given offsets (sorted, clipped, duplicates ignored)."""
    points = sorted({min(max(c, 0), len(data)) for c in cuts} | {0, len(data)})
    return [data[a:b] for a, b in itertools.pairwise(points)]
