"""``tetrakit sim``: run the simulator with its PEI radios on ptys or TCP ports.

Prints one line per PEI radio, ``ISSI PATH`` (``PATH`` a ``/dev/pts/N`` or a
``socket://HOST:PORT`` URL), flushed, then serves until SIGINT or SIGTERM.
With ``--listen HOST:PORT`` the radios get consecutive ports from PORT on, in
scenario order (PORT 0: free ports chosen by the system).  With ``--buttonbox``
the simulated button boxes follow, one line each: ``PANEL ID PATH`` (see
``docs/buttonbox.md``).  See ``docs/simulator.md``.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TextIO

import click

from firmware_sim.buttonbox.serve import DEFAULT_PANEL, RunningPanel, start_panels
from firmware_sim.clock import Scheduler
from firmware_sim.scenario import load_scenario
from firmware_sim.serve import Server
from firmware_sim.world import World
from firmware_sim.worldlog import WorldLog

__all__ = ["sim"]


def _listen_address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise click.BadParameter(f"expected HOST:PORT, got {text!r}", param_hint="--listen")
    return host or "127.0.0.1", int(port)


@click.command("sim")
@click.option("--scenario", "scenario_name", default="hospital", show_default=True,
              metavar="NAME|FILE", help="Built-in scenario name or scenario YAML file.")
@click.option("--seed", type=int, default=None, help="Override the scenario's seed.")
@click.option("--pty", "use_pty", is_flag=True, help="One pseudo-terminal per PEI radio.")
@click.option("--listen", metavar="HOST:PORT",
              help="One TCP port per PEI radio, consecutive from PORT.")
@click.option("--log", "log_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the world log (JSON lines) to FILE.")
@click.option("--speed", type=click.FloatRange(min=0.01), default=1.0, show_default=True,
              help="Simulated seconds per real second.")
@click.option("--duration", type=click.FloatRange(min=0.0), default=None,
              help="Stop after this many simulated seconds (default: until interrupted).")
@click.option("--buttonbox", is_flag=True,
              help="Also run the scenario's simulated button boxes (panels:, else one "
                   "'panel-a' with 4 buttons) on ptys, in real time; prints 'PANEL ID PATH'. "
                   "Press with 'tetrakit panel press'.")
def sim(scenario_name: str, seed: int | None, use_pty: bool, listen: str | None,
        log_path: Path | None, speed: float, duration: float | None, buttonbox: bool) -> None:
    """Run simulated radios, network and team members that speak real PEI."""
    if not use_pty and listen is None and not buttonbox:
        raise click.UsageError("give --pty, --listen HOST:PORT and/or --buttonbox")
    address = _listen_address(listen) if listen is not None else None
    scenario = load_scenario(scenario_name)
    log_file: TextIO | None = None
    if log_path is not None:
        try:
            log_file = log_path.open("w", encoding="utf-8", buffering=1)
        except OSError as exc:
            raise click.FileError(str(log_path), exc.strerror) from exc
    def write_line(line: str) -> None:
        if log_file is not None:
            log_file.write(line + "\n")

    world = World(scenario, seed=seed, clock=Scheduler(), log=WorldLog(write_line, keep=False))
    server = Server(world, speed=speed)
    panels: list[RunningPanel] = []
    try:
        for i, issi in enumerate(scenario.pei_issis):
            if use_pty:
                ep = server.add_pty(issi)
                click.echo(f"{issi} {ep.path}")
            if address is not None:
                port = address[1] + i if address[1] else 0
                try:
                    tcp = server.add_tcp(issi, address[0], port)
                except OSError as exc:
                    raise click.ClickException(
                        f"cannot listen on {address[0]}:{port}: {exc.strerror}") from exc
                click.echo(f"{issi} {tcp.label}")
        if buttonbox:
            try:
                panels = start_panels(scenario.panels or (DEFAULT_PANEL,))
            except OSError as exc:
                raise click.ClickException(f"simulated button box: {exc}") from exc
            for panel in panels:
                click.echo(f"PANEL {panel.id} {panel.path}")
        sys.stdout.flush()

        def stop(signum: int, frame: FrameType | None) -> None:
            server.stop()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        if duration is not None:
            world.clock.call_at(world.clock.now + duration, server.stop)
        server.run()
    finally:
        server.close()
        for panel in panels:
            panel.close()
        if log_file is not None:
            log_file.close()
