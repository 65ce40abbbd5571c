"""Simulated panels on pseudo-terminals, for ``tetrakit sim --buttonbox``.

Each panel gets a pty (the controller opens its ``/dev/pts/N`` like the
Pico's USB serial port) and a control socket (``tetrakit panel ...``), and
runs in real time on the process-wide :class:`~firmware_sim.buttonbox.hosting.PanelHost`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from firmware_sim.buttonbox.hosting import ControlServer, PanelHost, PtyEndpoint, default_host
from firmware_sim.buttonbox.scenario import PanelSpec, schedule

__all__ = ["DEFAULT_PANEL", "RunningPanel", "start_panels"]

#: the panel run when a scenario has no ``panels:`` section
DEFAULT_PANEL = PanelSpec(id="panel-a", buttons=4)


@dataclass(slots=True)
class RunningPanel:
    """A panel being served: its pty path and control socket."""

    id: str
    path: str
    control: Path
    _host: PanelHost
    _key: int
    _endpoint: PtyEndpoint
    _server: ControlServer

    def close(self) -> None:
        self._host.detach(self._key)
        self._server.close()
        self._endpoint.close()


def start_panels(specs: Sequence[PanelSpec], host: PanelHost | None = None) -> list[RunningPanel]:
    """Start each panel on its own pty with its control socket and timeline.

    Raises:
        OSError: a control socket is in use by another running panel.
    """
    host = host or default_host()
    running: list[RunningPanel] = []
    try:
        for spec in specs:
            panel = host.new_panel(spec.id, spec.buttons, seed=spec.seed, version=spec.version)
            schedule(spec, panel, host.clock())
            endpoint = PtyEndpoint()
            try:
                server = ControlServer(host, panel)
            except OSError:
                endpoint.close()
                raise
            key = host.attach(panel, endpoint)
            running.append(
                RunningPanel(spec.id, endpoint.path, server.path, host, key, endpoint, server)
            )
    except BaseException:
        for r in running:
            r.close()
        raise
    return running
