"""Record what a radio writes to its host over simulated hours (for pei_receiver.py).

Drives the simulator's ``hospital`` scenario (``firmware_sim.World`` on its
virtual clock) with tetrakit's own radio session on the primary controller
radio (ISSI 1001, Motorola profile): the session initialises the radio and
keeps the link alive, a group call-out goes to the cardiac arrest team (9100)
or the trauma team (9101) every few minutes, the members answer with status
and text messages and delivery reports, and every handheld sends its LIP
position reports.  Everything the radio writes towards the host is recorded,
byte for byte, and stored gzip-compressed.

Run: ``python benchmarks/record_pei_stream.py [--hours H] [--seed N] [--out FILE]``.
The recording is deterministic for a given seed and duration.
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

from firmware_sim.world import World
from tetrakit.radio import RadioSession, SessionConfig

DEFAULT_OUT = Path(__file__).resolve().parent / "data" / "hospital_radio_1001.pei.gz"
CALLOUTS = (
    (9100, "HJERTESTANS Bygg B 3. etg rom 312"),
    (9101, "TRAUME Akuttmottak traumerom 1"),
    (9100, "HJERTESTANS Bygg A 1. etg rom 118"),
)
STEP = 0.05  # seconds of simulated time between pumps (PEI answers take ms)


def record(hours: float, seed: int, callout_every: float = 300.0) -> bytes:
    """Run the scenario for ``hours`` simulated hours; return the radio->host bytes."""
    world = World("hospital", seed=seed)
    terminal = world.terminal(1001)
    session = RadioSession("motorola", config=SessionConfig(), now=world.now)
    recorded = bytearray()
    session.connection_made(world.now)
    end = world.now + hours * 3600.0
    next_callout = world.now + 30.0
    count = 0
    while world.now < end:
        out = session.data_to_send()
        if out:
            terminal.receive_data(out)
        world.advance(STEP)
        now = world.now
        incoming = terminal.data_to_send()
        if incoming:
            recorded += incoming
            session.receive_data(incoming, now)
        session.tick(now)
        while session.next_event() is not None:
            pass
        if now >= next_callout:
            gssi, text = CALLOUTS[count % len(CALLOUTS)]
            session.send_text(gssi, f"{text} #{count:04d}", now=now, group=True)
            count += 1
            next_callout += callout_every
    return bytes(recorded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    data = record(args.hours, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same recording gives the same file
    args.out.write_bytes(gzip.compress(data, mtime=0))
    print(f"{len(data):,} bytes over {args.hours:g} simulated hours -> {args.out} "
          f"({args.out.stat().st_size:,} bytes compressed)")


if __name__ == "__main__":
    main()
