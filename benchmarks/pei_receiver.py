"""Throughput of the PEI receiver on a long recorded stream.

The stream is what the primary controller radio (ISSI 1001) of the
simulator's ``hospital`` scenario wrote to its host over a simulated week:
initialisation, keep-alives, group call-outs with their two-stage +CMGS,
the members' delivery reports, status and text answers and every
handheld's LIP position reports (recorded by ``record_pei_stream.py`` into
``data/hospital_radio_1001.pei.gz``; run it again to renew the recording).
The stream is fed to :class:`tetrakit.pei.PeiReceiver` in serial-sized
chunks and the events per second are reported, next to the rate at which
``bytes.split`` merely cuts the same bytes into CR LF lines in the same run
(the floor any Python line parser is measured against).

Run: ``python benchmarks/pei_receiver.py [--recording FILE] [--chunk BYTES]``.
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

from tetrakit.pei import PeiReceiver

RECORDING = Path(__file__).resolve().parent / "data" / "hospital_radio_1001.pei.gz"


def load_stream(path: Path) -> bytes:
    """The recorded radio->host bytes."""
    if not path.exists():
        sys.exit(f"{path}: no recording; make one with python benchmarks/record_pei_stream.py")
    return gzip.decompress(path.read_bytes())


def run_receiver(data: bytes, chunk: int) -> int:
    """Feed ``data`` in ``chunk``-byte pieces; return the number of events."""
    rx = PeiReceiver()
    count = 0
    nxt = rx.next_event
    for i in range(0, len(data), chunk):
        rx.receive_data(data[i : i + chunk])
        while nxt() is not None:
            count += 1
    rx.receive_data(b"")
    while nxt() is not None:
        count += 1
    return count


def run_split(data: bytes) -> int:
    """The baseline: cut the same bytes into CR LF lines, counting the non-empty ones."""
    return sum(1 for line in data.split(b"\r\n") if line)


def best_of(repeat: int, func: object, *args: object) -> tuple[float, int]:
    """Best wall time of ``repeat`` runs, and the function's result."""
    best = float("inf")
    result = 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recording", type=Path, default=RECORDING)
    parser.add_argument("--chunk", type=int, default=4096, help="bytes per receive_data()")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = load_stream(args.recording)
    t_rx, events = best_of(args.repeat, run_receiver, data, args.chunk)
    t_small, events_small = best_of(1, run_receiver, data, 64)
    t_split, lines = best_of(args.repeat, run_split, data)
    assert events_small == events, "chunk size changed the events"

    rx_rate = events / t_rx
    split_rate = lines / t_split
    print(f"stream: {args.recording.name}, {len(data) / 1e6:.1f} MB, {lines} CR LF lines, "
          f"{events} receiver events")
    print(
        f"PeiReceiver ({args.chunk}-byte chunks): {rx_rate:,.0f} events/s "
        f"({len(data) / t_rx / 1e6:.1f} MB/s)"
    )
    print(
        f"PeiReceiver (64-byte chunks):   {events_small / t_small:,.0f} events/s "
        f"({len(data) / t_small / 1e6:.1f} MB/s)"
    )
    print(
        f"bytes.split(b'\\r\\n'):          {split_rate:,.0f} lines/s "
        f"({len(data) / t_split / 1e6:.1f} MB/s)"
    )
    print(
        f"ratio: the receiver takes {t_rx / t_split:.1f}x the time of bytes.split "
        f"on the same bytes ({rx_rate / split_rate:.3f} events per split line-time)"
    )


if __name__ == "__main__":
    main()
