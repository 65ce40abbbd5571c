"""Throughput of the PEI receiver on a long recorded-looking stream.

Builds a few MB of radio output from the wire transcripts (SDS headers and
payloads, two-stage +CMGS, call control, identity queries, echo, prompts and
noise), feeds it to :class:`tetrakit.pei.PeiReceiver` in serial-sized chunks
and reports events per second, next to the rate at which ``bytes.split``
merely cuts the same bytes into CR LF lines in the same run (the floor any
Python line parser is measured against).

Run: ``python benchmarks/pei_receiver.py [--megabytes N] [--chunk BYTES]``.
"""

from __future__ import annotations

import argparse
import time

from tetrakit.pei import PeiReceiver

BLOCK = (
    b"OK\r\n"
    b"+CMGS: 0\r\n"
    b"OK\r\n"
    b"+CMGS: 0,4,7\r\n"
    b"+CTSDSR: 12,23404,0,23401,0,112\r\n82040801476A61746A616A676A61\r\n"
    b"+CTSDSR: 12,23404,0,23401,0,96, 82041D014164676A6D707477\r\n"
    b"+CTSDSR: 12,23404,0,23401,0,32\r\n82100002\r\n"
    b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A112853A9FF4D4FFFE810\r\n"
    b"+CTSDSR: 12,2269001,0,9999,0,84\r\n0A0BA7D5B95BC50AFFE16\r\n"
    b"+CTSDSR: 13,1234567,0,2345678,0,16\r\n8004\r\n"
    b"+CTICN: 1,0,0,5,09011638300023404,1,1,0,1,1,5,09011638300000001,0\r\n"
    b"+CTXG: 1,3,0,0,3,09011638300023404\r\n"
    b"+CDTXC: 1,0\r\n"
    b"+CTCR: 1,13\r\n"
    b"+CNUMF: 6,09011638300023401\r\n"
    b"OK\r\n"
    b"+CREG: 1,1,90109999\r\n"
    b"+CSQ: 20,99\r\n"
    b"OK\r\n"
    b"AT+CMGS=1234,32\r\n82100002\x1a\r\n"
    b"> +CMGS: 1\r\n"
    b"\r\n"
    b"OK\r\n"
    b"+CME ERROR: 35\r\n"
    b"+GMI: MOTOROLA\r\n"
    b"OK\r\n"
    b"+CMGS: 1,4,8\r\n"
)


def build_stream(megabytes: float) -> bytes:
    """The block repeated to about ``megabytes`` MB."""
    return BLOCK * max(1, int(megabytes * 1_000_000 / len(BLOCK)))


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
    parser.add_argument("--megabytes", type=float, default=4.0)
    parser.add_argument("--chunk", type=int, default=4096, help="bytes per receive_data()")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    data = build_stream(args.megabytes)
    t_rx, events = best_of(args.repeat, run_receiver, data, args.chunk)
    t_small, events_small = best_of(1, run_receiver, data, 64)
    t_split, lines = best_of(args.repeat, run_split, data)
    assert events_small == events, "chunk size changed the events"

    rx_rate = events / t_rx
    split_rate = lines / t_split
    print(f"stream: {len(data) / 1e6:.1f} MB, {lines} CR LF lines, {events} receiver events")
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
